"""set_usage_location: give every selected person without a usage location one, before anything is licensed.

Graph refuses to assign a licence to a user without ``usageLocation`` (400 "License assignment cannot be done for
user with invalid usage location", https://learn.microsoft.com/graph/api/user-assignlicense), and it is the
country whose services and terms apply to the person (https://learn.microsoft.com/graph/api/resources/user,
usageLocation: "Required for users that will be assigned licenses"). The country used: the step's parameter,
else the tenant profile's ``--usage-location``, else the tenant's own country (``/organization``
countryLetterCode, https://learn.microsoft.com/graph/api/resources/organization). PATCH /users/{id}
(User.ReadWrite.All). ``usageLocation`` is not nullable: a location once set stays (irreversible).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx, get_user

NAME = "set_usage_location"
TITLE = "Set a usage location for people without one"  # = steps.set_usage_location.title
PERMISSIONS = ("User.ReadWrite.All",)
IRREVERSIBLE = True


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    usage_location: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


def tenant_country(ctx: Ctx) -> str:
    """The tenant's country (``/organization`` countryLetterCode), upper case, or "" when unknown."""
    sec = ctx.snapshot.section("organization")
    org = (sec.data or [{}])[0] if sec.usable and sec.data else {}
    code = str(org.get("countryLetterCode") or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() else ""


def default_location(ctx: Ctx, explicit: str | None) -> tuple[str, str]:
    """(country, where it came from): the parameter, the tenant profile, or the tenant's own country."""
    if explicit:
        return explicit, "parameter"
    if ctx.usage_location:
        return ctx.usage_location, "profile"
    country = tenant_country(ctx)
    return (country, "tenant") if country else ("", "")


def usage_change(ctx: Ctx, action: str, person: Any, location: str, **data: Any) -> Change:
    """The PATCH that sets ``person``'s usage location (key ``usage:<upn>``, shared with assign_licence)."""
    return ctx.change(action, "update", f"usage:{person.upn}", person.upn, {"usageLocation": None}, {"usageLocation": location},
                      [Request("PATCH", f"/users/{person.id}", {"usageLocation": location})],
                      irreversible=True, user_id=person.id, **data)


def plan(p: Params, ctx: Ctx) -> StepPlan:
    people = [x for x in ctx.people() if not x.usage_location]
    if not people:
        return ctx.step(NAME, [], noop=Message("steps.set_usage_location.all_have"), permissions=PERMISSIONS)
    location, source = default_location(ctx, p.usage_location)
    if not location:
        first = ", ".join(x.upn for x in people[:5])
        return ctx.step(NAME, [], blocked=Message("steps.set_usage_location.unknown", {"n": len(people), "first": first}),
                        permissions=PERMISSIONS)
    changes = [usage_change(ctx, NAME, x, location, source=source) for x in people]
    return ctx.step(NAME, changes, permissions=PERMISSIONS)


def check(change: Change) -> Request | None:
    return get_user(change.data["user_id"], "id,usageLocation")


def is_done(change: Change, body: Any) -> bool:
    return (body or {}).get("usageLocation") == change.after["usageLocation"]
