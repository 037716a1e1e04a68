"""compliance_policy: one device compliance policy per platform, with the required block action, assigned."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx, named_object

NAME = "compliance_policy"
TITLE = "Create device compliance policies"
PERMISSIONS = ("DeviceManagementConfiguration.ReadWrite.All",)
TYPES = {"windows": "windows10CompliancePolicy", "ios": "iosCompliancePolicy", "android": "androidCompliancePolicy",
         "macos": "macOSCompliancePolicy"}
SETTINGS = {
    "windows": {"passwordRequired": True, "bitLockerEnabled": True, "secureBootEnabled": True, "osMinimumVersion": "10.0.19045"},
    "ios": {"passcodeRequired": True, "osMinimumVersion": "17.0", "securityBlockJailbrokenDevices": True},
    "android": {"passwordRequired": True, "securityBlockJailbrokenDevices": True, "osMinimumVersion": "12.0", "storageRequireEncryption": True},
    "macos": {"passwordRequired": True, "storageRequireEncryption": True, "osMinimumVersion": "14.0"},
}


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platforms: list[Literal["windows", "ios", "android", "macos"]] = Field(default_factory=lambda: ["windows", "ios", "android", "macos"])
    name_prefix: str = "readiness"
    grace_hours: int = Field(default=72, ge=0, le=720)


def plan(p: Params, ctx: Ctx) -> StepPlan:
    sec = ctx.snapshot.section("compliance_policies")
    if not sec.usable:
        if sec.licence:  # not applicable to this tenant; not something the admin can fix with a parameter
            return ctx.step(NAME, [], noop=Message("steps.not_applicable", {"reason": sec.reason}), permissions=PERMISSIONS)
        return ctx.step(NAME, [], blocked=Message("steps.compliance_policy.unavailable", {"reason": sec.reason}), permissions=PERMISSIONS)
    existing = {(str(x.get("@odata.type", "")).rsplit(".", 1)[-1], (x.get("displayName") or "").lower()) for x in sec.data or []}
    have_type = {t for t, _ in existing}
    changes, skipped = [], []
    for platform in p.platforms:
        kind = TYPES[platform]
        name = f"{p.name_prefix} {platform} baseline"
        if kind in have_type:
            skipped.append(platform)
            continue
        body = {"@odata.type": f"#microsoft.graph.{kind}", "displayName": name,
                "description": "Created by readiness (secure-remote-access)", **SETTINGS[platform],
                "scheduledActionsForRule": [{"ruleName": "PasswordRequired", "scheduledActionConfigurations": [
                    {"actionType": "block", "gracePeriodHours": p.grace_hours, "notificationTemplateId": "",
                     "notificationMessageCCList": []}]}]}
        assign = {"assignments": [{"target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}]}
        changes.append(ctx.change(NAME, "create", f"policy:{name}", name, None, {"policy": name, "assigned_to": "all licensed users"},
                                  [Request("POST", "/deviceManagement/deviceCompliancePolicies", body, idempotent=False),
                                   Request("POST", "/deviceManagement/deviceCompliancePolicies/{id}/assign", assign)],
                                  name=name))
    noop = (Message("steps.compliance_policy.exists", {"platforms": ", ".join(skipped)}) if skipped
            else Message("steps.compliance_policy.nothing"))
    return ctx.step(NAME, changes, noop=noop, permissions=PERMISSIONS)


def verify_reads(change: Change, values: dict) -> list[Request]:
    return [Request("GET", f"/deviceManagement/deviceCompliancePolicies/{values['id']}/assignments")]


def missing(change: Change, values: dict, bodies: list) -> list[str]:
    """The policy exists but is assigned to nobody: half a change."""
    return [] if bodies[0] else [Message("steps.verify.not_assigned")]


check, found_id, is_done, inverse = named_object("/deviceManagement/deviceCompliancePolicies?$select=id,displayName", "/deviceManagement/deviceCompliancePolicies/{id}")
