"""Bulk JSON without the cyclic garbage collector's cost.

Parsing hundreds of thousands of JSON objects triggers Python's cyclic collector again and again, and every
full pass walks everything parsed so far: at 100,000 users that was about two thirds of the client's parse
time (issue 15). JSON data is acyclic, so reference counting alone frees it while it is built: ``bulk_objects()``
pauses the collector for that time and turns it back on after (one full pass may follow, not one per growth
step). Nothing is frozen (``gc.freeze()``): a long-running process (fleet audits) must still be able to free
a snapshot once it is dropped.
"""
from __future__ import annotations

import ctypes
import gc
import json
import sys
from collections import deque
from contextlib import contextmanager
from itertools import repeat
from typing import Any, Iterator

try:  # orjson parses Graph's pages about 1.65x faster than json (issue 15); json stays the fallback
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]


_paused = 0  # bulk_objects() contexts open now: concurrent collections (a fleet) overlap in one event loop
_was_enabled = True
_walk = False  # a context open since the collector was paused may leave cyclic garbage (its end then collects)
_strings: dict[str, str] | None = None  # share(): one string object per value while bulk data is built
_libc: object = None  # glibc, once looked up (None: not yet; False: not glibc)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024


def _glibc() -> object:
    global _libc
    if _libc is None:
        _libc = False
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL(None)
                if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt"):
                    _libc = lib
            except OSError:  # pragma: no cover - no C library to ask
                pass
    return _libc


def _hold_large_buffers_apart() -> None:
    """Large buffers (Graph's pages, 0.5-3 MB of bytes each) from mmap, given back to the system when freed. glibc
    otherwise raises its mmap threshold after the first such buffer is freed, and later pages land in the heap among
    the objects that stay, which then cannot shrink: 35% of a collection's resident memory (measured at 30k, issue 15)."""
    lib = _glibc()
    if lib:
        lib.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def give_back() -> None:
    """Return the heap's free pages to the system once bulk data is built: parsing frees most of what it allocates,
    and without this the process keeps it (a 30k collection: 183 MB resident before the trim, 158 MB after). Also for a
    process that lets go of bulk data it built (the collection's helper process, once a result is sent)."""
    lib = _glibc()
    if lib:
        lib.malloc_trim(0)


@contextmanager
def bulk_objects(freeze: bool = False, buffers_apart: bool = True, cycles: bool = True) -> Iterator[None]:
    """Pause the cyclic collector while bulk JSON is built. Contexts may overlap (one per tenant in a fleet):
    the collector is paused by the first and resumed by the last, and each one that ends while others are still
    open runs one collection itself, so cyclic garbage cannot pile up across a long fleet run.

    ``freeze``: the process ends soon (a CLI command): the last context to end moves everything alive out of the
    collector's reach (``gc.freeze()``) instead of walking it (a full pass over a loaded 100,000-person snapshot:
    0.11-0.15 s, to find nothing: JSON data is acyclic). Never in a process that goes on: frozen cycles are never freed.

    ``buffers_apart`` False: large buffers are not moved to mmap (``_hold_large_buffers_apart``) by this context (a setting
    made before stays: it is the process's). Reading a snapshot file makes ~500 MB of short-lived large buffers (inflated
    blocks, lines, their counts) one after another: from mmap each one is fresh pages, faulted in and given back (a 100k
    snapshot: 129k minor faults, 0.41-0.53 s of system time); from the heap they reuse the same pages (65k, 0.20-0.30 s),
    at +30 MB of peak (145 -> 176 MB) while the file is read.

    ``cycles`` False: the context makes no cyclic garbage (reading a snapshot file: no requests, no clients), or little that
    the next full collection may free (a collection: 20-115 objects at 100k, closed sockets and closures): when it is the
    last to end and no other one was open since the pause began, what it built goes to the oldest generation at once
    (``gc.freeze()`` then ``gc.unfreeze()``, as evaluate does) instead of through a full pass that walks every column and
    row to find nothing (0.10-0.14 s of a 100k snapshot's load in a process that goes on); full collections still see
    it. With frozen objects of someone else's, or another context's garbage possible, the full pass runs as before."""
    global _paused, _was_enabled, _strings, _walk
    if _paused == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
        _strings = {}
        _walk = False
        if buffers_apart:
            _hold_large_buffers_apart()
    _walk = _walk or cycles
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0:
            _strings = None  # the table goes; the strings stay where they are used
            if _was_enabled:
                if freeze:
                    gc.freeze()
                gc.enable()
                if not freeze and (_walk or gc.get_freeze_count()):
                    # everything built in the context is still in the youngest generation: its first pass walks it all
                    # anyway; run it now, so that cyclic garbage from the requests is freed before the heap is trimmed
                    gc.collect()
                elif not freeze:  # nothing cyclic was made: aged at once, not walked (``cycles``)
                    gc.freeze()
                    gc.unfreeze()
            give_back()
        elif _was_enabled:
            gc.collect()  # a full pass: younger generations alone let promoted cycles pile up (measured: 556 MB vs 112 MB)


def strings() -> dict[str, str]:
    """The string table of the open ``bulk_objects()`` context (one per collection or load, shared by all its sections), or
    a new one when none is open. ``list(map(table.setdefault, col, col))`` shares a column of strings at C speed."""
    return _strings if _strings is not None else {}


def share(data: Any, depth: int = 4) -> Any:
    """Make equal strings in ``data`` (lists and objects, changed in place, ``depth`` levels down) one object, while a
    ``bulk_objects()`` context is open; otherwise leave them. JSON parsers make a new string for every occurrence, but
    a person's id and sign-in name recur in six sections of a snapshot and states, versions and dates in thousands of
    items: shared, a loaded 100,000-person snapshot holds a third less (429 vs 663 MB, issue 15). Strings are immutable, so nothing can tell;
    lists and objects are never shared (a reader may change its copy). The table lives only as long as the context."""
    table = _strings
    if table is not None and depth > 0:
        if data.__class__ is list:
            _list(data, table.setdefault, depth)
        elif data.__class__ is dict:
            _dict(data, table.setdefault, depth)
    return data


def _dict(obj: dict, one: Any, depth: int) -> None:
    for key, value in obj.items():
        cls = value.__class__
        if cls is str:
            obj[key] = one(value, value)
        elif depth > 1 and (cls is dict or cls is list):
            (_dict if cls is dict else _list)(value, one, depth - 1)


_STR = frozenset({str})
_DICT = frozenset({dict})
ROWS = 32  # a list of at least this many objects is shared a key at a time
_SCALARS = frozenset({bool, int, float, type(None)})
_SCALARS_OR_STR = _SCALARS | _STR


def _list(items: list, one: Any, depth: int) -> None:
    kinds = set(map(type, items))
    if kinds == _STR:  # ids in a group's member list: at C speed
        items[:] = map(one, items, items)
        return
    if kinds == _DICT and depth > 1 and len(items) >= ROWS:
        _rows(items, one, depth - 1)
        return
    for i, value in enumerate(items):
        cls = value.__class__
        if cls is str:
            items[i] = one(value, value)
        elif depth > 1 and (cls is dict or cls is list):
            (_dict if cls is dict else _list)(value, one, depth - 1)


def _rows(rows: list[dict], one: Any, depth: int) -> None:
    """``_dict(row, one, depth)`` for every row (a report's 100,000 rows): a key whose values are strings in every row
    is shared a column at a time at C speed (issue 15: 0.15 s -> 0.02 s for the Teams usage rows); other keys row by row."""
    rest = []
    for key in set().union(*rows):
        values = list(map(dict.get, rows, repeat(key)))  # None where a row lacks the key
        kinds = set(map(type, values))
        if kinds == _STR:
            deque(map(dict.__setitem__, rows, repeat(key), map(one, values, values)), 0)  # same keys, same order
        elif kinds <= _SCALARS:  # true, false, numbers, null: no string to share in any row
            continue
        elif kinds <= _SCALARS_OR_STR:  # strings in some rows (a group's visibility or null): those rows only
            for row, value in zip(rows, values):
                if value.__class__ is str:
                    row[key] = one(value, value)
        else:
            rest.append(key)
    for row in rows if rest else ():
        for key in rest:
            value = row.get(key)
            cls = value.__class__
            if cls is str:
                row[key] = one(value, value)
            elif depth > 1 and value and (cls is dict or cls is list):  # an empty one holds nothing to share
                (_dict if cls is dict else _list)(value, one, depth - 1)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """What ``json.loads`` gives, errors included: orjson first; what it refuses (NaN, nesting deeper than 1024,
    damaged text) is read again by json, which accepts or refuses it with its own exceptions. A memoryview: a part of
    a line read without copying it (a snapshot file's column, issue 15)."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(bytes(data) if data.__class__ is memoryview else data)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`` writes it."""
    if orjson is not None:
        try:
            return orjson.dumps(obj)
        except TypeError:  # keys that are not strings, integers beyond 64 bits: json handles them
            pass
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
