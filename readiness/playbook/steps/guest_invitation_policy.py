"""guest_invitation_policy: who may invite guests, and what guests may see."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ...i18n import Message
from ..model import StepPlan
from .base import Ctx
from .settings import settings_check, settings_done, settings_inverse, settings_plan

NAME = "guest_invitation_policy"
TITLE = "Set the guest invitation policy"
PERMISSIONS = ("Policy.ReadWrite.Authorization",)
ROLES = {"member": "a0b1b346-4d3e-4e8b-98f8-753987be4970", "limited": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
         "restricted": "2af84b1e-32c8-42b7-82bc-daa82404023b"}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowInvitesFrom: Literal["none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"] | None = "adminsAndGuestInviters"
    guest_access: Literal["member", "limited", "restricted"] | None = "limited"


def plan(p: Params, ctx: Ctx) -> StepPlan:
    wanted = {"allowInvitesFrom": p.allowInvitesFrom, "guestUserRoleId": ROLES[p.guest_access] if p.guest_access else None}
    return settings_plan(ctx, NAME, "authorization_policy", "/policies/authorizationPolicy", wanted, PERMISSIONS,
                         Message("steps.settings.guest_policy"))


check, is_done, inverse = settings_check, settings_done, settings_inverse
