"""Reports from saved snapshots, offline: any format, German or English, private by default where asked."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .audit.evaluate import AuditResult, audit_data, evaluate
from .collect.snapshot import Snapshot
from .errors import UsageError

FORMATS_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json",
                     ".txt": "table"}


@dataclass
class ReportInput:
    result: AuditResult
    trend: dict | None = None
    pseudonymized: bool = False
    aggregate_only: bool = False


def format_for(path: Path) -> str:
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"Cannot tell the report format from '{path.name}'",
                         f"Use one of the extensions {', '.join(sorted(FORMATS_BY_SUFFIX))}, or give -o FORMAT")
    return fmt


def prepare(snapshot: Snapshot, previous: Snapshot | None = None, *, pseudonymize: bool = False,
            aggregate_only: bool = False, key: bytes | None = None) -> ReportInput:
    """Evaluate (and, for privacy, rewrite) the snapshot; compare with the previous one if given."""
    from .audit import privacy
    from .audit.trend import compare

    if previous is not None and previous.tenant_id and snapshot.tenant_id and previous.tenant_id != snapshot.tenant_id:
        raise UsageError("The previous snapshot is of another tenant", "Give an earlier snapshot of the same tenant with --previous")
    if pseudonymize:
        key = key or privacy.key_for(snapshot.tenant_id)
        snapshot = privacy.pseudonymize(snapshot, key)
        previous = privacy.pseudonymize(previous, key) if previous is not None else None
    result = evaluate(snapshot)
    trend = compare(evaluate(previous), result) if previous is not None else None
    if aggregate_only:
        result = privacy.aggregate_only(result)
        if trend:
            trend = dict(trend, newly_ready=[], newly_not_ready=[])
    return ReportInput(result, trend, pseudonymize, aggregate_only)


def render(inp: ReportInput, fmt: str, lang: str = "en", *, people: bool = False, command: str = "report",
           exit_code: int = 0) -> str:
    result = inp.result
    if fmt == "html":
        from .render.html import render_html

        return render_html(result, lang, trend=inp.trend, pseudonymized=inp.pseudonymized, aggregate_only=inp.aggregate_only)
    if fmt == "json":
        from .render.envelope import envelope

        data = audit_data(result, lang)
        data["trend"] = inp.trend
        data["privacy"] = {"pseudonymized": inp.pseudonymized, "aggregate_only": inp.aggregate_only}
        return envelope(command, data, exit_code=exit_code, status="success" if not result.not_evaluated() else "partial")
    if fmt == "csv":
        from .render.audit_csv import render_departments_csv, render_findings_csv, render_people_csv

        if people:
            return render_departments_csv(result) if inp.aggregate_only else render_people_csv(result, lang)
        return render_findings_csv(result, lang)
    if fmt == "md":
        from .render.audit_md import render_markdown

        return render_markdown(result, lang, trend=inp.trend)
    from .render.audit_text import render_table

    return render_table(result, lang)
