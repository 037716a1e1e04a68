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
from ..i18n import resolve
from .audit_view import audit_data
from .envelope import ENVELOPE_VERSION
from .safe import json_safe

try:
    import orjson

    _OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
except ImportError:  # pragma: no cover - orjson is a dependency
    orjson = None  # type: ignore[assignment]

CHUNK = 1000  # people rows per piece: about 0.8 MB of text


def json_data(audit: Audit, lang: str = "en") -> dict:
    """The JSON output's ``data``: what ``audit_view.build`` puts there (audit_data, the trend, privacy)."""
    data = audit_data(audit, lang)
    data["trend"] = resolve(audit.trend, lang)
    data["privacy"] = {"pseudonymized": audit.privacy.pseudonymized, "aggregate_only": audit.privacy.aggregate_only}
    return data


def write_audit_json(audit: Audit, fh: BinaryIO, lang: str = "en", *, command: str = "report",
                     exit_code: int = 0) -> None:
    """Write ``render_audit(audit, "json", lang, command=..., exit_code=...)``'s text, UTF-8, to ``fh`` in pieces."""
    data = json_data(audit, lang)
    people = data.get("people")
    marker = f"@@people-{uuid.uuid4().hex}@@"  # no tenant string can be this: it is made here, at random
    if isinstance(people, list):
        data["people"] = marker
    doc = {"schema_version": ENVELOPE_VERSION, "command": command, "status": audit.status, "exit_code": exit_code,
           "data": data, "errors": audit.errors or []}
    frame = _dump(doc)
    if not isinstance(people, list):
        fh.write(frame + b"\n")
        return
    head, sep, tail = frame.partition(f'"{marker}"'.encode("ascii"))
    if not sep:  # pragma: no cover - the marker is always written as is
        raise RuntimeError("the people rows' place was not found in the JSON envelope")
    fh.write(head)
    key_line = head[head.rfind(b"\n") + 1:]  # '    "people": '
    indent = b"\n" + b" " * (len(key_line) - len(key_line.lstrip(b" ")))  # rows: 2 deeper than their key
    if not people:
        fh.write(b"[]")
    else:
        fh.write(b"[")
        for start in range(0, len(people), CHUNK):
            piece = _dump(people[start:start + CHUNK])  # "[\n  {...},\n  {...}\n]"
            if start:
                fh.write(b",")
            fh.write(piece[1:-2].replace(b"\n", indent))  # the rows, at their depth in the document
        fh.write(indent + b"]")
    fh.write(tail + b"\n")


def _dump(obj: Any) -> bytes:
    """``envelope``'s text of ``obj`` as UTF-8 bytes, controls escaped (without the final newline)."""
    if orjson is not None:
        try:
            raw = orjson.dumps(obj, default=str, option=_OPTIONS)
        except (TypeError, ValueError):
            raw = None
        if raw is not None:
            if raw.isascii() and b"\x7f" not in raw:
                return raw  # nothing json_safe would change
            return json_safe(raw.decode("utf-8")).encode("utf-8")
    return json_safe(json.dumps(obj, ensure_ascii=False, indent=2, default=str)).encode("utf-8")
