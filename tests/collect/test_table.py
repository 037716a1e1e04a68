"""readiness.collect.table: a section's items held as columns read like the list of dicts they replace (issue 15)."""
from __future__ import annotations

import pytest

from readiness.collect.table import Table, as_rows, columns

ROWS = [{"id": "a", "upn": "a@x", "n": 1}, {"id": "b", "upn": None, "n": 2}, {"id": "c", "n": 3}]


def test_a_table_reads_like_its_rows_with_absent_keys_as_none() -> None:
    t = Table.from_rows(ROWS)
    assert t.keys == ("id", "upn", "n")
    assert len(t) == 3
    assert t[2] == {"id": "c", "upn": None, "n": 3}
    assert t[-1]["id"] == "c"
    assert [r["id"] for r in t] == ["a", "b", "c"]
    assert t == ROWS  # absent and null are the same to Graph's $select
    assert t != ROWS[:2]
    assert t[1:] == [{"id": "b", "upn": None, "n": 2}, {"id": "c", "upn": None, "n": 3}]
    with pytest.raises(IndexError):
        t[3]


def test_changing_a_materialised_row_leaves_the_table_as_it_was() -> None:
    t = Table.from_rows(ROWS)
    row = t[0]
    row["id"] = "changed"
    assert t[0]["id"] == "a"
    assert as_rows(t)[0] == {"id": "a", "upn": "a@x", "n": 1}


def test_columns_are_the_tables_own_lists_and_are_built_for_plain_lists() -> None:
    t = Table.from_rows(ROWS)
    ids, missing = columns(t, "id", "nope")
    assert ids is t.cols[0]
    assert missing == [None, None, None]
    assert columns(ROWS, "id", "upn") == (["a", "b", "c"], ["a@x", None, None])
    assert columns(None, "id") == ([],)


def test_tables_compare_by_content_not_column_order() -> None:
    assert Table(("a", "b"), [[1, 2], [3, 4]]) == Table(("b", "a"), [[3, 4], [1, 2]])
    assert Table(("a", "b"), [[1, 2], [3, 4]]) != Table(("a", "b"), [[1, 2], [3, 5]])


def test_a_table_refuses_ragged_columns() -> None:
    with pytest.raises(ValueError):
        Table(("a", "b"), [[1, 2], [3]])
    with pytest.raises(ValueError):
        Table(("a",), [[1], [2]])
