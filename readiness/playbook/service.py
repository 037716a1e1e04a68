"""The playbook workflows behind the CLI: plan, apply, resume, verify, undo (one event loop each)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from ..collect.run import collect_snapshot, refuse_unreadable
from ..collect.snapshot import Snapshot
from ..errors import DataIncomplete, ReadinessError, UsageError
from .engine import ApplyResult, apply_plan, make_plan
from .loader import Playbook, load
from .model import Plan
from .runs import Run, RunStore, TenantLock

Confirm = Callable[[Plan], bool]


class StalePlan(ReadinessError):
    code = "stale_plan"


class BlockedPlan(ReadinessError):
    code = "blocked_plan"


@dataclass
class Outcome:
    plan: Plan
    run: Run | None = None
    result: ApplyResult | None = None
    granted: set[str] | None = None


def tenant_key(snapshot: Snapshot, conn: Any) -> str:
    return snapshot.tenant_id or conn.endpoint.base_url


async def _collect(client: Any, conn: Any, progress: Callable[[str], None]) -> Snapshot:
    progress(f"Reading {conn.label} ({conn.endpoint.base_url}) ...")
    snapshot = await collect_snapshot(client, label=conn.label)
    refuse_unreadable(snapshot, conn.label)  # a refused token is an error, not a tenant with nothing to change
    failed = snapshot.failed_sections()
    if failed:  # a plan (or "verified") built on sections that could not be read would be a guess
        raise DataIncomplete(f"{len(failed)} section(s) could not be read ({', '.join(s.name for s in failed[:6])}): "
                             f"{failed[0].reason.rstrip('.')}",
                             "Nothing was planned or changed; try again later or allow more waiting with --max-wait")
    return snapshot


async def _granted(client: Any) -> set[str] | None:
    from ..graph.permissions import granted_permissions

    return granted_permissions(await client.access_token())


def blocked_error(plan: Plan) -> BlockedPlan:
    reasons = "; ".join(f"{s.step}: {s.blocked}" for s in plan.blocked)
    return BlockedPlan(f"The plan cannot work as it is: {reasons}", "Fix what is named, then plan again; nothing was changed")


async def plan_online(open_client: Callable[[], Any], conn: Any, playbook: Playbook, overrides: dict, store: RunStore,
                      progress: Callable[[str], None]) -> tuple[Plan, Snapshot, set[str] | None]:
    client = open_client()
    try:
        snapshot = await _collect(client, conn, progress)
        granted = await _granted(client)
    finally:
        await client.aclose()
    plan = make_plan(playbook, snapshot, overrides=overrides, usage_location=conn.usage_location, tenant=conn.label,
                     history=store.history(tenant_key(snapshot, conn)))
    return plan, snapshot, granted


async def apply_online(open_client: Callable[[], Any], conn: Any, playbook: Playbook, overrides: dict, store: RunStore,
                       confirm: Confirm, progress: Callable[[str], None], saved: Plan | None = None,
                       meta: dict | None = None) -> Outcome:
    client = open_client()
    try:
        snapshot = await _collect(client, conn, progress)
        key = tenant_key(snapshot, conn)
        plan = make_plan(playbook, snapshot, overrides=overrides, usage_location=conn.usage_location, tenant=conn.label,
                         history=store.history(key))
        if saved is not None:
            if saved.tenant_id and snapshot.tenant_id and saved.tenant_id != snapshot.tenant_id:
                raise StalePlan("The plan was made for another tenant", "Apply it to the tenant it was made for, or plan again")
            if saved.signature() != plan.signature():
                raise StalePlan(f"The tenant changed since the plan was made ({saved.created_at}): "
                                f"{len(saved.changes)} planned changes, {len(plan.changes)} needed now",
                                "Make a new plan (`readiness playbook plan ... --out plan.json`) and review it; nothing was changed")
        if plan.blocked:
            raise blocked_error(plan)
        if not plan.changes:
            return Outcome(plan)
        if not await asyncio.to_thread(confirm, plan):
            raise UsageError("Nothing was changed: the plan was not confirmed", "Run again and confirm, or add --yes")
        return await _apply_locked(client, key, plan, progress, lambda: store.create(plan, {
            **(meta or {}), "tenant_key": key, "tenant": conn.label, "endpoint": conn.endpoint.base_url,
            "playbook_source": playbook.source, "overrides": overrides}))
    finally:
        await client.aclose()


async def _apply_locked(client: Any, key: str, plan: Plan, progress: Callable[[str], None],
                        make_run: Callable[[], Run]) -> Outcome:
    """Apply under the tenant's lock; the run (new or resumed) ends with its request counts."""
    with TenantLock(key):
        run = make_run()
        progress(f"Run {run.id}: applying {len(plan.changes)} changes ...")
        result = await apply_plan(client, plan, run, progress)
        run.write({"phase": "summary", "requests": client.stats.as_dict()})
    return Outcome(plan, run, result)


async def resume_online(open_client: Callable[[], Any], conn: Any, run: Run, progress: Callable[[str], None]) -> Outcome:
    meta = run.meta()
    if meta.get("endpoint") != conn.endpoint.base_url:
        raise UsageError(f"Run {run.id} was for {meta.get('tenant')} at {meta.get('endpoint')}, not {conn.endpoint.base_url}",
                         "Name the same tenant with --tenant or --graph-url")
    client = open_client()
    try:
        return await _apply_locked(client, meta["tenant_key"], run.plan(), progress, lambda: run)
    finally:
        await client.aclose()


async def undo_online(open_client: Callable[[], Any], run: Run, undo: Plan, store: RunStore,
                      progress: Callable[[str], None]) -> Outcome:
    """Apply an undo plan (from engine.undo_plan) as a new run of the same tenant."""
    meta = run.meta()
    client = open_client()
    try:
        return await _apply_locked(client, meta["tenant_key"], undo, progress,
                                   lambda: store.create(undo, {**meta, "undo_of": run.id}))
    finally:
        await client.aclose()


def playbook_of(run: Run) -> tuple[Playbook, dict]:
    meta = run.meta()
    source = meta.get("playbook_source", "")
    pb = load(source[len("builtin:"):] if source.startswith("builtin:") else source)
    return pb, meta.get("overrides") or {}


__all__ = ["BlockedPlan", "Outcome", "StalePlan", "apply_online", "blocked_error", "plan_online", "playbook_of", "resume_online", "undo_online"]
