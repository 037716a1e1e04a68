"""CSV: findings, or the per-person matrix (--people); formula-injection safe.

Two dialects (``headers``):
- ``labels`` (the default): for a spreadsheet opened by double-click. UTF-8 with a byte-order mark (Excel reads
  UTF-8 only with it), the language's list separator (``;`` for German, where ``,`` is the decimal comma;
  catalogue key ``_csv_delimiter``), headers, yes/no and reasons in the report's language.
- ``ids``: for scripts. Stable column ids, ``,``, no BOM, ``true``/``false``, reason codes.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from ..audit.model import Audit
from ..errors import UsageError
from ..i18n import labels
from .safe import csv_cell

HEADERS = ("labels", "ids")
BOM = "\ufeff"
FINDING_COLUMNS = ["check_id", "area", "severity", "status", "target", "message", "fix_playbook"]
PEOPLE_COLUMNS = ["userPrincipalName", "displayName", "department", "ready", "reasons", "teams_enabled", "mailbox_enabled",
                  "files_enabled", "mfa_registered", "device", "usage_location", "licences", "teams_active_30d"]
DEPARTMENT_COLUMNS = ["department", "people", "ready", "not_ready", "not_evaluable", "top_reasons"]


class _Dialect:
    def __init__(self, lang: str, headers: str) -> None:
        if headers not in HEADERS:
            raise UsageError(f"Unknown CSV header style '{headers}'", f"Use one of: {', '.join(HEADERS)}")
        self.lang, self.ids = lang, headers == "ids"
        self.L = labels(lang)

    def writer(self, buf: io.StringIO) -> Any:
        delimiter = "," if self.ids else self.L.get("_csv_delimiter", ",")
        return csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")

    def head(self, columns: list[str]) -> list[str]:
        words = self.L.get("csv_columns", {})
        return columns if self.ids else [words.get(c, c) for c in columns]

    def value(self, value: object, column: str = "") -> object:
        if value is None:
            return ""
        if isinstance(value, bool):
            if self.ids:
                return "true" if value else "false"
            return self.L["report_words"]["yes" if value else "no"]
        if isinstance(value, list):
            if self.ids:
                return ";".join(str(v) for v in value)
            if column in ("reasons", "top_reasons"):
                value = [self.L["reason_words"].get(v, v) for v in value]
            return ", ".join(str(v) for v in value)
        return value

    def text(self, head: list[str], rows: Iterable[Iterable[object]]) -> str:
        buf = io.StringIO()
        w = self.writer(buf)
        w.writerow(head)
        w.writerows(rows)
        return ("" if self.ids else BOM) + buf.getvalue()


def render_findings_csv(result: Audit, lang: str = "en", headers: str = "labels") -> str:
    d = _Dialect(lang, headers)
    L = d.L

    def row(spec: Any, f: Any) -> list[object]:
        area = spec.area if d.ids else L["areas"].get(spec.area, spec.area)
        severity = spec.severity.value if d.ids else L["severity"].get(spec.severity.value, spec.severity.value)
        status = f.status.value if d.ids else L["status"].get(f.status.value, f.status.value)
        return [csv_cell(d.value(v)) for v in (spec.id, area, severity, status, f.target, f.message[lang], spec.fix_playbook)]

    return d.text(d.head(FINDING_COLUMNS), (row(spec, f) for spec, st, fs in result.checks for f in fs))


def render_people_csv(result: Audit, lang: str = "en", headers: str = "labels") -> str:
    d = _Dialect(lang, headers)
    return d.text(d.head(PEOPLE_COLUMNS), ([csv_cell(d.value(r.get(c), c)) for c in PEOPLE_COLUMNS] for r in result.people))


def render_departments_csv(result: Audit, lang: str = "en", headers: str = "labels") -> str:
    """Per-department counts: the people CSV of an aggregate-only report."""
    from .audit_text import department_name

    d = _Dialect(lang, headers)

    def row(r: dict) -> list[object]:
        name = ("other" if d.ids else department_name(r, lang, str)) if r.get("other") else r["department"]
        return [csv_cell(d.value(name if k == "department" else r[k], k)) for k in DEPARTMENT_COLUMNS]

    return d.text(d.head(DEPARTMENT_COLUMNS), (row(r) for r in result.departments))
