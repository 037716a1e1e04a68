"""Building a section's Table a page (or a snapshot file's chunk) at a time, validated a column at a time (issue 15).

Per item, the audit's big sections cost a shape check (``shapes.check_item``, ~7 us), a walk sharing equal strings
(``bulkjson.share``) and a compaction (``compact.Compactor``), and then ~1 KB each as a dict. Here a page's items go
straight into one list per property: each column's types are checked at once (``set(map(type, col))``), its strings
shared through the collection's string table at C speed, and list values (licences, methods) checked, compacted and
shared once per distinct value (keyed by their JSON text). A wrong type raises the same ``GraphBadResponse`` as
``check_item`` (the field named); the page's dicts are freed when the page is.
"""
from __future__ import annotations

from collections import Counter
from itertools import chain, islice, repeat
from operator import itemgetter
from types import NoneType
from typing import Any, Callable, Iterable, Sequence

from .. import bulkjson
from .compact import SIGN_IN_FIELDS, Compactor, sign_in
from ..errors import GraphBadResponse
from .pages import RAW, columns_of, is_typed
from .shapes import FIELDS, NESTED, OPT_LIST, check_column, not_object, required
from .table import Coded, Lists, Packed, Records, Table, as_list

# The sections held as Tables: the ones that grow with the tenant (people, devices, registrations).
TABLE_SECTIONS = frozenset({"users", "mfa", "managed_devices", "devices", "teams_users"})
_STRINGY = frozenset({str, type(None)})
_STR = frozenset({str})
_BOOLISH = frozenset({bool, type(None)})  # equal is identical for these: coded by value, nothing to share
# Strings held Packed (one text, an offset a row; Table's docstring): ones no other section shares and the audit reads
# rarely or never. A person's id and sign-in name stay lists: the facts keep them, and six sections share each one.
PACKED = {"devices": frozenset({"id", "deviceId", "displayName", "approximateLastSignInDateTime", "registrationDateTime"}),
          "managed_devices": frozenset({"id", "deviceName", "azureADDeviceId", "lastSyncDateTime"})}
RECORDS = {"users": frozenset({"signInActivity"})}  # dicts of strings held as Records (the facts read them once)
LISTS = {"devices": frozenset({"owners"})}  # lists held as Lists (one flat list of their items)

Extra = Callable[[str, list, Iterable], None]  # (key, column, distinct values) -> raises when wrong


class Columns:
    """How a section's pages become columns: which keys (default: every key the pages have) and per-key changes of
    a value (applied once per distinct value for list properties, to every value otherwise). ``ensure``: keys every row
    has even when the pages lack them (their change applied to null)."""

    def __init__(self, keys: Sequence[str] | None = None, shape: dict[str, Callable[[Any], Any]] | None = None,
                 ensure: Sequence[str] = ()) -> None:
        self.keys, self.shape, self.ensure = keys, shape or {}, tuple(ensure)

    def builder(self, section: str, endpoint: str = "", extra: Extra | None = None) -> Builder:
        return Builder(section, endpoint, self.keys, self.shape, self.ensure, extra)


def for_section(section: str) -> Columns:
    """The columns of a section as the collectors build them (the compaction of compact.Compactor, by column)."""
    if section == "users":
        c = Compactor()
        return Columns(shape={"assignedLicenses": c.licences, "licenseAssignmentStates": c.states,
                              "provisionedPlans": c.plans, "signInActivity": sign_in},
                       ensure=("assignedLicenses", "licenseAssignmentStates"))
    if section == "mfa":
        return Columns(shape={"methodsRegistered": Compactor().methods}, ensure=("methodsRegistered",))
    return Columns()


class Builder:
    """The columns of one section, grown a page at a time; ``table()`` when done."""

    def __init__(self, section: str, endpoint: str = "", keys: Sequence[str] | None = None,
                 shape: dict[str, Callable[[Any], Any]] | None = None, ensure: Sequence[str] = (),
                 extra: Extra | None = None) -> None:
        self.section, self.endpoint, self.fixed = section, endpoint, tuple(keys) if keys is not None else None
        self.shape, self.extra = shape or {}, extra
        self.packed, self.records = PACKED.get(section, frozenset()), RECORDS.get(section, frozenset())
        self.lists = LISTS.get(section, frozenset())
        self.cols: dict[str, Any] = {k: self._new(k) for k in (self.fixed or ())}
        for k in ensure:
            if k not in self.cols:
                self.cols[k] = self._new(k)
        self.n = 0
        self.fields = FIELDS.get(section, {})
        self.required = required(section)
        self.strings = bulkjson.strings()
        self._distinct: dict[str, dict] = {}  # list property -> {JSON text: its (compacted) value}
        self._raws: dict[str, dict] = {}  # list property -> {JSON text as a typed page gave it: its value as kept}

    def add_items(self, items: list) -> None:
        """One page of Graph's answer (a list of objects)."""
        if not items:
            return
        if is_typed(items):  # decoded by collect/pages.py: exactly the selected keys, typed as FIELDS says
            keys, cols = columns_of(items)
            self.add_columns(keys, cols, len(items), typed=True)
            return
        if set(map(type, items)) != {dict}:
            raise not_object(self.endpoint or self.section, next(x for x in items if x.__class__ is not dict))
        n = len(items)
        found = set().union(*items)  # every key of the page, at C speed
        if self.fixed is not None:
            keys = list(self.fixed)
        else:
            known = dict.fromkeys(self.cols)
            if found.issubset(known.keys() | items[0].keys()):  # as a $select gives them: the first item has them all
                known.update(dict.fromkeys(items[0]))
            else:
                for item in items:  # in the order of first appearance
                    known.update(dict.fromkeys(item))
            keys = list(known)
        if len(found) == len(keys) and found.issuperset(keys) and set(map(len, items)) == {len(keys)}:
            # every item has exactly these keys: the columns in one pass over the items (a tuple each), transposed
            cols = [list(map(itemgetter(*keys), items))] if len(keys) == 1 else list(map(list, zip(*map(itemgetter(*keys), items))))
        else:
            cols = [list(map(dict.get, items, repeat(k, n))) for k in keys]
        self.add_columns(keys, cols, n)

    def add_columns(self, keys: list[str], cols: list[list], n: int, *, typed: bool = False) -> None:
        """Columns of ``n`` more rows (a snapshot file's chunk), validated and shared like a page's. ``typed``: the
        columns of a typed page (collect/pages.py), whose values msgspec checked against shapes.FIELDS already."""
        present = set(keys)
        for name in self.required:
            if name not in present:  # a required field no item has: as check_item says it
                check_column(self.section, name, [None] * n, self.endpoint)
        done = []
        for k, col in zip(keys, cols):
            if self.fixed is not None and k not in self.cols:
                continue
            done.append((k, self._column(k, col, typed)))
        for k in self.cols:
            if k not in present and n:
                done.append((k, self._column(k, [None] * n) if k in self.shape else [None] * n))
        for k, col in done:
            self._grow(k, col)
        self.n += n

    # A snapshot file's section read a whole column at a time (collect/snapshot_columns.py): add_column or set_column
    # per column, then end_columns. The rows are validated and shared as add_columns does them.
    def add_column(self, key: str, col: list) -> None:
        """Every row's value of one property, as a plain list."""
        if self.fixed is None or key in self.cols:
            self._grow(key, self._column(key, col))

    def prepared(self, key: str, values: list) -> list:
        """``values`` of one property checked, changed and shared as add_columns does a column's: what a Coded
        column's distinct values become (the file's palette)."""
        got = self._column(key, values)
        if got.__class__ is _Equal:
            values = got.values
            if _BOOLISH.issuperset(map(type, values)):
                return values
            one = self.strings.setdefault
            return list(map(one, values, values))  # strings and nulls (None: itself)
        return _rows_of(got) if got.__class__ is _Items else got

    def kind(self, key: str) -> type:
        """What a whole column of ``key`` is held as: Packed, Records, Lists, or Coded (a list when too many values)."""
        return self._new(key).__class__

    def set_column(self, key: str, column: Any) -> None:
        """A finished column of every row, built by the reader from values it checked through ``prepared``."""
        if self.fixed is None or key in self.cols:
            self.cols[key] = column

    def end_columns(self, keys: list[str], n: int) -> None:
        """After the columns of ``n`` rows: a required key the file lacks refused, the other keys null-filled."""
        present = set(keys)
        for name in self.required:
            if name not in present:
                check_column(self.section, name, [None] * n, self.endpoint)
        for k in list(self.cols):
            if k not in present and n:
                self._grow(k, self._column(k, [None] * n) if k in self.shape else [None] * n)
        self.n = n

    def _new(self, key: str) -> Any:
        if key in self.packed:
            return Packed()
        return Records() if key in self.records else Lists() if key in self.lists else Coded()

    def _grow(self, key: str, col: list) -> None:
        """Rows onto a column (a key first seen now: null for the rows before); a Coded column that would hold too many
        distinct values (or a Records column a value it cannot hold) becomes a list."""
        target = self.cols.get(key)
        if target is None:
            target = self.cols[key] = self._new(key)
            if self.n:
                self._grow(key, [None] * self.n)
        if col.__class__ is _Equal:
            if target.__class__ is Coded and target.extend_equal(col.values, self.strings.setdefault):
                return
            col = col.values if _BOOLISH.issuperset(map(type, col.values)) else list(
                map(self.strings.setdefault, col.values, col.values))
        if col.__class__ is _Items:
            if target.__class__ is Lists:
                target.extend(col.rows, col.flat)
                return
            col = _rows_of(col)
        if target.__class__ is list:
            target += col
        elif not target.extend(col):
            self.cols[key] = as_list(target) + col

    def _column(self, k: str, col: list, typed: bool = False) -> list:
        types = self.fields.get(k)
        fn = self.shape.get(k)
        if col and col[0].__class__ is RAW:  # a typed page's lists of objects, as JSON text (collect/pages.py)
            got = self._raw_lists(k, col, fn)
            if got is not None:
                return got
            col = list(map(bulkjson.loads, map(bytes, col)))  # a value the fast path does not take: checked as usual
            typed = False
        if typed and types is not None and _STRINGY.issuperset(types):
            kinds = _allowed(types)  # strings (and nulls) as msgspec read them: what they are, without a pass (issue 15)
        else:
            kinds = set(map(type, col))  # the one pass over the column's types; the checks below reuse it
        if types is OPT_LIST or (types is None and self.extra is not None and list in kinds):
            return self._lists(k, col, fn, kinds)
        if types is not None and not kinds <= _allowed(types):
            check_column(self.section, k, col, self.endpoint)  # raises, naming the field
        if self.extra is not None:
            self.extra(k, col, col)
        if fn is not None:
            if fn is sign_in:
                return _sign_ins(col)
            return list(map(fn, col))
        if kinds <= _STRINGY and k not in self.packed:  # Packed: not kept as str, so not in the table
            if self._coded(k):
                return _Equal(col)  # a Coded column shares equal strings through its palette (_grow)
            return list(map(self.strings.setdefault, col, col))
        if kinds <= _BOOLISH and self._coded(k):
            return _Equal(col)  # true, false and null coded by value: two passes instead of four by identity
        return col

    def _coded(self, k: str) -> bool:
        """Whether the column of ``k`` is (or will be made) a Coded one."""
        target = self.cols.get(k)
        if target is None:
            return k not in self.records and k not in self.lists and k not in self.packed
        return target.__class__ is Coded

    def _lists(self, k: str, col: list, fn: Callable[[Any], Any] | None, kinds: set) -> list:
        """A list property: checked, changed and shared once per distinct value (keyed by its JSON text)."""
        types = self.fields.get(k)
        if types is not None and not kinds <= _allowed(types):
            check_column(self.section, k, col, self.endpoint, values=())  # raises, naming the field
        flat = _strings_in(col) if kinds <= _LISTY else None  # the items, when every value is a list of strings or null
        if flat is not None and k in self.lists and fn is None and self._fine(k, col, flat):
            return _Items(col, list(map(self.strings.setdefault, flat, flat)))
        # each value's key: a tuple for lists of strings (equal tuples: equal values), else its JSON text (as str:
        # orjson's bytes keep ~4 KB of capacity each, too much for a key kept for long)
        texts = _tuples(col, kinds) if flat is not None and list in kinds else _texts(col)
        seen = self._distinct.setdefault(k, {})
        fresh = dict(zip(texts, col))  # equal texts: equal values, either one will do
        if seen:
            for t in fresh.keys() & seen.keys():
                del fresh[t]
        if fresh:
            check_column(self.section, k, col, self.endpoint, values=fresh.values())
            if self.extra is not None:
                self.extra(k, col, fresh.values())
            for t, v in fresh.items():
                seen[t] = fn(v) if fn is not None else _shared(v, self.strings)
        return list(map(seen.__getitem__, texts))

    def _raw_lists(self, k: str, col: list, fn: Callable[[Any], Any] | None) -> list | None:
        """A column of JSON texts of list values: each distinct text parsed once and given to ``_lists`` (which checks,
        changes and shares it as for a parsed page); None when a value is not a list or null, or fails a check (the
        caller then checks the parsed column, whose error names the field as for a parsed page)."""
        if k in self.lists or self.extra is not None:
            return None
        texts = list(map(bytes, col))
        known = self._raws.setdefault(k, {})  # JSON text as it came -> the value kept for it
        fresh = [t for t in dict.fromkeys(texts) if t not in known]
        if fresh:
            values = list(map(bulkjson.loads, fresh))
            kinds = set(map(type, values))
            if not kinds <= _LISTY:
                return None
            try:
                kept = self._lists(k, values, fn, kinds)
            except GraphBadResponse:
                return None
            known.update(zip(fresh, kept))
        return list(map(known.__getitem__, texts))

    def _fine(self, k: str, col: list, flat: list) -> bool:
        """A column of lists of strings passes ``check_column`` and ``extra`` (the slow path names what does not)."""
        if (self.section, k) in NESTED:
            return False
        if self.extra is None:
            return True
        try:
            self.extra(k, col, col)
        except Exception:  # noqa: BLE001 - the slow path raises it again, with its own wording
            return False
        return True

    def table(self) -> Table:
        self._distinct, self._raws = {}, {}
        return Table(list(self.cols), [c if c.__class__ is list else c.finish() for c in self.cols.values()])


_ALLOWED: dict[tuple, frozenset] = {}


def _allowed(types: tuple) -> frozenset:
    """The exact types ``check_column`` lets through for a field of ``types`` (null only where the field is optional;
    JSON makes no subclasses, so a column whose types are all in here passes, and any other one is checked by it)."""
    found = _ALLOWED.get(types)
    if found is None:
        found = _ALLOWED[types] = frozenset(types)
    return found


def _texts(col: list) -> list[str]:
    """Each value's JSON text (the key of its distinct value): orjson at C speed, bulkjson.dumps where orjson refuses.
    Each text is decoded as it is made: orjson's bytes are ~4 KB each whatever their length, freed at once this way."""
    if bulkjson.orjson is not None:
        try:
            return list(map(bytes.decode, map(bulkjson.orjson.dumps, col)))
        except TypeError:  # integers beyond 64 bits (read by json): bulkjson.dumps handles them
            pass
    return list(map(bytes.decode, map(bulkjson.dumps, col)))


_LISTY = frozenset({list, type(None)})
_DICT = frozenset({dict})
_NO_KEYS: dict = {}


def _or_empty(value: Any) -> Any:
    return _NO_KEYS if value is None else value


class _Items:
    """A column of lists of strings (a device's owners) with its items already shared, flat: ``Lists.extend`` takes the
    flat items as they are instead of going through every row again (issue 15: 0.14 s for the owners of 110,000 devices
    at 100k keyed by their JSON text, for a value that never repeats)."""

    __slots__ = ("rows", "flat")

    def __init__(self, rows: list, flat: list) -> None:
        self.rows, self.flat = rows, flat


class _Equal:
    """A column of strings and nulls, not yet shared: for a Coded column, which shares them by its palette."""

    __slots__ = ("values",)

    def __init__(self, values: list) -> None:
        self.values = values


_SIGN_IN_KEYS = frozenset(SIGN_IN_FIELDS)
_FIRST, _SECOND = SIGN_IN_FIELDS


def _sign_ins(col: list) -> list:
    """``list(map(compact.sign_in, col))``, made a column at a time where it can be (issue 15): the values themselves
    when they are compact already (a snapshot file's); else each row that has both SIGN_IN_FIELDS set (Graph sends
    signInActivity with more keys than these: the request ids, the last successful sign-in) as an equal dict made from
    the two keys' columns, without a call, and only the others through sign_in."""
    first = col[0] if col else None
    if not (first.__class__ is dict and not _SIGN_IN_KEYS.issuperset(first)) and _compact_sign_ins(col):
        return col  # what sign_in would make of each: an equal dict (a snapshot file holds them compacted)
    acts = col if None not in col else list(map(_or_empty, col))
    if set(map(type, acts)) == _DICT:
        ones = list(map(dict.get, acts, repeat(_FIRST)))
        twos = list(map(dict.get, acts, repeat(_SECOND)))
        return [{_FIRST: one, _SECOND: two} if one and two else sign_in(act) for act, one, two in zip(col, ones, twos)]
    return list(map(sign_in, col))


def _compact_sign_ins(col: list) -> bool:
    """True when ``compact.sign_in`` gives back an equal dict for every value: objects with only SIGN_IN_FIELDS, in
    that order, none of them empty. Checked a key at a time at C speed instead of a new dict per row."""
    if not col or set(map(type, col)) != {dict}:
        return False
    shapes = Counter(map(tuple, col))
    if any(shape != tuple(k for k in SIGN_IN_FIELDS if k in shape) for shape in shapes):
        return False
    for key in SIGN_IN_FIELDS:
        rows = sum(n for shape, n in shapes.items() if key in shape)
        if rows and sum(map(bool, map(dict.get, col, repeat(key)))) != rows:  # absent: None, falsy
            return False
    return True


def _tuples(col: list, kinds: set) -> list:
    """Each list as a tuple, null as None: the keys of a column of lists of strings."""
    if NoneType in kinds:
        return [None if v is None else tuple(v) for v in col]
    return list(map(tuple, col))


def _rows_of(got: _Items) -> list:
    """The rows again, each a list of the shared items (where the column is not held as Lists)."""
    items = iter(got.flat)
    return [v if v is None else list(islice(items, len(v))) for v in got.rows]


def _strings_in(col: list) -> list | None:
    """The items of a column of lists (null rows have none), when all are strings; else None."""
    flat = list(chain.from_iterable(filter(None, col)))
    return flat if set(map(type, flat)) <= _STR else None


def _shared(value: Any, strings: dict) -> Any:
    if value.__class__ is list and set(map(type, value)) <= _STRINGY:
        return list(map(strings.setdefault, value, value))
    return bulkjson.share(value) if strings else value
