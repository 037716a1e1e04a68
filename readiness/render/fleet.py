"""The cross-tenant summary: one row per tenant, riskiest first, totals; table, md, csv, json, html.

Input is fleet entries (plain dicts written by `fleet audit`): counts, scores and check statuses only, so
no person's name can reach this summary. Tenant-controlled strings (tenant names, errors) are escaped for
every format.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from .. import __version__
from ..errors import ReadinessError
from ..resources import data_root
from ..i18n import labels, number, text, when
from .safe import csv_cell, md, sheet, terminal

LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2}


def fleet_labels(lang: str) -> dict[str, Any]:
    """The fleet summary's words: the "fleet" part of the language's catalogue."""
    return labels(lang)["fleet"]


def risk_key(row: dict) -> tuple:
    """Failed tenants first (nothing is known), then red before yellow before green, lowest score first."""
    failed = row.get("status") == "failed"
    return (not failed, LIGHT_RANK.get(row.get("light") or "", -1), row.get("score") if row.get("score") is not None else -1,
            row.get("name", ""))


def error_text(entry: dict, lang: str) -> str | None:
    """A fleet entry's error in ``lang``: from its keys when the catalogue knows them (newer entries),
    else the English text it stored."""
    said = ReadinessError.from_data(entry.get("error_data"))
    if said is not None:
        return said.text(lang)
    error = entry.get("error")
    return error if isinstance(error, str) else None


def rows(entries: list[dict], lang: str = "en") -> list[dict]:
    """One plain row per tenant, sorted by risk; the same data for every format."""
    out = []
    for e in entries:
        checks = e.get("checks") or {}
        out.append({
            "name": e.get("name", ""), "tenant_name": e.get("tenant_name", ""), "tenant_id": e.get("tenant_id", ""),
            "status": e.get("status"), "error": error_text(e, lang), "score": e.get("score"), "light": e.get("light"),
            "people": e.get("people"), "ready": e.get("ready"), "not_ready": e.get("not_ready"),
            "not_evaluable": e.get("not_evaluable"), "seats_to_buy": e.get("seats_to_buy"),
            "new_failing": e.get("new_failing"), "fixed": e.get("fixed"), "regressed": e.get("regressed"),
            "newly_ready": e.get("newly_ready"), "newly_not_ready": e.get("newly_not_ready"),
            "top_actions": [(a.get("title") or {}).get(lang) or a.get("id") for a in (e.get("top_actions") or [])][:3],
            "top_action_ids": [a.get("id") for a in (e.get("top_actions") or [])][:3],
            "new_failing_titles": [((checks.get(c) or {}).get("title") or {}).get(lang, c) for c in e.get("new_failing") or []],
            "audited_at": e.get("audited_at"), "report": e.get("report_href"),
        })
    return sorted(out, key=risk_key)


def totals(table: list[dict]) -> dict:
    ok = [r for r in table if r["status"] != "failed"]
    return {"tenants": len(table), "audited": len(ok), "failed": len(table) - len(ok),
            "people": sum(r["people"] or 0 for r in ok), "ready": sum(r["ready"] or 0 for r in ok),
            "not_ready": sum(r["not_ready"] or 0 for r in ok), "not_evaluable": sum(r["not_evaluable"] or 0 for r in ok),
            "seats_to_buy": sum(r["seats_to_buy"] or 0 for r in ok),
            "new_failing": sum(len(r["new_failing"] or []) for r in ok), "fixed": sum(len(r["fixed"] or []) for r in ok),
            "regressed": sum(len(r["regressed"] or []) for r in ok)}


def _count(v: list | None) -> str:
    return "-" if v is None else str(len(v))


def _csv(table: list[dict], lang: str, headers: str) -> str:
    L = fleet_labels(lang)
    cols = ["name", "tenant_name", "tenant_id", "status", "score", "light", "people", "ready", "not_ready",
            "not_evaluable", "seats_to_buy", "new_failing", "fixed", "regressed", "top_actions", "audited_at", "error"]
    sep, bom = sheet(lang, headers)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    if headers == "ids":
        w.writerow(cols)
    else:
        words = {**L["csv_columns"], "name": L["tenant"], "status": L["status"], "score": L["score"], "light": L["light"],
                 "seats_to_buy": L["seats"], "new_failing": L["new_failing"], "fixed": L["fixed"], "regressed": L["regressed"],
                 "top_actions": L["top_actions"], "audited_at": L["last_audit"], "error": L["error"]}
        w.writerow([words[c] for c in cols])
    for r in table:
        vals = dict(r, new_failing=";".join(r["new_failing"] or []), fixed=";".join(r["fixed"] or []),
                    regressed=";".join(r["regressed"] or []), top_actions=";".join(r["top_action_ids"]))
        if headers != "ids":  # words where there are codes, dates as the language writes them
            vals.update(status=L["statuses"].get(r["status"], r["status"]), light=L["lights"].get(r["light"], r["light"]),
                        top_actions="; ".join(r["top_actions"]), audited_at=when(r["audited_at"], lang) if r["audited_at"] else "")
        w.writerow([csv_cell("" if vals[c] is None else vals[c]) for c in cols])
    return bom + buf.getvalue()


def render_fleet(entries: list[dict], fmt: str, lang: str = "en", *, command: str = "fleet report",
                 exit_code: int = 0, headers: str = "ids") -> str:
    """``headers``: the CSV's dialect, ``labels`` (a spreadsheet's: words, the language's separator, a BOM) or ``ids``."""
    L = fleet_labels(lang)
    table = rows(entries, lang)
    tot = totals(table)
    if fmt == "json":
        from .envelope import envelope

        status = "success" if all(r["status"] == "success" for r in table) else "partial"
        return envelope(command, {"tenants": table, "totals": tot}, exit_code=exit_code, status=status)
    if fmt == "csv":
        return _csv(table, lang, headers)
    if fmt == "html":
        return _html(table, tot, lang)
    line = text("fleet.total_line", lang, ready=number(tot["ready"], lang), people=number(tot["people"], lang),
                ok=tot["audited"], seats=number(tot["seats_to_buy"], lang), failed=tot["failed"])  # real plurals
    head = [L["tenant"], L["status"], L["score"], L["can_work"], L["seats"], L["new_failing"], L["fixed"], L["regressed"],
            L["top_actions"], L["last_audit"], L["error"]]

    def cells(r: dict, esc: Any) -> list[str]:
        return [esc(r["name"]), L["statuses"].get(r["status"], r["status"]),
                "-" if r["score"] is None else f"{r['score']} ({L['lights'].get(r['light'], r['light'])})",
                "-" if r["people"] is None else L["n_of_m"].format(ready=number(r["ready"], lang), people=number(r["people"], lang)),
                "-" if r["seats_to_buy"] is None else number(r["seats_to_buy"], lang),
                _count(r["new_failing"]), _count(r["fixed"]), _count(r["regressed"]),
                esc("; ".join(r["top_actions"])) or "-", when(r["audited_at"], lang) if r["audited_at"] else "-",
                esc(r["error"] or "") or "-"]

    if fmt == "md":
        out = [f"# {L['title']}", "", md(L["subtitle"].format(tenants=tot["tenants"])), "",
               "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(cells(r, md)) + " |" for r in table]
        out += ["", f"**{L['totals']}:** {line}", ""]
        return "\n".join(out)
    from tabulate import tabulate

    body = tabulate([cells(r, lambda s: terminal(s)[:80]) for r in table], headers=head, disable_numparse=True)
    return f"{body}\n\n{L['totals']}: {line}\n"


def _html(table: list[dict], tot: dict, lang: str) -> str:
    import jinja2

    root = data_root("reports").joinpath("templates")
    env = jinja2.Environment(loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text("utf-8")),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v: number(v, lang) if isinstance(v, (int, float)) else ("-" if v is None else v)
    env.filters["when"] = lambda iso: when(iso, lang) if iso else "-"
    total_line = text("fleet.total_line", lang, ready=number(tot["ready"], lang), people=number(tot["people"], lang),
                      ok=tot["audited"], seats=number(tot["seats_to_buy"], lang), failed=tot["failed"])
    return env.get_template("fleet.html.j2").render(L=fleet_labels(lang), rows=table, totals=tot, lang=lang,
                                                    version=__version__, total_line=total_line)
