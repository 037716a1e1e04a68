"""Issue 12: a plan's request estimate comes from the requests the apply will actually send.

Each action type states its requests (``requests(change) -> Cost`` in its module, contract.py's defaults
otherwise); ``planner.estimate`` sums them the way the applier sends them. The test applies the demo's
playbook against the simulator over HTTP and compares with what the server counted on the wire.
Graph docs: json-batching.md (at most 20 requests per $batch), team-post.md (202 Accepted + Location of a
teamsAsyncOperation to poll), message-send.md (a draft, then /send).
"""
from __future__ import annotations

import readiness
from readiness.playbook.contract import Cost, default_cost
from readiness.playbook.model import Change, Plan, Request, StepPlan
from readiness.playbook.planner import BATCH, estimate
from readiness.playbook.steps import spec


def _wire(conduct, since: int) -> list[tuple]:
    """HTTP calls the server received since ``since``: a $batch call counts once (its items are logged as "$batch:...")."""
    return [r for r in conduct.requests[since:] if not r[2].startswith("$batch:")]


def test_the_estimate_equals_the_requests_the_apply_sends_to_the_simulator() -> None:
    with readiness.serve_simulator("unprepared-sme", seed=7) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        audit = readiness.evaluate(readiness.collect(conn))
        lead = next(p for p in audit.people if p["department"] == "IT")
        plan = readiness.plan("emergency-home-office", conn, params={
            "usage_location": "DE", "team_owners": lead["userPrincipalName"], "sender": lead["userPrincipalName"]})
        est = plan.estimate
        assert est["changes"] == len(plan.changes) >= 20
        conduct = sim.sim.conduct
        mark: dict[str, int] = {}

        def confirm(_fresh) -> bool:  # asked after the re-read of the tenant, right before the first change
            mark["since"] = len(conduct.requests)
            return True

        run = readiness.apply(plan, conn, confirm=confirm)
        assert run.status == "complete", run
        sent = _wire(conduct, mark["since"])
        polls = [r for r in sent if "/operations" in r[2]]
        # everything but the polls is exact; the polls are Graph's to decide (the simulator finishes on the second)
        assert len(sent) - len(polls) == est["requests"] - est["polls"]
        assert len(polls) == est["polls"] == 2
        assert len(sent) == est["requests"]
        assert est["batches"] + est["lookups"] == sum(1 for r in sent if r[2] == "/$batch")


def test_the_estimates_of_apply_and_undo_equal_what_they_send_with_passes_and_policies() -> None:
    """secure-remote-access with passes: a mail, settings in $batch, a Temporary Access Pass per person (the user's
    passes read, then one issued; undoing: read, delete, each undo looked up first)."""
    with readiness.serve_simulator("unprepared-sme", seed=7) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        lead = next(p for p in readiness.evaluate(readiness.collect(conn)).people if p["department"] == "IT")["userPrincipalName"]
        plan = readiness.plan("secure-remote-access", conn, params={"sender": lead, "break_glass": lead, "issue_passes": "true"})
        assert any(c.action == "temporary_access_pass" for c in plan.changes)
        conduct = sim.sim.conduct
        mark: dict[str, int] = {}

        def confirm(_fresh) -> bool:
            mark["since"] = len(conduct.requests)
            return True

        run = readiness.apply(plan, conn, confirm=confirm)
        assert run.status == "complete", run
        assert len(_wire(conduct, mark["since"])) == plan.estimate["requests"]
        preview = readiness.undo_preview(run.run_id)
        assert preview.estimate["lookups"] > 0  # an undo is looked up first
        undone = readiness.undo(run.run_id, conn, confirm=confirm)
        assert undone.status == "complete", undone
        assert len(_wire(conduct, mark["since"])) == preview.estimate["requests"]


def _change(n: int, *, action: str = "assign_licence", idempotent: bool = True, parts: int = 0, phase: int = 1,
            kind: str = "update") -> Change:
    reqs = (Request("POST", f"/users/u{n}/assignLicense", {}, idempotent),) + tuple(
        Request("POST", "/teams/{id}/members", {}) for _ in range(parts))
    return Change(f"s:{n}", "s", action, kind, f"user {n}", f"u{n}", None, None, reqs, data={"phase": phase})


def test_batched_requests_travel_twenty_per_batch_per_phase() -> None:
    changes = [_change(n) for n in range(41)] + [_change(100 + n, phase=0) for n in range(3)]
    plan = Plan("p", "h", {}, "t", "tid", "f", "now", [StepPlan("s", "assign_licence", "S", changes)])
    est = estimate(plan)
    assert est["batches"] == -(-41 // BATCH) + 1 == 4
    assert est["requests"] == 4 and est["direct"] == 0


def test_a_create_is_looked_up_first_then_sends_each_part_and_is_polled() -> None:
    team = _change(1, action="create_team", idempotent=False, parts=5, kind="create")
    cost = spec("create_team").requests(Change(team.id, team.step, team.action, team.kind, team.target, team.key, None, None,
                                               team.requests, data={"name": "Krisenstab"}))
    assert cost == Cost(direct=6, lookups=1, polls=2)
    assert default_cost(team, check=lambda _c: None) == Cost(direct=6)  # what cannot be looked up is not
    mail = spec("send_announcement").requests(_change(2, action="send_announcement", idempotent=False, parts=1, kind="send"))
    assert mail == Cost(direct=2)
