"""The people built from whole columns (audit/people.py, issue 15) are the people the plain per-user definitions give:
licences worked out once per distinct pair of list objects, sign-in forms and idleness once per distinct timestamp,
provisioning once per distinct value, one Person call each; odd values take the pair-by-pair path."""
from __future__ import annotations

import copy
import dataclasses
import gc
from datetime import date

import pytest

import readiness
from readiness import clock
from readiness.audit import depth_facts
from readiness.audit.columns import Days
from readiness.audit.people import Person, _licences, newest, people_of
from readiness.collect.table import Coded, Table, held
from tests.checks.caselib import snapshot_for
from tests.checks.test_evaluate_golden import audit_text, snapshot_of

TODAY = date(2026, 11, 20)
SKU_A, SKU_B = "sku-a", "sku-b"
CAPS = {SKU_A: {"p-teams": frozenset({"teams"}), "p-mail": frozenset({"exchange"})},
        SKU_B: {"p-files": frozenset({"sharepoint"})}}
SKUS = {SKU_A: {"skuId": SKU_A, "capabilityStatus": "Enabled"}, SKU_B: {"skuId": SKU_B, "capabilityStatus": "Suspended"}}


def _users() -> list[dict]:
    one = [{"skuId": SKU_A, "disabledPlans": []}]  # one list object shared by several users, as a Table shares it
    failing = [{"skuId": SKU_A, "assignedByGroup": "g-1", "state": "Error", "error": "CountViolation"}]
    plans_ok = [{"service": "exchange", "provisioningStatus": "Success"}]
    plans_pending = [{"service": "exchange", "provisioningStatus": "PendingInput"}]
    users = []
    sign_ins = [("2026-11-19T08:00:00Z", "2026-11-18T08:00:00Z"), ("2026-01-02T08:00:00Z", None),
                ("2026-11-19T08:00:00.5Z", "2026-11-19T07:00:00Z"),  # not Graph's usual form: parsed in full
                ("0001-01-01T00:00:00Z", "2026-11-01T00:00:00Z"), (None, None), ("junk", "2026-02-30T00:00:00Z")]
    licences = [one, one, [{"skuId": SKU_A, "disabledPlans": ["p-mail"]}], [], None,
                [{"skuId": SKU_A, "disabledPlans": []}, {"skuId": SKU_B, "disabledPlans": []}], one]
    states = [[], [], None, [], [], [], failing]
    for i in range(14):
        a, b = sign_ins[i % len(sign_ins)]
        users.append({"id": f"u-{i}", "userPrincipalName": f"p{i}@contoso.example" if i != 3 else None,
                      "displayName": f"P {i}", "department": "IT" if i % 3 else None,
                      "accountEnabled": i != 4, "userType": None if i == 5 else "Member", "usageLocation": "DE",
                      "assignedLicenses": licences[i % len(licences)], "licenseAssignmentStates": states[i % len(states)],
                      "signInActivity": {"lastSignInDateTime": a, "lastNonInteractiveSignInDateTime": b} if i != 6 else None,
                      "createdDateTime": "2026-10-01T00:00:00Z" if i % 4 else "2020-01-01T00:00:00Z",
                      "externalUserStateChangeDateTime": None,
                      "provisionedPlans": plans_pending if i == 2 else plans_ok})
    del users[8]["provisionedPlans"]  # not read for this one: None, not "all provisioned"
    return users


def _plain(u: dict) -> Person:
    """One user by the per-person definitions (as facts built people before the columns)."""
    act = u.get("signInActivity") or {}
    p = Person(u.get("id"), u.get("userPrincipalName") or "", u.get("displayName") or "", u.get("department") or "",
               bool(u.get("accountEnabled")), u.get("userType") or "Member", u.get("usageLocation"),
               last_sign_in=newest(act.get("lastSignInDateTime"), act.get("lastNonInteractiveSignInDateTime")),
               created=u.get("createdDateTime"), invited=u.get("externalUserStateChangeDateTime"),
               provisioning=depth_facts.provisioning_of(u), tap=True, is_admin=False)
    _licences(p, u.get("assignedLicenses"), u.get("licenseAssignmentStates"), CAPS, SKUS)
    p.idle = depth_facts.idle_by_sign_in(p, TODAY)
    return p


def _plain_data(p: Person) -> dict:
    return {k: (sorted(v) if isinstance(v, frozenset) else list(v) if isinstance(v, (list, tuple)) else v)
            for k, v in dataclasses.asdict(p).items()}


def _coded(table: Table) -> Table:
    """The table with its columns held as collect/ holds them: few distinct values Coded (a byte per row)."""
    held_cols = [held(table.column(k)) for k in table.keys]
    assert any(c.__class__ is Coded for c in held_cols)
    return Table(table.keys, held_cols)


@pytest.mark.parametrize("as_table", [False, True, "coded", "coded-one-state"])
def test_people_from_columns_are_the_plain_people(as_table: bool | str) -> None:
    users = _users()
    if as_table == "coded-one-state":  # every user the same assignment-states value (one code: the licence decides)
        for u in users:
            u["licenseAssignmentStates"] = []
    data = Table.from_rows(copy.deepcopy(users)) if as_table else users
    if str(as_table).startswith("coded"):  # the licence columns read from their codes (people._licence_codes)
        data = _coded(data)
        assert data.cols[data.keys.index("assignedLicenses")].__class__ is Coded
    if as_table:  # a Table has every key: provisionedPlans null is "read, none" there, as collect/ writes it
        users[8]["provisionedPlans"] = None
    got = people_of(data, Days(TODAY), CAPS, SKUS, True, False, True)
    want = [_plain(u) for u in users]
    assert [_plain_data(p) for p in got] == [_plain_data(p) for p in want]
    assert any(p.licence_errors for p in got) == (as_table != "coded-one-state")
    assert any(p.idle for p in got) and any(p.idle is False for p in got)
    assert {p.last_sign_in for p in got} >= {"2026-11-19T08:00:00.5Z", "2026-11-01T00:00:00Z"}


def test_people_alike_share_one_answer_but_licence_errors_are_their_own() -> None:
    users = _users()
    users += [dict(users[6], id="u-extra")]  # the same licence and failing-state list objects as u-6
    got = {p.id: p for p in people_of(users, Days(TODAY), CAPS, SKUS, None, None, False)}
    assert got["u-0"].capabilities is got["u-7"].capabilities and got["u-0"].skus is got["u-7"].skus  # the same objects
    assert got["u-6"].licence_errors == got["u-extra"].licence_errors != ()
    assert got["u-6"].licence_errors is not got["u-extra"].licence_errors
    assert all(p.idle is None for p in got.values())  # no sign-in activity read: idleness comes from elsewhere


def test_no_users_no_people() -> None:
    # regression: with no users every column was empty and the call went on forever with each field's default
    assert people_of([], Days(TODAY), CAPS, SKUS, None, None, True) == []
    assert people_of(Table(["id"], [[]]), Days(TODAY), CAPS, SKUS, None, None, False) == []


def test_a_timestamp_that_cannot_be_indexed_takes_the_pair_by_pair_path() -> None:
    users = _users()
    users[0]["signInActivity"] = {"lastSignInDateTime": [], "lastNonInteractiveSignInDateTime": "2026-11-02T00:00:00Z"}
    got = people_of(users, Days(TODAY), CAPS, SKUS, None, None, True)
    assert got[0].last_sign_in == "2026-11-02T00:00:00Z" == _plain(users[0]).last_sign_in


WHENS = ["2026-11-20T09:30:00Z", "2026-08-01T00:00:00Z", "2026-11-20T09:30:00.123Z", "2026-11-19T23:30:00+02:00",
         "0001-01-01T00:00:00Z", "", None, "junk", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
         "2026-11-20T25:00:00Z", "2026-11-20", "2026-11-20T09:30:60Z", "2O26-11-20T09:30:00Z", 7]


def _full_parse(when, today: date):  # noqa: ANN001, ANN202 - clock.days_since before its fast path
    if not when or when.startswith("0001"):
        return None
    try:
        from datetime import datetime
        return (today - datetime.fromisoformat(when.replace("Z", "+00:00")).date()).days
    except ValueError:
        return None


@pytest.mark.parametrize("when", [w for w in WHENS if not isinstance(w, int)])
def test_clock_days_since_fast_path_is_the_full_parse(when) -> None:  # noqa: ANN001
    assert clock.days_since(when, TODAY) == _full_parse(when, TODAY)
    assert clock.days_since(when, TODAY) == _full_parse(when, TODAY)  # again, from the memoised parts


def test_days_learn_parses_as_day_does_one_by_one() -> None:
    learned, one_by_one = Days(TODAY), Days(TODAY)
    got = learned.learn(WHENS)
    assert got == {w: one_by_one.day(w) for w in WHENS} and got["2026-11-20T09:30:00Z"] == TODAY
    assert sum(v is not None for v in got.values()) == 2
    with pytest.raises(TypeError):
        Days(TODAY).learn([[]])


def test_evaluate_puts_what_it_made_in_the_oldest_generation_and_thaws_nothing_of_others() -> None:
    snap = snapshot_of("enterprise-2000")
    before = audit_text(readiness.evaluate(snap))
    snap._cache.clear()
    gc.collect()
    audit = readiness.evaluate(snap)
    # thousands of rows and people made while the collector was off go to the oldest generation at once (before, the
    # first young pass after evaluate walked them all to promote them one generation)
    row = audit.people[0]
    assert any(o is row for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.collect()
    held = [[i] for i in range(50)]  # someone else's frozen objects (a server that froze its start-up state)
    snap._cache.clear()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert audit_text(readiness.evaluate(snap)) == before
        assert gc.get_freeze_count() >= frozen and gc.isenabled()  # left frozen: evaluate thaws nothing it did not freeze
    finally:
        gc.unfreeze()
    assert held


def test_snapshot_for_people_equal_with_lists_and_tables() -> None:
    snap = snapshot_for([])
    plain = audit_text(readiness.evaluate(snap))
    tables = snapshot_for([])
    tables.sections["users"].data = Table.from_rows(tables.sections["users"].data)
    assert audit_text(readiness.evaluate(tables)) == plain
