"""A column of values holds one value a row: a line of them is refused once its top-level values pass its rows (plus
VALUES_SLACK), not only once all its values pass 16 a row (session 13; note 11's open item). nulls_bomb, a values line of
100 million nulls in a section declaring 2,000,000 rows, was read for 160 MB (32 million nulls) before its refusal; the
same line in a section declaring 200,000 rows here took 17 MB, and now about 2.3 MB (its 462,144 values).

A row may nest values (a licence list of objects: ~9 values a row), and a string may hold commas and brackets: both are
left out of the top-level count (snapshot_file._Tops), so such lines read as before."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.collect.snapshot_file import _Tops
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import _at, lines2, snap  # noqa: F401 - fixtures
from tests.collect.test_snapshot_lines_read import _devices_of, blocks_taken  # noqa: F401 - a fixture

ROWS = 200_000
BLOCK = 64 * 1024  # the blocks of blocks_taken (test_snapshot_lines_read)


def _with_column(lines: list[bytes], column: bytes, tmp_path: Path) -> tuple[Path, int]:
    """The gzip file with its devices section declaring ROWS rows and ``column`` as its first column's line; and the
    bytes before that line."""
    return _devices_of(lines, ROWS, column, tmp_path, True), sum(len(line) + 1 for line in lines[:_at(lines, "devices") + 1])


@pytest.mark.parametrize("value", [b"null", b"0", b"true"])
def test_a_values_line_of_more_scalars_than_rows_is_refused_within_its_rows(
        value: bytes, lines2: list[bytes], tmp_path: Path, blocks_taken: list[int]) -> None:  # noqa: F811
    column = b'{"key":"displayName","values":[' + (value + b",") * 4_000_000 + value + b"]}"
    path, before = _with_column(lines2, column, tmp_path)
    with pytest.raises(SnapshotError, match=r"the section sections\.devices holds more values than its 200,000 rows "
                                            r"allow, 1 a row"):
        readiness.load_snapshot(path)
    most = (ROWS + snapshot_file.VALUES_SLACK) * (len(value) + 1)  # the values its rows allow, and one block more
    assert sum(blocks_taken) - before < most + 2 * BLOCK < len(column) // 4, f"{sum(blocks_taken) - before:,} bytes read"


def test_nested_values_and_strings_with_commas_are_not_top_level_values(
        lines2: list[bytes], tmp_path: Path) -> None:  # noqa: F811
    # 200,000 rows of a list of two objects and a string full of commas and brackets: 15 values a row by values_in
    # (within the 16 a row), one each at the top: read, and refused only where the rows end (the next column has the
    # fixture's rows)
    row = json.dumps([{"a": "x,[,{", "b": [1, 2]}, None], separators=(",", ":")).encode()
    column = b'{"key":"displayName","values":[' + b",".join([row] * ROWS) + b"]}"
    assert snapshot_file.values_in(column) > (snapshot_file.TOP_VALUES_PER_ROW * ROWS + snapshot_file.VALUES_SLACK)
    path, _ = _with_column(lines2, column, tmp_path)
    with pytest.raises(SnapshotError) as err:
        readiness.load_snapshot(path)
    assert "more values than" not in str(err.value)


@pytest.mark.parametrize("values", [
    [None, True, 1, -2.5e3, "", "a,b", "[{", "\\\",[", "é\u001f,", [], {}, [[1, [2, {"x": [3, ","]}]], {"k,": "v"}]],
    [],
    [[[[["deep", {"a": [1]}]]]]] * 3,  # 7 deep with the list itself: counted
])
@pytest.mark.parametrize("window", [1, 2, 3, 7, 1 << 20])
def test_top_values_are_counted_exactly_however_the_line_is_cut(
        values: list, window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Tops, "WINDOW", window)
    for ascii_only in (True, False):
        text = json.dumps(values, ensure_ascii=ascii_only, separators=(",", ":"))[1:].encode() + b"}\n"
        tops = _Tops()
        tops.feed(text, 0, len(text))
        assert (tops.count, tops.depth) == (max(len(values), 1), 0)  # the list's end found; an empty list counts 1


@pytest.mark.parametrize("window", [3, 1 << 20])
def test_a_list_nested_deeper_than_the_writer_ever_does_is_no_longer_followed(
        window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # each level costs a pass over a part's brackets: past _TOPS_DEPTH the count stops (the line's 16 a row still holds)
    monkeypatch.setattr(_Tops, "WINDOW", window)
    text = b"[" * 12 + b"null" + b"]" * 12 + b",null]}\n"
    tops = _Tops()
    tops.feed(text, 0, len(text))
    assert tops.count is None
