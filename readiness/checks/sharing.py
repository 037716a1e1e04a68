"""Sharing and guests: collaborate with partners without leaking data (GDPR-aware defaults)."""
from __future__ import annotations

from typing import Iterable

from .common import finding, names
from ..audit.facts import MEMBER_GUEST_ROLE, days_since, facts
from .model import Finding, Status
from .registry import check

def _sp(snapshot) -> dict:  # noqa: ANN001
    return snapshot.data("sharepoint") or {}


@check(id="sharing.anyone_links", area="sharing", severity="high",
       requires=("sharepoint",), fix_playbook="emergency-home-office", effort="minutes")
def anyone_links(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    cap = _sp(snapshot).get("sharingCapability")
    ev = {"sharingCapability": cap, "source": "/admin/sharepoint/settings"}
    if cap == "externalUserAndGuestSharing":
        yield finding(Status.FAIL, "fail", **ev)
    else:
        yield finding(Status.PASS, "pass", {"cap": cap}, **ev)


@check(id="sharing.external_collaboration", area="sharing", severity="medium",
       requires=("sharepoint",), fix_playbook="emergency-home-office", effort="minutes")
def external_collaboration(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    cap = _sp(snapshot).get("sharingCapability")
    ev = {"sharingCapability": cap, "source": "/admin/sharepoint/settings"}
    if cap == "disabled":
        yield finding(Status.FAIL, "fail", **ev)
    elif cap == "existingExternalUserSharingOnly":
        yield finding(Status.WARN, "warn", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="sharing.domain_restriction", area="sharing", severity="low", requires=("sharepoint",), effort="minutes")
def domain_restriction(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    sp = _sp(snapshot)
    mode, cap = sp.get("sharingDomainRestrictionMode"), sp.get("sharingCapability")
    ev = {"sharingDomainRestrictionMode": mode, "sharingCapability": cap, "allowed": sp.get("sharingAllowedDomainList"),
          "source": "/admin/sharepoint/settings"}
    if cap == "disabled" or mode in ("allowList", "blockList"):
        yield finding(Status.PASS, "pass", {"mode": mode}, **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="sharing.guest_resharing", area="sharing", severity="medium",
       requires=("sharepoint",), fix_playbook="emergency-home-office", effort="minutes")
def guest_resharing(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isResharingByExternalUsersEnabled"))
    ev = {"isResharingByExternalUsersEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding(Status.FAIL, "fail", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="sharing.invitation_account_match", area="sharing", severity="low",
       requires=("sharepoint",), fix_playbook="emergency-home-office", effort="minutes")
def invitation_account_match(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isRequireAcceptingUserToMatchInvitedUserEnabled"))
    ev = {"isRequireAcceptingUserToMatchInvitedUserEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding(Status.PASS, "pass", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="sharing.legacy_auth", area="sharing", severity="medium", requires=("sharepoint",), effort="minutes")
def legacy_auth(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    on = bool(_sp(snapshot).get("isLegacyAuthProtocolsEnabled"))
    ev = {"isLegacyAuthProtocolsEnabled": on, "source": "/admin/sharepoint/settings"}
    if on:
        yield finding(Status.FAIL, "fail", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="sharing.idle_sign_out", area="sharing", severity="low", requires=("sharepoint",), effort="minutes")
def idle_sign_out(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    idle = _sp(snapshot).get("idleSessionSignOut") or {}
    ev = {"idleSessionSignOut": idle, "source": "/admin/sharepoint/settings"}
    if idle.get("isEnabled"):
        yield finding(Status.PASS, "pass", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="sharing.guest_invitations", area="sharing", severity="medium",
       requires=("authorization_policy",), fix_playbook="emergency-home-office", effort="minutes")
def guest_invitations(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    who = (snapshot.data("authorization_policy") or {}).get("allowInvitesFrom")
    ev = {"allowInvitesFrom": who, "source": "/policies/authorizationPolicy"}
    if who == "everyone":
        yield finding(Status.FAIL, "fail", **ev)
    elif who == "adminsGuestInvitersAndAllMembers":
        yield finding(Status.WARN, "warn", **ev)
    else:
        yield finding(Status.PASS, "pass", {"who": who}, **ev)


@check(id="sharing.guest_directory_access", area="sharing", severity="high",
       requires=("authorization_policy",), fix_playbook="emergency-home-office", effort="minutes")
def guest_directory_access(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    role = (snapshot.data("authorization_policy") or {}).get("guestUserRoleId")
    ev = {"guestUserRoleId": role, "source": "/policies/authorizationPolicy"}
    if role == MEMBER_GUEST_ROLE:
        yield finding(Status.FAIL, "fail", **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="sharing.stale_guests", area="sharing", severity="low", requires=("users",), effort="hours")
def stale_guests(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    if (snapshot.data("users", []) or []) and not f.sign_in_read:
        note = next((n for n in snapshot.section("users").notes if "sign-in" in n), "sign-in activity was not collected")
        p1 = "premium" in note or "P1" in note
        yield finding(Status.NOT_EVALUABLE, "not_evaluable_licence" if p1 else "not_evaluable_permission", {"note": note},
                      guests=len(f.guests), source="/users signInActivity")
        return
    # interactive and non-interactive sign-ins together; never signed in counts from the invitation
    stale = [p for p in f.guests if (d := days_since(p.last_seen, f.today)) is None or d > 90]
    ev = {"guests": len(f.guests), "stale": names(stale),
          "source": "/users signInActivity (lastSignInDateTime, lastNonInteractiveSignInDateTime), createdDateTime"}
    if stale:
        yield finding(Status.WARN, "warn", {"n": len(stale), "guests": len(f.guests)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(f.guests)}, **ev)
