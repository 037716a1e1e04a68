"""One self-contained HTML report: inline CSS and SVG, no scripts, autoescaped templates (jinja2)."""
from __future__ import annotations

from typing import Any

from .. import __version__
from ..i18n import labels, number, text, when
from ..resources import data_root
from .audit_view import AuditView
from .evidence import evidence_text
from .seat_money import first_page_lines
from .safe import strip_controls

PEOPLE_PER_DEPARTMENT = 8  # printable view: names per department before "and N more (see CSV)"
NAMES_SHOWN = 12  # printable view: names in a sentence (trend) before "and N more (see CSV)"
FINDINGS_PER_CHECK = 5  # printable view: findings per check before "and N more (see CSV)"
DEPARTMENTS_SHOWN = 25  # departments listed by name; the rest summed in one row


def _plain(value: Any) -> Any:
    """Every {{ value }}: tenant text loses control characters and bidi overrides; line breaks and markup stay."""
    from markupsafe import Markup

    return strip_controls(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _breakable(value: Any) -> Any:
    """Escaped text with break opportunities after @ . _ - so an e-mail address wraps there, never mid-letter."""
    from markupsafe import Markup, escape

    out = str(escape(strip_controls(str(value))))
    for ch in ("@", ".", "_"):
        out = out.replace(ch, ch + "<wbr>")
    return Markup(out)


def _names(people: list[dict], lang: str) -> str:
    """Display names, at most NAMES_SHOWN, then "and N more (see CSV)"."""
    shown = ", ".join(str(p["displayName"]) for p in people[:NAMES_SHOWN])
    more = len(people) - NAMES_SHOWN
    return shown + (" " + text("report_words.and_n_more_csv", lang, n=more) if more > 0 else "")


def _env(lang: str):  # noqa: ANN202
    import jinja2

    root = data_root("reports").joinpath("templates")
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text("utf-8")),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=_plain)
    env.filters["num"] = lambda v: number(v, lang) if isinstance(v, (int, float)) else v
    env.filters["when"] = lambda iso: when(iso, lang)
    env.filters["delta"] = lambda d: "-" if d is None else (f"+{d}" if d > 0 else str(d))
    env.filters["reason"] = lambda code: labels(lang)["reason_words"].get(code, code)
    env.globals["tr"] = lambda key, **params: text(key, lang, **params)
    env.filters["breakable"] = _breakable
    env.filters["names"] = lambda people: _names(people, lang)
    env.globals["first_page_lines"] = lambda summary: first_page_lines(summary, lang)  # autoescaped
    return env


def report_view(view: AuditView) -> dict[str, Any]:
    """The template's input: the view's data, with the printable view's caps (findings per check, names per
    department, departments listed) applied to copies."""
    import copy

    lang = view.lang
    data = dict(view.data)
    data["checks"] = copy.deepcopy(view.data["checks"])
    for check in data["checks"]:
        for f in check["findings"]:
            f["evidence_text"] = evidence_text(f["evidence"], lang)
        check["findings_more"] = max(0, len(check["findings"]) - FINDINGS_PER_CHECK)
        check["findings"] = check["findings"][:FINDINGS_PER_CHECK]
    by_dept: dict[str, list[dict]] = {}
    for row in data["people"]:
        if row["ready"] is False:
            by_dept.setdefault(row["department"], []).append(row)
    people_by_department = [(dept, rows[:PEOPLE_PER_DEPARTMENT], len(rows))
                            for dept, rows in sorted(by_dept.items(), key=lambda kv: (kv[0] or "").lower())]
    licences = [s for s in data["licences"] if not s.get("viral")]
    viral = [s["name"] for s in data["licences"] if s.get("viral")]
    departments = data["departments"]
    if len(departments) > DEPARTMENTS_SHOWN:  # the departments with most people not ready, the rest in one row
        departments = sorted(departments, key=lambda d: -d["not_ready"])
    return {"r": data, "L": view.L, "lang": lang, "trend": data["trend"], "reasons": view.reasons,
            "people_by_department": people_by_department,
            "licences": licences, "viral": viral, "departments": departments[:DEPARTMENTS_SHOWN],
            "departments_hidden": departments[DEPARTMENTS_SHOWN:], "paper": view.L.get("_paper", "A4"),
            "privacy": data["privacy"], "version": __version__,
            "css": data_root("reports").joinpath("templates", "report.css").read_text("utf-8"),
            # the measures register's words (docs/crisis.md); the summary carries "measures" after a tracked audit
            "M": view.L["crisis"]["measures"]}


def render_html(view: AuditView) -> str:
    return _env(view.lang).get_template("report.html.j2").render(**report_view(view))
