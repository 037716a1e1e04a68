"""The audit as Markdown (tickets and wikis); every tenant string escaped."""
from __future__ import annotations

from .seat_money import first_page_lines

from ..audit.model import Audit
from ..audit.scoring import traffic_light
from ..i18n import labels, text, when
from .audit_text import department_name, reason_text
from .safe import md


def _table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(result: Audit, lang: str = "en") -> str:
    L = labels(lang)
    trend = result.trend
    s = result.summary
    out = [f"# {L['audit_title']}: {md(result.tenant.name)}", "",
           f"*{L['collected']}: {md(when(result.collected_at, lang))}*", "",
           f"**{L['overall_score']}: {result.score if result.score is not None else '-'}/100** "
           f"({L['lights'][traffic_light(result.score)]})", "",
           f"**{text('people_ready', lang, ready=s['ready'], people=s['people'])}**"
           + (f" ({text('people_unknown', lang, n=s['not_evaluable'])})" if s["not_evaluable"] else ""), ""]
    if (buy := result.seats_to_buy):
        out += [text("seats_to_buy", lang, n=buy), ""]
    out += [x for line in first_page_lines(s, lang) for x in (md(line), "")]  # issue 14: recovery, seats in money
    out += [_table([L["area"], L["score"], L["light"]],
                   [[L["areas"][a], "-" if v is None else v, L["lights"][traffic_light(v)]] for a, v in result.areas.items()]), ""]
    if (actions := result.top_actions):
        out += [f"## {L['top_actions']}", ""]
        out += [f"{i + 1}. {md(fd.message[lang])} {md(spec.remediation[lang])} "
                f"({L['effort_label']}: {L['effort'][spec.effort]}" + (f", {L['playbook']}: `{spec.fix_playbook}`)" if spec.fix_playbook else ")")
                for i, (spec, st, fd) in enumerate(actions)]
        out.append("")
    if trend:
        def d(x: int | None) -> str:
            return "-" if x is None else (f"+{x}" if x > 0 else str(x))

        out += [f"## {L['trend']} ({md(text('previous', lang, date=when(trend['previous_collected_at'], lang)))})", "",
                _table(["", L["before"], L["now"], L["change"]],
                       [[L["overall_score"], trend["overall"]["before"], trend["overall"]["now"], d(trend["overall"]["delta"])]]
                       + [[L["areas"][a], v["before"], v["now"], d(v["delta"])] for a, v in trend["areas"].items()]
                       + [[L["ready"], trend["ready"]["before"], trend["ready"]["now"], d(trend["ready"]["now"] - trend["ready"]["before"])]]), ""]
        if trend["newly_ready"]:
            out += [f"**{L['newly_ready']}:** " + ", ".join(md(p["displayName"]) for p in trend["newly_ready"]), ""]
        if trend["newly_not_ready"]:
            out += [f"**{L['newly_not_ready']}:** " + ", ".join(md(p["displayName"]) for p in trend["newly_not_ready"]), ""]
        for key in ("better", "worse"):
            label = L["improved"] if key == "better" else L["worse"]
            out += [f"- {label}: {md(c['title'][lang])} ({L['status'][c['before']]} → {L['status'][c['now']]})" for c in trend[key]]
        out.append("")
    out += [f"## {L['licences_title']}", "",
            _table([L["licence"], L["sku"], L["bought"], L["assigned"], L["free"]],
                   [[md(r["name"]), md(r["skuPartNumber"]), r["enabled"], r["consumed"], r["free"]] for r in result.licences]), ""]
    out += [f"## {L['findings']}", ""]
    for area in L["areas"]:
        rows = [[L["status"][st.value], L["severity"][spec.severity.value], f"`{spec.id}`", md(fs[0].message[lang])]
                for spec, st, fs in result.checks if spec.area == area]
        out += [f"### {L['areas'][area]}", "", _table([L["status_label"], L["severity_label"], L["check"], L["result"]], rows), ""]
    not_ready = [r for r in result.people if r["ready"] is False]
    out += [f"## {L['departments']}", "",
            _table([L["department"], L["people"], L["ready"], L["not_ready"]],
                   [[department_name(d, lang, md), d["people"], d["ready"], d["not_ready"]] for d in result.departments]), ""]
    if not_ready:
        out += [f"## {L['not_ready_people']} ({len(not_ready)})", "",
                _table([L["person"], L["department"], L["reasons"]],
                       [[md(r["displayName"]), md(r["department"] or L["no_department"]), md(reason_text(r["reasons"], lang))] for r in not_ready]), ""]
    if (missing := result.not_evaluated):
        out += [f"## {L['not_checked']}", "", _table([L["section"], L["why"]], [[md(m.name[lang]), md(m.reason[lang])] for m in missing]), ""]
    return "\n".join(out)

