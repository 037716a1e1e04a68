"""`readiness history` output: a table per tenant over time; in HTML an inline SVG line chart (no scripts)."""
from __future__ import annotations

import csv
import io

from .fleet import fleet_labels
from ..i18n import when
from .safe import csv_cell, md, sheet, terminal


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{round(v * 100)} %"


def _points(series: list[dict], key: str, scale: float, w: int = 480, h: int = 120) -> str:
    vals = [(i, p[key]) for i, p in enumerate(series) if p.get(key) is not None]
    if not vals:
        return ""
    step = w / max(1, len(series) - 1)
    return " ".join(f"{i * step:.1f},{h - (v / scale) * h:.1f}" for i, v in vals)


def render_history(series: dict[str, list[dict]], fmt: str, lang: str = "en", headers: str = "ids") -> str:
    """``headers``: the CSV's dialect, ``labels`` (a spreadsheet's: words, the language's separator, a BOM) or ``ids``."""
    L = fleet_labels(lang)
    if fmt == "json":
        from .envelope import envelope

        return envelope("history", {"tenants": series})
    if fmt == "csv":
        keys = ("audited_at", "status", "score", "light", "people", "ready", "share_ready")
        sep, bom = sheet(lang, headers)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=sep, lineterminator="\n")
        if headers == "ids":
            w.writerow(["name", *keys])
        else:
            w.writerow([L["tenant"], L["date"], L["status"], L["score"], L["light"], L["csv_columns"]["people"],
                        L["csv_columns"]["ready"], L["share_ready"]])
        for name, pts in series.items():
            for p in pts:
                row = {k: "" if p[k] is None else p[k] for k in keys}
                if headers != "ids":  # words for codes, the language's date, the share as a percentage
                    row.update(audited_at=when(p["audited_at"], lang) if p["audited_at"] else "",
                               status=L["statuses"].get(p["status"], p["status"]), light=L["lights"].get(p["light"], p["light"] or ""),
                               share_ready="" if p["share_ready"] is None else _pct(p["share_ready"]))
                w.writerow([csv_cell(name)] + [row[k] for k in keys])
        return bom + buf.getvalue()
    head = [L["date"], L["status"], L["score"], L["can_work"], L["share_ready"]]

    def cells(p: dict) -> list[str]:
        return [when(p["audited_at"], lang) if p["audited_at"] else "-", L["statuses"].get(p["status"], p["status"]),
                "-" if p["score"] is None else str(p["score"]),
                "-" if p["people"] is None else L["n_of_m"].format(ready=p["ready"], people=p["people"]),
                _pct(p["share_ready"])]

    if fmt == "html":
        import html

        parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
                 "content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>" + html.escape(L["history_title"]) +
                 "</title><style>body{font-family:system-ui,Arial,sans-serif;max-width:960px;margin:auto;padding:16px}"
                 "table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}"
                 "</style></head><body><h1>" + html.escape(L["history_title"]) + "</h1>"]
        for name, pts in series.items():
            parts.append(f"<h2>{html.escape(name)}</h2>")
            parts.append('<svg role="img" width="500" height="140" viewBox="-10 -10 500 140" xmlns="http://www.w3.org/2000/svg">'
                         '<rect x="0" y="0" width="480" height="120" fill="none" stroke="#d9e2ec"/>'
                         f'<polyline fill="none" stroke="#1e7d32" stroke-width="2" points="{_points(pts, "score", 100)}"/>'
                         f'<polyline fill="none" stroke="#1f5fbf" stroke-width="2" stroke-dasharray="4 3" points="{_points(pts, "share_ready", 1)}"/>'
                         "</svg>")
            parts.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells(p)) + "</tr>" for p in pts]
            parts.append("</table>")
        parts.append("</body></html>\n")
        return "".join(parts)
    if fmt == "md":
        out = [f"# {L['history_title']}", ""]
        for name, pts in series.items():
            out += [f"## {md(name)}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            out += ["| " + " | ".join(cells(p)) + " |" for p in pts] + [""]
        return "\n".join(out)
    from tabulate import tabulate

    blocks = [f"{terminal(name)}\n" + tabulate([cells(p) for p in pts], headers=head, disable_numparse=True)
              for name, pts in series.items()]
    return "\n\n".join(blocks) + "\n"
