"""The audit as a terminal table: summary, area scores, top actions, findings, people not ready."""
from __future__ import annotations

from typing import Any

from tabulate import tabulate

from ..i18n import labels, number, text
from .audit_view import AuditView
from .safe import terminal as esc

PEOPLE_LIMIT = 30
STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "not_evaluable": 3}
ANSI = {"fail": "31;1", "error": "31", "warn": "33", "not_evaluable": "2", "pass": "32",  # SGR colours
        "red": "31;1", "yellow": "33", "green": "32", "grey": "2"}
MIN_TEXT = 20  # a wrapped column never gets narrower than this
NAMES_SHOWN = 12  # names in a trend line before "and N more"


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


def _dash(value: object) -> object:
    return "-" if value is None else value


def _names(names: list[str], lang: str) -> str:
    shown = ", ".join(esc(n) for n in names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (" " + text("report_words.and_n_more", lang, n=more) if more > 0 else "")


def render_table(view: AuditView, *, color: bool = False, width: int | None = None) -> str:
    """+ color: status words and lights in ANSI colour (the CLI passes it on a TTY without NO_COLOR/--no-color).
    + width: wrap the long text columns so no line is wider (the CLI passes the terminal's width)."""
    L, lang = view.L, view.lang
    out = [f"{L['audit_title']}: {esc(view.tenant)} ({view.collected})",
           f"{L['overall_score']}: {view.score} ({paint(view.light_word, view.light, color)})",
           view.people_line + (f"; {view.unknown_line}" if view.unknown_line else "")]
    if view.seats_line:
        out.append(view.seats_line)
    out.extend(esc(line) for line in view.money_lines)  # issue 14: recovery, seats in money
    out.append("")
    rows = [[a.label, "-" if a.score is None else a.score, paint(a.light_word, a.light, color)] for a in view.areas]
    out.append(tabulate(rows, headers=[L["area"], L["score"], L["light"]], disable_numparse=True, colalign=("left", "right", "left")))
    trend = view.trend
    if trend:
        out.append(f"\n{L['trend']} ({trend.previous})")
        rows = [[r.label, _dash(r.before), _dash(r.now), r.delta] for r in trend.rows]
        out.append(tabulate(rows, headers=["", L["before"], L["now"], L["change"]], disable_numparse=True,
                            colalign=("left", "right", "right", "right")))
        if not view.aggregate_only:
            for label, names in ((L["newly_ready"], trend.newly_ready), (L["newly_not_ready"], trend.newly_not_ready)):
                if names:
                    out.append(f"{label} ({len(names)}): {_names(names, lang)}")
        for label, changes in ((L["improved"], trend.better), (L["worse"], trend.worse)):
            for c in changes:
                out.append(f"{label}: {esc(c.title)} ({c.before_word} -> {c.now_word})")
        if trend.nothing_changed:
            out.append(L["nothing_changed"])
    if view.top_actions:
        out.append(f"\n{L['top_actions']}")
        rows = [[i + 1, esc(a.message), a.effort, a.playbook or "-"] for i, a in enumerate(view.top_actions)]
        out.append(fit(rows, ["#", L["action"], L["effort_label"], L["playbook"]], width, 1))
    findings = sorted((c for c in view.checks if c.status != "pass"), key=lambda c: (STATUS_ORDER[c.status], -c.severity_rank))
    if findings:
        out.append(f"\n{L['findings']}")
        rows = [[paint(c.status_word, c.status, color), c.severity_word, c.id, esc(c.message)] for c in findings]
        out.append(fit(rows, [L["status_label"], L["severity_label"], L["check"], L["result"]], width or 120, 3))
    shown, not_ready = view.not_ready_head(PEOPLE_LIMIT)  # the rest only counted (50,000 at 100,000 people)
    if not_ready:
        out.append(f"\n{L['not_ready_people']} ({number(not_ready, lang)})")
        rows = [[esc(r.name), esc(r.upn), esc(r.department), r.reasons] for r in shown]
        out.append(fit(rows, [L["person"], L["upn"], L["department"], L["reasons"]], width or 160, 3))
        if not_ready > PEOPLE_LIMIT:
            out.append(text("and_more", lang, n=not_ready - PEOPLE_LIMIT))
    if view.not_evaluated:
        out.append(f"\n{L['not_checked']}")
        out.append(fit([[name, esc(why)] for name, why in view.not_evaluated], [L["section"], L["why"]], width or 120, 1))
    text_out = "\n".join(out)
    if width:
        text_out = "\n".join(cut_line(line, width) for line in text_out.splitlines())
    return text_out + "\n"


def count(value: Any, lang: str) -> str:
    """A count in a table cell in the language's format (10,000 / 10.000), "-" for none."""
    return "-" if value is None else number(value, lang) if isinstance(value, int) else str(value)


def render_licences(result: Any, lang: str = "en") -> str:
    """+ result: an Audit or its AuditView (both carry ``licences``)."""
    L = labels(lang)
    rows = [[esc(r["name"]), esc(r["skuPartNumber"]), *(count(r[k], lang) for k in ("enabled", "consumed", "free"))]
            for r in result.licences]
    return tabulate(rows, headers=[L["licence"], L["sku"], L["bought"], L["assigned"], L["free"]], disable_numparse=True,
                    colalign=("left", "left", "right", "right", "right"))
