"""One self-contained HTML report: inline CSS and SVG, no scripts, autoescaped templates (jinja2)."""
from __future__ import annotations

from typing import Any

from .. import __version__
from ..audit.model import Audit
from ..audit.matrix import INFO_REASONS
from ..i18n import labels, number, text, when
from ..resources import data_root
from .audit_json import audit_dict
from .safe import strip_controls

EVIDENCE_SKIP = {"source", "source_kind"}


def _plain(value: Any) -> Any:
    """Every {{ value }}: tenant text loses control characters and bidi overrides; line breaks and markup stay."""
    from markupsafe import Markup

    return strip_controls(value) if isinstance(value, str) and not isinstance(value, Markup) else value


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
    return env


def evidence_text(evidence: dict, lang: str) -> str:
    """A short plain-text summary of the values a check looked at (escaped by the template)."""
    parts = []
    for key, value in evidence.items():
        if key in EVIDENCE_SKIP or value in (None, [], {}, ""):
            continue
        if isinstance(value, dict) and "count" in value:
            sample = ", ".join(str(x) for x in value.get("sample") or [])
            more = value["count"] - len(value.get("sample") or [])
            text = f"{value['count']}" + (f" ({sample}{', …' if more > 0 else ''})" if sample else "")
        elif isinstance(value, (list, dict)):
            text = ", ".join(str(x) for x in value) if isinstance(value, list) else ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            text = str(value)
        parts.append(f"{key}: {text}")
    return "; ".join(parts)[:600]


def report_view(result: Audit, lang: str) -> dict[str, Any]:
    data = audit_dict(result, lang)
    for check in data["checks"]:
        for f in check["findings"]:
            f["evidence_text"] = evidence_text(f["evidence"], lang)
    reasons = [{"code": c, "label": labels(lang)["reason_words"].get(c, c), "count": n}
               for c, n in data["summary"]["reasons"].items() if c not in INFO_REASONS][:8]
    by_dept: dict[str, list[dict]] = {}
    for row in data["people"]:
        if row["ready"] is False:
            by_dept.setdefault(row["department"], []).append(row)
    return {"r": data, "L": labels(lang), "lang": lang, "trend": result.trend, "reasons": reasons,
            "people_by_department": sorted(by_dept.items(), key=lambda kv: kv[0].lower()),
            "privacy": {"pseudonymized": result.privacy.pseudonymized, "aggregate_only": result.privacy.aggregate_only}, "version": __version__,
            "css": data_root("reports").joinpath("templates", "report.css").read_text("utf-8"),
            # the measures register's words (docs/crisis.md); the summary carries "measures" after a tracked audit
            "M": labels(lang)["crisis"]["measures"]}


def render_html(result: Audit, lang: str = "en") -> str:
    return _env(lang).get_template("report.html.j2").render(**report_view(result, lang))
