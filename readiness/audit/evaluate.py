"""evaluate(snapshot, previous) -> Audit: everything the reports show, computed once (pure, offline).

The Audit is finished when ``evaluate`` returns: check results, the per-person matrix, scores, licence
rows, seats to buy, what was not evaluated (with reason codes), top actions and the trend against an
earlier snapshot. Renderers read it and nothing else; they never go back to the snapshot or the checks.
Texts stay in every language the checks provide (``{"en": ..., "de": ...}``): choosing one is rendering.
"""
from __future__ import annotations

import dataclasses
import gc
from contextlib import contextmanager
from typing import Iterator

from ..checks.model import Status
from ..checks.registry import run_checks
from ..collect.snapshot import SOME_LICENCE, Snapshot
from ..errors import UsageError
from ..i18n import Message
from . import privacy
from .facts import facts
from .matrix import build_matrix
from .prices import with_prices
from .seat_costs import seat_costs
from .model import Action, Audit, CheckResult, NotEvaluated, Privacy, Tenant
from .scoring import area_scores, check_status, overall_score
from .subscriptions import licence_rows
from .trend import compare

EFFORT_ORDER = {"minutes": 0, "hours": 1, "days": 2}
TOP_ACTIONS = 5


def top_actions(checks: list[CheckResult], limit: int = TOP_ACTIONS) -> list[Action]:
    """Failing and warning checks, most severe first, quick fixes before slow ones."""
    open_ = [Action(c.spec, c.status, c.findings[0]) for c in checks if c.status in (Status.FAIL, Status.WARN)]
    open_.sort(key=lambda a: (a.status != Status.FAIL, -a.spec.severity.rank, EFFORT_ORDER.get(a.spec.effort, 1), a.spec.id))
    return open_[:limit]


def not_evaluated(snapshot: Snapshot) -> list[NotEvaluated]:
    """Sections that could not be read, and why: the report lists them, they never vanish."""
    from ..checks.unavailable import describe, section_name

    out = []
    for name, sec in sorted(snapshot.sections.items()):
        if sec.status == "complete":
            continue
        if sec.status == "fallback":
            code = "fallback"
        elif "conceal" in sec.reason:
            code = "concealed"
        elif sec.status == "forbidden":
            code = "licence" if sec.licence else "permission"
        else:
            code = "skipped" if sec.status == "skipped" else "failed"
        licence = Message("unavailable.a_licence") if sec.licence == SOME_LICENCE else sec.licence  # none named: words
        out.append(NotEvaluated(name, sec.status, code, section_name(name), describe(sec),
                                sec.permission, licence, tuple(sec.notes)))
    return out


def seats_to_buy(snapshot: Snapshot) -> int:
    from ..checks.licences import seat_plan

    return seat_plan(facts(snapshot))["to_buy"] if snapshot.section("skus").usable else 0


def _evaluate_one(snapshot: Snapshot, one_shot: bool = False) -> Audit:
    results = [CheckResult(spec, check_status(fs), fs) for spec, fs in run_checks(snapshot)]
    f = facts(snapshot)
    # a command only renders the rows: each made as it is written (audit/rows.py), equal lists held once
    matrix = build_matrix(f, shared_lists=one_shot, lazy=one_shot)
    areas = area_scores([(c.spec, c.findings) for c in results])
    buy = seats_to_buy(snapshot)
    prices = snapshot.data("prices") if snapshot.section("prices").usable else None
    summary = dict(matrix.summary, seats_to_buy=buy, device_rule=f.device_rule, mfa_source=f.mfa_source,
                   seat_costs=seat_costs(f, prices))
    return Audit(
        tenant=Tenant(snapshot.tenant_id, snapshot.tenant_name, snapshot.cloud, snapshot.endpoint),
        collected_at=snapshot.collected_at, checks=results, people=matrix.rows, departments=matrix.departments,
        summary=summary, score=overall_score(areas, matrix.summary, people_read=snapshot.section("users").usable),
        areas=areas, licences=licence_rows(snapshot),
        seats_to_buy=buy, not_evaluated=not_evaluated(snapshot), top_actions=top_actions(results),
        requests=dict(snapshot.requests or {}), source=snapshot)


@contextmanager
def _collector_paused(one_shot: bool = False) -> Iterator[None]:
    """The cyclic collector off while the Audit is built, and on again after, without the full collection that
    ``bulkjson.bulk_objects()`` runs when its pause ends: that pass walked the whole loaded snapshot (1.4-2.0 s of
    3.5-3.9 s at 100,000 people, issue 15) to find next to nothing, as evaluating builds acyclic rows. What evaluate
    made (590,000 objects at 100k) is then walked by the next automatic passes of the young generations (0.3-0.5 s and
    later 0.5-1.0 s at 100k), not the whole heap; ``one_shot`` freezes it instead. A pause held by someone else (a bulk
    parse: other tenants of a fleet collecting) is left to them: their contexts end with a full collection."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if one_shot:
            gc.freeze()
        elif gc.get_freeze_count() == 0:  # nobody's frozen objects to thaw: what evaluate made goes to the oldest
            gc.freeze()                   # generation at once, not through a young pass that walks all of it (0.2-0.3
            gc.unfreeze()                 # s at 100k) to promote it; full collections still see it (issue 15)
        gc.enable()


def evaluate(snapshot: Snapshot, previous: Snapshot | None = None, *, pseudonymize: bool = False,
             aggregate_only: bool = False, key: bytes | None = None, prices: dict[str, dict] | None = None,
             min_group_size: int = privacy.MIN_GROUP, one_shot: bool = False) -> Audit:
    """Run every check over a snapshot; build the matrix, scores and the trend against ``previous``.

    + previous: an earlier snapshot of the same tenant (else UsageError).
    + pseudonymize: people and devices become stable keyed pseudonyms (key: ``privacy.key_for``).
    + aggregate_only: counts and departments only, no per-person rows or samples.
    + prices: licence prices (audit/prices.py ``load_prices``): idle and missing seats in money, never invented.
    + one_shot: the process ends after this audit (a CLI command): everything alive, the snapshot and the Audit
      included, is frozen out of the cyclic collector's passes (``gc.freeze()``) instead of walked again while the
      report is rendered, and the matrix rows' equal lists are one list each (nothing may change them in place);
      ``Audit.people`` is then a ``Rows`` sequence (audit/rows.py) whose rows are made when read, not held.
      Leave it False in a process that goes on (a fleet, a server): frozen cycles are never freed.
    No network, no clock: the same snapshot gives the same Audit.
    """
    snapshot = with_prices(snapshot, prices)
    if previous is not None and previous.tenant_id and snapshot.tenant_id and previous.tenant_id != snapshot.tenant_id:
        raise UsageError.keyed("audit.previous_other_tenant")
    source, previous_source = snapshot, previous
    if pseudonymize:
        key = key or privacy.key_for(snapshot.tenant_id)
        snapshot = privacy.pseudonymize(snapshot, key)
        previous = privacy.pseudonymize(previous, key) if previous is not None else None
    with _collector_paused(one_shot):  # ~100k people and rows: the cyclic collector would walk them again and again
        audit = _evaluate_one(snapshot, one_shot)
        if previous is not None:
            audit = dataclasses.replace(audit, trend=compare(_evaluate_one(previous), audit))
    audit = dataclasses.replace(audit, source=source, previous_source=previous_source,
                                privacy=Privacy(pseudonymize, False))
    return privacy.aggregate_only(audit, min_group_size) if aggregate_only else audit


def private(audit: Audit, *, pseudonymize: bool = False, aggregate_only: bool = False,
            min_group_size: int = privacy.MIN_GROUP) -> Audit:
    """The same audit, made private for readers outside the IT team (a no-op when it already is)."""
    if pseudonymize and not audit.privacy.pseudonymized:
        if audit.source is None:
            raise UsageError.keyed("audit.cannot_pseudonymize")
        audit = evaluate(audit.source, audit.previous_source, pseudonymize=True)
    if aggregate_only and not audit.privacy.aggregate_only:
        audit = privacy.aggregate_only(audit, min_group_size)
    return audit

