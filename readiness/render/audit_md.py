"""The audit as Markdown (tickets and wikis); every tenant string escaped."""
from __future__ import annotations

from .audit_text import count
from .audit_view import AuditView
from .safe import md


def _table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(view: AuditView) -> str:
    L = view.L
    trend = view.trend
    out = [f"# {L['audit_title']}: {md(view.tenant)}", "",
           f"*{L['collected']}: {md(view.collected)}*", "",
           f"**{L['overall_score']}: {view.score_value if view.score_value is not None else '-'}/100** ({view.light_word})", "",
           f"**{view.people_line}**" + (f" ({view.unknown_line})" if view.unknown_line else ""), ""]
    if view.seats_line:
        out += [view.seats_line, ""]
    out += [x for line in view.money_lines for x in (md(line), "")]  # issue 14: recovery, seats in money
    out += [_table([L["area"], L["score"], L["light"]],
                   [[a.label, "-" if a.score is None else a.score, a.light_word] for a in view.areas]), ""]
    if view.top_actions:
        out += [f"## {L['top_actions']}", ""]
        out += [f"{i + 1}. {md(a.message)} {md(a.remediation)} "
                f"({L['effort_label']}: {a.effort}" + (f", {L['playbook']}: `{a.playbook}`)" if a.playbook else ")")
                for i, a in enumerate(view.top_actions)]
        out.append("")
    if trend:
        out += [f"## {L['trend']} ({md(trend.previous)})", "",
                _table(["", L["before"], L["now"], L["change"]], [[r.label, "-" if r.before is None else r.before, "-" if r.now is None else r.now, r.delta] for r in trend.rows]), ""]
        if trend.newly_ready:
            out += [f"**{L['newly_ready']}:** " + ", ".join(md(n) for n in trend.newly_ready), ""]
        if trend.newly_not_ready:
            out += [f"**{L['newly_not_ready']}:** " + ", ".join(md(n) for n in trend.newly_not_ready), ""]
        for label, changes in ((L["improved"], trend.better), (L["worse"], trend.worse)):
            out += [f"- {label}: {md(c.title)} ({c.before_word} → {c.now_word})" for c in changes]
        out.append("")
    out += [f"## {L['licences_title']}", "",
            _table([L["licence"], L["sku"], L["bought"], L["assigned"], L["free"]],
                   [[md(r["name"]), md(r["skuPartNumber"]), *(count(r[k], view.lang) for k in ("enabled", "consumed", "free"))]
                    for r in view.licences]), ""]
    out += [f"## {L['findings']}", ""]
    for area in L["areas"]:
        rows = [[c.status_word, c.severity_word, f"`{c.id}`", md(c.message)] for c in view.checks if c.area == area]
        out += [f"### {L['areas'][area]}", "", _table([L["status_label"], L["severity_label"], L["check"], L["result"]], rows), ""]
    out += [f"## {L['departments']}", "",
            _table([L["department"], L["people"], L["ready"], L["not_ready"]],
                   [[d.name if d.row.get("other") else md(d.name), *(count(v, view.lang) for v in (d.people, d.ready, d.not_ready))]
                    for d in view.departments]), ""]
    if view.not_ready:
        escaped: dict[str, str] = {}  # names, departments and reason lists repeat across thousands of rows: escape each
        # once (2,700 distinct names among 50,000 people not ready at 100,000)

        def md_once(text: str) -> str:
            got = escaped.get(text)
            if got is None:
                got = escaped[text] = md(text)
            return got

        # the rows as _table writes them, each line made at once (50,000 rows at 100,000 people)
        lines = [_table([L["person"], L["department"], L["reasons"]], [])]
        lines += [f"| {md_once(r.name)} | {md_once(r.department)} | {md_once(r.reasons)} |" for r in view.not_ready]
        out += [f"## {L['not_ready_people']} ({count(len(view.not_ready), view.lang)})", "", "\n".join(lines), ""]
    if view.not_evaluated:
        out += [f"## {L['not_checked']}", "", _table([L["section"], L["why"]], [[md(name), md(why)] for name, why in view.not_evaluated]), ""]
    return "\n".join(out)
