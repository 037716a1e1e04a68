"""sharing_settings: SharePoint/OneDrive sharing for a crisis: invited guests yes, anonymous links no."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ...i18n import Message
from ..model import StepPlan
from .base import Ctx
from .settings import settings_check, settings_done, settings_inverse, settings_plan

NAME = "sharing_settings"
TITLE = "Set SharePoint and OneDrive sharing"
PERMISSIONS = ("SharePointTenantSettings.ReadWrite.All",)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sharingCapability: Literal["disabled", "existingExternalUserSharingOnly", "externalUserSharingOnly",
                               "externalUserAndGuestSharing"] | None = "externalUserSharingOnly"
    isResharingByExternalUsersEnabled: bool | None = False
    isRequireAcceptingUserToMatchInvitedUserEnabled: bool | None = True
    sharingDomainRestrictionMode: Literal["none", "allowList", "blockList"] | None = None
    sharingAllowedDomainList: list[str] | None = None


def plan(p: Params, ctx: Ctx) -> StepPlan:
    return settings_plan(ctx, NAME, "sharepoint", "/admin/sharepoint/settings", p.model_dump(), PERMISSIONS,
                         Message("steps.settings.sharing"))


check, is_done, inverse = settings_check, settings_done, settings_inverse
