"""enable_service_plans: switch Teams, Exchange or SharePoint back on inside licences people already have."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...licensing.capabilities import KIT
from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx, get_user

NAME = "enable_service_plans"
TITLE = "Switch Teams, Exchange and SharePoint on in existing licences"
PERMISSIONS = ("LicenseAssignment.ReadWrite.All",)
DATA_LOSS = "run.data_loss.plans"  # undo switches the plans off again: Teams, mailbox or OneDrive go


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capabilities: list[Literal["teams", "mailbox", "files"]] = Field(default_factory=lambda: ["teams", "mailbox", "files"])


def plan(p: Params, ctx: Ctx) -> StepPlan:
    f = ctx.facts
    wanted = set().union(*(KIT[c] for c in p.capabilities))
    changes: list[Change] = []
    skipped_group = []
    users = {u["id"]: u for u in ctx.snapshot.data("users", []) or []}
    for person in ctx.people():
        if not (person.disabled_capabilities & wanted):
            continue
        u = users.get(person.id) or {}
        by_group = {str(s.get("skuId", "")).lower() for s in u.get("licenseAssignmentStates") or [] if s.get("assignedByGroup")}
        for lic in u.get("assignedLicenses") or []:
            sku_id = str(lic.get("skuId", "")).lower()
            disabled = [str(x).lower() for x in lic.get("disabledPlans") or []]
            plans = f.sku_caps.get(sku_id, {})
            enable = [pid for pid in disabled if plans.get(pid, frozenset()) & wanted]
            if not enable:
                continue
            if sku_id in by_group:
                skipped_group.append(person.upn)
                continue
            keep = sorted(set(disabled) - set(enable))
            names = lambda ids: sorted(_plan_name(f, sku_id, i) for i in ids)  # noqa: E731
            changes.append(ctx.change(NAME, "update", f"{person.upn}:{sku_id}", f"{person.upn} ({f.sku_name(sku_id)})",
                                      {"disabledPlans": names(disabled)}, {"disabledPlans": names(keep)},
                                      [Request("POST", f"/users/{person.id}/assignLicense",
                                               {"addLicenses": [{"skuId": sku_id, "disabledPlans": keep}], "removeLicenses": []})],
                                      user_id=person.id, sku_id=sku_id, disabled=keep, was=sorted(disabled)))
    noop = Message("steps.enable_service_plans.none_off")
    if skipped_group:
        noop = Message("steps.enable_service_plans.none_off_groups", {"n": len(skipped_group)})
    return ctx.step(NAME, changes, noop=noop, permissions=PERMISSIONS)


def _plan_name(f: Any, sku_id: str, plan_id: str) -> str:
    for p in (f.sku_by_id.get(sku_id) or {}).get("servicePlans") or []:
        if str(p.get("servicePlanId", "")).lower() == plan_id:
            return p.get("servicePlanName", plan_id)
    return plan_id


def check(change: Change) -> Request | None:
    return get_user(change.data["user_id"], "id,assignedLicenses")


def is_done(change: Change, body: Any) -> bool:
    for lic in (body or {}).get("assignedLicenses") or []:
        if lic.get("skuId", "").lower() == change.data["sku_id"]:
            return sorted(str(x).lower() for x in lic.get("disabledPlans") or []) == change.data["disabled"]
    return False


def inverse(change: Change) -> list[Change] | None:
    req = Request("POST", f"/users/{change.data['user_id']}/assignLicense",
                  {"addLicenses": [{"skuId": change.data["sku_id"], "disabledPlans": change.data["was"]}], "removeLicenses": []})
    return [change.inverted([req], disabled=change.data["was"], was=change.data["disabled"])]
