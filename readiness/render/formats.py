"""An Audit in any format and language: table, json, csv, md, html (the one path every output takes)."""
from __future__ import annotations

from pathlib import Path

from ..audit.model import Audit
from ..errors import UsageError

FORMATS = ("table", "json", "csv", "md", "html")
FORMATS_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json",
                     ".txt": "table"}


def format_for(path: Path | str) -> str:
    """The report format a file name asks for (by its extension)."""
    path = Path(path)
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise UsageError.keyed("render.format_from_name", name=path.name, items=', '.join(sorted(FORMATS_BY_SUFFIX)))
    return fmt


def render_audit(audit: Audit, fmt: str = "html", lang: str = "en", *, people: bool = False, command: str = "report",
                 exit_code: int = 0, csv_headers: str = "labels",
                 color: bool = False, width: int | None = None) -> str:
    """+ people: with csv, the per-person matrix (per department for an aggregate-only audit) instead of findings.
    + color, width: with table, ANSI colour and the terminal's width (see audit_text.render_table).
    + csv_headers: "labels" (Excel: BOM, the language's separator and words) or "ids" (scripts; see audit_csv)."""
    if fmt not in FORMATS:
        raise UsageError.keyed("render.unknown_format", fmt=fmt, items=", ".join(FORMATS))
    from .audit_view import build

    view = build(audit, lang)  # one view per language: every format lays out the same words and numbers
    if fmt == "html":
        from .audit_html import render_html

        return render_html(view)
    if fmt == "json":
        from .audit_json import render_json

        return render_json(view, command=command, exit_code=exit_code)
    if fmt == "csv":
        from .audit_csv import render_departments_csv, render_findings_csv, render_people_csv

        if people:
            if audit.privacy.aggregate_only:
                return render_departments_csv(view, csv_headers)
            return render_people_csv(view, csv_headers)
        return render_findings_csv(view, csv_headers)
    if fmt == "md":
        from .audit_md import render_markdown

        return render_markdown(view)
    from .audit_text import render_table

    return render_table(view, color=color, width=width)
