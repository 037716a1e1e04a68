"""A snapshot this tool writes is never refused by its own reader (found by load13, session 13): a column of values
was held to 16 values a row, and the users' licences are written as such a column when they cannot be coded (more than
256 distinct lists of licences and disabled plans). Four licences with two plans disabled in each are 21 values a row;
a tenant that switches plans off by the dozen has 50 and more. Such a column is now held to VALUES_PER_ROW (256) a row,
as a line of items is, but in all never to more than COLUMN_VALUES_CAP (16) a row of the row limit, so the worst a
hostile line can do at the row limit is what it could before.

The tests write the licences as a column of values into a real saved snapshot (the slack, which tiny sections live on,
made small so that the fixture's few users can show what 100,000 would)."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import lines2, snap  # noqa: F401 - fixtures

SLACK = 4_000
LICENCES, DISABLED = 10, 10  # 131 values a row: more than 16 a row and the small slack, well under 256


def _licences(row: int) -> list[dict]:
    """Distinct for every row (nothing to code), valid GUIDs as Graph gives them."""
    return [{"skuId": str(uuid.UUID(int=(row << 16) + n)),
             "disabledPlans": [str(uuid.UUID(int=(row << 32) + (n << 8) + p)) for p in range(DISABLED)]}
            for n in range(LICENCES)]


def _with_licence_values(lines: list[bytes], tmp_path: Path) -> tuple[Path, list]:
    at = next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(b'{"key":"assignedLicenses",'))
    users = next(i for i in range(at, -1, -1) if lines[i].lstrip(b",").startswith(b'"users":{"status"'))
    rows = json.loads(lines[users].lstrip(b",").split(b'"count":', 1)[1].split(b",", 1)[0])
    values = [_licences(r) for r in range(rows)]
    lead = b"," if lines[at].startswith(b",") else b""
    changed = list(lines)
    changed[at] = lead + json.dumps({"key": "assignedLicenses", "values": values}, separators=(",", ":")).encode()
    path = tmp_path / "licences.json"
    path.write_bytes(b"\n".join(changed))
    return path, values


def test_licences_nested_more_than_16_a_row_are_read(lines2: list[bytes], tmp_path: Path,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_file, "VALUES_SLACK", SLACK)
    path, values = _with_licence_values(lines2, tmp_path)
    per_row = snapshot_file.values_in(json.dumps(values, separators=(",", ":")).encode()) / len(values)
    assert 16 * len(values) + SLACK < per_row * len(values) < 256 * len(values)  # refused before this change
    loaded = readiness.load_snapshot(path)
    assert [u["assignedLicenses"] for u in loaded.data("users")] == values


def test_at_the_row_limit_a_column_of_values_is_held_as_before(lines2: list[bytes], tmp_path: Path,  # noqa: F811
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_file, "VALUES_SLACK", SLACK)
    path, values = _with_licence_values(lines2, tmp_path)
    rows, limit = len(values), 400  # every section of the fixture within a row limit of 400
    per_row = 16 * limit // rows  # the cap, 16 a row of the limit in one line, as a number a row of these rows
    assert per_row * rows + SLACK < 131 * rows < 256 * rows + SLACK
    monkeypatch.setenv(snapshot_file.MAX_ROWS_ENV, str(limit))
    with pytest.raises(SnapshotError, match=rf"holds more values than its {rows} rows allow, {per_row} a row"):
        readiness.load_snapshot(path)
