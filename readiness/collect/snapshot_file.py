"""Reading a snapshot file defensively: a bounded decompression and a shape check before anything trusts it.

A snapshot may come from anywhere (a colleague, a ticket, an attacker), so ``Snapshot.load`` never
decompresses without a limit (a 1.5 MB gzip can expand to gigabytes) and never hands a malformed document
to the checks: every wrong shape is a ``SnapshotError`` that names the field, never an internal error.
"""
from __future__ import annotations

import json
import os
import re
import zlib
from datetime import datetime
from functools import partial
from itertools import chain, repeat
from operator import is_not
from types import NoneType
from pathlib import Path
from typing import Any, Callable, Iterable

from .. import bulkjson
from ..errors import GraphBadResponse, Phrase, SnapshotError
from .columns import TABLE_SECTIONS, Builder, for_section
from .inflating import Blocks, Inflating, Plain
from .snapshot_damage import gzip_damage, json_damage
from .shapes import FIELDS as GRAPH_FIELDS, check_column, check_item
from .snapshot_columns import (COLUMNS2, OPEN_END, Pool, Reader, column_types, encoded, is_rows, open_data, read_columns,
                               rows_back, rows_encoded, rows_table)
from .table import Table, as_list

MAX_BYTES_ENV = "READINESS_MAX_SNAPSHOT_BYTES"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # uncompressed; a 200,000-person tenant is well below
CHUNK = 1024 * 1024
# Rows (and a section's count) are bounded before a line is parsed: the byte cap alone bounds bytes, not objects, and a
# line of "{}," makes ~30 times its size in Python objects (a 60 KB gzip file took 1.9 GB before it was refused).
# The largest tenant the tool supports (the 400,000-person benchmark) has about 2.06 million objects in all, its
# largest section ~420,000 (managed devices): 2,000,000 rows in one section is ~4.7x that, as if all of them were in it.
MAX_ROWS_ENV = "READINESS_MAX_SNAPSHOT_ROWS"
DEFAULT_MAX_ROWS = 2_000_000
# A section's lines may hold at most VALUES_PER_ROW JSON values per row it declares, plus VALUES_SLACK, counted from
# the bytes before a line is parsed (``values_in``). Measured on the 100k snapshot: a column line holds at most 2.3
# values per row, a line of items 14 per item (users; skus ~190 but a handful of them), a one-line section 1.4 per
# counted row (teams_usage); 256 leaves room for tenants whose people hold many licences and plans, and at ~125 bytes a
# value bounds a section's parse at ~32 KB a declared row. The slack holds the palettes and small objects (a palette of
# 255 lists of 100 plans is ~100,000 values) and bounds a section that declares nothing at ~35 MB.
VALUES_PER_ROW = 256
VALUES_SLACK = 1 << 18
# A single line is bounded tighter than its section (a section declaring the row limit, 2,000,000 rows, had 512 million
# values to spend, and one lines/2 column line or one object section's line could spend them all: ~1.9 GB of "{}").
# A lines/2 column line holds at most its section's rows x a constant for its encoding (read from the line's head as
# snapshot_columns.encoded writes it: {"key":...,"<part>":...}) + VALUES_SLACK; measured maxima, values_in per declared
# row, on the 100k snapshot (and the demo's, whose tiny sections live on the slack): a palette's codes, a Packed text
# and the shapes of records 0.001 (their values are the palette: the slack), pooled ids 1.11 (a row's number plus the
# new strings), a Lists column 2.0 (devices.owners: a length and an owner a row), a column of values 1.0 (users'
# createdDateTime). The constants leave 4x for the flat encodings (pooled ids 8 as Lists: a pooled Lists column is one
# with its lengths); a column of values may hold lists of objects
# (assignedLicenses when it cannot be coded: ~9 values a row for two licences, 21 for four with two plans disabled in
# each, 50 and more where plans are switched off by the dozen). Such a column is held to VALUES_PER_ROW a row, as a
# line of items is, but never to more than COLUMN_VALUES_CAP a row of the row limit in all: at the row limit a line of
# "{}" (2 values each) makes at most ~16 million objects (~1.4 GB) instead of 256 million, as when the bound was 16 a
# row; below it, a section's rows nest as their licences need (16 a row refused the writer's own file: 4 licences of
# 2 disabled plans each, more than 256 distinct lists so not coded, load13).
COLUMN_VALUES_PER_ROW = {b"palette": 1, b"text": 1, b"shapes": 1, b"new": 8, b"items": 8}
COLUMN_VALUES_DEFAULT = VALUES_PER_ROW  # "values", and a line whose head is not as the writer writes it
COLUMN_VALUES_CAP = 16  # ... but at most this many a row of the row limit (READINESS_MAX_SNAPSHOT_ROWS), in one line
_COLUMN_HEAD = re.compile(rb',?\{"key":"(?:[^"\\]|\\.)*","(\w+)":')
# The rows of a column of values are its list's top-level values, one a row: the bound above is for what a row may
# nest (licences as lists of objects), and a line of scalars filled them (nulls_bomb: 2,000,000 rows declared, 32
# million nulls, 160 MB read before the refusal). Once a values line holds more than TOP_VALUES_PER_ROW a row it declares
# + VALUES_SLACK values (values_in: commas in strings and nested values count too), its top-level values are counted
# exactly (_Tops: strings and nested containers left out) and it is refused past that bound: nulls_bomb after ~10 MB.
# The writer's own lines hold exactly one a row (a line whose values nest or whose strings hold commas is only counted).
TOP_VALUES_PER_ROW = 1
# A string value is bounded on its own, not only by its line (a section declaring 2,000,000 rows had room for one string
# of 512 MB): a line of values or items is refused, as it is read, when a STRING_WINDOW-byte stretch of it (aligned to
# the line's start) lies inside one string, seen from the bytes: no '"' in it but escaped ones, and a byte no JSON has
# outside a string (a run of numbers, as pooled ids and lengths are, is not one; a string of only such bytes is let
# through, bounded by its line). So a string under 32 KB is always read, one of 96 KB or
# more never. Graph's longest strings a snapshot keeps are a few KB (a display name 256 characters, a user principal
# name 113, a group's description 1,024: at most 6 KB as \\uXXXX escapes); a palette's codes and a Packed text are long
# strings by design (their lines bounded otherwise: a palette's by its rows; a Packed text's rows by the same stretch
# without its row separator), a section's own line (the usage reports' rows as columns) by its count.
STRING_WINDOW = 32 * 1024
_OUTSIDE_STRINGS = b"0123456789+-.eE,:[]{} \t\r\n"  # what JSON has outside its strings, but true, false and null
_WORDS = b"truefalsn"
_ESC_SEP = b"\\u001f"  # a Packed text's row separator (table.SEP) as JSON writes it
_STRINGS_CHECKED = {b"values": b"", b"new": b"", b"items": b"", b"text": _ESC_SEP}  # by the head's encoding
# An object section's one line (group_members, teams_usage, prices...) holds at most its count x 8 + VALUES_SLACK values:
# measured 1.0 a member (group_members) and 1.36 a row (teams_usage, its rows as columns); an older file's rows as
# objects take 4 a row (three fields and a separator); the one-object sections (count 1) live on the slack.
OBJECT_VALUES_PER_ROW = 8
# And its bytes: at most 64 KB a declared row on average (rows: as for its values) + 1 MB, len() of the line before it is
# parsed. Graph's longest strings a snapshot keeps are far shorter (a display name 256 characters, a user principal
# name 113, a group's description 1,024, a delta link ~2 KB); the longest lines per row are the skus' (~15 KB a sku,
# 100 service plans), an organization's verified domains fit the 1 MB. A section that declares one row can no longer
# hold a string of 500 MB (the attack's device id); a longer string among many rows is bounded by them and the byte cap.
BYTES_PER_ROW = 64 * 1024
BYTES_SLACK = 1 << 20
# A whole document (the oldest files: no lines to read one at a time) declares its counts inside what must be parsed:
# its values are bounded by the row limit instead. The 100k snapshot as one document of items is 244 MB with 8.7
# million values (the default byte cap holds ~18 million at that density); 6 values a row of the row limit is 12
# million (1.4x the 100k one; a larger tenant's file of this older form needs READINESS_MAX_SNAPSHOT_ROWS raised):
# at most ~1.1 GB of objects ("{}" a value) where the byte cap alone allowed ~15 GB.
DOC_VALUES_PER_ROW = 6

# Sections whose data is a list of objects, and those whose data is one object (collect/collectors.py).
LIST_SECTIONS = {"users", "groups", "skus", "organization", "licence_error_groups", "teams", "mfa", "devices",
                 "managed_devices", "compliance_policies", "conditional_access",
                 "roles", "cloud_pcs", "autopilot", "app_protection", "teams_users"}
DICT_SECTIONS = {"authorization_policy", "cross_tenant_default", "group_members", "report_settings",
                 "security_defaults", "sharepoint", "teams_usage",
                 "auth_methods_policy", "office_activity", "prices"}


class Required:
    """A field that must be present and not null."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec


NUMBER = (int, float)
# A snapshot's items are first checked against Graph's item shapes, the table the collectors check answers with
# (collect/shapes.py, with the Graph resource pages it cites). FIELDS adds what a snapshot holds beyond those:
# element types inside lists, fields the collectors derive (devices.owners, teams_usage.rows), and fields that
# must not be null. A nested dict is an object, a one-item list a list of that; null is allowed unless Required.
# Found by feeding every field every wrong type (tests/test_hostile_files.py keeps the tables honest).
FIELDS: dict[str, dict[str, Any]] = {
    "users": {"signInActivity": {"lastSignInDateTime": str, "lastNonInteractiveSignInDateTime": str},
              "createdDateTime": str, "assignedLicenses": [{"disabledPlans": [str]}]},  # provisionedPlans: shapes.NESTED
    "skus": {"servicePlans": [{"servicePlanName": Required(str)}]},  # user.md, subscribedsku.md
    "mfa": {"methodsRegistered": [str]},  # userregistrationdetails.md
    "devices": {"id": str, "displayName": str, "owners": [str], "accountEnabled": bool},  # registeredOwners, compacted
    "teams_usage": {"rows": [{"userId": str, "userPrincipalName": str, "lastActivityDate": str}], "reportRefreshDate": str},
    # issue 14 (collect/depth.py): authenticationmethodspolicy.md, provisionedplan.md, the active user report
    "auth_methods_policy": {"authenticationMethodConfigurations": [{"id": str, "state": str, "includeTargets": [{"id": str}]}],
                            "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
                                "state": str, "includeTargets": [{"id": str}], "excludeTargets": [{"id": str}]}}},
    "office_activity": {"rows": [{"userPrincipalName": str, "lastActivityDate": str}], "reportRefreshDate": str},
    "prices": {},
}


def _env_limit(env: str) -> tuple[int | None, str]:
    """A positive whole number from the environment variable ``env``: (the number or None, the value as given);
    (None, "") when it is unset or blank (the caller's default). The caller raises its own error for a wrong value,
    its message key written out at the call (tests/test_error_texts.py checks every key against the catalogues)."""
    value = os.environ.get(env, "").strip()
    try:
        limit = int(value) if value else None
    except ValueError:
        limit = 0
    return (limit if limit is None or limit > 0 else None), value


def max_bytes() -> int:
    limit, value = _env_limit(MAX_BYTES_ENV)
    if limit is None and value:
        raise SnapshotError.keyed("snapshot.bad_max_bytes", env=MAX_BYTES_ENV, value=value[:40], default=DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES if limit is None else limit


def max_rows() -> int:
    """The most rows (or items) a snapshot's section may declare (``READINESS_MAX_SNAPSHOT_ROWS``)."""
    limit, value = _env_limit(MAX_ROWS_ENV)
    if limit is None and value:
        raise SnapshotError.keyed("snapshot.bad_max_rows", env=MAX_ROWS_ENV, value=value[:40], default=DEFAULT_MAX_ROWS)
    return DEFAULT_MAX_ROWS if limit is None else limit


def values_in(raw: Any) -> int:
    """At most how many JSON values (and keys) parsing ``raw`` makes, counted at C speed without parsing: every value
    but the first follows a comma, or opens an array or an object (a '[' or '{'); inside strings these are counted too,
    so this is an upper bound."""
    return _marks(raw, 0, len(raw)) + 1


_NOT_MARKS = bytes(sorted(set(range(256)) - set(b",[{")))  # what translate drops to leave only the marks
_MARKS_WINDOW = 64 * 1024


def _marks(raw: Any, start: int, end: int) -> int:
    """values_in's count of a part of a line (without its 1): the commas, '[' and '{' in ``raw[start:end]``, in one pass
    a window at a time (a 64 KB copy with everything else dropped) instead of three counts over the part: 0.04 s
    instead of 0.09-0.12 s for the 57 MB of a 100k snapshot's long lines (issue 15)."""
    window, drop = _MARKS_WINDOW, _NOT_MARKS
    return sum(len(raw[at:min(at + window, end)].translate(None, drop)) for at in range(start, end, window))


def _whole(raw: bytes | bytearray, path: Path) -> Any:
    """A whole document read by ``_read_whole`` (bounded as it arrived: _Doc), parsed once its keys say that it gives
    each section once."""
    _sections_once(raw, path)
    return _parse(raw, path)


# A whole document (the files written before the line layout, from b62c849 back, or a line file re-saved by another
# JSON tool) declares its counts inside what must be parsed, so it is bounded as its bytes arrive, by what they declare
# so far: every '"count":N' seen (a section's count comes before its data, in the writer's order and in sorted keys;
# each taken as at most the row limit; one inside an item only loosens the bound, which the row limit caps:
# DOC_VALUES_PER_ROW), as the line form bounds a line by its section's count. An honest 100k whole file (244 MB, 8.7
# million values, 669,155 rows declared: the 100k snapshot as the old writer wrote it, bulkjson.dumps) has no section
# over 6 KB or 192 values a row it declares (skus; users 950 bytes and 37 values), far within BYTES_PER_ROW and
# VALUES_PER_ROW; the slacks (a line's x 4 and x 2) hold the header and the one-object sections together. And a string is bounded on its own, as a line's
# is (STRING_WINDOW), but for a palette's codes (at most 4 bytes for 3 rows of the row limit) and a Packed text (rows
# ended by its separator), which only a line file re-saved whole holds. The attack's 500 MB string took 1.46 GB.
DOC_BYTES_SLACK = 4 * BYTES_SLACK
DOC_VALUES_SLACK = 2 * VALUES_SLACK
_DOC_COUNT = re.compile(rb'"count"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}(\d{1,19})')
_COUNT_TAIL = 48  # the longest _DOC_COUNT match and then some: rescanned when the next block comes
_LONG_VALUE = re.compile(rb'"(codes|text)"[ \t\r\n]{0,8}:[ \t\r\n]{0,8}"\Z')  # before a string allowed to be long
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _Doc:
    """A whole document's bounds, checked each time ``buf`` (the document so far) has grown: its bytes and its JSON
    values (values_in) within what the counts declared so far allow, and no STRING_WINDOW stretch (aligned to the
    document's start) inside one string but a palette's codes or a Packed text's rows."""

    def __init__(self, path: Path) -> None:
        self.path, self.rows_most = path, max_rows()
        self.values_most = DOC_VALUES_PER_ROW * self.rows_most + VALUES_SLACK
        self.declared, self.values, self.counted, self.seen, self.checked = 0, 1, 0, 0, 0
        self.long: tuple[int, bytes] | None = None  # a long string allowed so far: where it starts, which it is

    def __call__(self, buf: bytearray) -> None:
        self._declared(buf)
        end = len(buf)
        if end > BYTES_PER_ROW * self.declared + DOC_BYTES_SLACK:
            if not self.declared:  # no count read yet: "the 0 rows its sections declare" told nobody what to do
                raise SnapshotError.keyed("snapshot.doc_too_long_undeclared", fix_key="snapshot.damaged", path=self.path,
                                          limit=DOC_BYTES_SLACK)
            raise SnapshotError.keyed("snapshot.doc_too_long", fix_key="snapshot.damaged", path=self.path,
                                      rows=self.declared, limit=(BYTES_PER_ROW * self.declared + DOC_BYTES_SLACK),
                                      per_row=BYTES_PER_ROW)
        self.values += _marks(buf, self.seen, end)
        self.seen = end
        if self.values > self.values_most:
            raise SnapshotError.keyed("snapshot.doc_too_many_values", path=self.path, limit=self.values_most,
                                      rows=self.rows_most, env=MAX_ROWS_ENV)
        if self.values > VALUES_PER_ROW * self.declared + DOC_VALUES_SLACK:
            raise SnapshotError.keyed("snapshot.doc_values_over", fix_key="snapshot.damaged", path=self.path,
                                      rows=self.declared, per_row=VALUES_PER_ROW)
        while self.checked + STRING_WINDOW <= end:
            self._stretch(buf, self.checked)
            self.checked += STRING_WINDOW

    def _declared(self, buf: bytearray) -> None:
        """Add the counts declared since the last block (one cut at the block's end is read with the next)."""
        at, end = self.counted, len(buf)
        while (key := buf.find(b'"count"', at)) >= 0:  # a plain search, then the pattern where it is (~4x the speed)
            found = _DOC_COUNT.match(buf, key)
            if found is not None and found.end() == end or found is None and end - key < _COUNT_TAIL:
                self.counted = key  # cut at the block's end: its digits may go on in the next block
                return
            if found is not None:
                self.declared += min(int(found.group(1)), self.rows_most)
            at = key + 7
        self.counted = max(at, end - _COUNT_TAIL)

    def _stretch(self, buf: bytearray, at: int) -> None:
        end = at + STRING_WINDOW
        if not _one_string(buf, at, end):
            self.long = None
            return
        control = _CONTROL.search(buf, at, end)  # no JSON has it, in a string or out (a gzip bomb of zeros)
        if control is not None:
            raise SnapshotError.keyed("snapshot.not_json", fix_key="snapshot.damaged", path=self.path,
                                      reason=Phrase("errors.snapshot.damage.control", char=f"U+{buf[control.start()]:04X}"))
        if self.long is None:  # a string over STRING_WINDOW starts: which value it is, and its bytes so far
            start = _string_start(buf, at)
            found = _LONG_VALUE.search(buf, max(0, start - 32), start + 1) if start > 0 else None
            self.long = (start, found.group(1) if found else b"")
            if self.long[1] == b"codes" and buf[start + 1:at].translate(None, _BASE64):
                self.long = (start, b"")
        start, kind = self.long
        if kind == b"codes" and not buf[at:end].translate(None, _BASE64) \
                and end - start <= 4 * ((self.rows_most + 2) // 3) + 2:
            return
        if kind == b"text" and buf.find(_ESC_SEP, at, end) >= 0:
            return
        raise SnapshotError.keyed("snapshot.doc_string_too_long", fix_key="snapshot.damaged", path=self.path,
                                  most=STRING_WINDOW, at=(start + 1))


def _no_string_edge(buf: bytes | bytearray, at: int, end: int) -> bool:
    """Whether no string starts or ends in buf[at:end], seen from its quotes: none, or every one escaped."""
    quote = buf.find(b'"', at, end)
    if quote > 0 and buf[quote - 1] != 92:  # a quote not escaped: a string starts or ends in the stretch
        return False
    # a quote after an escaped backslash ("...\\\\"): a string ends in the stretch
    return quote < 0 or buf.count(b'"', at, end) == buf.count(b'\\"', at, end)


def _one_string(buf: bytearray, at: int, end: int) -> bool:
    """Whether buf[at:end] lies inside one string, seen from the bytes (as _Line._no_long_string sees a line's)."""
    return _no_string_edge(buf, at, end) and _in_a_string(bytes(buf[at:end]))


def _string_start(buf: bytearray, at: int) -> int:
    """Where the string that holds ``at`` opens: the last quote before it that no backslash escapes (-1: none)."""
    quote = buf.rfind(b'"', 0, at)
    while quote > 0:
        before = quote
        while before > 0 and buf[before - 1] == 92:
            before -= 1
        if (quote - before) % 2 == 0:
            return quote
        quote = buf.rfind(b'"', 0, quote)
    return quote


def _read_whole(stream: Any, limit: int, path: Path, first: bytes = b"") -> bytearray:
    """A whole document, at most ``limit`` bytes, each block checked as it comes (_Doc) before more is read."""
    check = _Doc(path)
    buf = bytearray(first)
    check(buf)
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - len(buf)))
        if not chunk:
            return buf
        buf += chunk
        if len(buf) > limit:
            raise _too_big(path, limit)
        check(buf)


def _keys(pairs: list) -> list:
    """An object as its keys only (its values dropped as soon as it is read); one with a key "sections" as its pairs."""
    names = [k for k, _ in pairs]
    return pairs if "sections" in names else names


def _sections_once(raw: bytes | bytearray, path: Path) -> None:
    """A whole document names "sections" once and each section once: orjson keeps the last of repeated keys, so a
    second copy would go unseen (a file in the line layout refuses it: snapshot.section_twice), and a key can be written
    more than one way ("us\\u0065rs"), so the bytes cannot tell. The standard library's parser reads the keys, each
    object handed over as its keys only: 0.45 s of CPU against orjson's 0.29 s for the 100k snapshot as one document
    (63 MB), before orjson builds it (never both at once); JSON it cannot read is refused as orjson would refuse it."""
    try:
        top = json.loads(raw, object_pairs_hook=_keys)
    except (ValueError, RecursionError) as exc:
        raise SnapshotError.keyed("snapshot.not_json", fix_key="snapshot.damaged", path=path,
                                  reason=json_damage(exc)) from exc
    if top.__class__ is not list or not all(p.__class__ is tuple for p in top):  # not an object with "sections"
        return
    given = [v for k, v in top if k == "sections"]
    if len(given) > 1:
        raise SnapshotError.keyed("snapshot.doc_section_twice", fix_key="snapshot.damaged", path=path, where="sections")
    names = given[0] if given and given[0].__class__ is list else []
    seen: set = set()
    for name in names:
        name = name[0] if name.__class__ is tuple else name  # a section named "sections": its pairs
        if name in seen:
            raise SnapshotError.keyed("snapshot.doc_section_twice", fix_key="snapshot.damaged", path=path,
                                      where=_where(name))
        seen.add(name)


def read_document(path: Path) -> Any:
    """The JSON document in a snapshot file (plain or gzip), read whole with at most ``max_bytes()`` uncompressed
    (not validated: ``read_snapshot`` reads and validates, section by section where the file's layout allows)."""
    with bulkjson.bulk_objects():  # orjson, and no cyclic collection while ~500k objects are built (issue 15)
        return _open(path, lambda stream, limit: _whole(_read_whole(stream, limit, path), path))


def read_snapshot(path: Path, schema_version: int, statuses: Iterable[str], *, one_shot: bool = False) -> dict:
    """The validated document in a snapshot file. A file in the line layout (``write_document``) is read one line at a
    time, each chunk of items validated and its equal strings shared (bulkjson.share) before the next is read, so the
    peak is the snapshot plus one line; any other JSON document is read whole (older files) and validated the same way.
    ``one_shot``: the process ends soon (bulkjson.bulk_objects(freeze=True))."""
    def read(stream: Any, limit: int) -> dict:
        budget = _Budget(stream, limit, path)
        first = budget.readline(HEADER_MAX)  # a header is a few KB; a file in one line (older ones) is read whole
        head = _header(first)
        if head is None:  # not the line layout: one document, read whole
            doc = _whole(_read_whole(stream, limit, path, first), path)
            doc = tables_in(doc)
            validate_document(doc, schema_version, statuses)
            for name, sec in doc["sections"].items():
                if is_columns(sec.get("data")):
                    sec["data"] = table_of(name, sec["data"])
                else:
                    bulkjson.share(sec.get("data"))
                    _as_table(name, sec)
                _count_fits(name, sec)
            return doc
        return _read_lines(budget, head, schema_version, set(statuses))

    # orjson, and no cyclic collection while ~500k objects are built; one_shot: frozen after, not walked; else aged at
    # once, not walked (a file makes no cycles); large buffers from the heap (bulkjson.bulk_objects: half the page
    # faults) (issue 15)
    with bulkjson.bulk_objects(freeze=one_shot, buffers_apart=False, cycles=False):
        return _open(path, read)


def _open(path: Path, read: Callable[[Any, int], Any]) -> Any:
    limit = max_bytes()
    try:
        with open(path, "rb") as fh:
            gzipped = fh.peek(2)[:2] == b"\x1f\x8b"  # looked at, not read: a pipe (`<(zcat ...)`) cannot seek back
            if not gzipped:
                return read(Plain(fh), limit)
            stream = Inflating(fh, limit)
            try:
                return read(stream, limit)
            finally:
                stream.close()
    except SnapshotError:
        raise
    except (MemoryError, SystemError) as exc:  # orjson out of memory: a SystemError with the MemoryError set
        if not isinstance(exc, MemoryError) and not isinstance(exc.__cause__ or exc.__context__, MemoryError):
            raise
        raise SnapshotError.keyed("snapshot.out_of_memory", path=path) from None
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise SnapshotError.keyed("snapshot.unreadable", path=path, reason=exc.strerror) from exc
        raise SnapshotError.keyed("snapshot.bad_gzip", fix_key="snapshot.damaged", path=path,
                                  reason=gzip_damage(exc)) from exc


def _parse(raw: bytes | bytearray, path: Path) -> Any:
    try:
        return bulkjson.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise SnapshotError.keyed("snapshot.not_json", fix_key="snapshot.damaged", path=path,
                                  reason=json_damage(exc)) from exc


def _too_big(path: Path, limit: int) -> SnapshotError:
    return SnapshotError.keyed("snapshot.too_large", path=path, limit=limit, env=MAX_BYTES_ENV)


# -- the line layout ---------------------------------------------------------------------------------------------
# One JSON document (any JSON reader reads it whole, as before), laid out so that it can also be read a line at a time:
#   {"schema_version":1,...,"layout":"lines/1","sections":{          the header: everything but the sections
#   "authorization_policy":{"status":"complete",...,"data":{...}}     a section on one line (objects, empty lists)
#   ,"devices":{"status":"complete",...,"data":[                      a list section opens...
#   {...},{...},...                                                    ...up to CHUNK_ITEMS items per line...
#   ,{...},...
#   ]}                                                                 ...and closes
#   }}
LAYOUT = "lines/2"  # lines/1: the big sections as chunks of rows ("columns"); lines/2: a line per column (COLUMNS2)
LAYOUTS = frozenset({"lines/1", LAYOUT})
CHUNK_ITEMS = 1000
HEADER_MAX = 4 * 1024 * 1024
TRAIL_MAX = 1024 * 1024  # whitespace after the document (the writer ends with one line break; an editor may add some)
_SECTIONS = b',"sections":{'
_OPEN_LIST = b',"data":['


class _Budget:
    """Lines from the stream, at most ``limit`` bytes in all (one line cannot exceed what is left), and the JSON values
    a section's lines may hold: VALUES_PER_ROW a row it declares plus VALUES_SLACK; a line is checked part by part as
    it is read (_Line) and refused as soon as it is over a bound, before the rest of it is read."""

    def __init__(self, stream: Blocks, limit: int, path: Path) -> None:
        self.stream, self.left, self.limit, self.path, self.number = stream, limit, limit, path, 0
        self.max_rows = max_rows()
        self.rows, self.spent = 0, 0

    def readline(self, most: int = 1 << 62, where: str | None = None, rows: int | None = None,
                 kind: str | None = None) -> bytes:
        """The next line, at most ``most`` bytes. ``where``: a line inside that section (``rows``: the rows one line
        holds at most, a line of items: CHUNK_ITEMS), at most BYTES_PER_ROW a row + BYTES_SLACK bytes and the values
        its section has left; ``kind`` "column": a lines/2 column's line, bounded tighter by the encoding its head
        names; "section": a section's line, bounded by the count its head declares (which starts the section's budget).
        A line over the byte cap or a bound is refused as soon as it is, before more of it is kept (Blocks.readline)."""
        over = None
        if most > self.left:
            most, over = self.left + 1, partial(_too_big, self.path, self.limit)
        self.number += 1  # the line's number, also in an error raised while it is read
        watch = None if where is None and kind is None else _Line(self, where, rows, kind)
        line = self.stream.readline(most, over, watch)
        self.left -= len(line)
        if self.left < 0:
            raise _too_big(self.path, self.limit)
        if over is not None and len(line) >= most and not line.endswith(b"\n"):
            raise over()
        if watch is not None:
            watch.done(line)
        return line

    def too_long(self, where: str, rows: int) -> SnapshotError:
        if not rows:  # "longer than its 0 rows allow" told nobody what to do (attack14)
            return SnapshotError.keyed("snapshot.line_too_long_no_rows", **self.at(), where=where, limit=BYTES_SLACK)
        return SnapshotError.keyed("snapshot.line_too_long", **self.at(), where=where, rows=rows,
                                   limit=(BYTES_PER_ROW * rows + BYTES_SLACK), per_row=BYTES_PER_ROW)

    def too_many_values(self, where: str, rows: int, per_row: int | None) -> SnapshotError:
        return SnapshotError.keyed("snapshot.too_many_values", **self.at(), where=where, rows=rows,
                                   per_row=VALUES_PER_ROW if per_row is None else per_row)

    def at(self) -> dict:
        """Where a damaged line is: the parameters of the snapshot.line_* errors."""
        return {"fix_key": "snapshot.damaged", "path": self.path, "line": self.number}

    def section(self, rows: int) -> None:
        """A new section, which declares ``rows`` rows (or items): its budget of values starts afresh."""
        self.rows, self.spent = rows, 0

    def whole_object(self, raw: Any, where: str) -> None:
        """An object section's one line (its data all on it) holds at most OBJECT_VALUES_PER_ROW values a row it
        declares + VALUES_SLACK (a section of an object's name is held to that as it is read: _Line)."""
        limit = OBJECT_VALUES_PER_ROW * self.rows + VALUES_SLACK
        if len(raw) > limit and values_in(raw) > limit:
            raise self.too_many_values(where, self.rows, OBJECT_VALUES_PER_ROW)


def _in_a_string(stretch: bytes) -> bool:
    """Whether a stretch of a line without a quote has a byte no JSON has outside a string (at its ends, the letters of
    a true, false or null it cuts left out)."""
    rest = stretch.translate(None, _OUTSIDE_STRINGS)
    if not rest or rest.translate(None, _WORDS):  # a run of numbers; a byte no true, false or null has
        return bool(rest)
    start = 5 - len(stretch[:5].lstrip(_WORDS))
    end = len(stretch) - 5 + len(stretch[-5:].rstrip(_WORDS))
    inner = stretch[start:end].replace(b"true", b"").replace(b"false", b"").replace(b"null", b"")
    return bool(inner.translate(None, _OUTSIDE_STRINGS))


_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b"[]{},")))
_CONTAINER = re.compile(rb"[\[{],*[\]}]")  # a list or an object with nothing left in it but its commas
_BRACKET = re.compile(rb"[\[\]{}]")
# Nesting deeper than this is no longer followed (the line's own bound on all its values still holds): the writer's values nest
# 3 deep at most (a row's list of objects with lists: licences), and each level costs a pass over a part's brackets
_TOPS_DEPTH = 8


class _Tops:
    """The top-level values of a list (a values line's, from just after its '['), counted exactly as its parts come, at
    C speed: escapes, then strings dropped (by their quotes), then all but brackets and commas; the lists and objects
    a part holds whole removed (their commas are not the list's); the commas left at the list's own depth counted.
    ``count`` is None once the list nests too deep to follow (the line's other bounds still hold); ``depth`` 0 once the
    list has ended."""

    __slots__ = ("count", "depth", "in_string", "escaped")

    WINDOW = 1 << 20

    def __init__(self) -> None:
        self.count: int | None = 1
        self.depth, self.in_string, self.escaped = 1, False, False

    def feed(self, obj: Any, start: int, end: int) -> None:
        for at in range(start, end, self.WINDOW):
            if self.count is None or self.depth < 1:
                return
            self._part(bytes(obj[at:min(at + self.WINDOW, end)]))

    def _part(self, part: bytes) -> None:
        if self.escaped:  # a backslash ended the last part: this part's first byte is what it escapes
            part, self.escaped = part[1:], False
        part = part.replace(b"\\\\", b"")
        if part.endswith(b"\\"):
            part, self.escaped = part[:-1], True
        pieces = part.replace(b'\\"', b"").split(b'"')
        outside = b"".join(pieces[1 if self.in_string else 0::2])
        if len(pieces) % 2 == 0:  # an odd number of quotes: a string opens or closes
            self.in_string = not self.in_string
        rest = outside.translate(None, _NOT_STRUCTURE)
        for _ in range(_TOPS_DEPTH + 1):
            if len(rest) == len(rest := _CONTAINER.sub(b"", rest)):
                break
        else:
            self.count = None
            return
        depth, count = self.depth, self.count
        at = 0
        for bracket in _BRACKET.finditer(rest):  # what is left: closes of what opened before, then opens
            if depth == 1:
                count += bracket.start() - at  # type: ignore[operator]
            depth += 1 if rest[bracket.start()] in b"[{" else -1
            if depth < 1 or depth > _TOPS_DEPTH:  # the list has ended (counted whole); or too deep to follow
                self.count, self.depth = count if depth < 1 else None, depth
                return
            at = bracket.end()
        if depth == 1:
            count += len(rest) - at  # type: ignore[operator]
        self.depth, self.count = depth, count


class _Line:
    """One line's bounds, checked part by part as Blocks.readline reads it: its bytes, and the JSON values it may hold
    (values_in, counted only once its bytes exceed that number: a value takes a byte at least, so a line within its
    budget costs no count). The bounds are its section's, made tighter by the line's head (its first HEAD_MAX bytes,
    read before any bound is applied): a column's encoding (COLUMN_VALUES_PER_ROW; a palette's codes by their bytes,
    base64 is 4 bytes for 3 rows), a section's declared count (refused beyond the row limit before its line is read)."""

    __slots__ = ("lines", "where", "most_rows", "kind", "head", "seen", "values", "rows", "per_row", "bytes_most",
                 "values_most", "strings", "tops", "tops_most", "body")

    def __init__(self, lines: _Budget, where: str | None, most_rows: int | None, kind: str | None) -> None:
        self.lines, self.where, self.most_rows, self.kind = lines, where or "sections", most_rows, kind
        self.head: bytes | None = b"" if kind else None
        self.seen, self.values = 0, None
        self.strings: bytes | None = b"" if kind is None else None  # a line of items; a column's: by its head
        self.tops: _Tops | None = None  # a values line's top-level values, counted once it holds many (TOP_VALUES_PER_ROW)
        self.tops_most: int | None = None
        self.body = 0  # where a values line's list opens
        if kind == "section":  # nothing known until the head says which section and how many rows
            self.rows, self.per_row, self.bytes_most, self.values_most = 0, None, 1 << 62, 1 << 62
        else:
            self._bounds()

    def _bounds(self, per_row: int | None = None, bytes_most: int | None = None, cap: int | None = None) -> None:
        lines = self.lines
        rows = lines.rows if self.most_rows is None else min(lines.rows, self.most_rows)
        left = VALUES_PER_ROW * lines.rows + VALUES_SLACK - lines.spent
        if self.most_rows is not None:
            left = min(left, VALUES_PER_ROW * self.most_rows + VALUES_SLACK)
        if per_row is not None:
            if cap is not None and per_row * rows > cap:  # held to the cap: said as the values a row it leaves
                per_row = max(1, cap // max(rows, 1))
            left = min(left, per_row * rows + VALUES_SLACK)
        self.rows, self.per_row, self.values_most = rows, per_row, left
        self.bytes_most = min(BYTES_PER_ROW * rows + BYTES_SLACK, bytes_most or 1 << 62)

    def _read_head(self, head: bytes) -> None:
        self.head = None
        if self.kind == "column":
            found = _COLUMN_HEAD.match(head)
            enc = found.group(1) if found else None
            self.strings = _STRINGS_CHECKED.get(enc)  # type: ignore[arg-type]
            if enc == b"values" and head[found.end():found.end() + 1] == b"[":  # type: ignore[union-attr]
                self.body = found.end() + 1  # type: ignore[union-attr]
                self.tops_most = TOP_VALUES_PER_ROW * self.lines.rows + VALUES_SLACK
            # a palette's codes: exactly 4 bytes for 3 rows; its key and palette (at most CODED_MAX values, measured
            # at most 1.5 KB) within BYTES_SLACK
            self._bounds(COLUMN_VALUES_PER_ROW.get(enc, COLUMN_VALUES_DEFAULT),  # type: ignore[arg-type]
                         4 * ((self.lines.rows + 2) // 3) + BYTES_SLACK if enc == b"palette" else None,
                         None if enc in COLUMN_VALUES_PER_ROW else COLUMN_VALUES_CAP * self.lines.max_rows)
            return
        found = _DECLARED.match(head)  # a section's line: the count it declares starts its budget
        rows = int(found.group(2)) if found else 0
        name = _safe_name(found.group(1)) if found else None
        self.where = _where(name) if name is not None else "sections"
        if rows > self.lines.max_rows:
            _too_many_rows(self.where, rows, self.lines.max_rows)
        self.lines.section(rows)
        self._bounds(OBJECT_VALUES_PER_ROW if name in DICT_SECTIONS else None)

    def __call__(self, buf: bytes, pos: int, stop: int, held: tuple[Any, int, int] | None) -> None:
        if self.head is not None:
            self.head += buf[pos:min(stop, pos + HEAD_MAX - len(self.head))]
            if len(self.head) >= HEAD_MAX or buf[stop - 1] == 10:  # the head read, or the line ends in it
                self._read_head(self.head)
        if self.strings is not None and stop - pos >= STRING_WINDOW:
            self._no_long_string(buf, pos, stop)
        self.seen += stop - pos
        if self.seen > self.bytes_most:
            raise self._too_long()
        tops_most = self.tops_most
        if self.seen > self.values_most or tops_most is not None and self.seen > tops_most:
            if self.values is None:  # from here on counted: what is kept of the line so far, then each part
                self.values = 1 + (_marks(*held) if held is not None else 0)
            self.values += _marks(buf, pos, stop)
            if self.values > self.values_most:
                raise self.lines.too_many_values(self.where, self.rows, self.per_row)
            if tops_most is not None and self.values > tops_most:
                self._count_tops(buf, pos, stop, held)

    def _count_tops(self, buf: bytes, pos: int, stop: int, held: tuple[Any, int, int] | None) -> None:
        """A values line holding more values than TOP_VALUES_PER_ROW a row: its top-level values counted exactly, from
        its list's start (what is kept of the line, then this part) the first time, then part by part."""
        tops = self.tops
        if tops is None:
            tops = self.tops = _Tops()
            start = self.body
            if held is not None:
                obj, at, end = held
                if at + start < end:
                    tops.feed(obj, at + start, end)
                    start = 0
                else:
                    start -= end - at
            tops.feed(buf, pos + start, stop)
        else:
            tops.feed(buf, pos, stop)
        if tops.count is not None and tops.count > self.tops_most:  # type: ignore[operator]
            raise self.lines.too_many_values(self.where, self.rows, TOP_VALUES_PER_ROW)

    def _no_long_string(self, buf: bytes, pos: int, stop: int) -> None:
        """Refuse the line if a STRING_WINDOW stretch of this part (aligned to the line's start) is inside one string."""
        w, sep = STRING_WINDOW, self.strings
        at = pos + -self.seen % w  # the first stretch that starts in this part
        while at + w <= stop:
            if _no_string_edge(buf, at, at + w) and (not sep or buf.find(sep, at, at + w) < 0) \
                    and _in_a_string(buf[at:at + w]):
                raise SnapshotError.keyed("snapshot.string_too_long", **self.lines.at(), where=self.where,
                                          most=STRING_WINDOW)
            at += w

    def done(self, line: Any) -> None:
        """The line read whole: checked if its head was never complete (a line cut short), charged to its section."""
        if self.head is not None:
            self._read_head(bytes(line[:HEAD_MAX]))
            if self.seen > self.bytes_most:
                raise self._too_long()
            if self.seen > self.values_most:
                self.values = values_in(line)
                if self.values > self.values_most:
                    raise self.lines.too_many_values(self.where, self.rows, self.per_row)
        self.lines.spent += self.seen if self.values is None else self.values

    def _too_long(self) -> SnapshotError:
        if self.bytes_most < BYTES_PER_ROW * self.rows + BYTES_SLACK:  # a palette's codes
            return SnapshotError.keyed("snapshot.codes_too_long", **self.lines.at(), where=self.where,
                                       rows=self.rows, limit=self.bytes_most)
        return self.lines.too_long(self.where, self.rows)


# The start of a section's line as the writer writes it (Section.to_dict: status, endpoint, then count): its count is
# read before the line is parsed, so that the line itself is bounded by it (a line that starts otherwise: the slack).
HEAD_MAX = 4096
_JSTR = rb'"(?:[^"\\]|\\.)*"'
_DECLARED = re.compile(rb',?(' + _JSTR + rb'):\{"status":' + _JSTR + rb',"endpoint":' + _JSTR + rb',"count":(\d{1,19})[,}]')


def _safe_name(raw: bytes) -> str:
    try:
        name = json.loads(raw)
    except ValueError:
        return "?"
    return name if isinstance(name, str) else "?"


def _too_many_rows(where: str, rows: Any, limit: int) -> None:
    raise SnapshotError.keyed("snapshot.too_many_rows", where=where, rows=rows, limit=limit,
                              env=MAX_ROWS_ENV)


def _header(first: bytes) -> dict | None:
    """The header of a file in the line layout, or None for any other document."""
    line = first.rstrip(b"\r\n")
    if not first.endswith(b"\n") or not line.startswith(b"{") or not line.endswith(_SECTIONS):
        return None
    try:
        head = bulkjson.loads(line[:-len(_SECTIONS)] + b"}")
    except (ValueError, RecursionError):
        return None
    return head if isinstance(head, dict) and head.get("layout") in LAYOUTS else None


def _section_line(lines: _Budget, body: bytes, end: bytes, statuses: set[str], sections: dict,
                  whole: bool = False) -> tuple[str, dict]:
    """A section's line closed by ``end``: one section, its name and its fields besides the data checked; the line
    bounded by the count it declares before it is parsed (``whole``: its data is all on this line, an object section's,
    bounded tighter: OBJECT_VALUES_PER_ROW); a section the file had already is refused."""
    if whole:  # before it is parsed (the count its head declares: _Line)
        found = _DECLARED.match(body, 0, HEAD_MAX)
        lines.whole_object(body, _where(_safe_name(found.group(1))) if found else "sections")
    one = _load(lines, b"{" + body + end)
    if not isinstance(one, dict) or len(one) != 1:
        raise SnapshotError.keyed("snapshot.line_not_a_section", **lines.at())
    ((name, sec),) = one.items()
    if name in sections:  # the last one would win: a second copy of a section is no snapshot the tool wrote
        raise SnapshotError.keyed("snapshot.section_twice", **lines.at(), where=_where(name))
    _section_meta(name, sec, statuses)
    lines.rows = sec.get("count", 0)  # the count as parsed (a number within the row limit: _section_meta)
    return name, sec


def _read_lines(lines: _Budget, head: dict, schema_version: int, statuses: set[str]) -> dict:
    validate_document(dict(head, sections={}), schema_version, statuses)  # the header's fields, before any data
    sections: dict[str, Any] = {}
    head["sections"] = sections
    pool: list = []  # the strings of the Table sections' columns so far, by number (snapshot_columns._numbered)
    while True:
        line = lines.readline(kind="section")
        if not line:
            raise SnapshotError.keyed("snapshot.line_cut_short", **lines.at())
        body = line.rstrip(b"\r\n")
        if body == b"}}":
            break
        body = body[1:] if sections and body.startswith(b",") else body
        opens_list = body.endswith(_OPEN_LIST)
        if body.endswith(OPEN_END):
            name, sec = _section_line(lines, body, b"]}}}", statuses, sections)
            data = sec.get("data")
            if not is_columns(data) or data.get("columns") != [] or set(data) != {"layout", "rows", "columns"}:
                raise SnapshotError.keyed("snapshot.line_not_a_section", **lines.at())
            rows = data["rows"]
            if rows.__class__ is int and rows > lines.max_rows:
                _too_many_rows(_where(name), rows, lines.max_rows)
            if rows.__class__ is int and "count" in sec and sec["count"] != rows:
                _count_wrong(name, sec["count"], rows)
            if "count" not in sec and rows.__class__ is int and rows >= 0:
                lines.rows = rows  # the columns' budget from the rows they declare
            sec["data"] = _read_column_lines2(lines, name, rows, pool)
            _count_fits(name, sec)
            sections[name] = sec
            continue
        if body.endswith(_OPEN_COLUMNS):
            name, sec = _section_line(lines, body, b"]}}}", statuses, sections)
            sec["data"] = _read_column_lines(lines, name, sec.get("count"))
            _count_fits(name, sec)
            sections[name] = sec
            continue
        name, sec = _section_line(lines, body, b"]}}" if opens_list else b"}", statuses, sections, not opens_list)
        if not opens_list:
            data = sec.get("data")
            fine = False  # the rows' fields checked a column at a time (_rows_fine)
            if name in DICT_SECTIONS and is_rows(data):  # rows as columns: read back shared, the rest shared as ever
                table = rows_table(name, data["rows"], f"{_where(name)}.data.rows", partial(_column_error, name), pool)
                fine = _rows_fine(name, table)
                sec["data"] = data = bulkjson.share(dict(data, rows=[]))
                data["rows"] = table.rows()
            else:
                bulkjson.share(data)
            _section_data(name, data, rows_fine=fine)
            _count_fits(name, sec)
            sections[name] = sec
            continue
        _section_data(name, sec["data"])  # a list: refused where an object belongs
        items: list = sec["data"]
        count = sec.get("count")
        while True:
            line = lines.readline(where=_where(name), rows=CHUNK_ITEMS)
            body = line.rstrip(b"\r\n")
            if body == b"]}":
                break
            if not line or body == b"}}":
                raise SnapshotError.keyed("snapshot.line_section_not_ended", **lines.at(), where=_where(name))
            chunk = _load(lines, b"[" + (body[1:] if items and body.startswith(b",") else body) + b"]")
            if count is not None and len(items) + len(chunk) > count:  # more items than declared: refused as they come
                _count_wrong(name, count, len(items) + len(chunk))
            if name in LIST_SECTIONS:
                _items(name, chunk, len(items))
            items += bulkjson.share(chunk)
        _as_table(name, sec)
        _count_fits(name, sec)
        sections[name] = sec
    _nothing_after(lines)
    return head


def _nothing_after(lines: _Budget) -> None:
    """Nothing but a little whitespace after the document, read to the file's end: a gzip file's checksum and length
    are checked only there (a damaged file followed by megabytes of blank lines passed: session 12's attack)."""
    trail = 0
    while chunk := lines.stream.read(64 * 1024):
        trail += len(chunk)
        if trail > TRAIL_MAX or chunk.strip():
            raise SnapshotError.keyed("snapshot.line_more_after_end", **lines.at())


def held_count(name: str, data: Any) -> int | None:
    """How many things a section's data holds, as its ``count`` counts them (the collectors: collect/collectors.py,
    depth.py, reading.py, audit/prices.py); None where the count is not of the data (it is not compared)."""
    if data is None:
        return 0
    if isinstance(data, (list, Table)):
        return len(data)
    if not isinstance(data, dict):
        return None
    if name == "group_members":  # the members of the licensing groups, all together
        return sum(len(v) for v in data.values() if isinstance(v, list))
    if name == "teams_usage":  # the people the report counts (its rows are those with activity)
        total = data.get("reported_users")
        return total if total.__class__ is int else None
    if name == "office_activity":
        rows = data.get("rows")
        return len(rows) if isinstance(rows, list) else None
    if name == "prices":
        return len(data)
    return 1  # one object (collectors._single)


def _count_fits(name: str, sec: dict) -> None:
    """A section's ``count`` is what its data holds (collectors count what they keep): a mismatch is refused; and a
    section of objects Graph keys by id holds each id once (``ids_once``)."""
    ids_once(name, sec.get("data"))
    if "count" not in sec:
        return
    held = held_count(name, sec.get("data"))
    if held is not None and held != sec["count"]:
        _count_wrong(name, sec["count"], held)


def check_savable(doc: dict, schema_version: int, statuses: Iterable[str]) -> None:
    """Before a snapshot document (``Snapshot.to_dict(tables=True)``) is saved: refuse what the reader would refuse, so
    that nothing is written that cannot be read back (a library caller's ``Snapshot.from_dict`` or changed sections, then
    ``save``): the document's and its sections' shapes and rows (``validate_document``; a Table built by a Builder was
    checked as it was built), a count not what its data holds, an id held twice (``_count_fits``). The reader's words,
    with the save's fix."""
    try:
        validate_document(doc, schema_version, statuses)
        for name, sec in doc["sections"].items():
            _count_fits(name, sec)
    except SnapshotError as err:
        raise SnapshotError(key=err.key, params=err.params, fix_key="snapshot.not_saved") from None


# The list sections whose objects Graph keys by ``id`` (shapes.FIELDS): each id at most once. A file that repeats one
# is refused as it is read (a 48 KB gzip file of 2 million copies of one user made a 1.6 GB report of that person);
# null ids (teams, devices may lack one) are not compared. A set over each id column: ~25 ms at 100k users.
KEYED_SECTIONS = frozenset(name for name in LIST_SECTIONS if "id" in GRAPH_FIELDS.get(name, {}))


def ids_once(name: str, data: Any) -> None:
    """Refuse a keyed section (KEYED_SECTIONS) whose data holds an id twice: snapshot.id_twice, naming the id."""
    twice = repeated_id(name, data)
    if twice is not None:
        raise SnapshotError.keyed("snapshot.id_twice", fix_key="snapshot.damaged", where=_where(name),
                                  id=json.dumps(str(twice[0]))[1:-1][:60], row=twice[1])


def repeated_id(name: str, data: Any) -> tuple[Any, int] | None:
    """The first id a keyed section (KEYED_SECTIONS) holds a second time and the row of that second copy, or None.
    One set over the id column; the column is walked only when the counts differ. Null ids are not compared (teams
    and devices may have none). Used when a snapshot is read (ids_once) and when a collection ends (collect/run.py)."""
    if name not in KEYED_SECTIONS or not data:
        return None
    if data.__class__ is Table:
        if "id" not in data.keys:
            return None
        col = data.cols[data.keys.index("id")]
    elif isinstance(data, list):
        col = [item.get("id") if isinstance(item, dict) else None for item in data]  # a dict of a library's kind too
    else:
        return None
    col = as_list(col)  # a Packed column's rows made once (0.04-0.05 s a column of 100,000 when made twice)
    try:
        distinct = set(col)
    except TypeError:  # not strings: the shape check refuses them, or they are not ids
        return None
    if len(distinct) == len(col) or len(distinct) - (None in distinct) == len(col) - col.count(None):
        return None
    seen: set = set()
    for i, value in enumerate(col):
        if value is not None and value in seen:
            return value, i
        seen.add(value)
    return None  # pragma: no cover - the counts said there is one


def _count_wrong(name: str, count: Any, got: int) -> None:
    raise SnapshotError.keyed("snapshot.count_mismatch", fix_key="snapshot.damaged", where=_where(name),
                              count=_shown(count), got=got)


def _shown(count: Any) -> Any:
    """A declared count as the message shows it: a plausible one as a number (in the reader's language), anything else
    as at most 20 characters of its text."""
    return count if count.__class__ is int and 0 <= count < 10**12 else str(count)[:20]


# -- the big sections as columns (issue 15) -----------------------------------------------------------------------
# A Table section's data is {"layout": "columns", "chunks": [{"keys": [...], "columns": [[...], ...]}, ...]}: in the
# line layout one chunk of up to CHUNK_ITEMS rows per line, between the section's line and a line "]}}":
#   ,"users":{"status":"complete",...,"data":{"layout":"columns","chunks":[
#   {"keys":["id",...],"columns":[["...",...],...]}
#   ,{"keys":...}
#   ]}}
COLUMNS = "columns"
_OPEN_COLUMNS = b',"data":{"layout":"columns","chunks":['


def _write_columns(name: str, sec: dict, table: Table, write: Callable[[bytes], Any], sep: bytes, pool: Pool) -> None:
    """A Table section in the COLUMNS2 layout: a line per column, in the form it has in memory (snapshot_columns.py)."""
    dumps = bulkjson.dumps
    meta = {k: v for k, v in sec.items() if k != "data"}
    write(sep + dumps({name: meta})[1:-2] + open_data(len(table)) + b"\n")
    for i, (key, col) in enumerate(zip(table.keys, table.cols)):
        _line(write, b"," if i else b"", dumps(encoded(key, col, pool)))
    write(b"]}}\n")


def _line(write: Callable[[bytes], Any], sep: bytes, body: Any) -> None:
    """A line in three writes instead of one joined copy (a column's line is up to a few MB: 0.1 s of copies at 100k)."""
    if sep:
        write(sep)
    write(body)
    write(b"\n")


def _read_column_lines2(lines: _Budget, name: str, rows: Any, pool: list) -> Table:
    _table_section(name)
    reader = Reader(name, _file_builder(name), f"{_where(name)}.data", partial(_column_error, name), pool)
    while True:
        line = lines.readline(where=_where(name), kind="column")  # bounded by its encoding as it is read (_Line)
        body = line.rstrip(b"\r\n") if len(line) < 8 else line  # a column's line is parsed as it is (no copy of MBs)
        if body == b"]}}":
            return reader.table(rows)
        if not line or body == b"}}":
            raise SnapshotError.keyed("snapshot.line_section_not_ended", **lines.at(), where=_where(name))
        reader.add(_load(lines, memoryview(body)[1:] if reader.keys and body.startswith(b",") else body))


def _column_error(name: str, key: Any, values: list, exc: Exception) -> SnapshotError:
    """What is wrong with a column of a COLUMNS2 section, named as in a file of items: the first row whose value the
    section does not allow, and how (``key`` None: the section lacks a required key)."""
    where = _where(name)
    if key is None:
        return _item_error(exc, f"{where}.data", {}, []) if isinstance(exc, GraphBadResponse) else exc  # type: ignore[return-value]
    comp = [entry for entry in _compiled(name) if entry[0] == key]
    for i, v in enumerate(values):
        try:
            check_column(name, key, [v])
            if comp:
                _check({key: v}, comp, "")
        except (GraphBadResponse, SnapshotError) as bad:
            return _item_error(bad, f"{where}.data[{i}]", {key: v}, comp)
    if isinstance(exc, SnapshotError):
        return exc
    return SnapshotError.keyed("snapshot.column_values", fix_key="snapshot.damaged", where=where,
                               key=json.dumps(key)[1:-1][:60], error_type=type(exc).__name__)


def _table_section(name: str) -> None:
    """Only the big list sections are held as columns (columns.TABLE_SECTIONS): any other written so is refused,
    never handed to the checks as a Table where they expect an object or rows."""
    if name not in TABLE_SECTIONS:
        raise SnapshotError.keyed("snapshot.columns_not_here", fix_key="snapshot.damaged", where=_where(name),
                                  sections=", ".join(sorted(TABLE_SECTIONS)))


def is_columns(data: Any) -> bool:
    """Whether a section's data in a document is a Table's columns (either layout)."""
    return isinstance(data, dict) and data.get("layout") in (COLUMNS, COLUMNS2)


def _read_column_lines(lines: _Budget, name: str, count: Any) -> Table:
    _table_section(name)
    build = _file_builder(name)
    while True:
        line = lines.readline(where=_where(name), rows=CHUNK_ITEMS)
        body = line.rstrip(b"\r\n")
        if body == b"]}}":
            return build.table()
        if not line or body == b"}}":
            raise SnapshotError.keyed("snapshot.line_section_not_ended", **lines.at(), where=_where(name))
        _add_chunk(build, name, _load(lines, body[1:] if build.n and body.startswith(b",") else body))
        if count is not None and build.n > count:  # more rows than declared: refused as they come
            _count_wrong(name, count, build.n)


def tables_in(doc: Any) -> Any:
    """The document with its COLUMNS2 sections built as Tables and its rows as columns read back, in the document's
    order (their columns number the strings of the sections before them: snapshot_columns._numbered); the caller's
    document is left as it is (a copy of the sections changed); the rest is left to ``validate_document``."""
    sections = doc.get("sections") if isinstance(doc, dict) else None
    if not isinstance(sections, dict):
        return doc
    pool: list = []
    out = dict(sections)
    for name, sec in sections.items():
        data = sec.get("data") if isinstance(sec, dict) else None
        if isinstance(data, dict) and data.get("layout") == COLUMNS2:
            out[name] = dict(sec, data=table_of(name, data, pool))
        elif name in DICT_SECTIONS and is_rows(data):
            rows = rows_back(name, data["rows"], f"{_where(name)}.data.rows", partial(_column_error, name), pool)
            out[name] = dict(sec, data=dict(data, rows=rows))
    return dict(doc, sections=out)


def table_of(name: str, data: dict, pool: list | None = None) -> Table:
    """The Table in a document's columns (``{"layout": "columns", "chunks": [...]}`` or COLUMNS2), validated as the
    file's items are (``pool``: the strings of the COLUMNS2 sections before it, ``tables_in``)."""
    _table_section(name)
    if data.get("layout") == COLUMNS2:
        return read_columns(name, _file_builder(name), f"{_where(name)}.data", data, partial(_column_error, name), pool)
    chunks = data.get("chunks")
    if not isinstance(chunks, list) or set(data) - {"layout", "chunks"}:
        raise SnapshotError.keyed("snapshot.bad_columns", fix_key="snapshot.damaged", where=_where(name))
    build = _file_builder(name)
    for chunk in chunks:
        _add_chunk(build, name, chunk)
    return build.table()


def _file_builder(name: str) -> Builder:
    comp = {entry[0]: [entry] for entry in _compiled(name)}

    def extra(key: str, col: list, values: Any) -> None:  # the snapshot's own FIELDS, per distinct value of a list
        entry = comp.get(key)
        if entry is None:
            return
        values = values if values.__class__ is list else list(values)
        if _values_fine(values, *entry[0][1:]):  # the whole column at C speed; the loop below names what is wrong
            return
        for v in values:
            if v is not None:
                _check({key: v}, entry, "")

    return for_section(name).builder(name, extra=extra)


_not_null = partial(is_not, None)


def _exact(spec: Any) -> frozenset:
    """The exact types ``_check`` accepts for a scalar ``spec`` (JSON makes no subclasses; a bool is no number)."""
    return frozenset(spec if isinstance(spec, tuple) else (spec,))


def _values_fine(values: list, required: bool, kind: int, pay: Any) -> bool:
    """True when ``_check`` accepts every one of ``values`` (one field's values, null where absent) as a field of this
    (required, kind, payload): a few passes at C speed per field instead of a Python call per value. False when any
    value may be wrong; the caller then checks value by value, which names the value (or, if this was too strict,
    accepts it after all)."""
    kinds = set(map(type, values))
    if NoneType in kinds:
        if required:
            return False
        kinds.discard(NoneType)
        if not kinds:
            return True
        values = list(filter(_not_null, values))
    if kind == 0:
        return kinds <= _exact(pay)
    if kind == 1:
        return kinds == {dict} and all(_values_fine(list(map(dict.get, values, repeat(k))), r, kd, p) for k, r, kd, p in pay)
    if kinds != {list}:
        return False
    item_kind, item = pay
    flat = list(chain.from_iterable(values))
    if not flat:
        return True
    if item_kind == 2:  # objects: every element an object, each of its fields fine
        return set(map(type, flat)) == {dict} and all(
            _values_fine(list(map(dict.get, flat, repeat(k))), r, kd, p) for k, r, kd, p in item)
    return set(map(type, flat)) <= _exact(item)


def _add_chunk(build: Builder, name: str, chunk: Any) -> None:
    """One chunk of columns into the section's builder; a wrong value is named as in a file of items (its row)."""
    keys = chunk.get("keys") if isinstance(chunk, dict) else None
    cols = chunk.get("columns") if isinstance(chunk, dict) else None
    if (not isinstance(keys, list) or not isinstance(cols, list) or len(keys) != len(cols) or set(chunk) != {"keys", "columns"}
            or not all(k.__class__ is str for k in keys) or len(set(keys)) != len(keys)
            or not all(c.__class__ is list for c in cols) or len({len(c) for c in cols}) > 1):
        raise SnapshotError.keyed("snapshot.bad_columns", fix_key="snapshot.damaged", where=_where(name))
    n = len(cols[0]) if cols else 0
    start = build.n
    try:
        build.add_columns(keys, cols, n)
    except (GraphBadResponse, SnapshotError, TypeError, ValueError) as exc:
        _items(name, [dict(zip(keys, row)) for row in zip(*cols)], start)  # names the row and the field
        if isinstance(exc, GraphBadResponse):
            raise _item_error(exc, f"{_where(name)}.data", {}, []) from None
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError.keyed("snapshot.bad_columns", fix_key="snapshot.damaged", where=_where(name)) from None


def _as_table(name: str, sec: dict) -> None:
    """A big section of an older file (a list of items, validated) held as a Table like a collected one."""
    data = sec.get("data")
    if name in TABLE_SECTIONS and isinstance(data, list):
        sec["data"] = Table.from_rows(data)


def _load(lines: _Budget, text: bytes) -> Any:
    try:
        return bulkjson.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SnapshotError.keyed("snapshot.line_not_json", **lines.at(), reason=json_damage(exc, one_line=True)) from exc


def write_document(doc: dict, write: Callable[[bytes], Any]) -> None:
    """Write a snapshot document in the line layout, a section and a chunk of items at a time: never the whole text
    in memory (a 100,000-person snapshot is ~200 MB of JSON)."""
    dumps = bulkjson.dumps
    head = {k: v for k, v in doc.items() if k != "sections"}
    head["layout"] = LAYOUT
    write(dumps(head)[:-1] + _SECTIONS + b"\n")
    pool = Pool()  # the strings of the Table sections' columns so far (snapshot_columns._numbered)
    for n, (name, sec) in enumerate(doc["sections"].items()):
        sep = b"," if n else b""
        data = sec.get("data")
        if isinstance(data, Table):
            _write_columns(name, sec, data, write, sep, pool)
            continue
        if not isinstance(data, list) or not data or len(sec) < 2:
            rows = rows_encoded(data.get("rows"), pool) if name in DICT_SECTIONS and isinstance(data, dict) else None
            if rows is not None:  # the Teams usage report's 100,000 rows as columns (snapshot_columns.rows_encoded)
                sec = dict(sec, data=dict(data, rows=rows))
            _line(write, sep, memoryview(dumps({name: sec}))[1:-1])  # no copies of a long line (teams_usage: 10 MB)
            continue
        meta = {k: v for k, v in sec.items() if k != "data"}
        write(sep + dumps({name: meta})[1:-2] + _OPEN_LIST + b"\n")
        for i in range(0, len(data), CHUNK_ITEMS):
            write((b"," if i else b"") + dumps(data[i:i + CHUNK_ITEMS])[1:-1] + b"\n")
        write(b"]}\n")
    write(b"}}\n")


def validate_document(doc: Any, schema_version: int, statuses: Iterable[str]) -> None:
    """Raise SnapshotError naming the first field whose shape is wrong."""
    if not isinstance(doc, dict) or "schema_version" not in doc or "sections" not in doc:
        raise SnapshotError.keyed("snapshot.not_a_snapshot")
    version = doc["schema_version"]
    if type(version) is not int:  # noqa: E721 - bool is an int subclass and must not pass
        raise SnapshotError.keyed("snapshot.version_not_number", fix_key="snapshot.damaged",
                                  shown=json.dumps(version)[:40])
    if version > schema_version:
        raise SnapshotError.keyed("snapshot.version_newer", version=version, schema_version=schema_version)
    if version != schema_version:
        raise SnapshotError.keyed("snapshot.version_other", fix_key="snapshot.damaged", version=version,
                                  schema_version=schema_version)
    _expect(doc, "tenant", dict, optional=True)
    for key in ("id", "name"):
        _expect(doc.get("tenant") or {}, key, str, optional=True, where="tenant.")
    for key in ("cloud", "endpoint", "tool"):
        _expect(doc, key, str, optional=True)
    _expect(doc, "requests", dict, optional=True)
    _expect(doc, "collected_at", str)
    try:
        datetime.fromisoformat(doc["collected_at"].replace("Z", "+00:00"))
    except ValueError:
        raise SnapshotError.keyed("snapshot.bad_collected_at", fix_key="snapshot.damaged",
                                  collected_at=doc['collected_at'][:40]) from None
    _expect(doc, "sections", dict)
    known = set(statuses)
    for name, sec in doc["sections"].items():
        _section(name, sec, known)


def _where(name: str) -> str:
    return f"sections.{json.dumps(name)[1:-1][:60]}"  # escaped: the name comes from the file


def _section(name: str, sec: Any, statuses: set[str]) -> None:
    _section_meta(name, sec, statuses)
    _section_data(name, sec.get("data"))


def _section_meta(name: str, sec: Any, statuses: set[str]) -> None:
    where = _where(name)
    if not isinstance(sec, dict):
        raise SnapshotError.keyed("snapshot.section_not_object", fix_key="snapshot.damaged", where=where,
                                  kind=_kind(sec))
    status = sec.get("status")
    if status.__class__ is not str or status not in statuses:  # an object or a list: refused, not a TypeError
        raise SnapshotError.keyed("snapshot.bad_status", fix_key="snapshot.damaged", where=where,
                                  shown=json.dumps(status)[:40], items=', '.join(sorted(statuses)))
    for key in ("endpoint", "reason", "permission", "licence", "delta_link"):
        _expect(sec, key, str, optional=True, where=f"{where}.")
    _expect(sec, "notes", list, optional=True, where=f"{where}.")
    if "count" in sec and type(sec["count"]) is not int:  # noqa: E721
        raise SnapshotError.keyed("snapshot.count_not_number", fix_key="snapshot.damaged", where=where,
                                  kind=_kind(sec['count']))
    if sec.get("count", 0) < 0:
        _count_wrong(name, sec["count"], 0)
    if sec.get("count", 0) > max_rows():
        _too_many_rows(where, sec["count"], max_rows())


def _rows_fine(name: str, table: Table) -> bool:
    """True when ``_check`` accepts every row of ``table`` as the section's ``rows`` (FIELDS: objects of scalar fields),
    found from each column's types (column_types: a Coded column's palette, not 100,000 rows); False when a row may be
    wrong, or the check is not of that kind: the rows are then checked one by one (which names the first wrong one)."""
    entry = next((e for e in _compiled(name) if e[0] == "rows"), None)
    if entry is None or entry[2] != 2 or entry[3][0] != 2:
        return False
    for key, required, kind, pay in entry[3][1]:
        if kind != 0:
            return False
        col = table.held_column(key)
        kinds = {NoneType} if col is None else column_types(col)
        if kinds is None or required and NoneType in kinds or not kinds - {NoneType} <= _exact(pay):
            return False
    return True


def _section_data(name: str, data: Any, rows_fine: bool = False) -> None:
    """``rows_fine``: the rows of an object section's data were checked already (``_rows_fine``), the rest is here."""
    where = _where(name)
    if data is None:
        return
    if name in LIST_SECTIONS:
        if is_columns(data):
            table_of(name, data)  # built and checked; Snapshot._from_valid keeps the one it builds
            return
        if isinstance(data, Table):
            return  # built by a Builder: checked as it was built
        if not isinstance(data, list):
            raise SnapshotError.keyed("snapshot.data_not_list", fix_key="snapshot.damaged", where=where,
                                      kind=_kind(data))
        _items(name, data, 0)
    elif name in DICT_SECTIONS:
        if not isinstance(data, dict):
            raise SnapshotError.keyed("snapshot.data_not_object", fix_key="snapshot.damaged", where=where,
                                      kind=_kind(data))
        try:
            check_item(name, data)
            probe = dict(data, rows=None) if rows_fine else data  # rows checked already: not walked again
            if not _values_fine([probe], False, 1, _compiled(name)):  # the Teams usage rows (100k) at C speed
                _check(data, _compiled(name), "")
        except (GraphBadResponse, SnapshotError) as exc:
            raise _item_error(exc, f"{where}.data", data, _compiled(name)) from None
    elif not isinstance(data, (list, dict)):
        raise SnapshotError.keyed("snapshot.data_not_list_or_object", fix_key="snapshot.damaged", where=where,
                                  kind=_kind(data))


def _items(name: str, items: list, start: int) -> None:
    """Items ``start``... of a list section (a chunk of them, when the file is read line by line)."""
    where = _where(name)
    bad = next((i for i, item in enumerate(items) if not isinstance(item, dict)), None)
    if bad is not None:
        raise SnapshotError.keyed("snapshot.item_not_object", fix_key="snapshot.damaged", where=where, bad=start + bad,
                                  kind=_kind(items[bad]))
    comp = _compiled(name)
    if not comp and _columns_fine(name, items):
        return
    for i, item in enumerate(items):
        try:
            check_item(name, item)
            if comp:
                _check(item, comp, "")
        except (GraphBadResponse, SnapshotError) as exc:
            raise _item_error(exc, f"{where}.data[{start + i}]", item, comp) from None


COLUMNS_FROM = 32  # a chunk of at least this many items is checked a field at a time first


def _columns_fine(name: str, items: list) -> bool:
    """True when ``check_item`` accepts every item (objects, checked before): each field's types checked over the
    whole chunk at once (shapes.check_column: the exact types, what isinstance accepts and no more), not 10 checks an
    item in Python (the groups, Cloud PCs and teams: 9,093 items at 100k). False when one may be wrong, or the
    section has a check of its own (the skus' prepaid units): the items are then checked one by one, which names the
    first wrong one as ever."""
    fields = GRAPH_FIELDS.get(name)
    if fields is None or name == "skus" or len(items) < COLUMNS_FROM:
        return False
    try:
        for key in fields:
            check_column(name, key, list(map(dict.get, items, repeat(key))))
    except GraphBadResponse:
        return False
    return True


def _compile(spec: dict[str, Any]) -> list[tuple[str, bool, int, Any]]:
    """(key, required, kind, payload) per field; kind 0: a scalar type, 1: an object, 2: a list."""
    out = []
    for key, sub in spec.items():
        required = isinstance(sub, Required)
        sub = sub.spec if required else sub
        if isinstance(sub, dict):
            out.append((key, required, 1, _compile(sub)))
        elif isinstance(sub, list):
            item = sub[0]
            out.append((key, required, 2, (2, _compile(item)) if isinstance(item, dict) else (0, item)))
        else:
            out.append((key, required, 0, sub))
    return out


_COMPILED: dict[str, list] = {}


def _compiled(name: str) -> list:
    if name not in _COMPILED:
        _COMPILED[name] = _compile(FIELDS.get(name, {}))
    return _COMPILED[name]


def _item_error(exc: Exception, where: str, item: dict, comp: list) -> SnapshotError:
    """The error again, naming the place in the file (computed only on the error path)."""
    if isinstance(exc, GraphBadResponse):  # "Graph's answer for users has 'id' as a number"
        return SnapshotError.keyed("snapshot.section_has", fix_key="snapshot.damaged", where=where,
                                   value=exc.params.get("what") or exc.what.partition(' has ')[2] or exc.what)
    try:
        _check(item, comp, where)
    except SnapshotError as named:
        return named
    return exc  # type: ignore[return-value]  # pragma: no cover - the same check fails the same way


def _check(obj: dict, comp: list, where: str) -> None:
    get = obj.get
    for key, required, kind, pay in comp:
        v = get(key)
        if v is None:
            if required:
                raise SnapshotError.keyed("snapshot.field_missing", fix_key="snapshot.damaged", where=where, key=key)
            continue
        if kind == 0:
            if not isinstance(v, pay) or (v.__class__ is bool and pay is not bool):
                raise SnapshotError.keyed("snapshot.field_wrong_kind", fix_key="snapshot.damaged", where=where, key=key,
                                          kind=_kind(v), expected=_a(pay))
        elif kind == 1:
            if v.__class__ is not dict:
                raise SnapshotError.keyed("snapshot.field_not_object", fix_key="snapshot.damaged", where=where, key=key,
                                          kind=_kind(v))
            _check(v, pay, f"{where}.{key}")
        else:
            if v.__class__ is not list:
                raise SnapshotError.keyed("snapshot.field_not_list", fix_key="snapshot.damaged", where=where, key=key,
                                          kind=_kind(v))
            item_kind, item = pay
            for i, x in enumerate(v):
                if item_kind == 2:
                    if x.__class__ is not dict:
                        raise SnapshotError.keyed("snapshot.list_item_not_object", fix_key="snapshot.damaged",
                                                  where=where, key=key, i=i, kind=_kind(x))
                    _check(x, item, f"{where}.{key}[{i}]")
                elif not isinstance(x, item) or (x.__class__ is bool and item is not bool):
                    raise SnapshotError.keyed("snapshot.list_item_wrong_kind", fix_key="snapshot.damaged", where=where,
                                              key=key, i=i, kind=_kind(x), expected=_a(item))


def _a(spec: Any) -> str:
    word = {str: "string", bool: "bool", NUMBER: "number"}.get(spec) or ("object" if isinstance(spec, dict) else "list")
    return Phrase(f"errors.words.a.{word}")


def _expect(doc: dict, key: str, kind: type, *, optional: bool = False, where: str = "") -> None:
    if key not in doc or (optional and doc[key] is None):
        if optional:
            return
        raise SnapshotError.keyed("snapshot.missing", fix_key="snapshot.damaged", where=where, key=key)
    if not isinstance(doc[key], kind) or isinstance(doc[key], bool) and kind is not bool:
        raise SnapshotError.keyed("snapshot.wrong_kind", fix_key="snapshot.damaged", where=where, key=key,
                                  kind=_kind(doc[key]), expected=_NAMES[kind])


_NAMES = {dict: Phrase("errors.words.a.object"), list: Phrase("errors.words.a.list"), str: Phrase("errors.words.a.string")}


def _kind(value: Any) -> str:
    word = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number", float: "number",
            type(None): "null"}.get(type(value))
    return Phrase(f"errors.words.kind.{word}") if word else type(value).__name__
