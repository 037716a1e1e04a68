"""Per-person facts for the deeper readiness questions (issue 14), filled into facts.Person.

- SSPR registered: the registration report's isSsprRegistered; in the fallback (no P1), a method that can
  reset a password (https://learn.microsoft.com/entra/identity/authentication/concept-sspr-howitworks).
- Administrators: directory role assignments (readable without P1) override the report's isAdmin.
- Services provisioned: users' provisionedPlans; a mailbox (exchange) or OneDrive/SharePoint (SharePoint) in
  another state than Success is not working yet (https://learn.microsoft.com/graph/api/resources/provisionedplan).
- Cloud PC: a provisioned Windows 365 Cloud PC is an Intune-managed device of its user.
- Temporary Access Pass: enabled for all users in the authentication methods policy.
- Idle: no sign-in (interactive or non-interactive) for IDLE_DAYS; without P1, no activity in the Microsoft 365
  active user report (90 days).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ..clock import days_since
from ..collect.snapshot import Snapshot

Person = Any  # facts.Person (facts imports this module; no import back)

SSPR_METHODS = {"microsoftAuthenticatorPush", "microsoftAuthenticatorPasswordless", "mobilePhone", "alternateMobilePhone",
                "officePhone", "softwareOneTimePasscode", "hardwareOneTimePasscode", "email"}
WORK_SERVICES = {"exchange": "mailbox", "sharepoint": "files"}  # provisionedPlans service (lower case) -> kit part
PROVISIONED = {"Success", "Disabled"}  # Disabled: switched off on purpose; the licence check reports that
CLOUD_PC_WORKING = {"provisioned", "inGracePeriod"}
IDLE_DAYS = 90


def tap_for_everyone(policy: dict | None) -> bool | None:
    """Whether the Temporary Access Pass method is enabled for all users; None when the policy is unknown."""
    if not isinstance(policy, dict):
        return None
    for cfg in policy.get("authenticationMethodConfigurations") or []:
        if str(cfg.get("id", "")).lower() == "temporaryaccesspass":
            targets = {str(t.get("id")) for t in cfg.get("includeTargets") or []}
            return cfg.get("state") == "enabled" and "all_users" in targets
    return False


def apply(snapshot: Snapshot, by_id: dict[str, Person], today: date) -> None:
    _sspr(snapshot, by_id)
    _roles(snapshot, by_id)
    _provisioning(snapshot, by_id)
    _cloud_pcs(snapshot, by_id)
    tap = tap_for_everyone(snapshot.data("auth_methods_policy")) if snapshot.section("auth_methods_policy").usable else None
    for p in by_id.values():
        p.tap = tap
    _idle(snapshot, by_id, today)
    _teams_accounts(snapshot, by_id)


def _sspr(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    sec = snapshot.section("mfa")
    if not sec.usable:
        return
    for row in sec.data or []:
        p = by_id.get(row.get("id"))
        if p is None:
            continue
        if isinstance(row.get("isSsprRegistered"), bool):
            p.sspr = row["isSsprRegistered"]
        elif sec.status == "fallback":
            p.sspr = bool(SSPR_METHODS & set(row.get("methodsRegistered") or []))


def _roles(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    sec = snapshot.section("roles")
    if not sec.usable:
        return
    for p in by_id.values():
        p.is_admin = False
        p.roles = []
    for a in sec.data or []:
        p = by_id.get(a.get("principalId") or "")
        if p is not None:
            p.is_admin = True
            p.roles.append(str(a.get("roleDefinitionId") or ""))


def _provisioning(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    for u in snapshot.data("users", []) or []:
        p = by_id.get(u.get("id"))
        if p is None or "provisionedPlans" not in u:
            continue
        p.provisioning = sorted({f"{WORK_SERVICES[str(x.get('service')).lower()]}: {x.get('provisioningStatus')}"
                                 for x in u.get("provisionedPlans") or []
                                 if str(x.get("service")).lower() in WORK_SERVICES
                                 and x.get("capabilityStatus", "Enabled") == "Enabled"
                                 and x.get("provisioningStatus") not in PROVISIONED})


def _cloud_pcs(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    sec = snapshot.section("cloud_pcs")
    if not sec.usable:
        return
    by_upn = {p.upn.lower(): p for p in by_id.values()}
    for pc in sec.data or []:
        p = by_upn.get(str(pc.get("userPrincipalName") or "").lower())
        if p is not None:
            p.cloud_pcs.append(pc)


def _teams_accounts(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    """/admin/teams/userConfigurations lists "users who have accounts hosted on Microsoft Teams"
    (resources/teamsadministration-teamsuserconfiguration.md): a person missing there has no Teams account."""
    sec = snapshot.section("teams_users")
    if not sec.usable:
        return
    accounts = {str(c.get("id")): str(c.get("accountType") or "unknown") for c in sec.data or []}
    for p in by_id.values():
        p.teams_account = accounts.get(p.id, "none")


def _idle(snapshot: Snapshot, by_id: dict[str, Person], today: date) -> None:
    users = snapshot.data("users", []) or []
    if users and any("signInActivity" in u for u in users):
        for p in by_id.values():
            age = days_since(p.last_sign_in, today)
            p.idle = age is None or age > IDLE_DAYS
            if p.idle and (days_since(p.created, today) or 0) <= IDLE_DAYS:
                p.idle = False  # new accounts have not had the time
        return
    sec = snapshot.section("office_activity")
    if not sec.usable:
        return
    data = sec.data or {}
    by_upn = {p.upn.lower(): p for p in by_id.values()}
    for p in by_id.values():
        p.idle = (days_since(p.created, today) or 0) > IDLE_DAYS
    for row in data.get("rows") or []:
        p = by_upn.get(str(row.get("userPrincipalName") or "").lower())
        if p is not None and row.get("lastActivityDate"):
            p.idle = False
