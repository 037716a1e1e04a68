"""Async twins of the public API: the same functions, awaitable, so one process can audit many tenants.

    import asyncio, readiness
    from readiness import aio

    async def main(names):
        conns = [readiness.connect(tenant=n) for n in names]
        snaps = await asyncio.gather(*(aio.collect(c) for c in conns))
        return [readiness.evaluate(s) for s in snaps]

``fleet_audit`` audits many saved profiles concurrently in the running loop.

Each call opens its own Graph client on the running loop and closes it before returning. Offline
functions (evaluate, render, load_snapshot, list_checks, runs, timeline) have no twin: they never wait.
"""
from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import UsageError

if TYPE_CHECKING:  # the playbook's results (and with them its loader and yaml) load where a playbook is used, not to collect
    from .api.results import PlaybookPlan, RunResult, Verification
    from .collect.snapshot import Snapshot
    from .config.connection import Connection

Progress = Callable[[str], None]


def run_sync(coro: Any) -> Any:
    """Run one API coroutine in its own event loop (what every sync function of the API does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise UsageError.keyed("api.inside_event_loop")


def _quiet(_: str) -> None:
    return None


def _opener(conn: Connection) -> Callable[[], Any]:
    return lambda: conn.open()


async def collect(conn: Connection, progress: Progress | None = None, *, previous: Snapshot | None = None,
                  processes: int | None = 1) -> Snapshot:
    """Read one tenant into a Snapshot (every area; sections that cannot be read say why).

    With ``previous`` (an earlier snapshot of the same tenant), users, groups and devices are read as changes
    since then with Graph's delta queries; a refused or expired delta link means a full read of that collection.

    Raises AuthError when nothing could be read because Graph refused the token itself (401: expired,
    revoked, for another tenant) or every request (403: admin consent missing): that is no audit with nothing
    in it, and must not look like one.

    ``processes``: 2 lets a helper process read part of a large tenant on a second core (collect/helper.py; a full read
    over the network only; the result is the same snapshot), None decides as the command line does
    (READINESS_COLLECT_PROCESSES; else, on two CPUs, a helper for a tenant of 20,000 licences or more assigned in one
    subscription), 1 reads everything in this process.
    """
    from .api.collecting import collect_async

    return await collect_async(conn, progress, previous=previous, processes=processes)


def _playbook(playbook: Any) -> Any:
    from .playbook.loader import Playbook, load

    return playbook if isinstance(playbook, Playbook) else load(str(playbook))


def _params(params: dict | None) -> dict[str, str]:
    """Playbook parameters as the loader takes them: lists become a,b,c."""
    out = {}
    for k, v in (params or {}).items():
        out[str(k)] = ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v)
    return out


def plan_offline(playbook: Any, snapshot: Snapshot, params: dict | None = None, *, usage_location: str = "") -> PlaybookPlan:
    """Plan from a saved snapshot: no network, no permissions known."""
    from .api.results import PlaybookPlan
    from .playbook.planner import make_plan
    from .playbook.runs import RunStore

    pb, overrides = _playbook(playbook), _params(params)
    plan = make_plan(pb, snapshot, overrides=overrides, usage_location=usage_location.upper(), tenant=snapshot.tenant_name,
                     history=RunStore().history(snapshot.tenant_id))
    return PlaybookPlan(plan, pb, overrides, None, snapshot.tenant_name, snapshot.endpoint)


async def plan(playbook: Any, conn_or_snapshot: Any, params: dict | None = None, *, usage_location: str = "",
               progress: Progress | None = None) -> PlaybookPlan:
    """What a playbook (name, file or Playbook) would change: read the tenant now, or plan from a Snapshot."""
    from .collect.snapshot import Snapshot

    if isinstance(conn_or_snapshot, Snapshot):
        return plan_offline(playbook, conn_or_snapshot, params, usage_location=usage_location)
    from .playbook import service

    from .api import arguments
    from .api.results import PlaybookPlan

    arguments.connection(conn_or_snapshot, "plan")
    arguments.params(params, "plan")
    conn = conn_or_snapshot
    if usage_location:  # for this plan only; the caller's connection stays as it was
        conn = dataclasses.replace(conn, usage_location=usage_location.upper())
    pb, overrides = _playbook(playbook), _params(params)
    planned = await service.plan(pb, open_client=_opener(conn), conn=conn, params=overrides, progress=progress or _quiet)
    return PlaybookPlan(planned.plan, pb, overrides, planned.granted, conn.label, conn.endpoint.base_url)


def _confirmer(confirm: Any) -> Callable[[Any], bool]:
    if callable(confirm):
        return confirm
    if not isinstance(confirm, bool):  # confirm="no" (an answer read with input()) must never mean yes
        raise UsageError.keyed("api.bad_confirm", confirm=confirm)
    return lambda _plan: confirm


def _result(outcome: Any, irreversible: list | None = None) -> RunResult:
    from .api.results import RunResult

    if outcome.run is None:
        return RunResult(None, "nothing_to_do", plan=outcome.plan, irreversible=list(irreversible or []))
    r = outcome.result
    return RunResult(outcome.run.id, "complete" if r.complete else "incomplete", r.done, r.adopted, list(r.failed),
                     outcome.plan, list(irreversible or []), list(r.unknown), list(r.skipped_steps))


async def apply(plan: Any, conn: Connection, confirm: Any = True, progress: Progress | None = None, *,
                params: dict | None = None) -> RunResult:
    """Apply a plan with a journal, under the tenant's lock.

    + plan: a Plan (``plan()``, ``load_plan()``): the tenant is read again first and a plan made before the
      tenant changed is refused (StalePlan); or a playbook (shipped name, file, Playbook) with ``params``, planned
      and applied in one read; or the path of a saved plan file (recognised by its content).
    A blocked plan is refused (BlockedPlan). + confirm: True (go ahead), False, or a function(plan) -> bool
    asked before anything changes.
    """
    from .api import arguments
    from .api.plan_files import plan_or_playbook
    from .api.results import PlaybookPlan
    from .playbook import service
    from .playbook.loader import Playbook

    arguments.connection(conn, "apply")
    arguments.params(params, "apply")
    if isinstance(plan, (str, Path)):
        plan = plan_or_playbook(plan)
    if isinstance(plan, PlaybookPlan):
        if params:
            raise UsageError.keyed("plan.plan_has_params")
        if plan.playbook.sha256 != plan.plan.playbook_hash:
            raise UsageError.keyed("plan.playbook_changed")
        pb, overrides, saved = plan.playbook, plan.params, plan.plan
    elif isinstance(plan, Playbook):
        pb, overrides, saved = plan, _params(params), None
    else:
        raise UsageError.keyed("api.apply_needs_plan")
    outcome = await service.apply(pb, _opener(conn), conn, params=overrides, saved=saved,
                                  confirm=_confirmer(confirm), progress=progress or _quiet)
    return _result(outcome)


def _run_for(run_id: str, conn: Connection) -> Any:
    from .playbook.runs import RunStore

    run = RunStore().get(run_id)
    meta = run.meta()
    if meta.get("endpoint") and meta.get("endpoint") != conn.endpoint.base_url:
        raise UsageError.keyed("plan.run_other_tenant", run_id=run_id, tenant=meta.get('tenant'),
                               endpoint=meta.get('endpoint'), base_url=conn.endpoint.base_url)
    return run


async def resume(run_id: str, conn: Connection, progress: Progress | None = None) -> RunResult:
    """Continue an interrupted run without repeating a change Graph already accepted."""
    from .api import arguments
    from .playbook import service

    arguments.connection(conn, "resume")

    _run_for(run_id, conn)
    return _result(await service.resume(run_id, _opener(conn), conn, progress=progress or _quiet))


async def verify(run_id: str, conn: Connection, progress: Progress | None = None) -> Verification:
    """Read the tenant again and re-plan the run's playbook: nothing left to do means verified."""
    from .api import arguments
    from .api.results import Verification
    from .playbook import service

    arguments.connection(conn, "verify")

    v = await service.verify(run_id, _opener(conn), conn, progress=progress or _quiet)
    return Verification(run_id, v.ok, v.plan, list(v.problems))


async def undo(run_id: str, conn: Connection, confirm: Any = True, progress: Progress | None = None, *,
               preview: Callable[[Any], None] | None = None) -> RunResult:
    """Plan the inverse of a run from its journal and apply it as a new run; irreversible changes are listed.

    + preview: called with the UndoPreview (the inverse plan, what its undo destroys, what cannot be undone),
      made under the tenant's lock after the tenant was checked, before ``confirm`` is asked.
    """
    from .api import arguments
    from .api.results import RunResult
    from .playbook import service

    arguments.connection(conn, "undo")

    _run_for(run_id, conn)
    def show(inverse: Any, cannot: list) -> None:
        if preview is not None:
            preview(service.preview_of(run_id, inverse, cannot))

    outcome = await service.undo(run_id, _opener(conn), conn, confirm=_confirmer(confirm), progress=progress or _quiet,
                                 show=show)
    if outcome.run is None:
        return RunResult(None, "nothing_to_do", plan=outcome.plan, irreversible=list(outcome.cannot_undo))
    return _result(outcome, outcome.cannot_undo)


async def check_tenant(conn: Connection) -> Any:
    """Reach the tenant with one read and say which permissions the token grants (a ``TenantCheck``)."""
    from .api import arguments
    from .api.tenant_check import check_tenant_async

    arguments.connection(conn, "check_tenant")
    return await check_tenant_async(conn)


async def fleet_audit(names: list[str], out_dir: Any, *, concurrency: int = 4, requests_per_tenant: int = 8,
                      max_wait: float = 300.0, previous: str | None = "auto", lang: str = "en", html: bool = True,
                      fail_on_new: str | None = None, verbose: bool = False, progress: Progress | None = None) -> Any:
    """Audit many tenant profiles in one loop (the awaitable ``readiness.fleet_audit``); returns a FleetAudit."""
    from .api.fleet_results import fleet_result
    from .fleet.audit import FleetOptions, audit_fleet

    opts = FleetOptions(out_dir=Path(out_dir), concurrency=concurrency, per_tenant=requests_per_tenant, max_wait=max_wait,
                        previous=None if previous in (None, "none") else "auto", lang=lang, html=html, verbose=verbose)
    entries = await audit_fleet(list(names), opts, progress)
    return fleet_result(entries, fail_on_new)


async def discover_tenants(partner: str, *, tags: list[str] | tuple[str, ...] = ("gdap",), add: bool = False) -> Any:
    """The customers a partner profile's GDAP relationships reach, as profiles to add (a ``Discovery``)."""
    from .api import arguments
    from .fleet.discover import discover

    arguments.text(partner, "discover_tenants", "partner", optional=False)
    return await discover(partner, list(tags), add)


__all__ = ["apply", "check_tenant", "collect", "discover_tenants", "fleet_audit", "plan", "resume", "undo", "verify"]

