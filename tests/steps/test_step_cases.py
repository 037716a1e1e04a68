"""Every action type against data files: parameters and a snapshot fragment in, changes or a reason out."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.audit.facts import facts
from readiness.playbook.schema import check_params
from readiness.playbook.steps import ACTIONS
from readiness.playbook.steps.base import Ctx
from tests.checks.caselib import snapshot_for

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "cases.json").read_text("utf-8"))


def test_every_action_type_has_a_change_case_and_a_reason_case() -> None:
    with_changes = {c["action"] for c in CASES if "changes" in c["expect"]}
    with_reason = {c["action"] for c in CASES if "noop" in c["expect"] or "blocked" in c["expect"]}
    assert set(ACTIONS) == with_changes == with_reason


@pytest.mark.parametrize("case", CASES, ids=[f"{c['action']}: {c['name']}" for c in CASES])
def test_case(case: dict) -> None:
    snap = snapshot_for(case.get("patch", []))
    action = ACTIONS[case["action"]]
    params = check_params(case["action"], case.get("params", {}), "case")
    ctx = Ctx(snap, facts(snap), "step", "title", case.get("select", {}), "", case.get("history", {}), HERE, "Contoso")
    expect = case["expect"]
    if "error" in expect:
        from readiness.errors import UsageError

        with pytest.raises(UsageError) as err:
            action.plan(params, ctx)
        assert expect["error"] in str(err.value)
        return
    sp = action.plan(params, ctx)
    if "changes" in expect:
        assert not sp.blocked, sp.blocked
        assert len(sp.changes) == expect["changes"], [c.target for c in sp.changes]
        for key, value in (expect.get("first_after") or {}).items():
            assert sp.changes[0].after[key] == value
        for c in sp.changes:
            assert c.requests and all(r.path.startswith("/") for r in c.requests)
            assert c.irreversible or action.inverse(c) is not None or c.kind == "create"  # creates get ids at apply
    elif "noop" in expect:
        assert not sp.changes and not sp.blocked and expect["noop"] in sp.noop_reason, (sp.noop_reason, sp.blocked)
    else:
        assert not sp.changes and expect["blocked"] in sp.blocked, sp.blocked


def test_an_existing_membership_counts_as_done_only_for_steps_that_say_so() -> None:
    from readiness.graph.batch import BatchResult
    from readiness.playbook.steps import spec

    dup = BatchResult("1", 400, {}, {"error": {"code": "Request_BadRequest",
                                              "message": "One or more added object references already exist for 'members'."}})
    other = BatchResult("1", 400, {}, {"error": {"code": "Request_BadRequest", "message": "Invalid object identifier."}})

    def already(action: str, res: BatchResult) -> bool:
        return spec(action).already_done(res.status, res.body)

    assert already("add_to_group", dup)
    assert not already("add_to_group", other)
    assert not already("assign_licence", dup)
