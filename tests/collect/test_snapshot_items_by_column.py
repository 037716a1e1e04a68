"""A snapshot's sections of objects read as items (groups, Cloud PCs, teams: 9,093 at 100k) are checked a field at a
time over a chunk first (snapshot_file._columns_fine, issue 15), and one by one only when a value may be wrong: the
same items refused, with the same words naming the same row and field, as when every item was checked alone.
"""
from __future__ import annotations

import pytest

from readiness.collect import shapes, snapshot_file
from readiness.errors import SnapshotError


def _groups(n: int = 60) -> list[dict]:
    return [{"id": f"g{i}", "displayName": f"Group {i}", "groupTypes": ["Unified"] if i % 2 else [],
             "securityEnabled": bool(i % 3), "mailEnabled": None, "resourceProvisioningOptions": ["Team"],
             "assignedLicenses": [{"skuId": "sku-1", "disabledPlans": []}] if i % 5 == 0 else [],
             "visibility": "Private"} for i in range(n)]


class _Str(str):
    """A string of a subclass: isinstance accepts it, as Graph's item check always has."""


def _one_by_one(name: str, items: list) -> SnapshotError | None:
    """What the item-by-item check (the check before this change) says of ``items``."""
    comp = snapshot_file._compiled(name)
    for i, item in enumerate(items):
        try:
            shapes.check_item(name, item)
            if comp:
                snapshot_file._check(item, comp, "")
        except Exception as exc:  # noqa: BLE001 - compared below
            return snapshot_file._item_error(exc, f"{snapshot_file._where(name)}.data[{i}]", item, comp)
    return None


WRONG = [("id", None), ("id", 7), ("displayName", 3.5), ("groupTypes", "Unified"), ("securityEnabled", 1),
         ("securityEnabled", "true"), ("mailEnabled", 0), ("resourceProvisioningOptions", {"a": 1}),
         ("assignedLicenses", ["sku"]), ("assignedLicenses", [{"skuId": 5}]), ("assignedLicenses", [{"disabledPlans": "x"}]),
         ("visibility", True), ("visibility", ["Private"])]


@pytest.mark.parametrize("key, value", WRONG)
@pytest.mark.parametrize("row", [0, 41, 59])
def test_a_wrong_value_is_refused_naming_its_row_as_before(key: str, value: object, row: int) -> None:
    items = _groups()
    items[row][key] = value
    if row < 55:
        items[55]["visibility"] = 12  # a second wrong value later: the first is named, as one by one
    want = _one_by_one("groups", items)
    assert want is not None
    with pytest.raises(SnapshotError) as got:
        snapshot_file._items("groups", items, 0)
    assert str(got.value) == str(want)
    assert f"data[{row}]" in str(got.value)


def test_a_chunk_of_fine_items_is_checked_by_column_not_item_by_item(monkeypatch: pytest.MonkeyPatch) -> None:
    items = _groups()
    items[3]["displayName"] = _Str("a subclass")  # isinstance-fine: accepted (by the items one by one)
    calls = []
    monkeypatch.setattr(snapshot_file, "check_item", lambda name, item: calls.append(item) or item)
    snapshot_file._items("groups", _groups(), 0)
    assert calls == []  # the columns said so
    snapshot_file._items("groups", items, 0)
    assert len(calls) == len(items)  # the subclass: not an exact type, so item by item, which accepts it
    monkeypatch.undo()
    snapshot_file._items("groups", items, 0)


def test_skus_and_short_chunks_stay_item_by_item(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(snapshot_file, "check_item", lambda name, item: calls.append(item) or item)
    snapshot_file._items("groups", _groups(snapshot_file.COLUMNS_FROM - 1), 0)
    skus = [{"skuId": f"s{i}", "prepaidUnits": {"enabled": 5}} for i in range(40)]
    snapshot_file._items("skus", skus, 0)
    assert len(calls) == snapshot_file.COLUMNS_FROM - 1 + 40
