"""A big section of a snapshot file as its columns, each written in the compact form it has in memory (issue 15).

Layout ``columns/2`` (collect/snapshot_file.py writes one column per line between the section's line and "]}}"):

    ,"users":{"status":"complete",...,"data":{"layout":"columns/2","rows":100000,"columns":[
    {"key":"id","values":["...",...]}                                   a list column: every row's value
    ,{"key":"accountEnabled","palette":[true,false],"codes":"AAEA..."}  Coded: the distinct values, a byte per row (base64)
    ,{"key":"displayName","text":"PC-1\\u001fPC-2\\u001f...","other":[[7,null]]}   Packed: each row then U+001F; rows aside
    ,{"key":"owners","items":["...",...],"lengths":[1,0,2,...],"other":[[3,null]]}  Lists: the flat items, a length a row
    ,{"key":"signInActivity","shapes":{"palette":[[...]],"codes":"..."},"fields":{"lastSignInDateTime":{"text":...}}}
    ]}}

The reader rebuilds each column with a few C-speed operations (a base64 decode, a count, a sum) instead of a Python
step per value, and validates what the rows hold through the section's Builder as a file of items is validated: a
Coded column's distinct values once, a Packed column's type once (its rows are strings), a Lists column's items at
once. A column the fast way cannot take as it is (a key held otherwise, values the Builder would change) is expanded
to its rows and read the way a list column is, so the Table is always the one the rows make. Anything that does not
fit together (lengths, codes, counts, types in the encoding) is a SnapshotError naming the section and the column.
"""
from __future__ import annotations

import binascii
import json
from array import array
from itertools import accumulate, chain, compress, count, repeat
from functools import partial
from operator import is_, is_not, lt, sub
from typing import Any, Callable

from .. import bulkjson
from ..errors import GraphBadResponse, SnapshotError
from .columns import Builder
from .table import CODED_MAX, SEP, Coded, Lists, Packed, Records, Table, as_list, held

COLUMNS2 = "columns/2"
# (key or None for the section, the column's rows, the error) -> the SnapshotError naming the row (snapshot_file.py)
Explain = Callable[[Any, list, Exception], SnapshotError]
_INT = frozenset({int})
_STR = frozenset({str})
_STR_OR_NULL = frozenset({str, type(None)})
_BYTES = bytes(range(256))
_not_null = partial(is_not, None)


# -- writing ------------------------------------------------------------------------------------------------------
def encoded(key: str, col: Any, pool: Pool | None = None) -> dict:
    """One column of a Table as the file holds it (the form it has in memory; any other column as its values).
    ``pool``: the strings the file's earlier columns hold, numbered (see ``_numbered``), grown by this one."""
    cls = col.__class__
    if cls is Coded:
        return {"key": key, "palette": col.palette, "codes": _b64(col.codes)}
    if cls is Packed:
        return dict(key=key, **_packed(col))
    if cls is Lists:
        offsets = col.offsets
        out = dict({"key": key}, **_numbered(col.items, pool, "items"), lengths=list(map(sub, offsets[1:], offsets[:-1])))
        return dict(out, other=_aside(col.other)) if col.other else out
    if cls is Records:
        shapes = col.shapes
        return {"key": key, "shapes": {"palette": [None if s is None else list(s) for s in shapes.palette],
                                       "codes": _b64(shapes.codes)},
                "fields": {k: _packed(c) for k, c in col.fields.items()}}
    return dict({"key": key}, **_numbered(as_list(col), pool, "values"))


class Pool:
    """The writer's side of the pool: every string (or null) of the file's string columns so far, in order, as the
    reader will hold it (``Reader.pool``): a row of a column written as its values, the ``new`` ones of a column
    written as numbers. ``at``: a position of each value, found when a later column first looks (the file's last
    string columns are never looked up: not put in a dict of a million strings, 0.03-0.05 s a column at 100k)."""

    def __init__(self) -> None:
        self._at: dict = {}
        self._later: list = []  # (values, position of the first) added since ``at`` was last read
        self.n = 0

    @property
    def at(self) -> dict:
        for values, start in self._later:
            self._at.update(zip(values, count(start)))  # a later position of an equal value will do as well
        self._later.clear()
        return self._at

    def add(self, values: list) -> None:
        self._later.append((values, self.n))
        self.n += len(values)


def _numbered(values: list, pool: Pool | None, plain: str) -> dict:
    """A column of strings (and nulls) for the file's pool. Mostly strings no earlier column had (the first rows tell):
    ``{plain: values}``, every row then in the pool. Else as numbers: ``new`` the strings no earlier column had, in
    order (they join the pool), ``ids`` each row's place in it. A person's id and sign-in name recur in six sections:
    the reader looks each distinct string up once, and every later row is a list index at C speed (issue 15).
    One look-up a row: only the rows not found are looked at again (their types, their places once the new strings
    are in); a row found is equal to a string of the pool (issue 15: the 14 columns of the 100k snapshot 0.93-1.12 s to
    0.74-0.92 s on a loaded machine)."""
    if pool is None or not values:
        return {plain: values}
    at, sample = pool.at, values[:256]
    if not _STR_OR_NULL.issuperset(map(type, sample)):
        return {plain: values}
    if sum(map(at.__contains__, sample)) * 4 < len(sample):
        if _STR_OR_NULL.issuperset(map(type, values)):
            pool.add(values)
        return {plain: values}
    try:
        ids = list(map(at.get, values))
    except TypeError:  # a list or an object among the rows
        return {plain: values}
    if None not in ids:
        return {"new": [], "ids": ids}
    missing_at = list(compress(count(), map(is_, ids, repeat(None))))
    missing = list(map(values.__getitem__, missing_at))
    if not _STR_OR_NULL.issuperset(map(type, missing)):
        return {plain: values}
    new = list(dict.fromkeys(missing))
    pool.add(new)
    for i, p in zip(missing_at, map(pool.at.__getitem__, missing)):
        ids[i] = p
    return {"new": new, "ids": ids}


def _b64(codes: bytes | bytearray) -> str:
    return binascii.b2a_base64(codes, newline=False).decode("ascii")


def _packed(col: Packed) -> dict:
    out = {"text": col.finish().text}
    return dict(out, other=_aside(col.other)) if col.other else out


def _aside(other: dict[int, Any]) -> list:
    return [[i, v] for i, v in sorted(other.items())]


def open_data(rows: int) -> bytes:
    """The start of a section's data in the line layout (its columns follow, one a line)."""
    return b',"data":{"layout":"' + COLUMNS2.encode() + b'","rows":' + str(rows).encode() + b',"columns":['


OPEN_END = b',"columns":['  # how a section line that opens its columns ends


# -- reading ------------------------------------------------------------------------------------------------------
class Reader:
    """A section's columns, one at a time (``add``), then ``table()``: at most one column's raw form held at once."""

    def __init__(self, name: str, build: Builder, where: str, explain: Explain, pool: list | None = None) -> None:
        self.name, self.build, self.where, self.explain = name, build, where, explain
        self.pool = [] if pool is None else pool  # the file's strings so far, by number (``_numbered``): its sections share it
        self.keys: list[str] = []
        self.n: int | None = None

    def _at(self, key: str) -> dict:
        """The parameters that name a column in the snapshot.column_* errors (its key as the file has it, escaped)."""
        return {"fix_key": "snapshot.damaged", "where": self.where, "key": bulkjson.dumps(key).decode()[1:-1][:60]}

    def add(self, col: Any) -> None:
        if col.__class__ is not dict or col.get("key").__class__ is not str:
            raise SnapshotError.keyed("snapshot.column_not_encoded", fix_key="snapshot.damaged", where=self.where)
        key = col["key"]
        if key in self.keys:
            raise SnapshotError.keyed("snapshot.column_twice", **self._at(key))
        self.keys.append(key)
        parts = col.keys() - {"key"}
        shared = False  # the rows' strings already the shared ones (from the pool)
        if parts == {"values"}:
            got: Any = col["values"]
            if got.__class__ is not list:
                raise SnapshotError.keyed("snapshot.column_unknown", **self._at(key))
        elif parts == {"new", "ids"}:
            got, shared = self._pooled(key, col), True
        elif parts == {"palette", "codes"}:
            got = Coded.of(*self._codes(key, col))
        elif parts <= {"text", "other"} and "text" in parts:
            got = self._text(key, col)
        elif parts <= {"items", "lengths", "other"} and {"items", "lengths"} <= parts:
            got = self._lists(key, col, col["items"])
        elif parts <= {"new", "ids", "lengths", "other"} and {"new", "ids", "lengths"} <= parts:
            got, shared = self._lists(key, col, self._pooled(key, col)), True
        elif parts == {"shapes", "fields"}:
            got = self._records(key, col)
        else:
            raise SnapshotError.keyed("snapshot.column_unknown", **self._at(key))
        self._rows(key, len(got))
        try:
            strings = self._take(key, got, shared)
        except (GraphBadResponse, SnapshotError, TypeError, ValueError) as exc:  # a value the section does not allow
            raise self.explain(key, as_list(got), exc) from None
        if not shared and ("values" in parts or "items" in parts):
            self._into_pool(key, got, strings)

    def _into_pool(self, key: str, got: Any, strings: bool = False) -> None:
        """A column of strings written as its values joins the pool as ``Pool.add`` added it: every row (a Lists
        column: its items), the shared strings the Table holds. ``strings``: they are strings and nulls (``_take``
        found so), not looked at again."""
        raw = got.items if got.__class__ is Lists else got
        if not raw or not strings and not _STR_OR_NULL.issuperset(map(type, raw)):
            return
        held = self.build.cols.get(key)
        if held.__class__ is Lists:
            self.pool += held.items
        elif held.__class__ is list and got.__class__ is list:
            self.pool += held
        else:  # held otherwise (the Builder's choice): the values again, shared
            one = self.build.strings.setdefault
            self.pool += map(one, raw, raw)

    def _take(self, key: str, got: Any, shared: bool = False) -> bool:
        """A column whose encoding fits together into the builder: as it is where the Builder would hold the same
        (its values checked and shared), else as its rows, read the way a list column's are. ``shared``: its strings
        are the shared ones already (from the pool): checked by type, a value of each type standing for all. True
        when the column (a Lists column: its items) was found to hold only strings and nulls."""
        kind, cls = self.build.kind(key), got.__class__
        if cls is list:
            if shared and kind is Coded and self._many(got) and self._fine_types(key, got):
                self.build.set_column(key, got)
                return False
            return self._values(key, got, kind)
        if (cls is Lists and kind is Lists and all(v is None for v in got.other.values())
                and _STR.issuperset(map(type, got.items))):
            reps = got.items[:1]
            if self.build.prepared(key, [reps]) == [reps]:  # the items' type, checked as one row's
                if not shared:  # one pass sharing them (issue 15: a device's owners, 0.15 s -> 0.04 s at 100k)
                    one = self.build.strings.setdefault
                    got = Lists.of(list(map(one, got.items, got.items)), got.offsets, got.other)
                self.build.set_column(key, got)
                return True
        if kind is cls:
            if cls is Coded:
                self.build.set_column(key, Coded.of(self.build.prepared(key, got.palette), got.codes))
                return False
            if cls is Packed and self._packed_fine(key, got):
                self.build.set_column(key, got)
                return False
            if cls is Lists and all(v is None for v in got.other.values()):
                flat = self.build.prepared(key, [got.items])[0]  # the items checked as one row, shared
                if flat.__class__ is list and flat == got.items:
                    self.build.set_column(key, Lists.of(flat, got.offsets, got.other))
                    return False
            if cls is Records and self._records_fine(key, got.shapes.palette, got.shapes.codes, got.fields):
                one = self.build.strings.setdefault  # the key tuples: one object per key set, shared key strings
                got.shapes.palette = [None if s is None else tuple(map(one, s, s)) for s in got.shapes.palette]
                self.build.set_column(key, got)
                return False
        self.build.add_column(key, got.tolist())
        return False

    @staticmethod
    def _many(values: list) -> bool:
        """Whether the first rows hold more distinct values than a Coded column can (else the Builder finds out)."""
        try:
            return len(set(values[:4 * CODED_MAX])) > CODED_MAX
        except TypeError:  # lists, objects
            return False

    def _fine_types(self, key: str, values: list) -> bool:
        """Whether the Builder keeps ``values`` (a pooled column's: strings and nulls only) as they are: checked with one
        value of each type they hold; first with a string and a null, which stand for whatever the rows hold when both
        are kept (no pass over the rows for their types: 5-10 ms a column of 100,000), else type by type."""
        first = values[0]
        if first.__class__ is str:
            reps = [first, None]
            try:
                if all(map(_same, self.build.prepared(key, list(reps)), reps)):
                    return True
            except (GraphBadResponse, SnapshotError, TypeError, ValueError):  # a null not allowed (an id): by type below
                pass
        kinds = set(map(type, values))
        reps = [values[0]] if len(kinds) == 1 else [next(v for v in values if v.__class__ is k) for k in kinds]
        return all(map(_same, self.build.prepared(key, list(reps)), reps))

    def _pooled(self, key: str, enc: dict) -> list:
        """The rows of a column written as numbers into the pool (``_numbered``): its new strings shared and added."""
        new, ids = enc["new"], enc["ids"]
        pool = self.pool
        if new.__class__ is not list or not _STR_OR_NULL.issuperset(map(type, new)):
            raise SnapshotError.keyed("snapshot.column_pool", **self._at(key), size=(len(pool)))
        if ids.__class__ is not list or not _INT.issuperset(map(type, ids)) or ids and min(ids) < 0:
            raise SnapshotError.keyed("snapshot.column_pool", **self._at(key), size=(len(pool)))
        one = self.build.strings.setdefault
        before = len(pool)
        pool += map(one, new, new)
        try:
            return list(map(pool.__getitem__, ids))
        except IndexError:  # a number beyond the pool
            raise SnapshotError.keyed("snapshot.column_pool", **self._at(key), size=before) from None

    def _values(self, key: str, values: list, kind: type) -> bool:
        """A list column: a Coded one when it has few distinct values (the Builder finds out), else the list itself,
        checked and shared (not offered to a Coded column first: 0.25 s at 100k for 14 columns of ids and names).
        True when it holds only strings and nulls, found by one pass over their types and checked a value of each
        type (``_kept_as_equal``), then shared in one pass (the Builder's check took three passes more, and the
        pool one: 0.05-0.08 s at 100k)."""
        if kind is Coded and self._many(values):
            kinds = set(map(type, values))
            if _STR_OR_NULL.issuperset(kinds) and self._kept_as_equal(key, values, kinds):
                one = self.build.strings.setdefault
                self.build.set_column(key, list(map(one, values, values)))
                return True
            self.build.set_column(key, self.build.prepared(key, values))
            return False
        self.build.add_column(key, values)
        return False

    def _kept_as_equal(self, key: str, values: list, kinds: set) -> bool:
        """Whether the Builder keeps a column of strings and nulls as equal values (shared), checked with one value of
        each type it holds (its checks are by type; a key it changes, ``shape``, is not taken this way). False when it
        refuses one: the caller's Builder path then names the row."""
        if key in self.build.shape:
            return False
        reps = [v for v in (next(filter(_not_null, values), None), None) if v.__class__ in kinds]
        try:
            got = self.build.prepared(key, list(reps))
        except (GraphBadResponse, SnapshotError, TypeError, ValueError):
            return False
        return got.__class__ is list and list(map(type, got)) == list(map(type, reps)) and got == reps

    def _rows(self, key: str, n: int) -> None:
        if self.n is None:
            self.n = n
        elif n != self.n:
            raise SnapshotError.keyed("snapshot.column_rows", **self._at(key), got=n, rows=self.n)

    def table(self, rows: Any) -> Table:
        """The Table, once every column is in; ``rows``: the count the file declares."""
        if rows.__class__ is not int or rows < 0:  # "45" or 45.0 would read as "declares 45 rows, but ... have 45"
            shown = {list: "[...]", dict: "{...}"}.get(rows.__class__) or json.dumps(rows)[:40]
            raise SnapshotError.keyed("snapshot.column_count_not_number", fix_key="snapshot.damaged", where=self.where,
                                      shown=shown)
        if rows != (self.n or 0):
            raise SnapshotError.keyed("snapshot.column_count", fix_key="snapshot.damaged", where=self.where,
                                      rows=str(rows)[:20], got=(self.n or 0))
        try:
            self.build.end_columns(self.keys, rows)
        except (GraphBadResponse, SnapshotError) as exc:  # a required key no column has
            raise self.explain(None, [], exc) from None
        return self.build.table()

    # -- each encoding: its parts checked to fit together ----------------------------------------------------------
    def _codes(self, key: str, enc: Any) -> tuple[list, bytes]:
        """A palette and its codes, checked: at most CODED_MAX values, one code a row below their number."""
        palette, codes = enc.get("palette"), enc.get("codes")
        if palette.__class__ is not list or len(palette) > CODED_MAX:
            raise SnapshotError.keyed("snapshot.column_palette", **self._at(key), most=CODED_MAX)
        if codes.__class__ is not str:
            raise SnapshotError.keyed("snapshot.column_codes", **self._at(key), size=len(palette))
        try:
            raw = binascii.a2b_base64(codes, strict_mode=True)
        except (binascii.Error, ValueError):
            raise SnapshotError.keyed("snapshot.column_codes", **self._at(key), size=len(palette)) from None
        if raw.translate(None, _BYTES[:len(palette)]):  # a code with no value (what is left when the good ones go)
            raise SnapshotError.keyed("snapshot.column_codes", **self._at(key), size=len(palette))
        return palette, raw

    def _aside(self, key: str, enc: dict, n: int) -> dict[int, Any]:
        """The rows kept aside: [row, value] pairs, rows ascending below ``n``."""
        other = enc.get("other", [])
        if other.__class__ is not list or not all(p.__class__ is list and len(p) == 2 for p in other):
            raise SnapshotError.keyed("snapshot.column_aside", **self._at(key), last=(n - 1))
        rows = [p[0] for p in other]
        if rows and (not set(map(type, rows)) <= _INT or rows[0] < 0 or rows[-1] >= n or not all(map(lt, rows, rows[1:]))):
            raise SnapshotError.keyed("snapshot.column_aside", **self._at(key), last=(n - 1))
        return dict(other)

    def _text(self, key: str, enc: Any) -> Packed:
        """A Packed column from its text (each row followed by SEP) and the rows aside."""
        text = enc.get("text") if enc.__class__ is dict else None
        if text.__class__ is not str:
            raise SnapshotError.keyed("snapshot.column_text", **self._at(key))
        n = text.count(SEP)
        if n and not text.endswith(SEP) or not n and text:
            raise SnapshotError.keyed("snapshot.column_text", **self._at(key))
        return Packed.of(text, n, self._aside(key, enc, n))

    def _packed_fine(self, key: str, col: Packed) -> bool:
        """Whether the Builder keeps these rows as they are: an ASCII text (its rows are strings: one stands for all),
        the rows aside unchanged."""
        if not col.text.isascii():
            return False
        aside = list(col.other.values())
        sample = [""] * (len(col) > len(aside)) + aside
        return all(map(_same, self.build.prepared(key, sample), sample))

    def _lists(self, key: str, enc: dict, items: Any) -> Lists:
        lengths = enc["lengths"]
        if (items.__class__ is not list or lengths.__class__ is not list or not set(map(type, lengths)) <= _INT
                or (lengths and min(lengths) < 0) or sum(lengths) != len(items)):
            raise SnapshotError.keyed("snapshot.column_lengths", **self._at(key), items=(len(items) if items.__class__ is list else 0))
        other = self._aside(key, enc, len(lengths))
        if any(lengths[i] for i in other):
            raise SnapshotError.keyed("snapshot.column_lengths", **self._at(key), items=(len(items)))
        return Lists.of(items, array("I", accumulate(lengths, initial=0)), other)

    def _records(self, key: str, enc: dict) -> Records:
        shapes, fields = enc["shapes"], enc["fields"]
        if shapes.__class__ is not dict or set(shapes) != {"palette", "codes"} or fields.__class__ is not dict:
            raise SnapshotError.keyed("snapshot.column_shapes", **self._at(key))
        palette, codes = self._codes(key, shapes)
        if not all(s is None or (s.__class__ is list and set(map(type, s)) <= _STR and len(set(s)) == len(s))
                   for s in palette):
            raise SnapshotError.keyed("snapshot.column_shapes", **self._at(key))
        palette = [None if s is None else tuple(s) for s in palette]
        if set(fields) != set(chain.from_iterable(filter(None, palette))):
            raise SnapshotError.keyed("snapshot.column_shapes", **self._at(key))
        cols = {k: self._text(key, c) for k, c in fields.items()}
        if any(len(c) != len(codes) for c in cols.values()):
            raise SnapshotError.keyed("snapshot.column_shapes", **self._at(key))
        return Records.of(Coded.of(palette, codes), cols)

    def _records_fine(self, key: str, palette: list, codes: bytes | bytearray, cols: dict[str, Packed]) -> bool:
        """Whether the Builder takes these rows as they are: each key set as it would keep it (checked with a stand-in
        value), every value a string, not empty exactly where its row has the key."""
        stand = [None if s is None else dict.fromkeys(s, "x") for s in palette]
        got = self.build.prepared(key, stand)
        if [None if g is None else list(g.items()) for g in got] != [None if s is None else list(s.items()) for s in stand]:
            return False
        for name, col in cols.items():
            aside = list(col.other.values())
            if not set(map(type, aside)) <= _STR or not all(aside):
                return False
            if all(s is not None and name in s for s in palette):  # every row has the key: no row of the text empty
                text = col.text
                if not text.startswith(SEP) and SEP + SEP not in text:
                    continue
                if not col.other:
                    return False
            values = col.tolist()
            if not set(map(type, values)) <= _STR:
                return False
            has = bytes(codes).translate(bytes(s is not None and name in s for s in palette).ljust(256, b"\0"))
            if bytes(map(bool, values)) != has:
                return False
        return True


def _same(a: Any, b: Any) -> bool:
    return a is b


def read_columns(name: str, build: Builder, where: str, data: dict, explain: Explain, pool: list | None = None) -> Table:
    """A whole document's ``columns/2`` data (``{"layout", "rows", "columns"}``) as its Table."""
    cols = data.get("columns")
    if cols.__class__ is not list or set(data) != {"layout", "rows", "columns"}:
        raise SnapshotError.keyed("snapshot.column_not_encoded", fix_key="snapshot.damaged", where=where)
    reader = Reader(name, build, where, explain, pool)
    for col in cols:
        reader.add(col)
    return reader.table(data.get("rows"))


# -- the rows of an object section (the Teams and Office usage reports: 100,000 rows of a few strings) ----------------
ROWS2 = "rows/2"
ROWS_MIN = 32  # fewer rows stay a list of objects


def rows_encoded(rows: Any, pool: Pool) -> dict | None:
    """A list of objects that all have the same keys, in the same order, as its columns (``encoded``, through the
    pool: a person's id and sign-in name are numbers into it); None for any other list."""
    if rows.__class__ is not list or len(rows) < ROWS_MIN or set(map(type, rows)) != {dict}:
        return None
    shapes = set(map(tuple, rows))
    if len(shapes) != 1:
        return None
    keys = next(iter(shapes))
    if not keys:
        return None
    cols = [list(map(dict.get, rows, repeat(k))) for k in keys]
    return {"layout": ROWS2, "rows": len(rows), "columns": [encoded(k, _held(c), pool) for k, c in zip(keys, cols)]}


def _held(col: list) -> Any:
    """``held(col)``, a column of many distinct strings (a person's id) known to stay a list from its first rows: more
    distinct objects there than a Coded column holds, the first a string (not a Lists column) (0.04 s a column at 100k)."""
    first = col[:4 * CODED_MAX]
    if first[0].__class__ is str and len(set(map(id, first))) > CODED_MAX:
        return col
    return held(col)


def rows_back(name: str, data: dict, where: str, explain: Explain, pool: list) -> list[dict]:
    """The rows of ``rows_encoded`` again, a new object per row, their strings shared (not validated here: the
    section's check reads them as rows, as ever)."""
    return rows_table(name, data, where, explain, pool).rows()


def rows_table(name: str, data: dict, where: str, explain: Explain, pool: list) -> Table:
    """The rows of ``rows_encoded`` as the Table their columns make (``rows_back``: as rows), not validated."""
    cols = data.get("columns")
    if cols.__class__ is not list or set(data) != {"layout", "rows", "columns"}:
        raise SnapshotError.keyed("snapshot.column_not_encoded", fix_key="snapshot.damaged", where=where)
    reader = Reader(name, Builder(f"{name}.rows"), where, explain, pool)
    for col in cols:
        reader.add(col)
    return reader.table(data.get("rows"))


def column_types(col: Any) -> set | None:
    """The types a column's rows may hold, from its form (a Coded column's palette, a Packed column's strings and the
    rows aside, a list column's values); None for any other form. A palette value no row uses counts too."""
    cls = col.__class__
    if cls is list:
        return set(map(type, col))
    if cls is Coded:
        return set(map(type, col.palette))
    if cls is Packed:
        return set(map(type, col.other.values())) | ({str} if len(col) > len(col.other) else set())
    return None


def is_rows(data: Any) -> bool:
    """Whether an object section's data holds its rows as ``rows_encoded`` made them."""
    return data.__class__ is dict and data.get("rows").__class__ is dict and data["rows"].get("layout") == ROWS2
