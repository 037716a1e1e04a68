"""security_defaults: turn on Microsoft Entra security defaults where nothing else enforces MFA (no P1, no CA).

What it changes, for everyone in the tenant (https://learn.microsoft.com/entra/fundamentals/security-defaults):
every user must register the Authenticator app within 14 days, administrators always sign in with MFA, others
when Entra sees risk, and legacy authentication (IMAP, POP, SMTP AUTH, old Office clients) is blocked. It
cannot be on together with Conditional Access policies, so where any policy is enabled the step has nothing to do (and says why).
PATCH /policies/identitySecurityDefaultsEnforcementPolicy (Policy.ReadWrite.SecurityDefaults,
https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-update).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ...i18n import Message
from ..model import StepPlan
from .base import Ctx
from .settings import settings_check, settings_done, settings_inverse, settings_plan

NAME = "security_defaults"
TITLE = "Turn on security defaults (MFA for everyone, legacy authentication blocked)"  # = steps.security_defaults.title
PERMISSIONS = ("Policy.ReadWrite.SecurityDefaults",)
PATH = "/policies/identitySecurityDefaultsEnforcementPolicy"
WARNING = ("security defaults: everyone must register the Authenticator app within 14 days, administrators always "
           "use MFA, legacy authentication (IMAP, POP, SMTP AUTH, old Office clients) stops working")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


def plan(p: Params, ctx: Ctx) -> StepPlan:
    ca = ctx.snapshot.section("conditional_access")
    enabled = [x.get("displayName") for x in (ca.data or []) if x.get("state") == "enabled"] if ca.usable else []
    if p.enabled and enabled:
        # nothing to do here (not blocked: the playbook's other steps still apply on this tenant)
        return ctx.step(NAME, [], noop=Message("steps.security_defaults.ca_on", {"policies": ", ".join(map(str, enabled[:3]))}),
                        permissions=PERMISSIONS)
    return settings_plan(ctx, NAME, "security_defaults", PATH, {"isEnabled": p.enabled}, PERMISSIONS,
                         Message("steps.security_defaults.warning") if p.enabled else Message("steps.security_defaults.name"))


check, is_done, inverse = settings_check, settings_done, settings_inverse
