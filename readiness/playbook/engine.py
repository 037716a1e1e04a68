"""plan(), apply(), undo plans: the safety rules live here, not in the action types.

- plan is pure over a snapshot (plus the history of earlier runs); nothing to do always has a reason;
- apply sends exactly the recorded requests, step by step, journalling each change before and after;
- a create is never sent before looking its object up by natural key; in-doubt changes (started,
  never finished: a crash, a lost connection) are reconciled by reading the tenant, not re-sent blind;
- a team accepted with 202 is polled on resume, never created twice;
- apply stops after the first step with a failure and reports the run as incomplete.
"""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from ..audit.facts import facts
from ..collect.snapshot import Snapshot
from ..errors import GraphError, UsageError
from ..graph.batch import BatchRequest, run_batch
from .loader import Playbook
from .model import Change, Plan, Request, StepPlan
from .runs import Run
from .schema import check_params, substitute, unset_parameters
from .steps import ACTIONS
from .steps.base import Ctx

WAVE = 160  # changes in flight per wave: 8 concurrent $batch calls of 20
Progress = Callable[[str], None]


def resolve_params(playbook: Playbook, overrides: dict[str, str]) -> dict[str, Any]:
    params = dict(playbook.parameters)
    for key, value in overrides.items():
        if key not in params:
            raise UsageError(f"The playbook '{playbook.name}' has no parameter '{key}'",
                             f"Its parameters: {', '.join(params) or 'none'}")
        default = params[key]
        if isinstance(default, list):
            params[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(default, bool):
            params[key] = value.lower() in ("1", "true", "yes", "ja")
        else:
            params[key] = value
    return params


def make_plan(playbook: Playbook, snapshot: Snapshot, *, overrides: dict[str, str] | None = None, usage_location: str = "",
              tenant: str = "", history: dict[str, dict] | None = None) -> Plan:
    params = resolve_params(playbook, overrides or {})
    f = facts(snapshot)
    steps: list[StepPlan] = []
    for step in playbook.steps:
        where = f"{playbook.source}: line {step.line}"
        action = ACTIONS[step.action]
        select = substitute(step.select, params, where)
        ctx = Ctx(snapshot, f, step.id, step.title, select, usage_location, history or {}, playbook.base_dir,
                  snapshot.tenant_name)
        missing = unset_parameters(step.params, params)
        if missing:
            hint = " ".join(f"--param {n}=..." for n in missing)
            steps.append(ctx.step(step.action, [], blocked=f"parameter(s) {', '.join(missing)} not set; give {hint}",
                                  permissions=action.PERMISSIONS))
            continue
        p = check_params(step.action, substitute(step.params, params, where), where)
        sp = action.plan(p, ctx)
        if not sp.changes and not sp.noop_reason and not sp.blocked:
            sp.noop_reason = ctx.no_one()
        steps.append(sp)
    return Plan(playbook.name, playbook.sha256, params, tenant or snapshot.tenant_name, snapshot.tenant_id,
                snapshot.fingerprint(), datetime.now(timezone.utc).isoformat(timespec="seconds"), steps)


# -- apply -------------------------------------------------------------------------------------
@dataclass
class ApplyResult:
    done: int = 0
    adopted: int = 0  # found already in effect (resume, or made by someone else meanwhile)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.skipped_steps


async def _reconcile(client: Any, changes: list[Change]) -> dict[str, tuple[bool, Any]]:
    """Read the tenant to learn whether changes are already in effect (one $batch of GETs)."""
    reqs, index = [], {}
    for c in changes:
        probe = ACTIONS[c.action].check(c)
        if probe is not None:
            rid = str(len(reqs))
            index[rid] = c
            reqs.append(BatchRequest(rid, "GET", probe.path))
    out: dict[str, tuple[bool, Any]] = {}
    if not reqs:
        return out
    results = await run_batch(client, reqs)
    for rid, c in index.items():
        res = results.get(rid)
        if res is not None and res.ok:
            out[c.id] = (bool(ACTIONS[c.action].is_done(c, res.body)), res.body)
    return out


def _created_id(c: Change, body: Any) -> dict:
    module = ACTIONS[c.action]
    finder = getattr(module, "found_id", None)
    found = finder(body, c) if finder is not None else None
    if not found:
        return {}
    return {"team_id": found} if c.action == "create_team" else {"id": found}


async def apply_plan(client: Any, plan: Plan, run: Run, progress: Progress | None = None) -> ApplyResult:
    say = progress or (lambda _m: None)
    result = ApplyResult()
    state = run.state()
    total = len(plan.changes)
    count = 0
    for step in plan.steps:
        if not step.changes:
            continue
        pending = [c for c in step.changes if state.get(c.id, {}).get("phase") != "done"]
        count += len(step.changes) - len(pending)
        in_doubt = [c for c in pending if c.id in state]
        creates = [c for c in pending if c not in in_doubt and not c.requests[0].idempotent]
        checked = await _reconcile(client, in_doubt + creates) if (in_doubt or creates) else {}
        todo = []
        for c in pending:
            done, body = checked.get(c.id, (False, None))
            if done:
                run.write({"change": c.id, "phase": "done", "how": "found in effect", "result": _created_id(c, body)})
                result.adopted += 1
                count += 1
            elif state.get(c.id, {}).get("phase") == "accepted":
                todo.append(c)  # a team accepted with 202: poll, do not create again
            else:
                todo.append(c)
        simple = [c for c in todo if len(c.requests) == 1 and c.requests[0].idempotent and "{" not in c.requests[0].path]
        complex_ = [c for c in todo if c not in simple]
        # prerequisites first (a usage location before the licence): phase by phase, never mixed in one wave
        waves = [w for phase in sorted({c.data.get("phase", 1) for c in simple})
                 for group in [[c for c in simple if c.data.get("phase", 1) == phase]]
                 for w in (group[i:i + WAVE] for i in range(0, len(group), WAVE))]
        for wave in waves:
            run.write_many([{"change": c.id, "phase": "start", "request": {"method": c.requests[0].method, "path": c.requests[0].path},
                             "before": c.before, "after": c.after} for c in wave])
            answers = await run_batch(client, [BatchRequest(c.id, r.method, r.path, r.body, idempotent=True)
                                               for c in wave for r in c.requests])
            entries = []
            for c in wave:
                res = answers.get(c.id)
                ok = res is not None and (res.ok or _already(c, res))
                entry = {"change": c.id, "phase": "done" if ok else "failed", "status": res.status if res else 0,
                         "request_id": (res.headers or {}).get("request-id", "") if res else ""}
                if not ok:
                    entry["error"] = _error_text(res)
                    result.failed.append((c.id, entry["error"]))
                else:
                    result.done += 1
                entries.append(entry)
            run.write_many(entries)
            count += len(wave)
            say(f"  {step.step}: {count}/{total} changes")
        for c in complex_:
            ok, error = await _apply_one(client, c, run, state.get(c.id, {}))
            count += 1
            if ok:
                result.done += 1
            else:
                result.failed.append((c.id, error))
            say(f"  {step.step}: {count}/{total} changes")
        if result.failed:
            result.skipped_steps = [s.step for s in plan.steps[plan.steps.index(step) + 1:] if s.changes]
            break
    return result


def _already(c: Change, res: Any) -> bool:
    """An error that means "this is in effect already", as the step's own ``already_done`` hook judges it."""
    hook = getattr(ACTIONS[c.action], "already_done", None)
    return bool(hook and hook(res.status, res.body))


def _error_text(res: Any) -> str:
    if res is None:
        return "no answer"
    err = (res.body or {}).get("error") if isinstance(res.body, dict) else None
    return f"{res.status} {err.get('code', '')}: {err.get('message', '')}".strip() if err else f"HTTP {res.status}"


async def _apply_one(client: Any, c: Change, run: Run, prior: dict) -> tuple[bool, str]:
    """Changes of several requests (create and assign; create team, poll, add members)."""
    values: dict[str, str] = dict(prior.get("result") or {})
    first = 0
    if c.action == "create_team" and prior.get("phase") == "accepted":
        first = 1  # created already: poll its operation, then add members
    else:
        run.write({"change": c.id, "phase": "start", "request": {"method": c.requests[0].method, "path": c.requests[0].path},
                   "before": c.before, "after": c.after})
    try:
        if c.action == "create_team":
            resp = await _create(client, c, c.requests[0], values) if first == 0 else None
            if resp is not None:  # 202: the team id and the operation to poll are in Location
                location = resp.headers.get("location", "")
                team_id = location.split("('")[1].split("')")[0] if "('" in location else ""
                values.update({"team_id": team_id, "operation": location})
                run.write({"change": c.id, "phase": "accepted", "status": resp.status, "request_id": resp.request_id,
                           "result": values})
            if values.get("operation"):
                await _poll_team(client, values["operation"])
            for req in c.requests[1:]:
                await _with_consistency(client, req.method, req.path.format(**values), req.body)
        else:
            for n, req in enumerate(c.requests):
                if n == 0 and not req.idempotent:
                    resp = await _create(client, c, req, values)
                    if resp is None:  # found in effect after an answer was lost
                        continue
                else:
                    resp = await client.request(req.method, req.path.format(**values), req.body, idempotent=req.idempotent)
                body = resp.json() if resp.content else {}
                if n == 0 and isinstance(body, dict):
                    if body.get("id"):
                        values["id"] = body["id"]
                    if (body.get("invitedUser") or {}).get("id"):
                        values["id"] = body["invitedUser"]["id"]
        run.write({"change": c.id, "phase": "done", "status": 200, "result": values})
        return True, ""
    except GraphError as exc:
        run.write({"change": c.id, "phase": "failed", "status": exc.status, "request_id": exc.request_id, "error": str(exc),
                   "result": values})
        return False, str(exc)


async def _create(client: Any, c: Change, req: Request, values: dict) -> Any:
    """Send a create or a mail once. If the answer is lost, look the object up before anything else.

    Returns the response, or None when the object turned out to exist (its id goes into values).
    A mail whose answer is lost is taken as sent: never twice (the timeline says so).
    """
    from ..errors import GraphUnavailable

    for attempt in range(3):
        try:
            return await client.request(req.method, req.path.format(**values), req.body, idempotent=False)
        except GraphUnavailable:
            if c.irreversible:
                values["in_doubt"] = "the connection dropped after sending; taken as sent so it is never sent twice"
                return None
            await asyncio.sleep(1.0 + attempt)  # let the directory catch up before looking
            found = await _reconcile(client, [c])
            done, body = found.get(c.id, (False, None))
            if done:
                values.update(_created_id(c, body))
                return None
    raise GraphError(f"Could not create {c.target}: the connection kept dropping", "Resume the run later", status=503)


async def _poll_team(client: Any, location: str, tries: int = 30) -> None:
    delay = 0.2
    for _ in range(tries):
        op = (await client.request("GET", location)).json() or {}
        if op.get("status") == "succeeded":
            return
        if op.get("status") == "failed":
            raise GraphError(f"Team creation failed: {op.get('error')}", "See the Teams admin center", status=500)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10)
    raise GraphError("Team creation did not finish in time", "Resume the run later; it will poll again, not create again", status=504)


async def _with_consistency(client: Any, method: str, path: str, body: Any, tries: int = 6) -> None:
    """A new team answers 404 for a while (replication); retry those, nothing else."""
    delay = 0.5
    for attempt in range(tries):
        resp = await client.request(method, path, body, check=False, idempotent=True)
        if resp.ok:
            return
        if resp.status != 404 or attempt == tries - 1:
            from ..graph.client import graph_error

            raise graph_error(resp, method, path)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 8)


# -- undo --------------------------------------------------------------------------------------
def undo_plan(run: Run) -> tuple[Plan, list[Change]]:
    """The inverse of a run's done changes, newest first; irreversible changes are listed apart."""
    plan = run.plan()
    state = run.state()
    inverse: list[Change] = []
    irreversible: list[Change] = []
    for c in reversed(plan.changes):
        st = state.get(c.id)
        if not st or st.get("phase") != "done":
            continue
        merged = Change(c.id, c.step, c.action, c.kind, c.target, c.key, c.before, c.after, c.requests, c.irreversible,
                        {**c.data, **(st.get("result") or {}), "phase": -c.data.get("phase", 1)})  # undo runs backwards
        inv = None if c.irreversible else ACTIONS[c.action].inverse(merged)
        if inv is None:
            irreversible.append(c)
        else:
            inverse.extend(inv)
    steps: dict[str, StepPlan] = {}
    for c in inverse:
        steps.setdefault(c.step, StepPlan(f"undo-{c.step}", c.action, f"Undo {c.step}", [])).changes.append(c)
    undo = Plan(f"undo:{run.id}", hashlib.sha256(run.id.encode()).hexdigest(), {}, plan.tenant, plan.tenant_id,
                plan.snapshot_fingerprint, datetime.now(timezone.utc).isoformat(timespec="seconds"), list(steps.values()))
    return undo, irreversible
