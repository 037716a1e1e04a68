"""A plan for people: every change with before and after, grouped by step, with totals."""
from __future__ import annotations

import json
from typing import Any

from ..i18n import labels, number, resolve, text
from ..playbook.model import Plan
from ..playbook.planner import estimate
from .safe import terminal as esc

PER_STEP = 15


VALUE_WORDS = {"all licensed users": "all_licensed_users"}  # a step's words kept in its plan data, said per language


def _short(value: Any, lang: str = "en") -> str:
    """A change's before or after for people: the step's own field names in the reader's words (Graph's property names
    as they are), true/false as Graph writes them, not Python's True/False."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        fields = labels(lang)["plan"]["fields"]
        return ", ".join(f"{fields.get(k, k)}={_short(v, lang)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_short(v, lang) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value in VALUE_WORDS:
        return text(f"plan.values.{VALUE_WORDS[value]}", lang)
    return str(resolve(value, lang))


def param_lines(model: Any, lang: str = "en") -> list[str]:
    """One line per parameter of an action type's pydantic model: name, type, and "required" or its default
    (never PydanticUndefined), in ``lang``."""
    import typing

    out = []
    for name, f in model.model_fields.items():
        kind = f.annotation
        kind = getattr(kind, "__name__", None) if typing.get_origin(kind) is None else str(kind).replace("typing.", "")
        kind = kind or str(f.annotation).replace("typing.", "")
        if f.is_required():
            out.append(text("plan.param_required", lang, name=name, type=kind))
        else:
            default = f.default_factory() if f.default_factory is not None else f.default
            out.append(text("plan.param_default", lang, name=name, type=kind, default=repr(default)))
    return out


def estimate_text(est: dict, lang: str) -> str:
    """The plan's estimate in words: requests (with the polls Graph decides), seconds."""
    key = "plan.estimate_polls" if est.get("polls") else "plan.estimate"
    return text(key, lang, n=est["requests"], polls=est.get("polls", 0), seconds=number(est["seconds"], lang))


def render_plan_text(plan: Plan, granted: set[str] | None = None, lang: str = "en") -> str:
    def tx(key: str, **params: Any) -> str:
        return text(f"plan.{key}", lang, **params)

    out = [tx("head", playbook=plan.playbook, tenant=esc(plan.tenant), n=len(plan.changes)), ""]
    for s in plan.steps:
        head = f"[{s.step}] {esc(resolve(s.title, lang))}"
        if s.blocked:
            out.append(f"{head}\n    " + tx("blocked", reason=esc(resolve(s.blocked, lang))))
        elif not s.changes:
            out.append(f"{head}\n    " + tx("nothing_to_do", reason=esc(resolve(s.noop_reason, lang))))
        else:
            out.append(f"{head}: " + tx("changes", n=len(s.changes)))
            for c in s.changes[:PER_STEP]:
                mark = " " + tx("irreversible") if c.irreversible else ""
                out.append(f"    {text(f'steps.kinds.{c.kind}', lang):<7} {esc(resolve(c.target, lang))}: {esc(_short(c.before, lang))} -> {esc(_short(c.after, lang))}{mark}")
            if len(s.changes) > PER_STEP:
                out.append("    " + tx("and_more", n=len(s.changes) - PER_STEP))
        for sku in s.seats.values():
            if sku["needed"]:
                out.append("    " + tx("seats", sku=esc(sku["name"]), needed=sku["needed"], free=sku["free"]))
        out.append("")
    perms = plan.permissions()
    if perms:
        if granted is None:
            out.append(tx("permissions", permissions=", ".join(perms)))
        else:
            from ..graph.permissions import PLAYBOOKS

            accepted = {n.permission: n.accepted for n in PLAYBOOKS}
            rows = [f"{p} ({tx('granted') if set(accepted.get(p, (p,))) & granted else tx('missing')})" for p in perms]
            out.append(tx("permissions", permissions=", ".join(rows)))
    out.append(estimate_text(estimate(plan), lang))
    if plan.blocked:
        out.append(tx("cannot_apply", n=len(plan.blocked)))
    return "\n".join(out) + "\n"


def render_plan_json(plan: Plan, granted: set[str] | None = None, *, exit_code: int = 0, lang: str = "en") -> str:
    """Texts for people (titles, reasons, targets) in ``lang``; the message keys stay in the plan file (model.encode)."""
    from .envelope import envelope

    data = plan.to_dict()
    for s, step in zip(data["steps"], plan.steps):
        s.update(title=resolve(step.title, lang), noop_reason=resolve(step.noop_reason, lang), blocked=resolve(step.blocked, lang))
        for c, change in zip(s["changes"], step.changes):
            c["target"] = resolve(change.target, lang)
            c["kind_label"] = text(f"steps.kinds.{change.kind}", lang)
    data["estimate"] = {**estimate(plan), "text": estimate_text(estimate(plan), lang)}
    data["permissions"] = {"needed": plan.permissions(), "granted": sorted(granted) if granted is not None else None}
    data["blocked"] = [{"step": s.step, "reason": resolve(s.blocked, lang)} for s in plan.blocked]
    return envelope("playbook plan", json.loads(json.dumps(data, default=str)), exit_code=exit_code,
                    status="error" if plan.blocked else "success")
