"""Table.rows builds a usage report's rows with dict displays (issue 15): every row a new dict of the table's keys, in
the table's order, with the values its columns hold, whatever the number of keys and however a column is held."""
from __future__ import annotations

import pytest

from readiness.collect.table import Coded, Lists, Packed, Table


def _column(kind: str, values: list):  # noqa: ANN202
    if kind == "coded":
        col = Coded()
        assert col.extend(values)
        return col.finish()
    if kind == "packed":
        col = Packed()
        col.extend(values)
        return col.finish()
    if kind == "lists":
        col = Lists()
        col.extend(values)
        return col
    return list(values)


KINDS = ["list", "coded", "packed", "lists"]


@pytest.mark.parametrize("width", range(0, 7))
def test_rows_are_new_dicts_of_the_keys_in_order(width: int) -> None:
    n = 9
    keys = [f"k{i}" for i in range(width)][::-1]  # not sorted: the table's order is kept
    values = [[[f"{k}-{r}"] if KINDS[i % 4] == "lists" else (None if r == 3 else f"{k}-{r}") for r in range(n)]
              for i, k in enumerate(keys)]
    table = Table(keys, [_column(KINDS[i % 4], v) for i, v in enumerate(values)])
    rows = table.rows()
    assert rows == [dict(zip(keys, row)) for row in zip(*values)] == list(table)
    assert all(list(row) == keys for row in rows)
    if rows:
        rows[0]["extra"] = 1  # a row is the caller's: changing it changes neither the table nor another row
        assert "extra" not in table.row(0) and rows[1] is not rows[0]
        assert len({id(r) for r in rows}) == len(rows)
