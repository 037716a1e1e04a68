"""team_settings: guests in a team cannot create, change or delete channels (the crisis team first of all).

PATCH /teams/{id} with guestSettings (TeamSettings.ReadWrite.All; https://learn.microsoft.com/graph/api/team-update,
resources/teamguestsettings). A team this run creates gets the same settings in its create body (create_team), so
the step has nothing to do for it; an existing team of that name is changed. Undo restores the settings as they were.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx

NAME = "team_settings"
TITLE = "Guests may not create, change or delete channels in the team"
PERMISSIONS = ("TeamSettings.ReadWrite.All",)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    team: str = Field(min_length=1, max_length=256)
    guests_create_update_channels: bool = False
    guests_delete_channels: bool = False


def plan(p: Params, ctx: Ctx) -> StepPlan:
    sec = ctx.snapshot.section("teams")
    if not sec.usable:
        return ctx.step(NAME, [], blocked=Message("steps.team_settings.unreadable", {"reason": sec.reason}),
                        permissions=PERMISSIONS)
    found = [t for t in sec.data or [] if t.get("displayName") == p.team]
    if not found:
        return ctx.step(NAME, [], noop=Message("steps.team_settings.no_team", {"team": p.team}), permissions=PERMISSIONS)
    wanted = {"allowCreateUpdateChannels": p.guests_create_update_channels, "allowDeleteChannels": p.guests_delete_channels}
    changes = []
    for team in found:
        current = team.get("guestSettings") or {}
        if all(current.get(k) == v for k, v in wanted.items()):
            continue
        before = {k: current.get(k) for k in wanted}
        path = f"/teams/{team['id']}"
        changes.append(ctx.change(NAME, "update", f"team:{team['id']}", p.team, {"guestSettings": before},
                                  {"guestSettings": wanted}, [Request("PATCH", path, {"guestSettings": wanted})], path=path))
    if not changes:
        return ctx.step(NAME, [], noop=Message("steps.team_settings.as_wanted", {"team": p.team}), permissions=PERMISSIONS)
    return ctx.step(NAME, changes, permissions=PERMISSIONS)


def check(change: Change) -> Request | None:
    return Request("GET", change.data["path"], query={"$select": "id,guestSettings"})


def is_done(change: Change, body: Any) -> bool:
    have = (body or {}).get("guestSettings") or {}
    return all(have.get(k) == v for k, v in change.after["guestSettings"].items())


def inverse(change: Change) -> list[Change] | None:
    before = {k: v for k, v in change.before["guestSettings"].items() if v is not None}
    if not before:
        return None
    return [change.inverted([Request("PATCH", change.data["path"], {"guestSettings": before})])]
