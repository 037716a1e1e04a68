"""The Snapshot: everything Graph said that the audit needs, in one versioned JSON file.

Checks, scores, reports and plans read only the snapshot, so any report can be regenerated offline,
any check tested without a server, and two audits diffed. Each section records where it came from
and whether it is complete, forbidden (missing permission or licence, with which) or failed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SnapshotError

SCHEMA_VERSION = 1

COMPLETE = "complete"
FORBIDDEN = "forbidden"  # permission or licence missing: checks are not evaluable, with the reason
FAILED = "failed"  # Graph or the network failed: checks are errors, with the reason
SKIPPED = "skipped"  # not collected (for example: no teams to read)
FALLBACK = "fallback"  # the usual source was forbidden; a cheaper one was used (see notes)


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

    @property
    def usable(self) -> bool:
        return self.status in (COMPLETE, FALLBACK)

    def to_dict(self) -> dict:
        return {"status": self.status, "endpoint": self.endpoint, "count": self.count, "reason": self.reason,
                "permission": self.permission, "licence": self.licence, "notes": self.notes, "data": self.data}

    @staticmethod
    def from_dict(name: str, doc: dict) -> Section:
        return Section(name, doc.get("status", FAILED), doc.get("data"), doc.get("endpoint", ""), doc.get("count", 0),
                       doc.get("reason", ""), doc.get("permission", ""), doc.get("licence", ""), list(doc.get("notes") or []))


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
        return self.sections.get(name) or Section(name, SKIPPED, reason=f"section '{name}' was not collected")

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

    def to_dict(self) -> dict:
        return {"schema_version": self.schema_version, "tool": self.tool,
                "tenant": {"id": self.tenant_id, "name": self.tenant_name}, "cloud": self.cloud,
                "endpoint": self.endpoint, "collected_at": self.collected_at, "requests": self.requests,
                "sections": {name: sec.to_dict() for name, sec in sorted(self.sections.items())}}

    @staticmethod
    def from_dict(doc: dict) -> Snapshot:
        if not isinstance(doc, dict) or "schema_version" not in doc or "sections" not in doc:
            raise SnapshotError("This file is not a readiness snapshot", "Create one with `readiness audit --snapshot-out FILE`")
        if doc["schema_version"] > SCHEMA_VERSION:
            raise SnapshotError(f"The snapshot has schema version {doc['schema_version']}, newer than this readiness ({SCHEMA_VERSION})",
                                "Upgrade readiness: pip install --upgrade readiness")
        tenant = doc.get("tenant") or {}
        snap = Snapshot(tenant.get("id", ""), tenant.get("name", ""), doc.get("cloud", ""), doc.get("endpoint", ""),
                        doc.get("collected_at", ""), requests=doc.get("requests") or {}, tool=doc.get("tool", ""),
                        schema_version=doc["schema_version"])
        snap.sections = {name: Section.from_dict(name, sec) for name, sec in (doc.get("sections") or {}).items()}
        return snap

    def fingerprint(self) -> str:
        """sha256 over the collected data: plans made from this snapshot are bound to it."""
        canon = json.dumps({n: s.to_dict() for n, s in sorted(self.sections.items())}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()

    def save(self, path: Path | str) -> None:
        """Write the snapshot (people's data: the file is 0600); a .gz name compresses."""
        path = Path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            if path.suffix == ".gz":
                with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as fh:
                    fh.write(text)
            else:
                tmp.write_text(text, encoding="utf-8")
            os.chmod(tmp, 0o600)  # people's names and devices: owner only
            tmp.replace(path)
        except OSError as exc:
            raise SnapshotError(f"Cannot write the snapshot to {path} ({exc.strerror})",
                                "Check that the folder exists and is writable") from exc

    @staticmethod
    def load(path: Path | str) -> Snapshot:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SnapshotError(f"Cannot read snapshot {path} ({exc.strerror})", "Check the path") from exc
        try:
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            doc = json.loads(raw)
        except (OSError, ValueError, EOFError) as exc:
            raise SnapshotError(f"{path} is not a readable snapshot ({type(exc).__name__})",
                                "Give a file written by `readiness audit --snapshot-out`") from exc
        return Snapshot.from_dict(doc)
