"""The audit as a terminal table: summary, area scores, top actions, findings, people not ready."""
from __future__ import annotations

from tabulate import tabulate

from ..audit.model import Audit
from ..audit.scoring import traffic_light
from ..i18n import labels, text, when
from .safe import terminal as esc

PEOPLE_LIMIT = 30
STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "not_evaluable": 3}


def reason_text(codes: list[str], lang: str) -> str:
    words = labels(lang)["reason_words"]
    return ", ".join(words.get(c, c) for c in codes)


def render_table(result: Audit, lang: str = "en", *, color: bool = False) -> str:
    L = labels(lang)
    s = result.summary
    out = []
    score = "-" if result.score is None else f"{result.score}/100"
    out.append(f"{L['audit_title']}: {esc(result.tenant.name)} ({when(result.collected_at, lang)})")
    out.append(f"{L['overall_score']}: {score} ({L['lights'][traffic_light(result.score)]})")
    line = text("people_ready", lang, ready=s["ready"], people=s["people"])
    if s["not_evaluable"]:
        line += f"; {text('people_unknown', lang, n=s['not_evaluable'])}"
    out.append(line)
    buy = result.seats_to_buy
    if buy:
        out.append(text("seats_to_buy", lang, n=buy))
    out.append("")
    rows = [[L["areas"][a], "-" if v is None else v, L["lights"][traffic_light(v)]] for a, v in result.areas.items()]
    out.append(tabulate(rows, headers=[L["area"], L["score"], L["light"]], disable_numparse=True, colalign=("left", "right", "left")))
    actions = result.top_actions
    if actions:
        out.append(f"\n{L['top_actions']}")
        rows = [[i + 1, esc(fd.message[lang]), L["effort"].get(spec.effort, spec.effort), spec.fix_playbook or "-"]
                for i, (spec, st, fd) in enumerate(actions)]
        out.append(tabulate(rows, headers=["#", L["action"], L["effort_label"], L["playbook"]], disable_numparse=True))
    findings = [(spec, st, fs) for spec, st, fs in result.checks if st.value != "pass"]
    findings.sort(key=lambda x: (STATUS_ORDER[x[1].value], -x[0].severity.rank))
    if findings:
        out.append(f"\n{L['findings']}")
        rows = [[L["status"][st.value], L["severity"][spec.severity.value], spec.id, esc(fs[0].message[lang])]
                for spec, st, fs in findings]
        out.append(tabulate(rows, headers=[L["status_label"], L["severity_label"], L["check"], L["result"]], disable_numparse=True,
                            maxcolwidths=[None, None, None, 80]))
    not_ready = [r for r in result.people if r["ready"] is False]
    if not_ready:
        out.append(f"\n{L['not_ready_people']} ({len(not_ready)})")
        rows = [[esc(r["displayName"]), esc(r["userPrincipalName"]), esc(r["department"] or L["no_department"]),
                 reason_text(r["reasons"], lang)] for r in not_ready[:PEOPLE_LIMIT]]
        out.append(tabulate(rows, headers=[L["person"], L["upn"], L["department"], L["reasons"]], disable_numparse=True,
                            maxcolwidths=[None, None, None, 70]))
        if len(not_ready) > PEOPLE_LIMIT:
            out.append(text("and_more", lang, n=len(not_ready) - PEOPLE_LIMIT))
    missing = result.not_evaluated
    if missing:
        out.append(f"\n{L['not_checked']}")
        out.append(tabulate([[m.name[lang], esc(m.reason[lang])] for m in missing],
                            headers=[L["section"], L["why"]], disable_numparse=True, maxcolwidths=[None, 100]))
    return "\n".join(out) + "\n"


def render_licences(result: Audit, lang: str = "en") -> str:
    L = labels(lang)
    rows = [[esc(r["name"]), esc(r["skuPartNumber"]), r["enabled"], r["consumed"], r["free"]] for r in result.licences]
    return tabulate(rows, headers=[L["licence"], L["sku"], L["bought"], L["assigned"], L["free"]], disable_numparse=True,
                    colalign=("left", "left", "right", "right", "right"))
