"""conditional_access: an MFA policy in report-only state, break-glass accounts excluded. Never enabled here."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import Request, StepPlan
from .base import Ctx, named_object

NAME = "conditional_access"
TITLE = "Create a report-only Conditional Access policy requiring MFA"
PERMISSIONS = ("Policy.ReadWrite.ConditionalAccess", "Policy.Read.All")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "readiness: require MFA for all users (report-only)"
    break_glass: list[str] = Field(min_length=1)  # UPNs excluded so nobody is ever locked out
    grant: Literal["mfa", "compliantDevice"] = "mfa"
    applications: list[str] = Field(default_factory=lambda: ["All"])


def plan(p: Params, ctx: Ctx) -> StepPlan:
    sec = ctx.snapshot.section("conditional_access")
    if not sec.usable:
        if sec.licence:  # not applicable to this tenant; not something the admin can fix with a parameter
            return ctx.step(NAME, [], noop=Message("steps.not_applicable", {"reason": sec.reason}), permissions=PERMISSIONS)
        return ctx.step(NAME, [], blocked=Message("steps.conditional_access.unavailable", {"reason": sec.reason}), permissions=PERMISSIONS)
    if any((x.get("displayName") or "").lower() == p.name.lower() for x in sec.data or []):
        return ctx.step(NAME, [], noop=Message("steps.conditional_access.exists", {"name": p.name}), permissions=PERMISSIONS)
    by_upn = {x.upn.lower(): x for x in ctx.facts.people}
    missing = [u for u in p.break_glass if u.lower() not in by_upn]
    if missing:
        return ctx.step(NAME, [], blocked=Message("steps.conditional_access.no_break_glass", {"n": len(missing), "accounts": ", ".join(missing)}),
                        permissions=PERMISSIONS)
    body = {"displayName": p.name, "state": "enabledForReportingButNotEnforced",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": [by_upn[u.lower()].id for u in p.break_glass]},
                           "applications": {"includeApplications": p.applications}, "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": [p.grant]}}
    change = ctx.change(NAME, "create", f"ca:{p.name}", p.name, None,
                        {"policy": p.name, "state": "report-only", "excluded": p.break_glass},
                        [Request("POST", "/identity/conditionalAccess/policies", body, idempotent=False)], name=p.name)
    return ctx.step(NAME, [change], permissions=PERMISSIONS)


check, found_id, is_done, inverse = named_object("/identity/conditionalAccess/policies", "/identity/conditionalAccess/policies/{id}")
