"""One view of an Audit in one language, built in one place: every audit renderer (table, json, csv, md, html)
lays out this view and nothing else (issue 9: no renderer walks the Audit object on its own).

The view holds words (labels from the catalogue, status and severity words, reasons, dates and numbers in the
language's format) next to the stable codes (check ids, status codes) that scripts key on. Tenant strings
(names, UPNs, departments, SKU names) stay raw here: each format escapes them as it needs (safe.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any, Callable, Iterator

from ..audit.matrix import INFO_REASONS
from ..audit.model import Audit
from ..audit.scoring import traffic_light
from ..i18n import labels, resolve, text, when
from .audit_data import audit_data, audit_errors
from .seat_money import first_page_lines


@dataclass(frozen=True)
class AreaRow:
    area: str  # stable id
    label: str
    score: int | None
    light: str  # red | yellow | green | grey
    light_word: str


@dataclass(frozen=True)
class TrendRow:
    label: str
    before: Any  # a score or a count; None: not scored then
    now: Any
    delta: str  # "+3", "-2", "0" or "-"


@dataclass(frozen=True)
class CheckChange:
    id: str
    title: str
    before: str  # status code
    now: str
    before_word: str
    now_word: str
    message: str


@dataclass(frozen=True)
class TrendView:
    """The audit against ``--previous``: scores before and now, who became ready or not, which checks changed."""

    previous: str  # "previous audit of 20 Nov 2026, 09:00 UTC"
    rows: list[TrendRow]
    newly_ready: list[str]  # display names (tenant strings)
    newly_not_ready: list[str]
    better: list[CheckChange]
    worse: list[CheckChange]
    before_by_check: dict[str, str]  # check id -> status code in the previous audit (changed checks only)

    @property
    def nothing_changed(self) -> bool:
        return not (self.better or self.worse or self.newly_ready or self.newly_not_ready)


@dataclass(frozen=True)
class ActionRow:
    id: str
    message: str
    remediation: str
    effort: str  # the word
    playbook: str  # "" when none


@dataclass(frozen=True)
class FindingRow:
    status: str
    status_word: str
    target: Any
    message: str
    evidence: dict


@dataclass(frozen=True)
class CheckRow:
    id: str
    area: str
    area_word: str
    severity: str
    severity_word: str
    severity_rank: int
    status: str
    status_word: str
    title: str
    fix_playbook: str | None
    findings: list[FindingRow]

    @property
    def message(self) -> str:
        """The first finding's message: the check's result in one line."""
        return self.findings[0].message if self.findings else ""


@dataclass(frozen=True)
class PersonRow:
    name: str
    upn: str
    department: str  # the department, or the "no department" word
    reasons: str  # the reasons in words, comma separated


@dataclass(frozen=True)
class DepartmentRow:
    name: str  # the department, "no department" or "Other (3 small groups)"
    people: int
    ready: int
    not_ready: int
    reasons: str
    row: dict  # the department's counts as data (for CSV)


@dataclass
class AuditView:
    """Everything a renderer shows, in ``lang``. ``data`` is the JSON output's ``data`` (the same keys as ever)."""

    lang: str
    L: dict
    data: dict
    tenant: str
    collected: str
    score: str  # "62/100" or "-"
    score_value: int | None
    light: str
    light_word: str
    people_line: str
    unknown_line: str  # "" when everyone could be judged
    seats_line: str  # "" when no seats are missing
    money_lines: list[str]  # recovery, seats in money (SKU part numbers inside: escape)
    areas: list[AreaRow]
    trend: TrendView | None
    top_actions: list[ActionRow]
    checks: list[CheckRow]
    departments: list[DepartmentRow]
    licences: list[dict]
    not_evaluated: list[tuple[str, str]]  # (section, why)
    reasons: list[dict] = field(default_factory=list)  # the chart: {code, label, count}, most frequent first
    aggregate_only: bool = False
    pseudonymized: bool = False
    status: str = "success"  # the envelope's status: success, partial, failed
    errors: list = field(default_factory=list)  # sections lost to faults (the envelope's errors)
    people: list[dict] = field(default_factory=list, repr=False)  # the matrix rows (``not_ready`` is made of them)

    @cached_property
    def not_ready(self) -> list[PersonRow]:
        """The people not ready, in the matrix's order, their reasons in words: made when a format first reads it
        (Markdown does; HTML, CSV and JSON do not: 0.2-0.4 s of every other view at 100,000 people)."""
        return list(self._not_ready())

    def not_ready_head(self, n: int) -> tuple[list[PersonRow], int]:
        """The first ``n`` of ``not_ready`` and how many there are, without making the rest (the table shows 25)."""
        if "not_ready" in self.__dict__:
            return self.not_ready[:n], len(self.not_ready)
        return list(islice(self._not_ready(), n)), sum(1 for r in self.people if r["ready"] is False)

    def _not_ready(self) -> Iterator[PersonRow]:
        said, L = _reasons_said(self.lang), self.L
        return (PersonRow(r["displayName"], r["userPrincipalName"], r["department"] or L["no_department"],
                          said(r["reasons"])) for r in self.people if r["ready"] is False)


def _delta(d: int | None) -> str:
    return "-" if d is None else (f"+{d}" if d > 0 else str(d))


def reason_words(codes: list[str], lang: str) -> str:
    words = labels(lang)["reason_words"]
    return ", ".join(words.get(c, c) for c in codes)


def _reasons_said(lang: str) -> Callable[[list[str]], str]:
    """``reason_words`` in ``lang`` for many rows, each distinct list of codes put in words once (about 1,000 distinct
    lists for 50,000 people not ready at 100,000; a catalogue look-up and join per row was 0.2-0.4 s of every view of
    100,000 people, issue 15)."""
    said: dict[tuple, str] = {}

    def say(codes: list[str]) -> str:
        key = tuple(codes)
        got = said.get(key)
        if got is None:
            got = said[key] = reason_words(codes, lang)
        return got

    return say


def department_word(d: dict, lang: str) -> str:
    """A department row's name: "Other (3 small groups)" for the merged row of an aggregate-only audit."""
    if d.get("other"):
        return text("report_words.other_groups", lang, n=d.get("groups", 0))
    return d["department"] or labels(lang)["no_department"]


def _trend(trend: dict | None, lang: str, L: dict) -> TrendView | None:
    if not trend:
        return None
    o, r = trend["overall"], trend["ready"]
    rows = [TrendRow(L["overall_score"], o["before"], o["now"], _delta(o["delta"]))]
    rows += [TrendRow(L["areas"][a], v["before"], v["now"], _delta(v["delta"])) for a, v in trend["areas"].items()]
    rows.append(TrendRow(L["ready"], r["before"], r["now"], _delta(r["now"] - r["before"])))

    def changed(c: dict) -> CheckChange:
        return CheckChange(c["id"], resolve(c["title"], lang), c["before"], c["now"], L["status"][c["before"]],
                           L["status"][c["now"]], resolve(c["message"], lang))

    better, worse = [changed(c) for c in trend["better"]], [changed(c) for c in trend["worse"]]
    return TrendView(text("previous", lang, date=when(trend["previous_collected_at"], lang)), rows,
                     [p["displayName"] for p in trend["newly_ready"]], [p["displayName"] for p in trend["newly_not_ready"]],
                     better, worse, {c.id: c.before for c in better + worse})


def build(audit: Audit, lang: str = "en") -> AuditView:
    """The view of ``audit`` in ``lang``: built once per rendering, read by every format."""
    L = labels(lang)
    s = audit.summary
    data = audit_data(audit, lang)
    data["trend"] = resolve(audit.trend, lang)
    data["privacy"] = {"pseudonymized": audit.privacy.pseudonymized, "aggregate_only": audit.privacy.aggregate_only}
    light = traffic_light(audit.score)
    checks = [CheckRow(spec.id, spec.area, L["areas"].get(spec.area, spec.area), spec.severity.value,
                       L["severity"].get(spec.severity.value, spec.severity.value), spec.severity.rank, st.value,
                       L["status"].get(st.value, st.value), spec.title[lang], spec.fix_playbook,
                       [FindingRow(f.status.value, L["status"].get(f.status.value, f.status.value), f.target,
                                   f.message[lang], f.evidence) for f in fs])
              for spec, st, fs in audit.checks]
    return AuditView(
        lang=lang, L=L, data=data, tenant=audit.tenant.name, collected=when(audit.collected_at, lang),
        score="-" if audit.score is None else f"{audit.score}/100", score_value=audit.score, light=light,
        light_word=L["lights"][light],
        people_line=text("people_ready", lang, ready=s["ready"], people=s["people"]),
        unknown_line=text("people_unknown", lang, n=s["not_evaluable"]) if s["not_evaluable"] else "",
        seats_line=text("seats_to_buy", lang, n=audit.seats_to_buy) if audit.seats_to_buy else "",
        money_lines=first_page_lines(s, lang),
        areas=[AreaRow(a, L["areas"][a], v, traffic_light(v), L["lights"][traffic_light(v)]) for a, v in audit.areas.items()],
        trend=_trend(audit.trend, lang, L),
        top_actions=[ActionRow(spec.id, fd.message[lang], spec.remediation[lang], L["effort"].get(spec.effort, spec.effort),
                               spec.fix_playbook or "") for spec, st, fd in audit.top_actions],
        checks=checks,
        departments=[DepartmentRow(department_word(d, lang), d["people"], d["ready"], d["not_ready"],
                                   reason_words(d.get("top_reasons") or [], lang), d) for d in audit.departments],
        licences=audit.licences,
        not_evaluated=[(m.name[lang], m.reason[lang]) for m in audit.not_evaluated],
        reasons=[{"code": c, "label": L["reason_words"].get(c, c), "count": n}
                 for c, n in s.get("reasons", {}).items() if c not in INFO_REASONS][:8],
        aggregate_only=audit.privacy.aggregate_only, pseudonymized=audit.privacy.pseudonymized,
        status=audit.status, errors=audit_errors(audit, lang), people=data["people"])


__all__ = ["AuditView", "audit_data", "build", "department_word", "reason_words"]
