"""The audit's JSON document written in pieces to a binary file (issue 15): the same bytes as ``render_json``.

At 100,000 people ``-o json`` is 73 MB of text; rendered whole, it was held as a str and again as bytes (142 MB
resident, 280 MB at its peak) and set the peak of the whole command. Here the envelope is dumped once with the
people left out, and the people rows follow in chunks of ``CHUNK`` rows, each dumped by orjson, indented to its
place and written, so no more than one chunk's text exists at a time.

The text is ``envelope()``'s exactly: orjson with two-space indentation (what ``json.dumps(indent=2,
ensure_ascii=False)`` writes), DEL, C1 and bidi controls escaped as ``\\uXXXX`` (``safe.json_safe``), a final newline.
A test compares the streamed bytes with ``readiness.render(audit, format="json")``.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, BinaryIO

from ..audit.model import Audit
from ..audit.rows import Rows
from ..i18n import resolve
from .audit_data import audit_data, audit_errors
from .envelope import ENVELOPE_VERSION
from .safe import json_safe, json_safe_bytes

try:
    import orjson

    _OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]

# people rows per piece: about 80 KB of text, under glibc's default mmap threshold (128 KiB), so each piece's buffers
# are reused from the heap; at 1,000 rows (0.8 MB) every piece was a fresh mapping, faulted in page by page and unmapped
# again: 18,000 page faults and 0.09 s of system time at 100,000 people, against 0.03 s more for ten times the pieces
CHUNK = 100


def json_data(audit: Audit, lang: str = "en", *, rows: bool = True) -> dict:
    """The JSON output's ``data``: what ``audit_view.build`` puts there (audit_data, the trend, privacy). ``rows=False``:
    the people as ``audit.people`` holds them (``Rows``: made when read, a piece at a time below)."""
    data = audit_data(audit, lang, rows=rows)
    data["trend"] = resolve(audit.trend, lang)
    data["privacy"] = {"pseudonymized": audit.privacy.pseudonymized, "aggregate_only": audit.privacy.aggregate_only}
    return data


def write_audit_json(audit: Audit, fh: BinaryIO, lang: str = "en", *, command: str = "report",
                     exit_code: int = 0) -> None:
    """Write ``render_audit(audit, "json", lang, command=..., exit_code=...)``'s text, UTF-8, to ``fh`` in pieces."""
    data = json_data(audit, lang, rows=False)
    people = data.get("people")
    marker = f"@@people-{uuid.uuid4().hex}@@"  # no tenant string can be this: it is made here, at random
    if isinstance(people, (list, Rows)):  # Rows: each piece's rows made as it is written, never all at once
        data["people"] = marker
    doc = {"schema_version": ENVELOPE_VERSION, "command": command, "status": audit.status, "exit_code": exit_code,
           "data": data, "errors": audit_errors(audit, lang)}
    frame = _dump(doc)
    if not isinstance(people, (list, Rows)):
        fh.write(frame + b"\n")
        return
    head, sep, tail = frame.partition(f'"{marker}"'.encode("ascii"))
    if not sep:  # pragma: no cover - the marker is always written as is
        raise RuntimeError("the people rows' place was not found in the JSON envelope")
    fh.write(head)
    key_line = head[head.rfind(b"\n") + 1:]  # '    "people": '
    levels = (len(key_line) - len(key_line.lstrip(b" "))) // 2  # the rows' list is this deep in the document
    if not people:
        fh.write(b"[]")
    else:
        fh.write(b"[")
        for start in range(0, len(people), CHUNK):
            # the rows dumped as deep as they stand in the document (inside ``levels`` one-key objects), so orjson
            # indents them to their place: no second pass over the text to indent it
            piece = _dump(_nest(people[start:start + CHUNK], levels))
            if start:
                fh.write(b",")
            fh.write(memoryview(piece)[piece.index(b"[") + 1:piece.rindex(b"]") - (2 * levels + 1)])  # the rows alone
        fh.write(b"\n" + b" " * (2 * levels) + b"]")
    fh.write(tail + b"\n")


def _nest(rows: list, levels: int) -> Any:
    """``rows`` inside ``levels`` objects of one key each: {"_": {"_": rows}} for two (the keys hold no bracket)."""
    for _ in range(levels):
        rows = {"_": rows}
    return rows


def _dump(obj: Any) -> bytes:
    """``envelope``'s text of ``obj`` as UTF-8 bytes, controls escaped (without the final newline)."""
    if orjson is not None:
        try:
            raw = orjson.dumps(obj, default=str, option=_OPTIONS)
        except (TypeError, ValueError):
            raw = None
        if raw is not None:
            return json_safe_bytes(raw)
    return json_safe(json.dumps(obj, ensure_ascii=False, indent=2, default=str)).encode("utf-8")
