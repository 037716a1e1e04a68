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
from typing import Any, Sequence

from ..clock import days_since
from ..collect.snapshot import Snapshot
from .columns import by_value, column, in_order

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


def sspr_of(row: dict, fallback: bool) -> bool | None:
    """One registration row's SSPR answer; None to leave what an earlier row said."""
    return sspr_from(row.get("isSsprRegistered"), row.get("methodsRegistered"), fallback)


def sspr_from(registered: object, methods: Any, fallback: bool) -> bool | None:
    """``sspr_of`` from the row's isSsprRegistered and methodsRegistered."""
    if isinstance(registered, bool):
        return registered
    if fallback:
        return bool(SSPR_METHODS & set(methods or []))
    return None


def provisioning_of(u: dict) -> Sequence[str] | None:
    """Work services of one user that are not provisioned ("mailbox: PendingInput", ...); None without provisionedPlans."""
    if "provisionedPlans" not in u:
        return None
    return not_provisioned(u.get("provisionedPlans"))


def not_provisioned(plans: Any) -> Sequence[str]:
    """``provisioning_of`` from a user's provisionedPlans (read): most people's plans are all provisioned, and share
    one empty tuple (100,000 empty lists were a fifth of what the cyclic collector walked after evaluate)."""
    try:
        for x in plans or ():
            if x.get("provisioningStatus") not in PROVISIONED:
                break
        else:
            return ()
    except TypeError:  # an odd status (a list): the full reading below decides, as it always did
        pass
    return sorted({f"{WORK_SERVICES[str(x.get('service')).lower()]}: {x.get('provisioningStatus')}"
                   for x in plans or []
                   if str(x.get("service")).lower() in WORK_SERVICES
                   and x.get("capabilityStatus", "Enabled") == "Enabled"
                   and x.get("provisioningStatus") not in PROVISIONED})


def idle_by_sign_in(p: Person, today: date, days: Any = days_since) -> bool:
    """Idle by sign-in activity: no sign-in for IDLE_DAYS, unless the account is newer than that."""
    age = days(p.last_sign_in, today)
    if age is None or age > IDLE_DAYS:
        return not (days(p.created, today) or 0) <= IDLE_DAYS  # new accounts have not had the time
    return False


class ByUpn:
    """``by_id``'s people by lower-case UPN, made only as far as asked (issue 15): a map of all 100,000 cost 75-100 ms
    on the session-10 machine, where a Cloud PC report of 2,800 rows needs 2,800 of them (25 ms to find)."""

    __slots__ = ("_by_id", "_all")

    def __init__(self, by_id: dict[str, Person]) -> None:
        self._by_id = by_id
        self._all: dict[str, Person] | None = None

    def get(self, upn: str) -> Person | None:
        """The person with this lower-case UPN (the last of several, as a dict of them all keeps), made whole once."""
        if self._all is None:
            self._all = {p.upn.lower(): p for p in self._by_id.values()}
        return self._all.get(upn)

    def only(self, upns: set[str]) -> dict[str, Person]:
        """The people with these lower-case UPNs, by UPN (``get`` of each one found), without a map of everyone."""
        if self._all is not None:
            return {u: p for u in upns if (p := self._all.get(u)) is not None}
        return {low: p for p in self._by_id.values() if (low := p.upn.lower()) in upns} if upns else {}


def apply_after_users(snapshot: Snapshot, by_id: dict[str, Person], today: date, *, sign_in_read: bool,
                      by_upn: ByUpn) -> None:
    """What needs every person first: role assignments, Cloud PCs (by UPN), Teams accounts and, without sign-in
    activity, the Microsoft 365 active user report. (SSPR, provisioning, TAP and sign-in idleness are filled in facts' one pass.)"""
    _roles(snapshot, by_id)
    _cloud_pcs(snapshot, by_upn)
    if not sign_in_read:
        _idle_from_report(snapshot, by_id, today, by_upn)
    _teams_accounts(snapshot, by_id)


def _roles(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    """Directory role assignments (readable without P1) override the report's isAdmin: facts starts everyone at
    is_admin False when this section is usable."""
    sec = snapshot.section("roles")
    if not sec.usable:
        return
    for a in sec.data or []:
        p = by_id.get(a.get("principalId") or "")
        if p is not None:
            p.is_admin = True
            role = str(a.get("roleDefinitionId") or "")
            if p.roles:
                p.roles.append(role)
            else:
                p.roles = [role]


def _cloud_pcs(snapshot: Snapshot, by_upn: ByUpn) -> None:
    sec = snapshot.section("cloud_pcs")
    if not sec.usable:
        return
    upns = [str(pc.get("userPrincipalName") or "").lower() for pc in sec.data or []]
    found = by_upn.only(set(upns))
    for pc, upn in zip(sec.data or [], upns):
        p = found.get(upn)
        if p is not None:
            if p.cloud_pcs:
                p.cloud_pcs.append(pc)
            else:
                p.cloud_pcs = [pc]


def _teams_accounts(snapshot: Snapshot, by_id: dict[str, Person]) -> None:
    """/admin/teams/userConfigurations lists "users who have accounts hosted on Microsoft Teams"
    (resources/teamsadministration-teamsuserconfiguration.md): a person missing there has no Teams account."""
    sec = snapshot.section("teams_users")
    if not sec.usable:
        return
    data = sec.data or []  # one row per person: read as columns (issue 15)
    kinds = by_value(data, "accountType", _account_kind)  # a Table's Coded column: each kind's word once
    ids = column(data, "id")
    people = in_order(ids, by_id)  # the accounts in the users' order: each row is its person, no look-ups (issue 15)
    if people is not None:
        if len(people) < len(by_id):  # someone the listing leaves out (else each one's row says)
            for p in by_id.values():
                p.teams_account = "none"
        for p, kind in zip(people, kinds):
            p.teams_account = kind
        return
    accounts = {str(uid): kind for uid, kind in zip(ids, kinds)}
    for p in by_id.values():
        p.teams_account = accounts.get(p.id, "none")


def _account_kind(kind: Any) -> str:
    return str(kind or "unknown")


def _idle_from_report(snapshot: Snapshot, by_id: dict[str, Person], today: date, by_upn: ByUpn) -> None:
    sec = snapshot.section("office_activity")
    if not sec.usable:
        return
    data = sec.data or {}
    rows = data.get("rows") or []
    upns = [str(row.get("userPrincipalName") or "").lower() for row in rows]
    found = by_upn.only(set(upns))
    if not found:  # a report that names none of the tenant's people (no rows yet, names hashed) says nothing of who is
        return  # idle: idleness stays unknown (None), not "everyone older than 90 days" (indep17 #3)
    for p in by_id.values():
        p.idle = (days_since(p.created, today) or 0) > IDLE_DAYS
    for row, upn in zip(rows, upns):
        p = found.get(upn)
        if p is not None and row.get("lastActivityDate"):
            p.idle = False
