"""A section's items as columns: one list per property instead of one dict per item (issue 15).

A dict of 12 properties costs about 630 bytes and is one more object for the cyclic collector; 100,000 users,
110,000 devices and their registration rows held as dicts were most of the audit's peak memory. A ``Table`` keeps
one list per property (a pointer, 8 bytes, per value; equal strings shared), so the facts read whole columns and
the collector has a handful of lists to walk instead of half a million dicts.

Graph serialises a selected property that has no value as ``null``, so a Table does not tell "absent" from
``None``: every row has every key of the table. Code that only iterates keeps working (a Table is a sequence of
rows, each materialised as a fresh ``dict`` on access; changing that dict does not change the table); code that
reads many rows asks for whole columns (``columns(data, "id", "userPrincipalName")``), which works on a Table
and on a plain list of dicts alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any


class Table(Sequence):
    """Rows of one section, stored column by column. Built once, then read only."""

    __slots__ = ("keys", "cols", "_index")

    def __init__(self, keys: Sequence[str], cols: Sequence[list]) -> None:
        if len(keys) != len(cols):
            raise ValueError("a Table needs one column per key")
        lengths = {len(c) for c in cols}
        if len(lengths) > 1:
            raise ValueError("the columns of a Table must have the same length")
        self.keys: tuple[str, ...] = tuple(keys)
        self.cols: list[list] = [c if isinstance(c, list) else list(c) for c in cols]
        self._index = {k: i for i, k in enumerate(self.keys)}

    @classmethod
    def from_rows(cls, rows: Iterable[dict], keys: Sequence[str] | None = None) -> Table:
        """Columns from dicts; ``keys`` fixes the order (default: every key seen, in first-seen order)."""
        rows = rows if isinstance(rows, list) else list(rows)
        if keys is None:
            seen: dict[str, None] = {}
            for row in rows:
                for k in row:
                    if k not in seen:
                        seen[k] = None
            keys = list(seen)
        return cls(keys, [[row.get(k) for row in rows] for k in keys])

    def column(self, key: str) -> list:
        """The values of one property, in row order (``None`` for every row when the table has no such key)."""
        i = self._index.get(key)
        return self.cols[i] if i is not None else [None] * len(self)

    def __len__(self) -> int:
        return len(self.cols[0]) if self.cols else 0

    def row(self, i: int) -> dict:
        return {k: c[i] for k, c in zip(self.keys, self.cols)}

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("Table index out of range")
        return self.row(i)

    def __iter__(self) -> Iterator[dict]:
        keys = self.keys
        for values in zip(*self.cols):
            yield dict(zip(keys, values))

    def rows(self) -> list[dict]:
        return list(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Table):
            return set(self.keys) == set(other.keys) and all(self.column(k) == other.column(k) for k in self.keys)
        if isinstance(other, list):
            return len(other) == len(self) and all(
                {k: r.get(k) for k in self.keys} == a and set(r) <= set(self.keys) for r, a in zip(other, self))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Table({len(self)} rows x {len(self.keys)} columns: {', '.join(self.keys)})"


def columns(data: Any, *keys: str) -> tuple[list, ...]:
    """The named columns of a section's data: a Table's own lists (no copy), or built from a list of dicts."""
    if isinstance(data, Table):
        return tuple(data.column(k) for k in keys)
    rows = data or []
    return tuple([row.get(k) for row in rows] for k in keys)


def as_rows(data: Any) -> list:
    """A section's data as a list of dicts, whatever it is held as (for code that changes rows)."""
    if isinstance(data, Table):
        return data.rows()
    return list(data or [])


def with_column(data: Any, key: str, col: list) -> Table:
    """A new Table: the section's data with one column added or replaced (the old table is left as it was)."""
    table = data if isinstance(data, Table) else Table.from_rows(as_rows(data))
    if len(col) != len(table):
        raise ValueError("a new column needs one value per row")
    keys = [k for k in table.keys if k != key]
    return Table(keys + [key], [table.column(k) for k in keys] + [col])
