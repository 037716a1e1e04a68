"""Onboarding many tenants: `tenant import FILE.csv` validates every row and says what it added, skipped and why."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Phrase, ReadinessError, UsageError

COLUMNS = ("name", "tenant_id", "auth", "client_id", "cert_path", "cloud", "graph_url", "usage_location", "tags")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportRow:
    line: int
    name: str
    status: str  # added | replaced | skipped
    reason: str = ""  # English (the JSON output, logs)
    invalid: bool = True  # skipped because the row is wrong (not merely because the profile exists)
    said: Any = None  # the reason as a Phrase or an error, said in the reader's language (`reason_in`)

    def reason_in(self, lang: str) -> str:
        return self.said.text(lang) if self.said is not None else self.reason


def _row(line: int, name: str, status: str, said: Any = None, invalid: bool = True) -> ImportRow:
    """A row with its reason (a Phrase or an error, or none): its English text kept beside it."""
    return ImportRow(line, name, status, "" if said is None else str(said), invalid, said)


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    new_default: tuple[str, str | None] | None = None  # (profile, the previous default) when the default changed

    @property
    def added(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status in ("added", "replaced")]

    @property
    def invalid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "skipped" and r.invalid]

    @property
    def skipped(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "skipped"]

    def as_dict(self) -> dict:
        return {"added": len(self.added), "skipped": len(self.skipped), "invalid": len(self.invalid),
                "default": self.new_default[0] if self.new_default else None,
                "rows": [{"line": r.line, "name": r.name, "status": r.status, "reason": r.reason} for r in self.rows]}


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(";") if t.strip()]


def parse_csv(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """Rows (line number, column -> value) and the header's columns. Unknown columns are a usage error."""
    if text.startswith("\ufeff"):
        text = text[1:]  # Excel's UTF-8 byte order mark
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise UsageError.keyed("fleet.import_empty", items=','.join(COLUMNS))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown and len(header) == 1 and ";" in header[0]:  # Excel with German settings saves CSV with semicolons
        raise UsageError.keyed("fleet.import_semicolons")
    if unknown:
        raise UsageError.keyed("fleet.import_unknown_columns", items=', '.join(unknown), allowed=','.join(COLUMNS))
    if "name" not in header or "tenant_id" not in header:
        raise UsageError.keyed("fleet.import_needs_columns", items=','.join(COLUMNS))
    reader.fieldnames = header
    rows = []
    for rec in reader:
        extra = rec.pop(None, None)  # type: ignore[call-overload]
        values = {k: (v or "").strip() for k, v in rec.items() if k}
        if extra:
            values["_extra"] = "yes"
        rows.append((reader.line_num, values))
    return rows, header


def _certificate_note(profile: Any, checked: dict[str, Any]) -> Any:
    """Check a certificate row's file as `tenant add` does (key and certificate, a matching pair).

    The file may not exist yet (a CI job fetches it from a vault before the audit): the row is added with
    a note. A file that exists but is no certificate is a UsageError, and the row is skipped. One file
    serves every client of a multi-tenant app: each path is read once.
    """
    from ..config.certificates import check_certificate

    path = Path(profile.cert_path).expanduser()
    if not path.exists():
        return Phrase("errors.fleet.import_row.no_cert_yet", path=str(path))
    key = str(path)
    if key not in checked:
        try:
            checked[key] = check_certificate(key)
        except ReadinessError as exc:
            checked[key] = exc
    found = checked[key]
    if isinstance(found, ReadinessError):
        raise found
    profile.cert_path = str(found.path)
    return ""


def import_profiles(path: Path, *, store: object | None = None, replace: bool = False,
                    dry_run: bool = False) -> ImportReport:
    """Validate every row, then add the valid ones; a bad row is skipped with its reason, never half-added.

    + replace: overwrite profiles that exist already (otherwise they are skipped).
    + dry_run: validate and report, change nothing.
    """
    from ..config.profiles import NAME_RE
    from ..graph.auth import token_env_name
    from . import runner

    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError.keyed("fleet.import_too_large", path=path)
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ReadinessError.keyed("fleet.import_unreadable", path=path, reason=exc.strerror) from exc
    except UnicodeDecodeError as exc:
        raise UsageError.keyed("fleet.import_not_utf8", path=path) from exc
    rows, _ = parse_csv(text)
    store = store or runner.profile_store()
    existing = {p.name for p in store.list()[0]}  # type: ignore[attr-defined]
    seen: set[str] = set()
    certificates: dict[str, Any] = {}
    variables = {token_env_name(n): n for n in existing}  # kunde-a and kunde_a would read the same token and secret
    report = ImportReport()
    for line, v in rows:
        name = v.get("name", "")
        if not any(v.values()):
            continue
        if v.get("_extra"):
            report.rows.append(_row(line, name, "skipped", Phrase("errors.fleet.import_row.extra")))
            continue
        if name in seen:
            report.rows.append(_row(line, name, "skipped", Phrase("errors.fleet.import_row.twice")))
            continue
        seen.add(name)
        variable = token_env_name(name) if NAME_RE.match(name) else ""
        twin = variables.get(variable) if variable else None
        if twin is not None and twin != name:
            report.rows.append(_row(line, name, "skipped", Phrase(
                "errors.fleet.import_row.shared", variable=variable, twin=twin,
                secret=f"READINESS_CLIENT_SECRET_{variable[len('READINESS_ACCESS_TOKEN_'):]}")))
            continue
        if name in existing and not replace:
            report.rows.append(_row(line, name, "skipped", Phrase("errors.fleet.import_row.exists"), invalid=False))
            continue
        auth = v.get("auth") or ("certificate" if v.get("cert_path") else "device-code")
        profile = runner.make_profile(name=name, tenant=v.get("tenant_id", ""), auth=auth, client_id=v.get("client_id", ""),
                                cloud=v.get("cloud") or "global", graph_url=v.get("graph_url", ""),
                                usage_location=v.get("usage_location", "").upper(), cert_path=v.get("cert_path", ""),
                                tags=split_tags(v.get("tags", "")))
        if auth == "client-secret":
            report.rows.append(_row(line, name, "skipped", Phrase("errors.fleet.import_row.secret")))
            continue
        try:
            profile.validate()
        except ReadinessError as exc:
            report.rows.append(_row(line, name, "skipped", exc))
            continue
        note: Any = ""
        if auth == "certificate":
            try:
                note = _certificate_note(profile, certificates)
            except ReadinessError as exc:
                report.rows.append(_row(line, name, "skipped", exc))
                continue
        if not dry_run:
            became = store.add(profile, replace=replace)  # type: ignore[attr-defined]
            if isinstance(became, tuple) and became[0]:
                report.new_default = (name, became[1])
        if variable:
            variables[variable] = name
        report.rows.append(_row(line, name, "replaced" if name in existing else "added", note or None, invalid=False))
    return report
