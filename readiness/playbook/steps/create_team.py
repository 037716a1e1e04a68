"""create_team: a team from a template with channels, owners and members (202 + polling, eventual consistency)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...i18n import Message
from ..contract import Cost, default_cost
from ..model import Change, Request, StepPlan
from ..query import odata_string
from .base import Ctx, delete_inverse, id_named, present

NAME = "create_team"
TITLE = "Create a team with channels"
PERMISSIONS = ("Team.Create", "TeamMember.ReadWrite.All", "Channel.Create")
MAX_MEMBERS = 25_000  # Graph's limit per team
# Graph answers the create with 202 and a teamsAsyncOperation to poll (team-post.md, teamsasyncoperation.md);
# the applier polls until "succeeded". Two polls is the usual count (the simulator, like Graph for a small
# team, finishes on the second); Graph may take more, so the estimate counts these as "about".
POLLS = 2
DATA_LOSS = "run.data_loss.team"  # undo deletes the group: its chats, channel messages and files go with it
CHANNEL_BAD = set("~#%&*{}+/\\:<>?|'\"")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=256)
    description: str = ""
    owners: list[str] = Field(min_length=1)  # UPNs; with application permissions Graph needs an owner
    channels: Literal["departments"] | list[str] = "departments"
    visibility: Literal["private", "public"] = "private"
    template: str = "standard"


def _channel(name: str) -> str:
    clean = "".join("-" if c in CHANNEL_BAD else c for c in name).strip(" .-") or "Allgemein"
    return clean[:50]


def plan(p: Params, ctx: Ctx) -> StepPlan:
    groups = ctx.snapshot.data("groups", []) or []
    if any((g.get("displayName") or "").lower() == p.name.lower() for g in groups):
        return ctx.step(NAME, [], noop=Message("steps.create_team.exists", {"name": p.name}),
                        permissions=PERMISSIONS)
    by_upn = {x.upn.lower(): x for x in ctx.facts.people}
    unknown = [o for o in p.owners if o.lower() not in by_upn]
    if unknown:
        return ctx.step(NAME, [], blocked=Message("steps.create_team.no_owner", {"n": len(unknown), "owners": ", ".join(unknown)}), permissions=PERMISSIONS)
    owners = [by_upn[o.lower()] for o in p.owners]
    members = [x for x in ctx.people() if x.id not in {o.id for o in owners}]
    if len(members) + len(owners) > MAX_MEMBERS:
        return ctx.step(NAME, [], blocked=Message("steps.create_team.too_many", {"n": len(members) + len(owners), "max": MAX_MEMBERS}), permissions=PERMISSIONS)
    if p.channels == "departments":
        names = sorted({_channel(x.department) for x in members + owners if x.department})
    else:
        names = [_channel(c) for c in p.channels]
    names = [n for n in dict.fromkeys(names) if n.lower() != "general"][:200]
    body = {"template@odata.bind": f"https://graph.microsoft.com/v1.0/teamsTemplates('{p.template}')",
            "displayName": p.name, "description": p.description or p.name, "visibility": p.visibility,
            # guests may not create, change or delete channels (teams.guests_manage_channels; team_settings keeps it so)
            "guestSettings": {"allowCreateUpdateChannels": False, "allowDeleteChannels": False},
            "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
                         "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owners[0].id}')"}]}
    reqs = [Request("POST", "/teams", body, idempotent=False)]
    # channels and people are parts of the change: each is journaled, and resume adds only the missing ones
    for n in names:
        reqs.append(Request("POST", "/teams/{id}/channels", {"displayName": n, "membershipType": "standard"}))
    for o in owners[1:]:
        reqs.append(Request("POST", "/teams/{id}/members", _member(o.id, ["owner"])))
    for m in members:
        reqs.append(Request("POST", "/teams/{id}/members", _member(m.id, [])))
    change = ctx.change(NAME, "create", f"team:{p.name}", p.name, None,
                        {"team": p.name, "channels": names, "owners": [o.upn for o in owners], "members": len(members)},
                        reqs, name=p.name, channels=names, people=sorted({o.id for o in owners} | {m.id for m in members}))
    return ctx.step(NAME, [change], permissions=PERMISSIONS)


def _member(user_id: str, roles: list[str]) -> dict:
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": roles,
            "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{user_id}')"}


def check(change: Change) -> Request | None:
    """The team's group by its name: an OData literal, encoded by the SDK (names hold & + ' # % ? and umlauts)."""
    return Request("GET", "/groups", query={"$filter": f"displayName eq {odata_string(change.data['name'])}",
                                            "$select": "id,displayName,resourceProvisioningOptions"})


def already_done(status: int, body: Any) -> bool:
    """A part in effect already: a member added twice (409 Conflict; the simulator answers the membership), a
    channel created twice (400 "Channel name already existed")."""
    message = str(((body or {}).get("error") or {}).get("message", "")) if isinstance(body, dict) else ""
    return status == 409 or (status == 400 and "already existed" in message)


def verify_reads(change: Change, values: dict) -> list[Request]:
    return [Request("GET", f"/teams/{values['id']}/members"), Request("GET", f"/teams/{values['id']}/channels",
                                                                       query={"$select": "id,displayName"})]


def missing(change: Change, values: dict, bodies: list) -> list[Message]:
    """Members and channels of the plan that the team lacks (existence alone is not the desired state)."""
    members = {m.get("userId") for m in bodies[0]}
    channels = {(c.get("displayName") or "").lower() for c in bodies[1]}
    wanted = set(change.data.get("people") or [])
    out: list[Message] = []
    if wanted - members:
        out.append(Message("steps.verify.members_missing", {"n": len(wanted - members), "of": len(change.data.get("people") or [])}))
    lost = [n for n in change.data.get("channels") or [] if n.lower() not in channels]
    if lost:
        out.append(Message("steps.verify.channels_missing", {"n": len(lost), "channels": ", ".join(lost)}))
    return out


def is_done(change: Change, body: Any) -> bool:
    return present(change, id_named(body) is not None)


def found_id(body: Any, change: Change) -> str | None:
    return id_named(body)


def requests(change: Change) -> Cost:
    """A new team: the look-up by name (in the step's look-up $batch), the create, its polls, then one request per
    channel and per member (each journaled as a part). The undo: one DELETE of the group."""
    base = default_cost(change)
    return Cost(direct=base.direct, batched=base.batched, lookups=base.lookups, polls=POLLS if change.kind == "create" else 0)


def inverse(change: Change) -> list[Change] | None:
    team_id = change.data.get("id")
    return delete_inverse(change, f"/groups/{team_id}" if team_id else None)
