"""Shared logic for steps that set a tenant-wide settings object to wanted values (one PATCH)."""
from __future__ import annotations

from typing import Any

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx


def settings_plan(ctx: Ctx, action: str, section: str, path: str, wanted: dict, permissions: tuple, what: Message) -> StepPlan:
    sec = ctx.snapshot.section(section)
    if not sec.usable:
        return ctx.step(action, [], blocked=Message("steps.settings.unreadable", {"what": what, "reason": sec.reason}),
                        permissions=permissions)
    current = sec.data or {}
    diff = {k: v for k, v in wanted.items() if v is not None and current.get(k) != v}
    if not diff:
        return ctx.step(action, [], noop=Message("steps.settings.as_wanted", {"what": what}), permissions=permissions)
    before = {k: current.get(k) for k in diff}
    change = ctx.change(action, "update", section, what, before, diff, [Request("PATCH", path, diff)], path=path)
    return ctx.step(action, [change], permissions=permissions)


def settings_check(change: Change) -> Request | None:
    return Request("GET", change.data["path"])


def settings_done(change: Change, body: Any) -> bool:
    body = (body or {}).get("value") if isinstance((body or {}).get("value"), dict) else body
    return all((body or {}).get(k) == v for k, v in change.after.items())


def settings_inverse(change: Change) -> list[Change] | None:
    return [change.inverted([Request("PATCH", change.data["path"], change.before)])]
