"""Drift between two audits of one tenant: checks newly failing, fixed and regressed (pure).

Works on the check statuses kept in fleet entries, so a report can compare any two audits offline.
"""
from __future__ import annotations

FAIL, WARN, PASS = "fail", "warn", "pass"


def check_drift(previous: dict[str, dict] | None, current: dict[str, dict] | None) -> dict | None:
    """new_failing: failing now, not failing before; fixed: failing or warning before, passing now;
    regressed: passing before, warning now. Checks that were not evaluable on either side count for neither.

    + previous, current: check id -> {"status", "severity"}; None when that audit has no checks (failed).
    Returns None when there is nothing to compare with.
    """
    if previous is None or current is None:
        return None
    new_failing, fixed, regressed = [], [], []
    for cid, cur in sorted(current.items()):
        before = previous.get(cid)
        if before is None:
            continue  # a check this version added: not drift in the tenant
        b, n = before.get("status"), cur.get("status")
        if n == FAIL and b in (PASS, WARN):
            new_failing.append(cid)
        elif n == PASS and b in (FAIL, WARN):
            fixed.append(cid)
        elif n == WARN and b == PASS:
            regressed.append(cid)
    return {"new_failing": new_failing, "fixed": fixed, "regressed": regressed}


def new_at_or_above(entry: dict, threshold_rank: int, rank_of: dict[str, int]) -> list[str]:
    """Checks newly failing or regressed whose severity ranks at least ``threshold_rank``."""
    checks = entry.get("checks") or {}
    ids = list(entry.get("new_failing") or []) + list(entry.get("regressed") or [])
    return [cid for cid in ids if rank_of.get((checks.get(cid) or {}).get("severity", ""), -1) >= threshold_rank]
