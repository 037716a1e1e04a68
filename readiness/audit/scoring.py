"""Findings and the matrix -> scores from 0 to 100 (pure; documented in the README).

Area score: every check in the area weighs by severity (critical 10, high 6, medium 3, low 1,
info 0); a pass earns its full weight, a warn half, a fail nothing. Checks that could not be
evaluated (or errored) are left out of both sides: they never count as failures. An area with
nothing evaluable has no score (None).

Overall score: half the share of people ready to work from home (of those evaluable), half the
weighted mean of the area scores (licences 25, identity 25, devices 20, teams 20, sharing 10).
No overall score when the people (/users) could not be read.
"""
from __future__ import annotations

from ..checks.model import AREAS, CheckSpec, Finding, Status

SEVERITY_WEIGHT = {"critical": 10, "high": 6, "medium": 3, "low": 1, "info": 0}
STATUS_CREDIT = {Status.PASS: 1.0, Status.WARN: 0.5, Status.FAIL: 0.0}
AREA_WEIGHT = {"licences": 25, "identity": 25, "devices": 20, "teams": 20, "sharing": 10}


def check_status(findings: list[Finding]) -> Status:
    """A check's overall status: the worst of its findings."""
    order = [Status.FAIL, Status.ERROR, Status.WARN, Status.NOT_EVALUABLE, Status.PASS]
    for status in order:
        if any(f.status == status for f in findings):
            return status
    return Status.ERROR


def area_scores(results: list[tuple[CheckSpec, list[Finding]]]) -> dict[str, int | None]:
    earned = {a: 0.0 for a in AREAS}
    possible = {a: 0.0 for a in AREAS}
    for spec, findings in results:
        status = check_status(findings)
        weight = SEVERITY_WEIGHT[spec.severity.value]
        if status not in STATUS_CREDIT or weight == 0:
            continue
        possible[spec.area] += weight
        earned[spec.area] += weight * STATUS_CREDIT[status]
    return {a: (round(100 * earned[a] / possible[a]) if possible[a] else None) for a in AREAS}


def overall_score(areas: dict[str, int | None], summary: dict, *, people_read: bool = True) -> int | None:
    """The overall score; None (not scored, grey) when the people themselves could not be read.

    Without the list of people, half of the score's definition is missing and most area checks are not
    evaluable, so the few tenant-wide checks left would show a green score for a tenant nobody looked at.
    """
    if not people_read:
        return None
    scored = {a: s for a, s in areas.items() if s is not None}
    area_part = (sum(AREA_WEIGHT[a] * s for a, s in scored.items()) / sum(AREA_WEIGHT[a] for a in scored)) if scored else None
    evaluable = summary["ready"] + summary["not_ready"]
    people_part = 100 * summary["ready"] / evaluable if evaluable else None
    parts = [p for p in (people_part, area_part) if p is not None]
    return round(sum(parts) / len(parts)) if parts else None


def traffic_light(score: int | None) -> str:
    if score is None:
        return "grey"
    return "green" if score >= 80 else ("yellow" if score >= 50 else "red")
