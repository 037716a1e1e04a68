"""tap_policy: switch on the Temporary Access Pass method for all users (authentication methods policy).

PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass with state,
includeTargets, defaultLifetimeInMinutes and isUsableOnce (Policy.ReadWrite.AuthenticationMethod;
https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-update; the body names
its ``@odata.type``). Only the fields that differ are sent; undo sends back what they were. A pass's lifetime must
lie within the policy's minimum and maximum (resources/temporaryaccesspassauthenticationmethodconfiguration), so
the default lifetime is checked against them here and the ``temporary_access_pass`` step reads this step's values.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx

NAME = "tap_policy"
TITLE = "Allow Temporary Access Passes for everyone (authentication methods policy)"  # = steps.tap_policy.title
PERMISSIONS = ("Policy.ReadWrite.AuthenticationMethod",)
PATH = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
ODATA_TYPE = "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
ALL_USERS = [{"id": "all_users", "targetType": "group", "isRegistrationRequired": False}]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_lifetime_minutes: int = Field(480, ge=10, le=43200)
    usable_once: bool = True


def tap_config(snapshot: Any) -> dict | None:
    """The TemporaryAccessPass configuration in the snapshot; None when the policy was not read."""
    sec = snapshot.section("auth_methods_policy")
    if not sec.usable:
        return None
    return next((c for c in (sec.data or {}).get("authenticationMethodConfigurations") or []
                 if str(c.get("id", "")).lower() == "temporaryaccesspass"), {})


def _targets_all(targets: Any) -> bool:
    return any(str(t.get("id")) == "all_users" for t in targets or [])


def plan(p: Params, ctx: Ctx) -> StepPlan:
    cfg = tap_config(ctx.snapshot)
    what = Message("steps.tap_policy.name")
    if cfg is None:
        reason = ctx.snapshot.section("auth_methods_policy").reason
        return ctx.step(NAME, [], blocked=Message("steps.settings.unreadable", {"what": what, "reason": reason}),
                        permissions=PERMISSIONS)
    low, high = cfg.get("minimumLifetimeInMinutes", 60), cfg.get("maximumLifetimeInMinutes", 480)
    if not low <= p.default_lifetime_minutes <= high:
        return ctx.step(NAME, [], blocked=Message("steps.tap_policy.lifetime", {"minutes": p.default_lifetime_minutes,
                                                                               "low": low, "high": high}), permissions=PERMISSIONS)
    wanted: dict[str, Any] = {"state": "enabled", "defaultLifetimeInMinutes": p.default_lifetime_minutes,
                              "isUsableOnce": p.usable_once}
    diff = {k: v for k, v in wanted.items() if cfg.get(k) != v}
    if not _targets_all(cfg.get("includeTargets")):
        diff["includeTargets"] = ALL_USERS
    if not diff:
        return ctx.step(NAME, [], noop=Message("steps.settings.as_wanted", {"what": what}), permissions=PERMISSIONS)
    before = {k: cfg.get(k) for k in diff}
    change = ctx.change(NAME, "update", "tap_policy", what, before, diff,
                        [Request("PATCH", PATH, {"@odata.type": ODATA_TYPE, **diff})], path=PATH)
    return ctx.step(NAME, [change], permissions=PERMISSIONS)


def effective(snapshot: Any, earlier: tuple[StepPlan, ...]) -> dict | None:
    """The TAP configuration once the playbook's earlier steps ran: the snapshot's, with an earlier tap_policy
    step's changes laid over it. None when it is unknown (policy unreadable, no such step)."""
    cfg = tap_config(snapshot)
    out = dict(cfg) if cfg is not None else None
    for sp in earlier:
        if sp.action != NAME or sp.blocked:
            continue
        out = dict(out or {})
        for c in sp.changes:
            out.update(c.after)
    return out


def check(change: Change) -> Request | None:
    return Request("GET", PATH)


def is_done(change: Change, body: Any) -> bool:
    return all((body or {}).get(k) == v for k, v in change.after.items())


def inverse(change: Change) -> list[Change] | None:
    before = {k: ([] if k == "includeTargets" and v is None else v) for k, v in change.before.items()}
    return [change.inverted([Request("PATCH", PATH, {"@odata.type": ODATA_TYPE, **before})])]
