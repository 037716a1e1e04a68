"""Teams: who has it, who uses it, and whether there is a place to work together."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import TEAMS
from .common import finding, names
from ..audit.facts import facts
from .model import Finding, Status
from .registry import check


@check(id="teams.members_without_teams", area="teams", severity="critical",
       requires=("skus", "users"), fix_playbook="emergency-home-office", effort="hours")
def members_without_teams(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    without = [p for p in f.members if TEAMS not in p.capabilities]
    ev = {"members": len(f.members), "without_teams": names(without), "source": "/users assignedLicenses + /subscribedSkus"}
    if without:
        yield finding(Status.FAIL, "fail", {"n": len(without), "members": len(f.members)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="teams.usage_last_30_days", area="teams", severity="medium",
       requires=("users", "teams_usage"), fix_playbook="emergency-home-office", effort="days")
def usage_last_30_days(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    licensed = [p for p in f.members if TEAMS in p.capabilities]
    active = [p for p in licensed if p.teams_active]
    idle = [p for p in licensed if not p.teams_active]
    share = len(active) / len(licensed) if licensed else 1.0
    ev = {"licensed": len(licensed), "active_30d": len(active), "inactive": names(idle),
          "source": "/reports/getTeamsUserActivityUserDetail(period='D30')"}
    status = Status.PASS if share >= 0.8 else (Status.WARN if share >= 0.5 else Status.FAIL)
    yield finding(status, "result", {"active": len(active), "licensed": len(licensed)}, **ev)


@check(id="teams.report_names_concealed", area="teams", severity="low", requires=("report_settings",), effort="minutes")
def report_names_concealed(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    concealed = bool((snapshot.data("report_settings") or {}).get("displayConcealedNames"))
    ev = {"displayConcealedNames": concealed, "source": "/admin/reportSettings"}
    if concealed:
        yield finding(Status.WARN, "warn", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="teams.collaboration_space", area="teams", severity="medium",
       requires=("groups",), fix_playbook="emergency-home-office", effort="minutes")
def collaboration_space(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    groups = snapshot.data("groups", []) or []
    teams = [g for g in groups if "Team" in (g.get("resourceProvisioningOptions") or [])]
    members = len(facts(snapshot).members)
    ev = {"teams": len(teams), "names": [g.get("displayName") for g in teams][:25], "members": members,
          "source": "/groups resourceProvisioningOptions"}
    if not teams:
        yield finding(Status.FAIL, "fail", **ev)
    elif members > 50 and len(teams) < 3:
        yield finding(Status.WARN, "warn", {"n": len(teams), "members": members}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(teams)}, **ev)


@check(id="teams.guests_manage_channels", area="teams", severity="low", requires=("teams",), effort="minutes")
def guests_manage_channels(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    teams = snapshot.data("teams", []) or []
    listed = sum("Team" in (g.get("resourceProvisioningOptions") or []) for g in snapshot.data("groups", []) or [])
    open_teams = [tm for tm in teams if (tm.get("guestSettings") or {}).get("allowCreateUpdateChannels")]
    unread = max(0, listed - len(teams))  # teams Graph said do not exist (404): nothing is known of their settings
    ev = {"teams": len(teams), "guests_can_edit": [tm.get("displayName") for tm in open_teams][:25],
          "source": "/teams/{id} guestSettings", **({"teams_unread": unread} if unread else {})}
    if listed and not teams:  # unread is never a pass (indep17 #4: "in no team ..." with none of 30 read)
        yield finding(Status.NOT_EVALUABLE, "none_read", {"n": listed}, **ev)
    elif open_teams:
        yield finding(Status.WARN, "warn", {"open_teams": len(open_teams), "teams": len(teams)}, **ev)
    elif unread:
        yield finding(Status.PASS, "pass_some_unread", {"read": len(teams), "unread": unread, "n": listed}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="teams.shared_channels_with_partners", area="teams", severity="info",
       requires=("cross_tenant_default",), effort="hours")
def shared_channels_with_partners(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    d = snapshot.data("cross_tenant_default") or {}
    outbound = ((d.get("b2bDirectConnectOutbound") or {}).get("usersAndGroups") or {}).get("accessType")
    ev = {"b2bDirectConnectOutbound": outbound, "source": "/policies/crossTenantAccessPolicy/default"}
    if outbound == "blocked":
        yield finding(Status.WARN, "warn", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)
