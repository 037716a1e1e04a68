"""The audit as a terminal table: summary, area scores, top actions, findings, people not ready."""
from __future__ import annotations

from .seat_money import first_page_lines

from tabulate import tabulate

from ..audit.model import Audit
from ..audit.scoring import traffic_light
from ..i18n import labels, text, when
from .safe import terminal as esc

PEOPLE_LIMIT = 30
STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "not_evaluable": 3}
ANSI = {"fail": "31;1", "error": "31", "warn": "33", "not_evaluable": "2", "pass": "32",  # SGR colours
        "red": "31;1", "yellow": "33", "green": "32", "grey": "2"}
MIN_TEXT = 20  # a wrapped column never gets narrower than this


def paint(word: str, key: str, color: bool) -> str:
    """``word`` in the colour for ``key`` (status or traffic light) when ``color``; plain otherwise."""
    return f"\x1b[{ANSI[key]}m{word}\x1b[0m" if color and key in ANSI else word


def fit(rows: list[list[object]], headers: list[str], width: int | None, flex: int, **kw: object) -> str:
    """A table no wider than ``width``: the widest columns give up room first; column ``flex`` (the long text)
    wraps at word boundaries, the others are cut with "…". ``width`` None: no limit."""
    plain = tabulate(rows, headers=headers, disable_numparse=True, **kw)
    if width is None or max((len(_strip(line)) for line in plain.splitlines()), default=0) <= width:
        return plain
    widths = [max([len(_strip(str(r[i]))) for r in rows] + [len(headers[i])]) for i in range(len(headers))]
    budget = width - 2 * (len(headers) - 1)
    while sum(widths) > budget:
        i = max(range(len(widths)), key=lambda k: (widths[k], k == flex))
        if widths[i] <= 6:
            break
        widths[i] -= 1

    def cell(value: object, i: int) -> object:
        if i == flex:
            return _cut_words(value, widths[i])
        return cut_line(value, widths[i]) if isinstance(value, str) else value

    rows = [[cell(c, i) for i, c in enumerate(r)] for r in rows]
    headers = [cut_line(h, widths[i]) for i, h in enumerate(headers)]
    cols = [None] * len(headers)
    cols[flex] = widths[flex]
    return tabulate(rows, headers=headers, disable_numparse=True, maxcolwidths=cols, **kw)


def cut_line(line: str, width: int) -> str:
    """``line`` cut to ``width`` visible characters, ending in "…" when cut; colour codes are kept and closed."""
    import re

    if len(_strip(line)) <= width:
        return line
    out, seen = [], 0
    for part in re.split(r"(\x1b\[[0-9;]*m)", line):
        if part.startswith("\x1b["):
            out.append(part)
            continue
        take = part[:max(0, width - 1 - seen)]
        out.append(take)
        seen += len(take)
    return "".join(out).rstrip() + "…" + ("\x1b[0m" if "\x1b[" in line else "")


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _cut_words(text: object, room: int) -> object:
    if not isinstance(text, str):
        return text
    return " ".join(w if len(w) <= room else w[:room - 1] + "…" for w in text.split(" "))


def department_name(d: dict, lang: str, escape=esc) -> str:  # noqa: ANN001
    """A department row's name: "Other (3 small groups)" for the merged row of an aggregate-only audit."""
    if d.get("other"):
        return text("report_words.other_groups", lang, n=d.get("groups", 0))
    return escape(d["department"] or labels(lang)["no_department"])


def _dash(value: object) -> object:
    return "-" if value is None else value


def _delta(d: int | None) -> str:
    return "-" if d is None else (f"+{d}" if d > 0 else str(d))


def reason_text(codes: list[str], lang: str) -> str:
    words = labels(lang)["reason_words"]
    return ", ".join(words.get(c, c) for c in codes)


def render_table(result: Audit, lang: str = "en", *, color: bool = False, width: int | None = None) -> str:
    """+ color: status words and lights in ANSI colour (the CLI passes it on a TTY without NO_COLOR/--no-color).
    + width: wrap the long text columns so no line is wider (the CLI passes the terminal's width)."""
    L = labels(lang)
    s = result.summary
    out = []
    score = "-" if result.score is None else f"{result.score}/100"
    out.append(f"{L['audit_title']}: {esc(result.tenant.name)} ({when(result.collected_at, lang)})")
    light = traffic_light(result.score)
    out.append(f"{L['overall_score']}: {score} ({paint(L['lights'][light], light, color)})")
    line = text("people_ready", lang, ready=s["ready"], people=s["people"])
    if s["not_evaluable"]:
        line += f"; {text('people_unknown', lang, n=s['not_evaluable'])}"
    out.append(line)
    buy = result.seats_to_buy
    if buy:
        out.append(text("seats_to_buy", lang, n=buy))
    out.extend(esc(line) for line in first_page_lines(s, lang))  # issue 14: recovery, seats in money
    out.append("")
    rows = [[L["areas"][a], "-" if v is None else v, paint(L["lights"][traffic_light(v)], traffic_light(v), color)]
            for a, v in result.areas.items()]
    out.append(tabulate(rows, headers=[L["area"], L["score"], L["light"]], disable_numparse=True, colalign=("left", "right", "left")))
    trend = result.trend
    if trend:
        out.append(f"\n{L['trend']} ({text('previous', lang, date=when(trend['previous_collected_at'], lang))})")
        rows = [[L["overall_score"], _dash(trend["overall"]["before"]), _dash(trend["overall"]["now"]), _delta(trend["overall"]["delta"])]]
        rows += [[L["areas"][a], _dash(v["before"]), _dash(v["now"]), _delta(v["delta"])] for a, v in trend["areas"].items()]
        rows.append([L["ready"], trend["ready"]["before"], trend["ready"]["now"], _delta(trend["ready"]["now"] - trend["ready"]["before"])])
        out.append(tabulate(rows, headers=["", L["before"], L["now"], L["change"]], disable_numparse=True,
                            colalign=("left", "right", "right", "right")))
        for key, label in (("better", L["improved"]), ("worse", L["worse"])):
            for c in trend[key]:
                out.append(f"{label}: {esc(c['title'][lang])} ({L['status'][c['before']]} -> {L['status'][c['now']]})")
    actions = result.top_actions
    if actions:
        out.append(f"\n{L['top_actions']}")
        rows = [[i + 1, esc(fd.message[lang]), L["effort"].get(spec.effort, spec.effort), spec.fix_playbook or "-"]
                for i, (spec, st, fd) in enumerate(actions)]
        out.append(fit(rows, ["#", L["action"], L["effort_label"], L["playbook"]], width, 1))
    findings = [(spec, st, fs) for spec, st, fs in result.checks if st.value != "pass"]
    findings.sort(key=lambda x: (STATUS_ORDER[x[1].value], -x[0].severity.rank))
    if findings:
        out.append(f"\n{L['findings']}")
        rows = [[paint(L["status"][st.value], st.value, color), L["severity"][spec.severity.value], spec.id,
                 esc(fs[0].message[lang])] for spec, st, fs in findings]
        out.append(fit(rows, [L["status_label"], L["severity_label"], L["check"], L["result"]], width or 120, 3))
    not_ready = [r for r in result.people if r["ready"] is False]
    if not_ready:
        out.append(f"\n{L['not_ready_people']} ({len(not_ready)})")
        rows = [[esc(r["displayName"]), esc(r["userPrincipalName"]), esc(r["department"] or L["no_department"]),
                 reason_text(r["reasons"], lang)] for r in not_ready[:PEOPLE_LIMIT]]
        out.append(fit(rows, [L["person"], L["upn"], L["department"], L["reasons"]], width or 160, 3))
        if len(not_ready) > PEOPLE_LIMIT:
            out.append(text("and_more", lang, n=len(not_ready) - PEOPLE_LIMIT))
    missing = result.not_evaluated
    if missing:
        out.append(f"\n{L['not_checked']}")
        out.append(fit([[m.name[lang], esc(m.reason[lang])] for m in missing], [L["section"], L["why"]], width or 120, 1))
    text_out = "\n".join(out)
    if width:
        text_out = "\n".join(cut_line(line, width) for line in text_out.splitlines())
    return text_out + "\n"


def render_licences(result: Audit, lang: str = "en") -> str:
    L = labels(lang)
    rows = [[esc(r["name"]), esc(r["skuPartNumber"]), r["enabled"], r["consumed"], r["free"]] for r in result.licences]
    return tabulate(rows, headers=[L["licence"], L["sku"], L["bought"], L["assigned"], L["free"]], disable_numparse=True,
                    colalign=("left", "left", "right", "right", "right"))
