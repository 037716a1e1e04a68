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

from ..errors import UsageError
from ..i18n import labels
from .audit_view import AuditView, department_word
from .safe import csv_cell, sheet

HEADERS = ("labels", "ids")
FINDING_COLUMNS = ["check_id", "area", "severity", "status", "target", "message", "fix_playbook"]
TREND_COLUMN = "status_before"  # with --previous: the check's status in the previous audit (empty: unchanged)
PEOPLE_COLUMNS = ["userPrincipalName", "displayName", "department", "ready", "reasons", "teams_enabled", "mailbox_enabled",
                  "files_enabled", "mfa_registered", "device", "usage_location", "licences", "teams_active_30d"]
WORDS = {"device": "device_words", "target": "target_words"}  # coded columns and the catalogue words that say them
DEPARTMENT_COLUMNS = ["department", "people", "ready", "not_ready", "not_evaluable", "top_reasons"]


class _Dialect:
    def __init__(self, lang: str, headers: str) -> None:
        if headers not in HEADERS:
            raise UsageError.keyed("render.csv_headers", headers=headers, items=', '.join(HEADERS))
        self.lang, self.ids = lang, headers == "ids"
        self.L = labels(lang)
        self.sep, self.bom = sheet(lang, headers)

    def writer(self, buf: io.StringIO) -> Any:
        return csv.writer(buf, delimiter=self.sep, lineterminator="\r\n")

    def head(self, columns: list[str]) -> list[str]:
        words = {**self.L.get("csv_columns", {}), TREND_COLUMN: self.L["report_words"]["status_before"]}
        return columns if self.ids else [words.get(c, c) for c in columns]

    def value(self, value: object, column: str = "") -> object:
        if value is None:
            return ""
        if not self.ids and isinstance(value, str) and column in WORDS:  # a code in words (labels dialect only)
            return self.L.get(WORDS[column], {}).get(value, value)
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
        return self.bom + buf.getvalue()


def render_findings_csv(view: AuditView, headers: str = "labels") -> str:
    """One row per finding; with a trend (--previous) a last column holds the check's earlier status where it changed."""
    d = _Dialect(view.lang, headers)
    before = view.trend.before_by_check if view.trend else None

    def row(c: Any, f: Any) -> list[object]:
        cells = [c.id, c.area if d.ids else c.area_word, c.severity if d.ids else c.severity_word,
                 f.status if d.ids else f.status_word, f.target, f.message, c.fix_playbook]
        if before is not None:
            was = before.get(c.id)
            cells.append(was if d.ids or was is None else d.L["status"].get(was, was))
        return [csv_cell(d.value(v, col)) for v, col in zip(cells, FINDING_COLUMNS + [TREND_COLUMN])]

    columns = FINDING_COLUMNS + ([TREND_COLUMN] if before is not None else [])
    return d.text(d.head(columns), (row(c, f) for c in view.checks for f in c.findings))


def render_people_csv(view: AuditView, headers: str = "labels") -> str:
    d = _Dialect(view.lang, headers)
    return d.text(d.head(PEOPLE_COLUMNS), ([csv_cell(d.value(r.get(c), c)) for c in PEOPLE_COLUMNS] for r in view.data["people"]))


def render_departments_csv(view: AuditView, headers: str = "labels") -> str:
    """Per-department counts: the people CSV of an aggregate-only report."""
    d = _Dialect(view.lang, headers)

    def row(r: dict) -> list[object]:
        name = ("other" if d.ids else department_word(r, view.lang)) if r.get("other") else r["department"]
        return [csv_cell(d.value(name if k == "department" else r[k], k)) for k in DEPARTMENT_COLUMNS]

    return d.text(d.head(DEPARTMENT_COLUMNS), (row(x.row) for x in view.departments))
