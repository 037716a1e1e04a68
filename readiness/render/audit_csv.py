"""CSV: findings, or the per-person matrix (--people); formula-injection safe."""
from __future__ import annotations

import csv
import io

from ..audit.model import Audit
from .safe import csv_cell

FINDING_COLUMNS = ["check_id", "area", "severity", "status", "target", "message", "fix_playbook"]
PEOPLE_COLUMNS = ["userPrincipalName", "displayName", "department", "ready", "reasons", "teams_enabled", "mailbox_enabled",
                  "files_enabled", "mfa_registered", "device", "usage_location", "licences", "teams_active_30d"]


def _fmt(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def render_findings_csv(result: Audit, lang: str = "en") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FINDING_COLUMNS)
    for spec, st, fs in result.checks:
        for f in fs:
            w.writerow([csv_cell(_fmt(v)) for v in (spec.id, spec.area, spec.severity.value, f.status.value, f.target,
                                                      f.message[lang], spec.fix_playbook)])
    return buf.getvalue()


def render_people_csv(result: Audit, lang: str = "en") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(PEOPLE_COLUMNS)
    for row in result.people:
        w.writerow([csv_cell(_fmt(row.get(c))) for c in PEOPLE_COLUMNS])
    return buf.getvalue()


def render_departments_csv(result: Audit) -> str:
    """Per-department counts: the people CSV of an aggregate-only report."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["department", "people", "ready", "not_ready", "not_evaluable", "top_reasons"])
    for d in result.departments:
        w.writerow([csv_cell(_fmt(d[k])) for k in ("department", "people", "ready", "not_ready", "not_evaluable", "top_reasons")])
    return buf.getvalue()
