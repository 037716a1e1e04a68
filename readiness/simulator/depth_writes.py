"""Write endpoints for issue 14's action types: team settings (PATCH /teams/{id}).

team-update (https://learn.microsoft.com/graph/api/team-update): TeamSettings.ReadWrite.All; the settings objects
(memberSettings, guestSettings, messagingSettings, funSettings) are merged; 204 No Content.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .tenant import SimError
from .wire import SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

TEAM_SETTINGS = {"guestSettings": {"allowCreateUpdateChannels", "allowDeleteChannels"},
                 "memberSettings": {"allowCreateUpdateChannels", "allowDeleteChannels", "allowAddRemoveApps",
                                    "allowCreateUpdateRemoveTabs", "allowCreateUpdateRemoveConnectors"},
                 "messagingSettings": {"allowUserEditMessages", "allowUserDeleteMessages", "allowOwnerDeleteMessages",
                                       "allowTeamMentions", "allowChannelMentions"},
                 "funSettings": {"allowGiphy", "giphyContentRating", "allowStickersAndMemes", "allowCustomMemes"}}


def patch_team(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    import json

    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise SimError(400, "BadRequest", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SimError(400, "BadRequest", "The request body must be an object.")
    with sim.tenant.lock:
        team = sim.tenant.teams.get(m.group("tid"))
        if team is None:
            raise SimError(404, "NotFound", f"No team found with Group Id {m.group('tid')}")
        for key, value in body.items():
            allowed = TEAM_SETTINGS.get(key)
            if allowed is None or not isinstance(value, dict) or set(value) - allowed:
                raise SimError(400, "BadRequest", f"Property '{key}' cannot be changed on a team.")
        for key, value in body.items():
            team[key] = dict(team.get(key) or {}, **value)
    return SimResponse(204)
