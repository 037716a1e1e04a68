"""The Snapshot: everything Graph said that the audit needs, in one versioned JSON file.

Checks, scores, reports and plans read only the snapshot, so any report can be regenerated offline,
any check tested without a server, and two audits diffed. Each section records where it came from
and whether it is complete, forbidden (missing permission or licence, with which) or failed.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Phrase, SnapshotError
from ..safe_io import open_output
from .snapshot_file import check_savable, held_count, is_columns, read_snapshot, table_of, tables_in, validate_document, write_document
from .table import Table

try:  # the same gzip format, any gzip reader reads it (zcat, Python's gzip); ISA-L compresses it in a fraction of the time
    from isal.igzip import GzipFile as _GzipFile
except ImportError:  # pragma: no cover - isal is a dependency
    from gzip import GzipFile as _GzipFile

SCHEMA_VERSION = 1

COMPLETE = "complete"
FORBIDDEN = "forbidden"  # permission or licence missing: checks are not evaluable, with the reason
FAILED = "failed"  # Graph or the network failed: checks are errors, with the reason
SKIPPED = "skipped"  # not collected (for example: no teams to read)
FALLBACK = "fallback"  # the usual source was forbidden; a cheaper one was used (see notes)
STATUSES = (COMPLETE, FORBIDDEN, FAILED, SKIPPED, FALLBACK)  # a loaded snapshot may hold only these
# A forbidden section's licence when Graph says one is missing but the read names none: held as it is (in English) in a
# snapshot; the sentences about it are keyed (unavailable.no_licence_unnamed, cli.progress.reasons.no_licence_unnamed)
SOME_LICENCE = "a required licence"


def _rows(obj: Any) -> Any:
    if isinstance(obj, Table):
        return obj.rows()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


@dataclass
class Section:
    name: str
    status: str
    data: Any = field(default=None, repr=False)
    endpoint: str = ""
    count: int = 0
    reason: str = ""  # why not complete, in one sentence
    permission: str = ""  # the permission that was missing, if that is why
    licence: str = ""  # the licence the tenant lacks, if that is why
    notes: list[str] = field(default_factory=list)
    delta_link: str = ""  # Graph's @odata.deltaLink for the next read of this collection (collect/delta.py)
    # the reason as a catalogue key and its parameters, so that a report says it in its own language; ``reason``
    # stays the English text (old readers, logs). A reason given as a Phrase sets them; a loaded one becomes a Phrase.
    reason_key: str = ""
    reason_params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.reason, Phrase):
            if not self.reason_key:
                data = self.reason.as_data()
                self.reason_key, self.reason_params = data["key"], data["params"]
        elif self.reason_key:
            self.reason = Phrase.from_data(self.reason_key, self.reason_params) or self.reason

    @property
    def usable(self) -> bool:
        return self.status in (COMPLETE, FALLBACK)

    def to_dict(self, tables: bool = False) -> dict:
        """The section as a document; a Table's data as a list of new dicts (``tables``: the Table itself, for the
        snapshot file's writer, which writes it column by column)."""
        data = self.data if tables or not isinstance(self.data, Table) else self.data.rows()
        doc = {"status": self.status, "endpoint": self.endpoint, "count": self.count, "reason": self.reason,
                "permission": self.permission, "licence": self.licence, "notes": self.notes, "data": data}
        if self.reason_key:
            doc.update(reason_key=self.reason_key, reason_params=self.reason_params)
        return dict(doc, delta_link=self.delta_link) if self.delta_link else doc

    @staticmethod
    def from_dict(name: str, doc: dict) -> Section:
        key, params = doc.get("reason_key"), doc.get("reason_params")
        key, params = (key, params) if isinstance(key, str) and isinstance(params, dict) else ("", {})
        return Section(name, doc.get("status", FAILED), doc.get("data"), doc.get("endpoint", ""), doc.get("count", 0),
                       doc.get("reason", ""), doc.get("permission", ""), doc.get("licence", ""), list(doc.get("notes") or []),
                       doc.get("delta_link") or "", key, params)


@dataclass
class Snapshot:
    tenant_id: str
    tenant_name: str
    cloud: str
    endpoint: str
    collected_at: str  # ISO 8601 UTC; "now" for every check
    sections: dict[str, Section] = field(default_factory=dict, repr=False)
    requests: dict = field(default_factory=dict, repr=False)  # request accounting from the collection
    tool: str = "readiness"
    schema_version: int = SCHEMA_VERSION
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def section(self, name: str) -> Section:
        return self.sections.get(name) or Section(name, SKIPPED, reason=Phrase("report.reasons.not_collected", name=name))

    def data(self, name: str, default: Any = None) -> Any:
        sec = self.sections.get(name)
        return sec.data if sec is not None and sec.usable and sec.data is not None else default

    def failed_sections(self) -> list[Section]:
        """Sections lost to faults (not a missing licence or permission): a result without them is incomplete."""
        return [s for _, s in sorted(self.sections.items()) if s.status == FAILED]

    def completeness(self) -> str:
        """``complete``; ``partial`` when some sections failed; ``failed`` when nothing could be read."""
        failed = self.failed_sections()
        if not failed:
            return "complete"
        return "partial" if any(s.usable for s in self.sections.values()) else "failed"

    def errors(self) -> list[dict]:
        """The failed sections as the JSON envelope's ``errors``."""
        return [{"code": "data_incomplete", "section": s.name, "endpoint": s.endpoint, "message": s.reason}
                for s in self.failed_sections()]

    def to_dict(self, tables: bool = False) -> dict:
        """The snapshot as a document of plain JSON values (``tables``: the big sections' Tables as they are)."""
        return {"schema_version": self.schema_version, "tool": self.tool,
                "tenant": {"id": self.tenant_id, "name": self.tenant_name}, "cloud": self.cloud,
                "endpoint": self.endpoint, "collected_at": self.collected_at, "requests": self.requests,
                "sections": {name: sec.to_dict(tables) for name, sec in sorted(self.sections.items())}}

    @staticmethod
    def from_dict(doc: dict) -> Snapshot:
        doc = tables_in(doc)  # a snapshot file's lines/2 columns, in order (they number the strings of those before them)
        validate_document(doc, SCHEMA_VERSION, STATUSES)
        return Snapshot._from_valid(doc)

    @staticmethod
    def _from_valid(doc: dict) -> Snapshot:
        tenant = doc.get("tenant") or {}
        snap = Snapshot(tenant.get("id", ""), tenant.get("name", ""), doc.get("cloud", ""), doc.get("endpoint", ""),
                        doc.get("collected_at", ""), requests=doc.get("requests") or {}, tool=doc.get("tool", ""),
                        schema_version=doc["schema_version"])
        snap.sections = {name: Section.from_dict(name, sec) for name, sec in (doc.get("sections") or {}).items()}
        for sec in snap.sections.values():
            if is_columns(sec.data):  # a snapshot file's columns, validated
                sec.data = table_of(sec.name, sec.data)
            if "count" not in doc["sections"][sec.name]:  # a file without counts (they are optional): what the data
                held = held_count(sec.name, sec.data)  # holds, so that the snapshot saves again as it loaded
                sec.count = held if held is not None else sec.count
        return snap

    def sharing_copy(self, *, leave_out: tuple[str, ...] = ()) -> Snapshot:
        """A new snapshot whose sections (in name order, as one read from its document has them; ``leave_out`` left
        out) are new Section objects sharing the original's data: a section's data may be replaced on the copy without
        changing the original, never changed in place (nothing reads a loaded snapshot to change it). Copying the
        rows instead (``from_dict(to_dict())``) made every Table a list of dicts: 10 s and 600 MB at 100,000 people."""
        snap = Snapshot(self.tenant_id, self.tenant_name, self.cloud, self.endpoint, self.collected_at,
                        requests=copy.deepcopy(self.requests), tool=self.tool, schema_version=self.schema_version)
        snap.sections = {name: dataclasses.replace(sec, notes=list(sec.notes or []), reason_params=dict(sec.reason_params or {}))
                         for name, sec in sorted(self.sections.items()) if name not in leave_out}
        return snap

    def fingerprint(self) -> str:
        """sha256 over the collected data: plans made from this snapshot are bound to it."""
        canon = json.dumps({n: s.to_dict(tables=True) for n, s in sorted(self.sections.items())}, sort_keys=True,
                           separators=(",", ":"), default=_rows)  # a Table hashes as the rows it holds
        return hashlib.sha256(canon.encode()).hexdigest()

    def save(self, path: Path | str) -> None:
        """Write the snapshot (gzip when the name ends in .gz) through the safe writer: 0600, atomic, special files
        such as /dev/null written into (readiness/safe_io.py)."""
        path = Path(path)
        doc = self.to_dict(tables=True)
        check_savable(doc, SCHEMA_VERSION, STATUSES)  # what the reader would refuse is not written (nothing is, then)
        # One JSON document, written a section and a chunk of items at a time (snapshot_file.write_document): the
        # whole text is never in memory (issue 15: saving a 100k snapshot held ~200 MB of text, +260 MB at the peak).
        try:
            with open_output(path) as fh:
                if path.suffix == ".gz":
                    # level 1: 2.4x faster than 6 on a 100k snapshot (1.0 s vs 2.4 s), 16% larger (issue 15); ISA-L's
                    # level 1 (python-isal, as the reader uses) again: save 2.08-2.11 s to 1.25-1.46 s CPU, 22.4 to 20.9 MB
                    with _GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=1, mtime=0) as gz:
                        write_document(doc, gz.write)
                else:
                    write_document(doc, fh.write)
        except (TypeError, UnicodeError) as exc:  # a value JSON cannot hold (an object, a lone surrogate): the safe
            raise SnapshotError.keyed("snapshot.unwritable", fix_key="snapshot.not_saved",  # writer removed the
                                      reason=str(exc)[:120]) from None  # temporary file; a file at the path is as it was

    @staticmethod
    def load(path: Path | str, one_shot: bool = False) -> Snapshot:
        """Read a snapshot (plain or gzip) with a bounded decompression and a shape check (snapshot_file.py), section by
        section where the file allows; equal strings are shared as they are read (bulkjson.share). ``one_shot``: the
        process ends soon, what was read is frozen out of the cyclic collector (bulkjson.bulk_objects)."""
        return Snapshot._from_valid(read_snapshot(Path(path), SCHEMA_VERSION, STATUSES, one_shot=one_shot))
