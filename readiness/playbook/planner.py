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


__all__ = ["make_plan", "resolve_params"]
