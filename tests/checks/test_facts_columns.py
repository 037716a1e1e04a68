"""The facts read whole columns (issue 15): a section held as a Table gives exactly the Audit its list of dicts gives;
the column helpers keep the list's "absent" where the facts make a difference; the collector's pause in evaluate."""
from __future__ import annotations

import gc
import sys
from datetime import date

import pytest

import readiness
from readiness import clock
from readiness.audit import depth_facts
from readiness.audit.columns import Days, column, has_key
from readiness.audit.facts import facts
from readiness.collect.table import Coded, Lists, Table, held
from tests.checks.caselib import snapshot_for
from tests.checks.test_evaluate_golden import GOLDEN, NOW, audit_text, digest, snapshot_of

BIG = ("users", "devices", "managed_devices", "mfa")  # the sections with a row per person or device


def as_tables(snap, compact: bool = False):  # noqa: ANN001, ANN201
    """The big sections as Tables; ``compact``: their columns held as collect/ holds them (``held``: few distinct
    values Coded, lists of owners as Lists), which the facts read by code and flat list (issue 15)."""
    for name in BIG:
        sec = snap.sections.get(name)
        if sec is not None and isinstance(sec.data, list):
            sec.data = Table.from_rows(sec.data)
            if compact:
                sec.data = Table(sec.data.keys, [held(sec.data.column(k)) for k in sec.data.keys])
    snap._cache.clear()
    return snap


@pytest.mark.slow
@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("name", ["unprepared-sme", "enterprise-2000"])
def test_sections_held_as_tables_give_the_golden_audit(name: str, compact: bool) -> None:
    snap = as_tables(snapshot_of(name), compact)
    assert isinstance(snap.data("users"), Table) and isinstance(snap.data("mfa"), Table)
    if compact and name == "enterprise-2000":  # the paths read by code and flat list are taken
        kinds = {(sec, k): c.__class__ for sec in BIG for k, c in zip(snap.data(sec).keys, snap.data(sec).cols)}
        assert kinds[("users", "assignedLicenses")] is Coded and kinds[("mfa", "methodsRegistered")] is Coded
        assert kinds[("devices", "owners")] is Lists
    with clock.frozen(NOW):
        got = audit_text(readiness.evaluate(snap))
    assert digest(got) == (GOLDEN / f"evaluate-{name}.sha256").read_text("ascii").split()[0]


def test_column_keeps_a_missing_key_apart_from_null_in_lists() -> None:
    rows = [{"accountEnabled": False}, {}, {"accountEnabled": None}]
    assert column(rows, "accountEnabled", True) == [False, True, None]
    assert column(rows, "accountEnabled") == [False, None, None]
    assert has_key(rows, "accountEnabled") == [True, False, True]
    table = Table.from_rows(rows)
    assert column(table, "accountEnabled", True) == [False, None, None]  # a Table has every key (Graph's null)
    assert has_key(table, "accountEnabled") == [True] * 3 and has_key(table, "owners") == [False] * 3
    assert column(table, "owners") == [None] * 3 and column([], "x") == [] and has_key(None, "x") == []
    assert column(table, "isManaged", True) == [True] * 3  # a column the table lacks: absent in every row


@pytest.mark.parametrize("when", ["2026-11-20T09:30:00Z", "2026-08-01T00:00:00Z", "2026-11-20T09:30:00.123Z",
                                  "2026-11-19T23:30:00+02:00", "0001-01-01T00:00:00Z", "", None, "junk",
                                  "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-20T25:00:00Z",
                                  "2026-11-20"])
def test_days_answers_as_clock_days_since(when) -> None:  # noqa: ANN001
    today = date(2026, 11, 20)
    days = Days(today)
    assert days(when) == clock.days_since(when, today)
    assert days(when) == clock.days_since(when, today)  # and again, from the table of parsed strings
    assert days.graph_form(when) == (isinstance(when, str) and len(when) == 20 and days(when) is not None
                                     and not when.startswith("0001"))


def _plain_provisioning(plans: list) -> list[str]:
    """depth_facts.provisioning_of as it was defined before the fast path."""
    return sorted({f"{depth_facts.WORK_SERVICES[str(x.get('service')).lower()]}: {x.get('provisioningStatus')}"
                   for x in plans if str(x.get("service")).lower() in depth_facts.WORK_SERVICES
                   and x.get("capabilityStatus", "Enabled") == "Enabled"
                   and x.get("provisioningStatus") not in depth_facts.PROVISIONED})


@pytest.mark.parametrize("plans", [
    [], [{"service": "exchange", "provisioningStatus": "Success"}],
    [{"service": "exchange", "provisioningStatus": "PendingInput"}, {"service": "SharePoint", "provisioningStatus": "Error"}],
    [{"service": "TeamspaceAPI", "provisioningStatus": "PendingInput"}],  # not a work service
    [{"service": "exchange", "provisioningStatus": "PendingInput", "capabilityStatus": "Deleted"}],
    [{"service": "exchange", "provisioningStatus": "Disabled"}, {"service": "SharePoint"}]])
def test_not_provisioned_is_the_plain_definition(plans: list) -> None:
    got = depth_facts.not_provisioned(plans)
    assert list(got) == _plain_provisioning(plans)
    assert depth_facts.provisioning_of({"provisionedPlans": plans}) == got and depth_facts.provisioning_of({}) is None


def test_a_person_is_compact_and_people_share_their_licence_answers() -> None:
    f = facts(snapshot_for([]))
    p = f.people[0]
    assert not hasattr(p, "__dict__") and sys.getsizeof(p) < 400  # slots: no dict per person
    same = [q for q in f.people if tuple(q.skus) == tuple(p.skus) and not q.licence_errors]
    assert len(same) >= 2 and all(q.capabilities is same[1].capabilities for q in same[1:])


def test_evaluate_pauses_the_collector_and_gives_it_back() -> None:
    snap = snapshot_for([])
    assert gc.isenabled()
    first = audit_text(readiness.evaluate(snap))
    assert gc.isenabled() and gc.get_freeze_count() == 0  # not frozen unless asked
    gc.disable()  # a pause someone else holds (a bulk parse): evaluate leaves it as it found it
    try:
        assert audit_text(readiness.evaluate(snapshot_for([]))) == first
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_one_shot_freezes_what_is_alive_and_changes_nothing_else() -> None:
    before = audit_text(readiness.evaluate(snapshot_for([])))
    try:
        audit = readiness.evaluate(snapshot_for([]), one_shot=True)
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        assert audit_text(audit) == before
    finally:
        gc.unfreeze()
