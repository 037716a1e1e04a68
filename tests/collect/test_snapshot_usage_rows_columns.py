"""A usage report's rows saved as columns (snapshot_columns.rows_encoded) are checked a column at a time as they load
(issue 15: the Teams report's 100,000 rows not walked again): a snapshot whose rows are fine loads as before, and a row
with a wrong field is refused with the same error, naming the same row, as when every row is walked."""
from __future__ import annotations

import importlib

from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.collect.snapshot import COMPLETE, Section
from readiness.collect.table import Coded, Packed, Table
from readiness.errors import SnapshotError

ROWS = 40  # at least snapshot_columns.ROWS_MIN: saved as columns


def _rows(n: int = ROWS) -> list[dict]:
    return [{"userId": f"id-{i}", "userPrincipalName": f"p{i}@contoso.example",
             "lastActivityDate": None if i % 3 else f"2026-11-{1 + i % 28:02d}"} for i in range(n)]


def _saved(saved: Path, tmp_path: Path, rows: list[dict]) -> Path:
    snap = readiness.load_snapshot(saved)
    data = {"rows": rows, "reportRefreshDate": "2026-11-28", "reported_users": len(rows)}
    snap.sections["teams_usage"] = Section("teams_usage", COMPLETE, data, endpoint="/reports/x", count=len(rows))
    path = tmp_path / "usage.json.gz"
    snap.save(path)
    return path


def _error(path: Path) -> str:
    with pytest.raises(SnapshotError) as err:
        readiness.load_snapshot(path)
    return str(err.value)


def test_rows_that_are_fine_load_as_they_were_saved(saved: Path, tmp_path: Path) -> None:
    rows = _rows()
    loaded = readiness.load_snapshot(_saved(saved, tmp_path, rows))
    assert loaded.sections["teams_usage"].data["rows"] == rows


@pytest.mark.parametrize("row,key,value", [(0, "userId", 7), (17, "userPrincipalName", ["x"]), (ROWS - 1, "lastActivityDate", True),
                                           (5, "userId", {"a": "b"})])
def test_a_wrong_field_is_refused_as_when_every_row_is_walked(saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              row: int, key: str, value: object) -> None:
    rows = _rows()
    rows[row][key] = value
    with pytest.raises(SnapshotError) as refused:  # save writes nothing the reader would refuse
        _saved(saved, tmp_path, rows)
    assert f"rows[{row}]" in str(refused.value) and key in str(refused.value)
    monkeypatch.setattr(importlib.import_module("readiness.collect.snapshot"), "check_savable", lambda *args: None)
    path = _saved(saved, tmp_path, rows)  # as a writer that does not check would write it
    by_columns = _error(path)
    monkeypatch.setattr(snapshot_file, "_rows_fine", lambda name, table: False)  # every row walked, as before
    assert by_columns == _error(path)
    assert f"rows[{row}]" in by_columns and key in by_columns


def test_the_columns_check_passes_only_what_the_row_walk_passes() -> None:
    coded = Coded()
    assert coded.extend(["2026-11-01", None])
    packed = Packed()
    packed.extend(["a", "b"])
    fine = Table(["userId", "userPrincipalName", "lastActivityDate"], [["1", "2"], packed, coded.finish()])
    assert snapshot_file._rows_fine("teams_usage", fine)
    for wrong in (["1", 2], [None, True], ["1", ["2"]]):  # a number, a bool, a list where a string belongs
        assert not snapshot_file._rows_fine("teams_usage", Table(["userId"], [wrong]))
    unused = Coded.of(["2026-11-01", 5], b"\0\0")  # a palette value no row uses: refused here, walked row by row
    assert not snapshot_file._rows_fine("teams_usage", Table(["lastActivityDate"], [unused]))
    assert not snapshot_file._rows_fine("security_defaults", fine)  # no rows in that section's checks
