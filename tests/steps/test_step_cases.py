"""Every action type against data files (tests/steps/cases/<action>.json): parameters and a snapshot patched
by object id in, changes with their exact requests (method, URL, body) or a reason out."""
from __future__ import annotations

import pytest

from readiness.audit.facts import facts
from readiness.i18n import resolve
from readiness.playbook.query import url
from readiness.playbook.schema import check_params
from readiness.playbook.steps import ACTIONS, spec
from readiness.playbook.steps.base import Ctx
from tests.steps.caselib import HERE, load_cases, snapshot_for

CASES = load_cases()


def requests_of(change) -> list[list]:  # noqa: ANN001
    return [[r.method, url(r.path, r.query), r.body] for r in change.requests]


def test_every_action_type_has_its_cases_file_with_a_change_case_and_a_reason_case() -> None:
    assert {p.stem for p in (HERE / "cases").glob("*.json")} == set(ACTIONS)
    with_changes = {c["action"] for c in CASES if "changes" in c["expect"]}
    with_reason = {c["action"] for c in CASES if "noop" in c["expect"] or "blocked" in c["expect"]}
    assert set(ACTIONS) == with_changes == with_reason
    assert all("requests" in c["expect"] for c in CASES if "changes" in c["expect"])  # exact requests, as data


def test_a_patch_by_list_position_is_refused() -> None:
    with pytest.raises(KeyError, match="by id"):
        snapshot_for([["set", "sections.users.data.1.usageLocation", "DE"]])


@pytest.mark.parametrize("case", CASES, ids=[f"{c['action']}: {c['name']}" for c in CASES])
def test_case(case: dict) -> None:
    snap = snapshot_for(case.get("patch", []))
    action = spec(case["action"])
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
        assert requests_of(sp.changes[0]) == expect["requests"]
        for c in sp.changes:
            assert c.requests and all(r.path.startswith("/") for r in c.requests)
            assert c.irreversible or action.inverse(c) is not None or c.kind == "create"  # creates get ids at apply
    elif "noop" in expect:
        assert not sp.changes and not sp.blocked and expect["noop"] in resolve(sp.noop_reason, "en"), (sp.noop_reason, sp.blocked)
    else:
        assert not sp.changes and expect["blocked"] in resolve(sp.blocked, "en"), sp.blocked


def test_an_existing_membership_counts_as_done_only_for_steps_that_say_so() -> None:
    from readiness.graph.batch import BatchResult

    dup = BatchResult("1", 400, {}, {"error": {"code": "Request_BadRequest",
                                              "message": "One or more added object references already exist for 'members'."}})
    other = BatchResult("1", 400, {}, {"error": {"code": "Request_BadRequest", "message": "Invalid object identifier."}})

    def already(action: str, res: BatchResult) -> bool:
        return spec(action).already_done(res.status, res.body)

    assert already("add_to_group", dup)
    assert not already("add_to_group", other)
    assert not already("assign_licence", dup)
