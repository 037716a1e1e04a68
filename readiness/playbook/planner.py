"""plan(): pure over a snapshot (plus the history of earlier runs). Imports no network code.

Nothing to do always has a reason; a step that cannot work says why (blocked) and nothing is applied.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..audit.facts import facts
from ..collect.snapshot import Snapshot
from ..errors import UsageError
from ..i18n import Message
from .loader import Playbook
from .model import Plan, StepPlan
from .schema import check_params, substitute, unset_parameters
from .steps import spec
from .steps.base import Ctx


def resolve_params(playbook: Playbook, overrides: dict[str, str]) -> dict[str, Any]:
    params = dict(playbook.parameters)
    for key, value in overrides.items():
        if key not in params:
            raise UsageError.keyed("playbook.unknown_param", name=playbook.name, key=key,
                                   value=', '.join(params) or 'none')
        default = params[key]
        if isinstance(default, list):
            params[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(default, bool):
            params[key] = value.lower() in ("1", "true", "yes", "ja")
        else:
            params[key] = value
    return params


def make_plan(playbook: Playbook, snapshot: Snapshot, *, overrides: dict[str, str] | None = None, usage_location: str = "",
              tenant: str = "", history: dict[str, dict] | None = None, tenant_id: str = "") -> Plan:
    """The plan of ``playbook`` for the tenant in ``snapshot``; ``tenant_id`` (from the token's tid claim or the
    profile) is recorded so that apply and resume refuse a token of another tenant."""
    params = resolve_params(playbook, overrides or {})
    f = facts(snapshot)
    steps: list[StepPlan] = []
    for step in playbook.steps:
        where = f"{playbook.source}: line {step.line}"
        action = spec(step.action)
        select = substitute(step.select, params, where)
        ctx = Ctx(snapshot, f, step.id, step.title, select, usage_location, history or {}, playbook.base_dir,
                  snapshot.tenant_name, tuple(steps))
        missing = unset_parameters(step.params, params)
        if missing:
            hint = " ".join(f"--param {n}=..." for n in missing)
            steps.append(ctx.step(step.action, [], blocked=Message("steps.params_missing", {"n": len(missing), "names": ", ".join(missing), "hint": hint}),
                                  permissions=action.permissions))
            continue
        p = check_params(step.action, substitute(step.params, params, where), where)
        sp = action.plan(p, ctx)
        if not sp.changes and not sp.noop_reason and not sp.blocked:
            sp.noop_reason = ctx.no_one()
        steps.append(sp)
    return Plan(playbook.name, playbook.sha256, params, tenant or snapshot.tenant_name, tenant_id or snapshot.tenant_id,
                snapshot.fingerprint(), datetime.now(timezone.utc).isoformat(timespec="seconds"), steps)


BATCH = 20  # requests per $batch call (graph/batch.py)
SECONDS_PER_REQUEST = 0.1  # about 0.4 s each, four in flight at once
SECONDS_PER_POLL = 0.5  # the applier waits between polls of a long-running operation


def estimate(plan: Plan) -> dict:
    """The HTTP requests applying ``plan`` will send, summed from each action type's ``requests(change)``
    (contract.Cost) the way the applier sends them: batched requests 20 per ``$batch`` per step and phase (a usage
    location before its licence), the look-ups before the step's creates in one ``$batch`` of 20, then every
    request of a create or a multi-part change on its own, and the polls of long-running operations.

    ``requests`` is the total; ``polls`` is the part Graph decides (the usual count, not a bound)."""
    direct = polls = batches = lookups = 0
    for step in plan.steps:
        by_phase: dict[int, int] = {}
        looks = 0
        for change in step.changes:
            cost = spec(change.action).requests(change)
            direct += cost.direct
            polls += cost.polls
            looks += cost.lookups
            if cost.batched:
                phase = change.data.get("phase", 1)
                by_phase[phase] = by_phase.get(phase, 0) + cost.batched
        batches += sum(-(-n // BATCH) for n in by_phase.values())
        lookups += -(-looks // BATCH)
    wire = direct + polls + batches + lookups
    return {"changes": len(plan.changes), "requests": wire, "direct": direct, "batches": batches, "lookups": lookups,
            "polls": polls, "seconds": round(wire * SECONDS_PER_REQUEST + polls * SECONDS_PER_POLL + 1, 1)}


__all__ = ["estimate", "make_plan", "resolve_params"]
