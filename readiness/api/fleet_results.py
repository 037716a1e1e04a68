"""Typed results of the fleet API (readiness.api.fleet, readiness.aio.fleet_audit)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..exitcodes import ExitCode


@dataclass
class FleetAudit:
    """``readiness.FleetAudit``: one entry per audited tenant, what is newly failing, and the exit code it means.

    + new_failing: tenant -> check ids newly failing or regressed at ``fail_on_new`` or worse (empty without it).
    + failed: the tenants that could not be audited (the others were audited and kept).
    + exit_code: 0 all audited; FINDINGS with something new at ``fail_on_new``; FLEET_INCOMPLETE wins.
    """

    entries: list[dict]
    new_failing: dict[str, list[str]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    exit_code: int = int(ExitCode.OK)


@dataclass
class FleetReport:
    """``readiness.FleetReport``: the newest entry per tenant (with drift when asked) and the damaged files skipped."""

    entries: list[dict]
    unreadable: list[Path] = field(default_factory=list)


@dataclass
class FleetHistory:
    """``readiness.FleetHistory``: tenant -> dated points (score, share ready), and the damaged files skipped."""

    series: dict[str, list[dict]]
    unreadable: list[Path] = field(default_factory=list)



def fleet_result(entries: list[dict], fail_on_new: str | None) -> FleetAudit:
    """What a fleet audit's entries mean: newly failing per tenant, failed tenants, the exit code."""
    from ..checks.model import Severity
    from ..fleet.drift import new_at_or_above

    code = ExitCode.OK
    new: dict[str, list[str]] = {}
    if fail_on_new:
        rank = {s.value: s.rank for s in Severity}
        found = {e["name"]: new_at_or_above(e, Severity(fail_on_new).rank, rank) for e in entries}
        new = {k: list(v) for k, v in found.items() if v}
        if new:
            code = ExitCode.FINDINGS
    failed = [e["name"] for e in entries if e["status"] == "failed"]
    if failed:
        code = ExitCode.FLEET_INCOMPLETE
    return FleetAudit(entries, new, failed, int(code))
