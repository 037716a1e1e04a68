"""The device checks' samples and state counts read from a section held as dicts or as a column Table (a Packed column
of names with odd values kept aside): the same evidence either way, in the same order (issue 15: the samples are taken
by row instead of building the whole 105,000-name column)."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from readiness.audit.columns import column, values_at
from readiness.clock import days_since
from readiness.checks.devices import encryption, noncompliant, stale_sync
from readiness.collect.table import Packed, Table
from tests.checks.caselib import snapshot_for

NAMES = ["PC-1", None, "Laptop-ü", "PC-4", 42, "PC-6", "PC-7"]  # null, accented and a number: kept aside in a Packed
STATES = [None, "compliant", "", "noncompliant", None, "inGracePeriod", "compliant"]
ENCRYPTED = [True, False, None, False, True, True, False]
SYNCED = ["2026-11-30T10:00:00Z", "2026-09-01T10:00:00Z", None, "2026-11-30T10:00:00+01:00", "not a time",
          "2026-10-31T23:59:59Z", "0001-01-01T00:00:00Z"]


def _rows() -> list[dict]:
    return [{"id": f"d{i}", "deviceName": name, "complianceState": state, "isEncrypted": enc, "lastSyncDateTime": sync,
             "userId": "", "operatingSystem": "Windows"}
            for i, (name, state, enc, sync) in enumerate(zip(NAMES, STATES, ENCRYPTED, SYNCED))]


def _table(rows: list[dict]) -> Table:
    table = Table.from_rows(rows)
    names = Packed()
    names.extend([r["deviceName"] for r in rows])
    table.cols[table.keys.index("deviceName")] = names.finish()
    return table


def _snapshot(held_as: str):  # noqa: ANN202
    snap = snapshot_for()
    rows = _rows()
    sec = snap.sections["managed_devices"]
    snap.sections["managed_devices"] = dataclasses.replace(sec, data=rows if held_as == "dicts" else _table(rows),
                                                           count=len(rows))
    return snap


@pytest.mark.parametrize("held_as", ["dicts", "table"])
def test_values_at_is_the_column_at_those_rows(held_as: str) -> None:
    data = _rows() if held_as == "dicts" else _table(_rows())
    assert values_at(data, "deviceName", [4, 0, 2, 1]) == [column(data, "deviceName")[i] for i in (4, 0, 2, 1)] \
        == [42, "PC-1", "Laptop-ü", None]
    assert values_at(data, "deviceName", []) == []
    assert values_at(data, "no such key", [0, 3]) == [None, None]


@pytest.mark.parametrize("held_as", ["dicts", "table"])
def test_states_counted_empty_as_unknown_in_first_seen_order(held_as: str) -> None:
    [f] = list(noncompliant(_snapshot(held_as)))
    assert list(f.evidence["by_state"].items()) == [("unknown", 3), ("compliant", 2), ("noncompliant", 1),
                                                    ("inGracePeriod", 1)]
    assert f.evidence["sample"] == ["PC-1", "Laptop-ü", "PC-4", 42, "PC-6"]  # every row whose state is not "compliant"


@pytest.mark.parametrize("held_as", ["dicts", "table"])
def test_unencrypted_and_stale_samples_name_their_own_devices(held_as: str) -> None:
    snap = _snapshot(held_as)
    [enc] = list(encryption(snap))
    assert enc.evidence["sample"] == [None, "PC-4", "PC-7"]
    [stale] = list(stale_sync(snap))  # collected 2026-11-20 (caselib): a sync before 2026-10-21 or none is stale
    assert stale.evidence["sample"] == [None, "Laptop-ü", 42, "PC-7"]


# every value a string (no null): stale_sync reads the whole column's days in one pass (clock.graph_days); odd strings
# (offsets, fractions, junk, Graph's "never", impossible days and times, a line break) are then read in full one by one
ALL_STRINGS = ["2026-11-30T10:00:00Z", "2026-10-21T00:00:00Z", "2026-10-20T23:59:59Z", "2026-11-30T10:00:00+01:00",
               "2026-10-01T10:00:00.1234567Z", "not a time", "0001-01-01T00:00:00Z", "2026-02-30T10:00:00Z",
               "2026-11-19T25:00:00Z", "2026-11-19T10:00:00Z\n2020-01-01T00:00:00Z", "", "2026-11-20T08:00:00Z"]


@pytest.mark.parametrize("held_as", ["dicts", "table"])
@pytest.mark.parametrize("odd", [True, False])
def test_stale_sync_of_a_column_of_strings_is_the_plain_definition(held_as: str, odd: bool) -> None:
    synced = ALL_STRINGS if odd else [s for s in ALL_STRINGS if len(s) == 20 and s[:4] != "0001" and s[5:7] != "02"
                                      and s[11:13] != "25"]  # all in Graph's usual form: the one-pass path alone
    rows = [{"id": f"d{i}", "deviceName": f"PC-{i}", "complianceState": "compliant", "isEncrypted": True,
             "lastSyncDateTime": when, "userId": "", "operatingSystem": "Windows"} for i, when in enumerate(synced)]
    snap = snapshot_for()
    sec = snap.sections["managed_devices"]
    snap.sections["managed_devices"] = dataclasses.replace(sec, data=rows if held_as == "dicts" else _table(rows),
                                                           count=len(rows))
    today = date.fromisoformat(snap.collected_at[:10])
    expected = [f"PC-{i}" for i, when in enumerate(synced)
                if (age := days_since(when, today)) is None or age > 30]
    [stale] = list(stale_sync(snap))
    assert stale.evidence["sample"] == expected and stale.evidence["stale"] == len(expected)
    assert ("PC-2" in expected) and ("PC-1" not in expected)  # 31 days before collection is stale, 30 is not
