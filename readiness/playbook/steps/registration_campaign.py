"""registration_campaign: nudge everyone without the Authenticator to register it at their next sign-in.

PATCH /policies/authenticationMethodsPolicy with registrationEnforcement.authenticationMethodsRegistrationCampaign
(Policy.ReadWrite.AuthenticationMethod; https://learn.microsoft.com/graph/api/authenticationmethodspolicy-update,
resources/authenticationmethodsregistrationcampaign). Undo restores the campaign as it was.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import StepPlan
from .base import Ctx
from .settings import settings_check, settings_done, settings_inverse, settings_plan

NAME = "registration_campaign"
TITLE = "Ask everyone to register the Authenticator app at sign-in"
PERMISSIONS = ("Policy.ReadWrite.AuthenticationMethod",)
PATH = "/policies/authenticationMethodsPolicy"


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    snooze_days: int = Field(1, ge=0, le=14)  # how often a person may postpone (Graph allows 0-14 days)


def plan(p: Params, ctx: Ctx) -> StepPlan:
    current = (ctx.snapshot.data("auth_methods_policy") or {}).get("registrationEnforcement") or {}
    campaign = dict(current.get("authenticationMethodsRegistrationCampaign") or {})
    campaign.update({"state": "enabled", "snoozeDurationInDays": p.snooze_days,
                     "includeTargets": [{"id": "all_users", "targetType": "group",
                                         "targetedAuthenticationMethod": "microsoftAuthenticator"}]})
    campaign.setdefault("excludeTargets", [])
    wanted = {"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": campaign}}
    return settings_plan(ctx, NAME, "auth_methods_policy", PATH, wanted, PERMISSIONS, Message("steps.registration_campaign.name"))


check, is_done, inverse = settings_check, settings_done, settings_inverse
