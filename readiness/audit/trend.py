"""Trend against a previous snapshot of the same tenant: what improved, what got worse (pure)."""
from __future__ import annotations

from ..checks.model import Status
from .model import Audit

_RANK = {Status.PASS: 0, Status.NOT_EVALUABLE: 1, Status.WARN: 2, Status.ERROR: 3, Status.FAIL: 4}


def compare(previous: Audit, current: Audit) -> dict:
    def delta(a: int | None, b: int | None) -> int | None:
        return None if a is None or b is None else b - a

    prev_people = {r["id"]: r for r in previous.people}
    cur_people = {r["id"]: r for r in current.people}
    newly_ready = [r for pid, r in cur_people.items() if r["ready"] is True and (prev_people.get(pid) or {}).get("ready") is not True]
    newly_not = [r for pid, r in cur_people.items() if r["ready"] is False and (prev_people.get(pid) or {}).get("ready") is True]
    prev_status = {spec.id: st for spec, st, _ in previous.checks}
    worse, better = [], []
    for spec, st, findings in current.checks:
        before = prev_status.get(spec.id)
        if before is None or st == before:
            continue
        item = {"id": spec.id, "title": spec.title, "before": before.value, "now": st.value, "message": findings[0].message}
        (worse if _RANK[st] > _RANK[before] else better).append(item)
    return {
        "previous_collected_at": previous.collected_at,
        "overall": {"before": previous.score, "now": current.score, "delta": delta(previous.score, current.score)},
        "areas": {a: {"before": previous.areas.get(a), "now": s, "delta": delta(previous.areas.get(a), s)} for a, s in current.areas.items()},
        "ready": {"before": previous.summary["ready"], "now": current.summary["ready"]},
        "newly_ready": [{"id": r["id"], "displayName": r["displayName"], "department": r["department"]} for r in newly_ready],
        "newly_not_ready": [{"id": r["id"], "displayName": r["displayName"], "department": r["department"], "reasons": r["reasons"]}
                            for r in newly_not],
        "worse": worse,
        "better": better,
    }
