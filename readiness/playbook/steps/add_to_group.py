"""add_to_group: put people into a group (for group-based licensing)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ...i18n import Message
from ..model import Change, Request, StepPlan
from .base import Ctx

NAME = "add_to_group"
TITLE = "Add people to a group"
PERMISSIONS = ("GroupMember.ReadWrite.All",)
DATA_LOSS = "run.data_loss.members"  # undo removes the members: they lose the group's files, chats and mail


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str  # display name or id


def plan(p: Params, ctx: Ctx) -> StepPlan:
    groups = ctx.snapshot.data("groups", []) or []
    match = [g for g in groups if g.get("id") == p.group or (g.get("displayName") or "").lower() == p.group.lower()]
    if len(match) != 1:
        blocked = Message("steps.add_to_group.ambiguous" if match else "steps.add_to_group.no_group", {"n": len(match), "group": p.group})
        return ctx.step(NAME, [], blocked=blocked, permissions=PERMISSIONS)
    group = match[0]
    members = set((ctx.snapshot.data("group_members", {}) or {}).get(group["id"], []))
    people = [x for x in ctx.people() if x.id not in members]
    changes = [ctx.change(NAME, "update", f"{group['id']}:{x.upn}", f"{x.upn} -> {group.get('displayName')}", {"member": False},
                          {"member": True}, [Request("POST", f"/groups/{group['id']}/members/$ref",
                                                     {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{x.id}"})],
                          group_id=group["id"], user_id=x.id) for x in people]
    return ctx.step(NAME, changes, noop=Message("steps.add_to_group.all_in", {"group": group.get("displayName")}), permissions=PERMISSIONS)


def check(change: Change) -> Request | None:
    return Request("GET", f"/groups/{change.data['group_id']}/members", query={"$select": "id", "$top": "999"})


def is_done(change: Change, body: Any) -> bool:
    ids = {m.get("id") for m in (body or {}).get("value", [])}
    return (change.data["user_id"] not in ids) if change.data.get("undo") else (change.data["user_id"] in ids)


def already_done(status: int, body: Any) -> bool:
    """Graph answers 400 "... already exist ..." when the person is in the group: that is success."""
    message = str(((body or {}).get("error") or {}).get("message", "")) if isinstance(body, dict) else ""
    return status == 400 and "already exist" in message


def inverse(change: Change) -> list[Change] | None:
    req = Request("DELETE", f"/groups/{change.data['group_id']}/members/{change.data['user_id']}/$ref")
    return [change.inverted([req])]
