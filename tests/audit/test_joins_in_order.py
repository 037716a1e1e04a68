"""Rows that list the users in the users' order are joined by one walk along the people (audit/columns.py
``in_order``), not a look-up by id per row (issue 15). The walk must give every person exactly what the look-ups give:
also where a listing leaves people out, holds an id twice, names somebody unknown or comes in another order (then the
look-ups run), and where two people's UPNs differ only in case (people by UPN: the last one, as a map of them all)."""
from __future__ import annotations

import copy
import dataclasses
import random

from readiness import clock
from readiness.audit import depth_facts
from readiness.audit.columns import in_order
from readiness.audit.facts import facts
from tests.checks.test_evaluate_golden import NOW, snapshot_of


def test_in_order_finds_the_people_of_rows_in_their_order_and_nothing_else() -> None:
    a, b, c = object(), object(), object()
    by_id = {"a": a, "b": b, "c": c}
    assert list(in_order(["a", "b", "c"], by_id)) == [a, b, c]
    assert in_order(["a", "c"], by_id) == [a, c]
    assert in_order(["".join(["b"])], by_id) == [b]  # an equal id that is another object
    assert in_order([], by_id) == []
    assert in_order(["c", "a"], by_id) is None  # another order
    assert in_order(["a", "a"], by_id) is None  # an id twice
    assert in_order(["a", "x"], by_id) is None  # nobody's
    assert in_order(["a", "b", "c", "c"], by_id) is None


def _fields(snap) -> list[tuple]:  # noqa: ANN001
    snap._cache.clear()
    return [dataclasses.astuple(p) for p in facts(snap).people]


def test_rows_in_the_users_order_give_what_the_look_ups_by_id_give() -> None:
    snap = snapshot_of("enterprise-2000")
    with clock.frozen(NOW):
        users = [u["id"] for u in snap.sections["users"].data]
        mfa = list(snap.sections["mfa"].data)
        teams = list(snap.sections["teams_users"].data)
        usage = dict(snap.sections["teams_usage"].data)
        # as collected, each listing is in the users' order: the walk is what joins them
        for rows in (mfa, teams, usage["rows"]):
            assert in_order([r.get("userId") or r.get("id") for r in rows], dict.fromkeys(users, 0)) is not None
        walked = _fields(snap)
        # a listing in another order is joined by look-ups: the same facts
        rng = random.Random(5)
        for name, rows in (("mfa", mfa), ("teams_users", teams)):
            snap.sections[name].data = rng.sample(rows, len(rows))
        snap.sections["teams_usage"].data = dict(usage, rows=rng.sample(usage["rows"], len(usage["rows"])))
        assert _fields(snap) == walked
        # people left out of each listing (in order still): they get what nobody's row gives
        snap.sections["mfa"].data, snap.sections["teams_users"].data = mfa[::3], teams[1::2]
        snap.sections["teams_usage"].data = dict(usage, rows=usage["rows"][::2])
        thinned = _fields(snap)
        snap.sections["mfa"].data, snap.sections["teams_users"].data = mfa[::3][::-1], teams[1::2][::-1]
        snap.sections["teams_usage"].data = dict(usage, rows=usage["rows"][::2][::-1])
        assert _fields(snap) == thinned
        assert thinned != walked


def test_people_by_upn_are_the_last_with_that_upn_whichever_way_they_are_found() -> None:
    class P:
        def __init__(self, upn: str) -> None:
            self.upn = upn

    first, second, other = P("Ann@x.example"), P("ann@X.example"), P("bob@x.example")
    by_id = {"1": first, "2": second, "3": other}
    assert depth_facts.ByUpn(by_id).only({"ann@x.example", "nobody@x.example"}) == {"ann@x.example": second}
    whole = depth_facts.ByUpn(by_id)
    assert whole.get("ann@x.example") is second and whole.get("nobody@x.example") is None
    assert whole.only({"ann@x.example", "bob@x.example"}) == {"ann@x.example": second, "bob@x.example": other}
    assert depth_facts.ByUpn(by_id).only(set()) == {}


def test_cloud_pcs_found_by_upn_in_any_case() -> None:
    snap = snapshot_of("enterprise-2000")
    with clock.frozen(NOW):
        pcs = copy.deepcopy(list(snap.sections["cloud_pcs"].data or []))
        assert pcs
        people = {p.upn.lower(): p for p in facts(snap).people}
        for pc in pcs:
            pc["userPrincipalName"] = str(pc.get("userPrincipalName")).upper()
        snap.sections["cloud_pcs"].data = pcs
        snap._cache.clear()
        got = {p.upn.lower(): len(p.cloud_pcs) for p in facts(snap).people if p.cloud_pcs}
    assert got == {upn: len(p.cloud_pcs) for upn, p in people.items() if p.cloud_pcs}
    assert sum(got.values()) == len(pcs)
