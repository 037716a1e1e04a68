"""A section's items as columns: one list per property instead of one dict per item (issue 15).

A dict of 12 properties costs about 630 bytes and is one more object for the cyclic collector; 100,000 users,
110,000 devices and their registration rows held as dicts were most of the audit's peak memory. A ``Table`` keeps
one column per property, so the facts read whole columns and the collector has a handful of objects to walk
instead of half a million dicts. A column is held in one of three ways (``Builder`` in collect/columns.py picks):

- a ``list`` (a pointer, 8 bytes, per value; equal strings shared with the other sections): ids and names the
  facts read and keep (a person's id, sign-in name);
- ``Coded``: a column of few distinct values (booleans, enums, licence lists, nulls) as one byte per row and the
  distinct values once (the same objects: nothing is copied or changed);
- ``Packed``: strings nobody else shares and the audit rarely reads (device ids and names, device timestamps) as
  one text and an offset per row: about 5 bytes plus the characters per value instead of about 90 for a ``str``;
- ``Lists``: short lists (a device's owners) as one flat list of their items and an offset per row;
- ``Records``: small dicts of strings (a user's ``signInActivity``: a 2-key dict and two timestamps, 330 bytes)
  as their key sets Coded and each key's values Packed (about 50 bytes).

Graph serialises a selected property that has no value as ``null``, so a Table does not tell "absent" from
``None``: every row has every key of the table. Code that only iterates keeps working (a Table is a sequence of
rows, each materialised as a fresh ``dict`` on access; changing that dict does not change the table); code that
reads many rows asks for whole columns (``columns(data, "id", "userPrincipalName")``), which works on a Table
and on a plain list of dicts alike and always gives lists (a ``list`` column itself, the others built on request:
read them once per use, do not keep them).
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, islice, repeat
from types import NoneType
from typing import Any

_DICT_OR_NONE = frozenset({dict, NoneType})
_STR_ONLY = frozenset({str})
_EMPTY: dict = {}


def _is_not_none(v: Any) -> bool:
    return v is not None


def _or_empty(v: Any) -> Any:
    return _EMPTY if v is None else v


CODED_MAX = 256  # distinct values a Coded column holds (one byte per row); more: the column stays a list


class Coded(Sequence):
    """A column of few distinct values: each row a byte, the index of its value in ``palette`` (values kept by
    identity, so a row reads back the very object that was put in)."""

    __slots__ = ("palette", "codes", "_ids", "_equal")

    def __init__(self) -> None:
        self.palette: list = []
        self.codes = bytearray()
        self._ids: dict[int, int] | None = {}  # id(value) -> code, while the column grows (None once finished)
        self._equal: dict[Any, int] | None = {}  # value -> code, while only extend_equal added rows

    def extend_equal(self, values: list, share: Any = None) -> bool:
        """Add rows of strings, true, false and nulls, equal values coded alike: a small palette instead of sharing each
        value through a big string table first (issue 15). ``share(s, s)``: the one object to keep for a string first
        seen (a string table's ``setdefault``; default: the first one seen). False (nothing added) when they would make
        more than CODED_MAX distinct values, or rows were added by identity before."""
        equal, ids = self._equal, self._ids
        if equal is None or ids is None:
            return False
        try:  # the usual page: every value seen before, coded in one pass (issue 15)
            self.codes += bytes(map(equal.__getitem__, values))
            return True
        except KeyError:
            pass
        fresh = [v for v in dict.fromkeys(values) if v not in equal]
        if fresh:
            if len(ids) + len(fresh) > CODED_MAX:
                return False
            for v in fresh:
                if share is not None and v.__class__ is str:
                    v = share(v, v)
                equal[v] = ids[id(v)] = len(self.palette)
                self.palette.append(v)
        self.codes.extend(map(equal.__getitem__, values))
        return True

    def extend(self, values: list) -> bool:
        """Add rows; False (nothing added) when they would make more than CODED_MAX distinct values."""
        ids = self._ids
        if ids is None:
            raise ValueError("a finished Coded column cannot grow")
        try:  # the usual page: every value seen before, coded in one pass (issue 15)
            self.codes += bytes(map(ids.__getitem__, map(id, values)))
            return True
        except KeyError:
            pass
        keys = list(map(id, values))
        seen = set(keys)
        if not ids.keys() >= seen:
            if len(ids) + len(seen.difference(ids)) > CODED_MAX:  # refused before a dict of 100,000 fresh values is built
                return False
            fresh = {k: v for k, v in dict(zip(keys, values)).items() if k not in ids}  # in order, first seen first
            if len(ids) + len(fresh) > CODED_MAX:
                return False
            equal = self._equal
            for k, v in fresh.items():
                ids[k] = len(self.palette)
                if equal is not None:
                    if v is None:
                        equal[None] = ids[k]
                    else:
                        self._equal = equal = None  # coded by identity from now on
                self.palette.append(v)
        self.codes.extend(map(ids.__getitem__, keys))
        return True

    @classmethod
    def of(cls, palette: list, codes: bytes | bytearray) -> Coded:
        """A finished column of these values and codes (a snapshot file's; the caller checked every code < len(palette))."""
        col = cls()
        col.palette, col.codes = palette, bytearray(codes)
        return col.finish()

    def finish(self) -> Coded:
        self._ids = self._equal = None  # the palette keeps its values alive; the maps are not needed to read
        return self

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return list(map(self.palette.__getitem__, self.codes[i]))
        return self.palette[self.codes[i]]

    def __iter__(self) -> Iterator:
        return map(self.palette.__getitem__, self.codes)

    def tolist(self) -> list:
        return list(map(self.palette.__getitem__, self.codes))


def _put_aside(out: list, other: dict[int, Any], start: int, stop: int) -> None:
    """The values kept aside for rows start..stop into ``out``. ``other``'s rows ascend (added in row order), so a
    short stretch of a long column finds its own by bisection over the rows (``list(other)``, a C-speed copy)."""
    if not other:
        return
    if stop - start >= len(other) // 8:
        for i, v in other.items():
            if start <= i < stop:
                out[i - start] = v
        return
    rows = list(other)
    for i in islice(rows, bisect_left(rows, start), bisect_left(rows, stop)):
        out[i - start] = other[i]


_PLUS_ONE = (1).__add__  # a row's length and its SEP
SEP = "\x1f"  # ends each row of a Packed column's text (the ASCII unit separator; a value holding it is kept aside)


class _Offsets(Sequence):
    """What Packed and Lists share: a row per offset, rows aside in ``other``; a stretch of rows is ``_values``."""

    __slots__ = ()

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return self._values(start, max(start, stop))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        if i in self.other:
            return self.other[i]
        return self._row(i)

    def __iter__(self) -> Iterator:
        return iter(self._values(0, len(self)))

    def tolist(self) -> list:
        return self._values(0, len(self))


class Packed(_Offsets):
    """A column of strings in one text, each row followed by SEP: row i is ``text[offsets[i]:offsets[i + 1] - 1]``,
    and a stretch of rows is one ``str.split`` (C speed, about 80 ns a row). Values that are not ASCII strings without
    SEP (null, a number, accented text that would widen the whole text) are kept aside by row, as they are. The offsets
    are worked out when a row or a stretch is first read by position (issue 15: a report reads whole columns, which
    need none; building them as a snapshot loads cost 0.1 s at 100k)."""

    __slots__ = ("other", "text", "_parts", "_n", "_offsets")
    WINDOW = 1 << 16  # characters split at a time (offsets, chunks): ~1,700 rows, never a str per row of a column

    def __init__(self) -> None:
        self.other: dict[int, Any] = {}
        self.text = ""
        self._parts: list[str] | None = []
        self._n = 0
        self._offsets: array | None = None

    @property
    def offsets(self) -> array:
        """Where each row starts in ``text``, and where the last one ends: 4 bytes a row (up to 4 GB of text)."""
        if self._offsets is None:
            offsets = array("I", [0])
            for rows in self._windows():
                offsets.extend(islice(accumulate(map(_PLUS_ONE, map(len, rows)), initial=offsets[-1]), 1, None))
            self._offsets = offsets
        return self._offsets

    def _windows(self) -> Iterator[list[str]]:
        """The rows' texts in order, a window of ``text`` at a time (each list: the rows that window completes; values
        kept aside read as ""): never a str per row of the whole column at once."""
        text, window = self.finish().text, self.WINDOW
        carry = ""  # the start of a row the last window ended inside
        for start in range(0, len(text), window):
            pieces = text[start:start + window].split(SEP)
            pieces[0] = carry + pieces[0]
            carry = pieces.pop()  # after the window's last SEP
            if pieces:
                yield pieces

    def __len__(self) -> int:
        return self._n

    def extend(self, values: list) -> bool:
        parts = self._parts
        if parts is None:
            raise ValueError("a finished Packed column cannot grow")
        n = self._n
        joined = SEP.join(values) + SEP if values and set(map(type, values)) == {str} else None
        if joined is not None and joined.isascii() and joined.count(SEP) == len(values):
            parts.append(joined)
            self._n += len(values)
            return True
        for i, v in enumerate(values, n):
            if v.__class__ is str and v.isascii() and SEP not in v:
                parts.append(v + SEP)
            else:
                self.other[i] = v
                parts.append(SEP)
        self._n += len(values)
        return True

    @classmethod
    def of(cls, text: str, n: int, other: dict[int, Any]) -> Packed:
        """A finished column of ``n`` rows from its text (each row followed by SEP) and the rows kept aside (a snapshot
        file's; the caller checked that the text holds ``n`` rows)."""
        col = cls()
        col.text, col._parts, col._n, col.other = text, None, n, other
        return col

    def chunks(self, size: int) -> Iterator[list]:
        """The rows in order, ``size`` at a time (the last chunk shorter), as ``self[i:i + size]`` gives them, read
        window by window: no offsets needed (a snapshot's save reads every column this way)."""
        other = self.other
        buf: list = []
        row = 0
        for rows in self._windows():
            buf += rows
            while len(buf) >= size:
                out = buf[:size]
                del buf[:size]
                _put_aside(out, other, row, row + size)
                row += size
                yield out
        if buf:
            _put_aside(buf, other, row, row + len(buf))
            yield buf

    def finish(self) -> Packed:
        if self._parts is not None:
            self.text, self._parts = "".join(self._parts), None
        return self

    def _row(self, i: int) -> Any:
        offsets = self.offsets
        return self.text[offsets[i]:offsets[i + 1] - 1]

    def _values(self, start: int, stop: int) -> list:
        if start >= stop:
            return []
        if start == 0 and stop == self._n:  # the whole column: no offsets needed
            out = self.finish().text.split(SEP)
        else:
            offsets = self.offsets
            out = self.text[offsets[start]:offsets[stop]].split(SEP)
        out.pop()  # after the last row's SEP
        _put_aside(out, self.other, start, stop)
        return out


class Lists(_Offsets):
    """A column of short lists (a device's owners) as one flat list of their items and an offset per row: a row reads
    back as a new, equal list of the same items. Values that are not lists (null) are kept aside by row, as they are."""

    __slots__ = ("items", "offsets", "other")

    def __init__(self) -> None:
        self.items: list = []
        self.offsets = array("I", [0])
        self.other: dict[int, Any] = {}

    def extend(self, values: list, flat: list | None = None) -> bool:
        """Add rows; ``flat``: their items, in order (the caller has them already: shared, say)."""
        offsets = self.offsets
        if set(map(type, values)) == {list}:
            self.items.extend(chain.from_iterable(values) if flat is None else flat)
            offsets.extend(islice(accumulate(map(len, values), initial=offsets[-1]), 1, None))
            return True
        items = iter(flat) if flat is not None else None
        for i, v in enumerate(values, len(offsets) - 1):
            if v.__class__ is list:
                self.items.extend(v if items is None else islice(items, len(v)))
            else:
                self.other[i] = v
            offsets.append(len(self.items))
        return True

    @classmethod
    def of(cls, items: list, offsets: array, other: dict[int, Any]) -> Lists:
        """A column from its flat items, offsets and rows kept aside (a snapshot file's, checked by the caller)."""
        col = cls()
        col.items, col.offsets, col.other = items, offsets, other
        return col

    def finish(self) -> Lists:
        return self

    def _row(self, i: int) -> Any:
        return self.items[self.offsets[i]:self.offsets[i + 1]]

    def _values(self, start: int, stop: int) -> list:
        items, offsets = self.items, self.offsets
        out = list(map(items.__getitem__, map(slice, offsets[start:stop], offsets[start + 1:stop + 1])))
        _put_aside(out, self.other, start, stop)
        return out



class Records(Sequence):
    """A column of small dicts of strings (a user's ``signInActivity``): each row's keys, in order, as a Coded column
    of key tuples (``None`` for a null), and each key's values Packed. A row reads back as an equal dict, keys in the
    same order."""

    __slots__ = ("shapes", "fields", "_canon")

    def __init__(self) -> None:
        self.shapes = Coded()
        self.fields: dict[str, Packed] = {}
        self._canon: dict[tuple, tuple] = {}  # one tuple object per key set (Coded keeps values by identity)

    def extend(self, values: list) -> bool:
        """Add rows; False (nothing added) when a value is not a dict of strings or null, or too many key sets."""
        kinds = set(map(type, values))
        if not kinds <= _DICT_OR_NONE:
            return False
        # a column at a time (issue 15): each row's key tuple, each key's values, their types, at C speed
        dicts = values if NoneType not in kinds else list(filter(_is_not_none, values))
        keys = list(map(tuple, dicts))
        distinct = set(keys)
        if not set(map(type, chain.from_iterable(distinct))) <= _STR_ONLY:
            return False
        present = dict.fromkeys(chain.from_iterable(sorted(distinct, key=keys.index) if len(distinct) > 1 else distinct))
        got = {key: list(map(dict.get, values if dicts is values else map(_or_empty, values), repeat(key),
                             repeat(""))) for key in present}  # "": absent (the row's keys tell)
        if any(not set(map(type, col)) <= _STR_ONLY for col in got.values()):
            return False
        canon = self._canon
        for shape in distinct:
            canon.setdefault(shape, shape)
        shapes = list(map(canon.__getitem__, keys))
        if dicts is not values:
            it = iter(shapes)
            shapes = [None if v is None else next(it) for v in values]
        if not self.shapes.extend(shapes):
            return False
        n = len(self.shapes) - len(values)
        for key in present:
            if key not in self.fields:
                self.fields[key] = Packed()
                if n:
                    self.fields[key].extend([""] * n)
        for key, col in self.fields.items():
            col.extend(got[key] if key in got else [""] * len(values))
        return True

    @classmethod
    def of(cls, shapes: Coded, fields: dict[str, Packed]) -> Records:
        """A finished column from its key sets (tuples or None) and each key's values (a snapshot file's, checked by
        the caller: every field as long as ``shapes``, every key of a shape a field)."""
        col = cls()
        col.shapes, col.fields = shapes, fields
        return col.finish()

    def finish(self) -> Records:
        self.shapes.finish()
        self._canon = {}
        for col in self.fields.values():
            col.finish()
        return self

    def __len__(self) -> int:
        return len(self.shapes)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return self._values(*i.indices(len(self)))
        shape = self.shapes[i]
        return None if shape is None else {k: self.fields[k][i] for k in shape}

    def _values(self, start: int, stop: int, step: int = 1) -> list:
        if step != 1:
            return [self[j] for j in range(start, stop, step)]
        cols = {k: c[start:stop] for k, c in self.fields.items()}
        return [None if shape is None else {k: cols[k][j] for k in shape}
                for j, shape in enumerate(self.shapes[start:stop])]

    def __iter__(self) -> Iterator:
        return iter(self._values(0, len(self)))

    def tolist(self) -> list:
        return self._values(0, len(self))

    def chunks(self, size: int) -> Iterator[list]:
        """The rows in order, ``size`` at a time, as ``self[i:i + size]`` gives them (each key's values read by
        ``Packed.chunks``)."""
        fields = {k: c.chunks(size) for k, c in self.fields.items()}
        for start in range(0, len(self), size):
            cols = {k: next(c) for k, c in fields.items()}
            yield [None if shape is None else {k: cols[k][j] for k in shape}
                   for j, shape in enumerate(self.shapes[start:start + size])]

    def field_columns(self, names: Iterable[str]) -> tuple[list, ...]:
        """Per name, every row's value of that key (None where the row is null or lacks it), read from the key's own
        column without making a dict per row (issue 15)."""
        n, codes, palette = len(self), self.shapes.codes, self.shapes.palette
        out = []
        for name in names:
            col = self.fields.get(name)
            if col is None:
                out.append([None] * n)
                continue
            values = col._values(0, n)
            has = codes.translate(bytes(shape is not None and name in shape for shape in palette).ljust(256, b"\0"))
            out.append(values if 0 not in has else [v if h else None for v, h in zip(values, has)])
        return tuple(out)


_HELD = (list, Coded, Packed, Lists, Records)


def held(col: list) -> Any:
    """A finished column held as compactly as a built one: Coded when it has few distinct values, Lists when every
    value is a list (or null), else the list itself."""
    coded = Coded()
    if coded.extend(col):
        return coded.finish()
    if set(map(type, col)) <= {list, type(None)} and col:
        lists = Lists()
        lists.extend(col)
        return lists
    return col


def chunks_of(col: Any, size: int) -> Iterator[list]:
    """A column's rows ``size`` at a time, in order (what slicing gives, read in one pass where the column can)."""
    if col.__class__ is Packed or col.__class__ is Records:
        return col.chunks(size)
    return (col[i:i + size] for i in range(0, len(col), size))


def as_list(col: Any) -> list:
    """A column's values as a list: a list column itself, the others built."""
    return col if col.__class__ is list else col.tolist()


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
        self.cols: list = [c if isinstance(c, _HELD) else list(c) for c in cols]
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
        """The values of one property, in row order (``None`` for every row when the table has no such key): a list
        column itself, a Coded, Packed, Lists or Records one built as a list on each call."""
        i = self._index.get(key)
        return as_list(self.cols[i]) if i is not None else [None] * len(self)

    def held_column(self, key: str) -> Any:
        """One property's column as the table holds it (a list, Coded, Packed, Lists or Records), None when the table
        has no such key: for a caller that reads its form (snapshot_columns.column_types), not its values."""
        i = self._index.get(key)
        return None if i is None else self.cols[i]

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
        """Every row as a new dict, keys in the table's order. A table of 1-4 keys (a usage report's rows: 100,000 of
        3 keys as a snapshot loads) builds each with a dict display, about twice as fast as ``dict(zip(keys, row))``."""
        keys, cols = self.keys, self.cols
        if len(keys) == 3:
            k0, k1, k2 = keys
            return [{k0: a, k1: b, k2: c} for a, b, c in zip(*cols)]
        if len(keys) == 2:
            k0, k1 = keys
            return [{k0: a, k1: b} for a, b in zip(*cols)]
        if len(keys) == 4:
            k0, k1, k2, k3 = keys
            return [{k0: a, k1: b, k2: c, k3: d} for a, b, c, d in zip(*cols)]
        if len(keys) == 1:
            (k0,) = keys
            return [{k0: a} for a in cols[0]]
        return list(map(dict, map(zip, repeat(keys), zip(*cols))))

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
    """The named columns of a section's data, as lists: a Table's list columns themselves (no copy), its compact ones
    built (``Table.column``), or built from a list of dicts. Read only; read them once per use rather than keep them."""
    if isinstance(data, Table):
        return tuple(data.column(k) for k in keys)
    rows = data or []
    return tuple([row.get(k) for row in rows] for k in keys)


def fields_of(data: Any, key: str, *names: str) -> tuple[list, ...]:
    """The named keys of a column of objects (a user's ``signInActivity``), each as a list: a row's value, or None where
    the row has no object or the object lacks the key. A Table's Records column is read key by key (no dict per row)."""
    if isinstance(data, Table) and key in data._index and data.cols[data._index[key]].__class__ is Records:
        return data.cols[data._index[key]].field_columns(names)
    objects = columns(data, key)[0]
    return tuple([x.get(name) if x.__class__ is dict else None for x in objects] for name in names)


def as_rows(data: Any) -> list:
    """A section's data as a list of dicts, whatever it is held as (for code that changes rows)."""
    if isinstance(data, Table):
        return data.rows()
    return list(data or [])


def with_column(data: Any, key: str, col: list) -> Table:
    """A new Table: the section's data with one column added or replaced (the old table is left as it was); the new
    column held as compactly as a built one (``held``)."""
    table = data if isinstance(data, Table) else Table.from_rows(as_rows(data))
    if len(col) != len(table):
        raise ValueError("a new column needs one value per row")
    keys = [k for k in table.keys if k != key]
    return Table(keys + [key], [table.cols[table._index[k]] for k in keys] + [held(col)])
