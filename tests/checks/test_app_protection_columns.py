"""devices.app_protection counts personal phones from the devices' columns: held as a Table's Coded columns (each
distinct combination of codes counted once, issue 15) or as dicts, the same evidence, judged value by value as Graph
gave them (``isManaged`` must be ``true`` itself; a 1 is not)."""
from __future__ import annotations

import dataclasses
from itertools import product

from readiness.checks.endpoints import app_protection
from readiness.collect.table import Coded, Table
from tests.checks.caselib import snapshot_for

SYSTEMS = ["iOS", "Android", "Windows", None, ""]
MANAGED = [True, False, None, 1]
ENABLED = [True, False, None]


def _rows() -> list[dict]:
    combos = list(product(SYSTEMS, MANAGED, ENABLED))
    return [{"id": f"d{i}", "operatingSystem": os_name, "isManaged": managed, "accountEnabled": enabled, "owners": []}
            for i, (os_name, managed, enabled) in enumerate(combos * 2 + combos[:7])]


def _coded(values: list) -> Coded:
    col = Coded()
    assert col.extend(values)
    return col.finish()


def _evidence(data: object) -> dict:
    snap = snapshot_for()
    sec = snap.sections["devices"]
    snap.sections["devices"] = dataclasses.replace(sec, data=data, count=len(data))  # type: ignore[arg-type]
    [found] = list(app_protection(snap))
    return {"status": found.status, **found.evidence}


def test_personal_phones_from_coded_columns_are_those_from_dicts() -> None:
    rows = _rows()
    keys = ["id", "operatingSystem", "isManaged", "accountEnabled", "owners"]
    coded = Table(keys, [[r["id"] for r in rows], *(_coded([r[k] for r in rows]) for k in keys[1:4]),
                         [r["owners"] for r in rows]])
    assert all(col.__class__ is Coded for col in coded.cols[1:4])
    by_hand = {}
    for r in rows:
        if r["operatingSystem"] in ("iOS", "Android") and r["isManaged"] is not True and r["accountEnabled"]:
            by_hand[r["operatingSystem"]] = by_hand.get(r["operatingSystem"], 0) + 1
    assert by_hand == {"iOS": 8, "Android": 6}  # enabled and isManaged false, null or 1: 3 combinations, twice; iOS + 2
    expected = _evidence(rows)
    assert expected["personal_phones"] == [f"{os}: {n}" for os, n in sorted(by_hand.items())]
    assert _evidence(coded) == expected
