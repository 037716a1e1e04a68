"""The playbook's public surface: plan, apply, resume, verify, undo, runs, timeline, actions.

Plain arguments in, dataclasses out; no printing, no click. The network functions are coroutines (one
event loop per call is the caller's choice); ``open_client`` is a zero-argument factory of a GraphClient
for ``conn`` (a readiness.config.connection.Connection), so that tests and the fleet can pass their own transport.

Safety rules that live here, not in the CLI:
- the tenant's lock is taken before the staleness check and held through the confirmation prompt, so two
  applies (one waiting at its prompt) never both send;
- the plan records the tenant id from the token's ``tid`` claim (or the profile, or the snapshot); apply,
  resume and undo refuse a token of another tenant whether or not ``/organization`` is readable;
- a "not before" time kept after 429/503 is honoured by the next process for that tenant.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..collect.snapshot import Snapshot
from ..errors import DataIncomplete, Phrase, ReadinessError, UsageError
from ..i18n import say
from . import throttle
from .loader import Playbook, load
from .model import Change, Plan
from .planner import make_plan
from .model import Text
from .runs import Run, RunStore, TenantLock, save_plan_file
from .schema import step_title
from .steps import SPECS
from .undo import undo_plan

Confirm = Callable[[Plan], bool]
Progress = Callable[[str], None]
OpenClient = Callable[[], Any]


class StalePlan(ReadinessError):
    code = "stale_plan"


class BlockedPlan(ReadinessError):
    code = "blocked_plan"


class WrongTenant(ReadinessError):
    code = "wrong_tenant"


@dataclass
class Planned:
    plan: Plan
    snapshot: Snapshot | None = None
    granted: set[str] | None = None
    meta: dict = field(default_factory=dict)


@dataclass
class Outcome:
    plan: Plan
    run: Run | None = None
    result: Any = None  # applier.ApplyResult
    cannot_undo: list[Change] = field(default_factory=list)


@dataclass
class Verification:
    plan: Plan  # what the playbook would still change now (empty means nothing left)
    problems: list[tuple[Any, Any]]  # (change target, what is missing) as Text: i18n.resolve(.., lang) for changes the run made

    @property
    def ok(self) -> bool:
        return not self.plan.changes and not self.plan.blocked and not self.problems


@dataclass
class RunInfo:
    id: str
    created: str
    playbook: str
    tenant: str
    done: int
    total: int
    status: str  # complete | incomplete | failed | unknown


@dataclass
class ActionInfo:
    name: str
    title: Text  # a catalogue message: render with i18n.resolve(title, lang)
    params: dict[str, Any]  # name -> default (... when required)
    permissions: tuple[str, ...]
    irreversible: bool


@dataclass
class UndoPreview:
    """What undoing a run would do, said before it is done (issue 12): the inverse plan, the changes whose undo
    destroys data (with what is lost, from the action type's ``DATA_LOSS``/``data_loss``) and what cannot be
    undone at all (with why: a sent mail, a change Graph cannot reverse, an object not found again). Texts are
    catalogue messages: ``i18n.resolve(text, lang)``."""

    run_id: str
    plan: Plan
    data_loss: list[tuple[Change, Text]] = field(default_factory=list)
    cannot_undo: list[tuple[Change, Text]] = field(default_factory=list)

    @property
    def estimate(self) -> dict:
        """The requests the undo will send (planner.estimate)."""
        from .planner import estimate

        return estimate(self.plan)


def preview_of(run_id: str, inverse: Plan, cannot: list[Change]) -> UndoPreview:
    """The preview of an undo plan and the changes it cannot undo (undo.undo_plan's answer)."""
    from ..i18n import Message

    loss = [(c, msg) for c in inverse.changes for msg in [SPECS[c.action].data_loss(c)] if msg is not None]
    why = []
    for c in cannot:
        a = SPECS[c.action]
        key = a.irreversible_why if a.irreversible else ("run.cannot_undo.change" if c.irreversible else "run.cannot_undo.not_found")
        why.append((c, Message(key, {"target": c.target, "action": c.action})))
    return UndoPreview(run_id, inverse, loss, why)


def undo_preview(run_id: str, store: RunStore | None = None) -> UndoPreview:
    """What ``undo(run_id)`` would do, from the run's journal alone (nothing is sent)."""
    store = store or RunStore()
    inverse, cannot = undo_plan(store.get(run_id), store)
    return preview_of(run_id, inverse, cannot)


def _quiet(_m: str) -> None:
    return None


# -- helpers ---------------------------------------------------------------------------------------
def playbook_ref(source: str) -> str:
    return source[len("builtin:"):] if source.startswith("builtin:") else source


def playbook_of(run: Run) -> tuple[Playbook, dict]:
    meta = run.meta()
    return load(playbook_ref(meta.get("playbook_source", ""))), meta.get("overrides") or {}


def blocked_error(plan: Plan) -> BlockedPlan:
    from ..i18n import resolve, ui_lang

    reasons = "; ".join(f"{s.step}: {resolve(s.blocked, ui_lang())}" for s in plan.blocked)
    return BlockedPlan.keyed("plan.blocked", reasons=reasons)


async def _token_tenant(client: Any) -> str:
    """The tenant id in the token's ``tid`` claim ("" for an opaque token)."""
    from ..graph.auth import token_claims

    try:
        return str(token_claims(await client.access_token()).get("tid") or "")
    except Exception:  # noqa: BLE001 - a credential that cannot say: the caller falls back
        return ""


def _profile_tenant(conn: Any) -> str:
    """The profile's tenant when it is a tenant id (a GUID; a domain name cannot be compared with ``tid``)."""
    import re

    value = str(getattr(getattr(conn, "profile", None), "tenant", "") or "")
    return value.lower() if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value) else ""


async def _granted(client: Any) -> set[str] | None:
    from ..graph.permissions import granted_permissions

    return granted_permissions(await client.access_token())


async def _collect(client: Any, conn: Any, progress: Progress) -> Snapshot:
    from ..collect.run import collect_snapshot, refuse_unreadable

    progress(say("run.reading", tenant=conn.label, url=conn.endpoint.base_url) if getattr(conn, "profile", None) is not None
             else say("cli.audit.collecting_url", url=conn.endpoint.base_url))  # --graph-url: the URL once
    snapshot = await collect_snapshot(client, label=conn.label)
    refuse_unreadable(snapshot, conn.label, profile=conn.profile is not None)  # a refused token is an error, not a tenant with nothing to change
    failed = snapshot.failed_sections()
    if failed:  # a plan (or "verified") built on sections that could not be read would be a guess
        raise DataIncomplete.keyed("plan.sections_failed", n=len(failed), items=', '.join(s.name for s in failed[:6]),
                                   reason=failed[0].reason.rstrip('.'))
    return snapshot


async def _guard_tenant(client: Any, conn: Any, plan: Plan) -> str:
    """Refuse a token of another tenant than the plan's; returns the token's tenant id."""
    tid = await _token_tenant(client) or _profile_tenant(conn)
    if not tid:
        try:
            org = (await client.request("GET", "/organization?$select=id")).json() or {}
            tid = str(((org.get("value") or [{}])[0]).get("id") or "")
        except ReadinessError:
            tid = ""
    if plan.tenant_id and tid and tid != plan.tenant_id:
        raise WrongTenant.keyed("plan.wrong_tenant", tid=tid, tenant_id=plan.tenant_id, tenant=plan.tenant)
    if plan.tenant_id and not tid:
        raise WrongTenant.keyed("plan.tenant_unknown")
    return tid


def _keep_not_before(client: Any, key: str) -> None:
    """Write every Retry-After to the tenant's not-before file the moment it arrives, not when the command ends:
    a process killed while it waits (or one that stops before applying) must not let the next one hit the tenant."""
    gate = getattr(client, "gate", None)
    if gate is not None:
        gate.on_pause = lambda seconds: throttle.record(key, seconds)


async def _wait_not_before(key: str, progress: Progress) -> None:
    left = throttle.remaining(key)
    if left > 0:
        progress(Phrase("cli.progress.retry_after_wait", seconds=f"{left:.0f}"))
        await asyncio.sleep(left)


async def _run_locked(client: Any, key: str, plan: Plan, run: Run, progress: Progress) -> Outcome:
    """Apply ``plan`` as ``run`` (the caller holds the tenant's lock); ends with the run's request counts."""
    from .applier import apply_plan
    from .throttle import Deadline

    await _wait_not_before(key, progress)
    deadline = Deadline()
    progress(say("run.applying", run=run.id, n=len(plan.changes)))
    try:
        result = await apply_plan(client, plan, run, progress, deadline)
    finally:
        throttle.record(key, max(deadline.left(), client.gate.remaining()))
        run.write({"phase": "summary", "requests": client.stats.as_dict()})
    return Outcome(plan, run, result)


# -- plan ------------------------------------------------------------------------------------------
def _load(playbook: str | Playbook) -> Playbook:
    return playbook if isinstance(playbook, Playbook) else load(str(playbook))


async def plan(playbook: str | Playbook, *, open_client: OpenClient | None = None, conn: Any = None, snapshot: Snapshot | Path | None = None,
               params: dict[str, str] | None = None, usage_location: str = "", progress: Progress | None = None,
               store: RunStore | None = None) -> Planned:
    """Plan ``playbook`` (a shipped name, a file or a Playbook) online (``open_client`` + ``conn``) or from a snapshot."""
    progress = progress or _quiet
    store = store or RunStore()
    pb = _load(playbook)
    overrides = dict(params or {})
    if snapshot is not None:
        snap = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(Path(snapshot))
        p = make_plan(pb, snap, overrides=overrides, usage_location=usage_location.upper(), tenant=snap.tenant_name,
                      history=store.history(snap.tenant_id))
        return Planned(p, snap, None, {"tenant": snap.tenant_name, "playbook_source": pb.source, "overrides": overrides})
    if open_client is None or conn is None:
        raise UsageError.keyed("plan.needs_source")
    if usage_location:
        conn.usage_location = usage_location.upper()
    client = open_client()
    try:
        tid = await _token_tenant(client) or _profile_tenant(conn)
        _keep_not_before(client, tid or conn.endpoint.base_url)
        await _wait_not_before(tid or conn.endpoint.base_url, progress)
        snap = await _collect(client, conn, progress)
        granted = await _granted(client)
    finally:
        await client.aclose()
    tid = tid or snap.tenant_id
    p = make_plan(pb, snap, overrides=overrides, usage_location=conn.usage_location, tenant=conn.label,
                  history=store.history(tid or conn.endpoint.base_url), tenant_id=tid)
    return Planned(p, snap, granted, {"tenant": conn.label, "endpoint": conn.endpoint.base_url, "playbook_source": pb.source,
                                      "overrides": overrides})


def save_plan(planned: Planned, path: Path) -> None:
    save_plan_file(planned.plan, path, planned.meta)


# -- apply -----------------------------------------------------------------------------------------
async def apply(playbook: str | Playbook, open_client: OpenClient, conn: Any, *, params: dict[str, str] | None = None,
                saved: Plan | None = None, confirm: Confirm = lambda _p: True, progress: Progress | None = None,
                store: RunStore | None = None) -> Outcome:
    """Apply a playbook (name, file or Playbook). With ``saved`` (a plan made before; a saved plan file is read
    by ``readiness.load_plan``, which knows it by its content), the tenant is read again and the plan refused if
    anything it would change differs."""
    progress = progress or _quiet
    store = store or RunStore()
    pb, overrides = _load(playbook), dict(params or {})
    if saved is not None and pb.sha256 != saved.playbook_hash:
        raise UsageError.keyed("plan.playbook_changed")
    client = open_client()
    try:
        token_tid = await _token_tenant(client) or _profile_tenant(conn)
        if saved is not None and saved.tenant_id and token_tid and token_tid != saved.tenant_id:
            raise WrongTenant.keyed("plan.wrong_tenant_saved", token_tid=token_tid, tenant_id=saved.tenant_id)
        key = token_tid or conn.endpoint.base_url
        _keep_not_before(client, key)
        with TenantLock(key):  # before the staleness check, held through the prompt
            await _wait_not_before(key, progress)
            snapshot = await _collect(client, conn, progress)
            tid = token_tid or snapshot.tenant_id
            fresh = make_plan(pb, snapshot, overrides=overrides, usage_location=conn.usage_location, tenant=conn.label,
                              history=store.history(key), tenant_id=tid)
            if saved is not None:
                await _guard_tenant(client, conn, saved)
                if saved.signature() != fresh.signature():
                    raise StalePlan.keyed("plan.stale", created_at=saved.created_at, n=len(saved.changes),
                                          n2=len(fresh.changes))
            if fresh.blocked:
                raise blocked_error(fresh)
            if not fresh.changes:
                return Outcome(fresh)
            if not await asyncio.to_thread(confirm, fresh):
                raise UsageError.keyed("plan.not_confirmed")
            run = store.create(fresh, {"tenant_key": key, "tenant": conn.label, "endpoint": conn.endpoint.base_url,
                                       "playbook_source": pb.source, "overrides": overrides})
            return await _run_locked(client, key, fresh, run, progress)
    finally:
        await client.aclose()


def _same_endpoint(run: Run, conn: Any) -> dict:
    meta = run.meta()
    if meta.get("endpoint") and meta.get("endpoint") != conn.endpoint.base_url:
        raise UsageError.keyed("plan.run_other_tenant", run_id=run.id, tenant=meta.get('tenant'),
                               endpoint=meta.get('endpoint'), base_url=conn.endpoint.base_url)
    return meta


async def resume(run_id: str, open_client: OpenClient, conn: Any, *, progress: Progress | None = None,
                 store: RunStore | None = None) -> Outcome:
    """Continue an interrupted run (apply or undo) without repeating any change Graph already accepted."""
    progress = progress or _quiet
    run = (store or RunStore()).get(run_id)
    meta = _same_endpoint(run, conn)
    the_plan = run.plan()
    client = open_client()
    _keep_not_before(client, meta["tenant_key"])
    try:
        await _guard_tenant(client, conn, the_plan)
        with TenantLock(meta["tenant_key"]):
            return await _run_locked(client, meta["tenant_key"], the_plan, run, progress)
    finally:
        await client.aclose()


async def undo(run_id: str, open_client: OpenClient, conn: Any, *, confirm: Confirm = lambda _p: True,
               progress: Progress | None = None, store: RunStore | None = None,
               show: Callable[[Plan, list[Change]], None] | None = None) -> Outcome:
    """Reverse a run: done changes, and in-flight ones that took effect; lists what cannot be undone."""
    progress = progress or _quiet
    store = store or RunStore()
    run = store.get(run_id)
    meta = _same_endpoint(run, conn)
    client = open_client()
    _keep_not_before(client, meta["tenant_key"])
    try:
        await _guard_tenant(client, conn, run.plan())
        with TenantLock(meta["tenant_key"]):
            inverse, cannot = undo_plan(run, store)
            if show is not None:
                show(inverse, cannot)
            if not inverse.changes:
                return Outcome(inverse, cannot_undo=cannot)
            if not await asyncio.to_thread(confirm, inverse):
                raise UsageError.keyed("plan.undo_not_confirmed")
            undo_run = store.create(inverse, {**meta, "undo_of": run.id})
            out = await _run_locked(client, meta["tenant_key"], inverse, undo_run, progress)
            out.cannot_undo = cannot
            return out
    finally:
        await client.aclose()


# -- verify ----------------------------------------------------------------------------------------
async def verify(run_id: str, open_client: OpenClient, conn: Any, *, progress: Progress | None = None,
                 store: RunStore | None = None) -> Verification:
    """Re-plan the run's playbook (empty means nothing left) and read back the whole desired state of every
    change the run made: team members and channels, policy assignments, settings values, the mail."""
    from .verify import verify_run

    progress = progress or _quiet
    store = store or RunStore()
    run = store.get(run_id)
    if run.meta().get("undo_of"):
        raise UsageError.keyed("plan.run_is_undo", run_id=run_id)
    pb, overrides = playbook_of(run)
    replanned = await plan(playbook_ref(pb.source), open_client=open_client, conn=conn, params=overrides, progress=progress, store=store)
    client = open_client()
    _keep_not_before(client, run.meta().get("tenant_key") or conn.endpoint.base_url)
    try:
        problems = await verify_run(client, run)
    finally:
        await client.aclose()
    return Verification(replanned.plan, problems)


# -- runs, timeline, actions -----------------------------------------------------------------------
def run_status(run: Run) -> RunInfo:
    meta, state, the_plan = run.meta(), run.state(), run.plan()
    done = sum(1 for s in state.values() if s.get("phase") == "done")
    failed = sum(1 for s in state.values() if s.get("phase") == "failed")
    unknown = sum(1 for s in state.values() if s.get("phase") == "unknown")
    total = len(the_plan.changes)
    status = "complete" if done == total else ("unknown" if unknown else "failed" if failed else "incomplete")
    label = f"undo {meta['undo_of']}" if meta.get("undo_of") else the_plan.playbook
    return RunInfo(run.id, meta.get("created", ""), label, meta.get("tenant", ""), done, total, status)


def runs(store: RunStore | None = None) -> list[RunInfo]:
    return [run_status(r) for r in (store or RunStore()).all()]


@dataclass
class Timeline:
    run: str
    playbook: str
    meta: dict
    entries: list[dict]


def timeline(run_id: str, store: RunStore | None = None) -> Timeline:
    run = (store or RunStore()).get(run_id)
    return Timeline(run.id, run.plan().playbook, run.meta(), list(run.entries()))


def actions() -> list[ActionInfo]:
    out = []
    for name, a in sorted(SPECS.items()):
        fields = {k: (... if f.is_required() else f.default) for k, f in a.params.model_fields.items()}
        out.append(ActionInfo(name, step_title(None, name), fields, a.permissions, a.irreversible))
    return out


__all__ = ["ActionInfo", "BlockedPlan", "Outcome", "Planned", "RunInfo", "StalePlan", "Timeline", "Verification",
           "WrongTenant", "actions", "apply", "blocked_error", "plan", "playbook_of", "resume", "run_status", "runs",
           "save_plan", "timeline", "undo", "undo_preview", "preview_of", "UndoPreview", "verify"]
