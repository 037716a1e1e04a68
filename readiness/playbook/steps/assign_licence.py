"""assign_licence: give people a licence with free seats that carries the capabilities they lack."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...licensing.capabilities import KIT
from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx, get_user
from .set_usage_location import default_location, usage_change

NAME = "assign_licence"
TITLE = "Assign licences with Teams, mailbox and OneDrive"
PERMISSIONS = ("LicenseAssignment.ReadWrite.All", "User.ReadWrite.All")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capabilities: list[Literal["teams", "mailbox", "files"]] = Field(default_factory=lambda: ["teams", "mailbox", "files"])
    sku: str | None = None  # skuPartNumber to use; default: the smallest subscription with free seats that covers all
    usage_location: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


def _covers(plans: dict[str, frozenset[str]], wanted: list[str]) -> bool:
    caps = set().union(*plans.values()) if plans else set()
    return all(KIT[w] & caps for w in wanted)


def caps_words(wanted: list[str]) -> Message | str:
    """The parts of the kit (teams, mailbox, files) in words of the reader's language: "Teams, Postfach und OneDrive"."""
    parts = [Message(f"capability_words.{w}") if w in KIT else w for w in wanted]
    if not 1 <= len(parts) <= 3:
        return ", ".join(map(str, wanted))
    return Message(f"capability_words.list_{len(parts)}", dict(zip("abc", parts)))


def plan(p: Params, ctx: Ctx) -> StepPlan:
    f = ctx.facts
    wanted = p.capabilities
    people = [x for x in ctx.people() if any(not (KIT[w] & x.capabilities) for w in wanted)
              and not any(KIT[w] & x.disabled_capabilities for w in wanted)]  # switched-off plans: enable_service_plans
    if not people:
        return ctx.step(NAME, [], noop=Message("steps.assign_licence.all_have", {"caps": caps_words(wanted)}), permissions=PERMISSIONS)
    candidates = []
    for sku_id, plans in f.sku_caps.items():
        sku = f.sku_by_id.get(sku_id) or {}
        if sku.get("capabilityStatus") != "Enabled" or not _covers(plans, wanted):
            continue
        if p.sku and sku.get("skuPartNumber", "").lower() != p.sku.lower():
            continue
        free = int((sku.get("prepaidUnits") or {}).get("enabled") or 0) - int(sku.get("consumedUnits") or 0)
        candidates.append([len(plans), sku_id, max(free, 0)])
    candidates.sort()  # fewest service plans first: the smallest suite that does the job
    location = default_location(ctx, p.usage_location)[0]
    changes: list[Change] = []
    seats: dict[str, dict] = {c[1]: {"name": f.sku_name(c[1]), "needed": 0, "free": c[2]} for c in candidates}
    short, no_location = [], []
    for person in people:
        pick = next((c for c in candidates if c[2] > 0), None)
        if pick is None:
            short.append(person.upn)
            continue
        pick[2] -= 1
        seats[pick[1]]["needed"] += 1
        if not person.usage_location and not ctx.planned_earlier(f"usage:{person.upn}"):  # a set_usage_location step sets it
            if not location:
                no_location.append(person.upn)
                continue
            # usageLocation is not nullable (Graph refuses null): the change is irreversible
            changes.append(usage_change(ctx, NAME, person, location, phase=0))
        changes.append(ctx.change(NAME, "update", f"licence:{person.upn}", person.upn,
                                  {"licences": [f.sku_name(s) for s in person.skus]},
                                  {"licences": [f.sku_name(s) for s in person.skus] + [f.sku_name(pick[1])]},
                                  [Request("POST", f"/users/{person.id}/assignLicense",
                                           {"addLicenses": [{"skuId": pick[1], "disabledPlans": []}], "removeLicenses": []})],
                                  user_id=person.id, sku_id=pick[1]))
    blocked = []
    if short:
        need = len(short) + sum(s["needed"] for s in seats.values())
        blocked.append(Message("steps.assign_licence.seats_short", {"n": need, "caps": caps_words(wanted), "free": need - len(short),
                                                                    "buy": len(short), "first": ", ".join(short[:5])}))
    if no_location:
        blocked.append(Message("steps.assign_licence.no_location", {"n": len(no_location), "first": ", ".join(no_location[:5])}))
    return ctx.step(NAME, changes, blocked=_joined(blocked), permissions=PERMISSIONS, seats=seats,
                    noop=Message("steps.assign_licence.no_sku") if not candidates else "")


def _joined(reasons: list[Message]) -> Message | str:
    if len(reasons) == 2:
        return Message("steps.both", {"first": reasons[0], "second": reasons[1]})
    return reasons[0] if reasons else ""


def check(change: Change) -> Request | None:
    return get_user(change.data["user_id"], "id,usageLocation,assignedLicenses")


def is_done(change: Change, body: Any) -> bool:
    if "usage:" in change.key:
        return (body or {}).get("usageLocation") == change.after["usageLocation"]
    has = any(x.get("skuId", "").lower() == change.data["sku_id"] for x in (body or {}).get("assignedLicenses") or [])
    return not has if change.data.get("undo") else has


def data_loss(change: Change) -> Message | None:
    """Undoing a licence takes the mailbox and OneDrive away (Exchange deletes an unlicensed mailbox after 30 days);
    restoring a usage location loses nothing."""
    return None if change.key.removeprefix("undo:").startswith("usage:") else Message("run.data_loss.licence", {"target": change.target})


def inverse(change: Change) -> list[Change] | None:
    if change.key.startswith("usage:"):
        if not change.before.get("usageLocation"):
            return None  # Graph refuses usageLocation: null (not nullable): a location once set stays
        body: dict = {"usageLocation": change.before["usageLocation"]}
        req = Request("PATCH", f"/users/{change.data['user_id']}", body)
    else:
        req = Request("POST", f"/users/{change.data['user_id']}/assignLicense",
                      {"addLicenses": [], "removeLicenses": [change.data["sku_id"]]})
    return [change.inverted([req])]
