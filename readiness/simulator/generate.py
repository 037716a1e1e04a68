"""Generate realistic tenants from a profile, a seed and a size.

Profiles:
- ``unprepared-sme``: a German SME of about 40 people on Business Basic/Standard and Apps for business;
  no Intune, no Entra ID P1, security defaults off, anyone-links on, names concealed in reports.
- ``enterprise``: size-scalable (to 100,000 users and devices); E3/E5/F3 and E3 (no Teams) with Teams EEA,
  group-based licensing with seat errors, Intune with mixed compliance, Conditional Access.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from .. import clock
from ..errors import UsageError
from ..licensing.catalog import catalog
from . import names as N
from .depth import add_depth
from .tenant import Tenant

PROFILES = {
    "unprepared-sme": "about 40 people; many without Teams, devices or MFA; no Intune, no Entra ID P1",
    "enterprise": "any size (default 2,000; up to 100,000+); E3/E5/F3, Intune, Conditional Access, group licensing",
}
# Dates are "today minus offsets" (readiness.clock), so that the data is as fresh on any day as on the day it
# was written; tests freeze the clock. Usage reports lag behind today (Tenant.report_refresh_date).

MFA_METHODS = ["microsoftAuthenticatorPush", "mobilePhone", "fido2SecurityKey", "softwareOneTimePasscode",
               "windowsHelloForBusiness"]
NON_MFA_METHODS = ["email", "temporaryAccessPass"]


class _Gen:
    def __init__(self, seed: int, as_of: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of or clock.today()

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def day(self, max_days_ago: int, min_days_ago: int = 0, *, anchor: date | None = None) -> str:
        return ((anchor or self.as_of) - timedelta(days=self.rng.randint(min_days_ago, max_days_ago))).isoformat()

    def stamp(self, days_ago: int) -> str:
        """A fixed time ``days_ago`` days before the data's date (no randomness)."""
        return f"{(self.as_of - timedelta(days=days_ago)).isoformat()}T08:00:00Z"

    def when(self, max_days_ago: int, min_days_ago: int = 0) -> str:
        return f"{self.day(max_days_ago, min_days_ago)}T{self.rng.randint(6, 19):02d}:{self.rng.randint(0, 59):02d}:00Z"


def _sku(g: _Gen, tenant_id: str, part: str, enabled: int, status: str = "Enabled") -> dict:
    info = catalog().sku_by_part_number(part)
    if info is None:  # pragma: no cover - guarded by tests
        raise KeyError(part)
    plans = []
    for plan_id, plan_name in info.plans:
        applies = "Company" if plan_name.startswith(("ADALLOM_S_O365", "EXCHANGE_S_FOUNDATION", "M365_LIGHTHOUSE_PARTNER")) else "User"
        plans.append({"servicePlanId": plan_id, "servicePlanName": plan_name, "provisioningStatus": "Success",
                      "appliesTo": applies})
    prepaid = {"enabled": enabled, "lockedOut": 0, "suspended": 0, "warning": 0}
    if status == "Warning":
        prepaid = {"enabled": 0, "lockedOut": 0, "suspended": 0, "warning": enabled}
    return {"accountName": "", "accountId": tenant_id, "appliesTo": "User", "capabilityStatus": status,
            "consumedUnits": 0, "id": f"{tenant_id}_{info.sku_id}", "prepaidUnits": prepaid,
            "servicePlans": plans, "skuId": info.sku_id, "skuPartNumber": info.part_number,
            "subscriptionIds": [g.uid()]}


def _plan_id(sku: dict, name: str) -> str:
    return next(p["servicePlanId"] for p in sku["servicePlans"] if p["servicePlanName"] == name)


def _user(g: _Gen, domain: str, first: str, last: str, dept: str | None, *, taken: set, usage: str | None = "DE",
          enabled: bool = True, user_type: str = "Member", country: str = "Deutschland") -> dict:
    nick = N.mail_nickname(first, last)
    base, n = nick, 2
    while nick in taken:
        nick, n = f"{base}{n}", n + 1
    taken.add(nick)
    upn = f"{nick}@{domain}"
    return {
        "id": g.uid(), "userPrincipalName": upn, "displayName": f"{first} {last}", "givenName": first,
        "surname": last, "mail": upn, "accountEnabled": enabled, "userType": user_type, "usageLocation": usage,
        "department": dept, "jobTitle": None, "country": country, "createdDateTime": g.when(2000, 30),
        "onPremisesSyncEnabled": None, "assignedLicenses": [], "licenseAssignmentStates": [],
        "signInActivity": {"lastSignInDateTime": g.when(20), "lastNonInteractiveSignInDateTime": g.when(5),
                           "lastSuccessfulSignInDateTime": g.when(20)},
    }


def _license(u: dict, sku: dict, disabled: tuple[str, ...] = (), group: str | None = None, state: str = "Active",
             error: str = "None") -> None:
    ids = [_plan_id(sku, p) for p in disabled]
    if not any(lic["skuId"] == sku["skuId"] for lic in u["assignedLicenses"]):
        u["assignedLicenses"].append({"disabledPlans": ids, "skuId": sku["skuId"]})
    u["licenseAssignmentStates"].append({"assignedByGroup": group, "disabledPlans": ids, "error": error,
                                         "lastUpdatedDateTime": "", "skuId": sku["skuId"],
                                         "state": state})


def _guest(g: _Gen, domain: str, taken: set, stale: bool) -> dict:
    first, last = g.rng.choice(N.GERMAN_FIRST + N.INTL_FIRST), g.rng.choice(N.GERMAN_LAST + N.INTL_LAST)
    ext = g.rng.choice(N.GUEST_DOMAINS)
    nick = N.mail_nickname(first, last)
    u = _user(g, domain, first, last, None, taken=taken, usage=None, user_type="Guest", country=None)
    u["userPrincipalName"] = f"{nick}_{ext}#EXT#@{domain}"
    u["mail"] = f"{nick}@{ext}"
    when = g.when(400, 200) if stale else g.when(30)
    u["signInActivity"] = {"lastSignInDateTime": when, "lastNonInteractiveSignInDateTime": when,
                           "lastSuccessfulSignInDateTime": when}
    return u


def _group(g: _Gen, name: str, *, team: bool = False, security: bool = False) -> dict:
    nick = N.mail_nickname(name, "").strip(".").replace(" ", "")
    return {"id": g.uid(), "displayName": name, "description": name, "mailNickname": nick,
            "groupTypes": [] if security else ["Unified"], "mailEnabled": not security, "securityEnabled": security,
            "resourceProvisioningOptions": ["Team"] if team else [], "resourceBehaviorOptions": [],
            "visibility": None if security else "Private", "createdDateTime": g.when(900, 60),
            "assignedLicenses": [], "hasMembersWithLicenseErrors": False}


def _entra_device(g: _Gen, name: str, os_name: str, trust: str, enabled: bool = True) -> dict:
    return {"id": g.uid(), "deviceId": g.uid(), "displayName": name, "operatingSystem": os_name,
            "operatingSystemVersion": {"Windows": "10.0.22631.4460", "iOS": "18.1", "Android": "15", "MacMDM": "15.1"}.get(os_name, "1.0"),
            "trustType": trust, "accountEnabled": enabled, "isCompliant": None,
            "isManaged": None if trust == "Workplace" else False,  # a registered device no MDM saw: null, as Graph returns
            "approximateLastSignInDateTime": g.when(40), "registrationDateTime": g.when(900, 40),
            "manufacturer": None, "model": None, "profileType": "RegisteredDevice"}


def _base_settings(t: Tenant, *, sharing: str, invites: str, guest_role: str, sec_defaults: bool, concealed: bool) -> None:
    t.sharepoint_settings = {
        "@odata.type": "#microsoft.graph.sharepointSettings", "allowedDomainGuidsForSyncApp": [],
        "availableManagedPathsForSiteCreation": ["/sites/", "/teams/"], "deletedUserPersonalSiteRetentionPeriodInDays": 30,
        "excludedFileExtensionsForSyncApp": [], "idleSessionSignOut": {"isEnabled": False, "warnAfterInSeconds": 0, "signOutAfterInSeconds": 0},
        "imageTaggingOption": "basic", "isCommentingOnSitePagesEnabled": True, "isFileActivityNotificationEnabled": True,
        "isLegacyAuthProtocolsEnabled": True, "isLoopEnabled": True, "isMacSyncAppEnabled": True,
        "isRequireAcceptingUserToMatchInvitedUserEnabled": False, "isResharingByExternalUsersEnabled": True,
        "isSharePointMobileNotificationEnabled": True, "isSharePointNewsfeedEnabled": True, "isSiteCreationEnabled": True,
        "isSiteCreationUIEnabled": True, "isSitePagesCreationEnabled": True, "isSitesStorageLimitAutomatic": True,
        "isSyncButtonHiddenOnPersonalSite": False, "isUnmanagedSyncAppForTenantRestricted": False,
        "personalSiteDefaultStorageLimitInMB": 1048576, "sharingAllowedDomainList": [], "sharingBlockedDomainList": [],
        "sharingCapability": sharing, "sharingDomainRestrictionMode": "none", "siteCreationDefaultManagedPath": "/sites/",
        "siteCreationDefaultStorageLimitInMB": 25600, "tenantDefaultTimezone": "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    }
    t.authorization_policy = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity",
        "id": "authorizationPolicy", "allowInvitesFrom": invites, "allowedToSignUpEmailBasedSubscriptions": True,
        "allowedToUseSSPR": True, "allowEmailVerifiedUsersToJoinOrganization": False, "allowUserConsentForRiskyApps": None,
        "blockMsolPowerShell": False, "description": "Used to manage authorization related settings across the company.",
        "displayName": "Authorization Policy", "guestUserRoleId": guest_role,
        "defaultUserRolePermissions": {"allowedToCreateApps": True, "allowedToCreateSecurityGroups": True,
                                       "allowedToReadOtherUsers": True,
                                       "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]},
    }
    t.security_defaults = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
        "displayName": "Security Defaults", "id": "00000000-0000-0000-0000-000000000005", "isEnabled": sec_defaults,
    }
    allow_all = {"usersAndGroups": {"accessType": "allowed", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                 "applications": {"accessType": "allowed", "targets": [{"target": "AllApplications", "targetType": "application"}]}}
    block_all = {"usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                 "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}}
    t.cross_tenant_default = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity",
        "isServiceDefault": True,
        "inboundTrust": {"isMfaAccepted": False, "isCompliantDeviceAccepted": False, "isHybridAzureADJoinedDeviceAccepted": False},
        "b2bCollaborationOutbound": allow_all, "b2bCollaborationInbound": allow_all,
        "b2bDirectConnectOutbound": block_all, "b2bDirectConnectInbound": block_all,
    }
    t.report_settings = {"@odata.type": "#microsoft.graph.adminReportSettings", "displayConcealedNames": concealed}


def _methods(g: _Gen, mfa: bool) -> list[str]:
    methods = ["password"] if g.rng.random() < 0.97 else []
    if mfa:
        methods += g.rng.sample(MFA_METHODS[:2], g.rng.randint(1, 2))
        if g.rng.random() < 0.1:
            methods.append(g.rng.choice(MFA_METHODS[2:]))
    elif g.rng.random() < 0.3:
        methods.append(g.rng.choice(NON_MFA_METHODS))  # email / TAP: not MFA
    return methods


def _team(t: Tenant, g: _Gen, group: dict, owners: list[str], members: list[str], guests_allowed: bool = True) -> None:
    gid = group["id"]
    t.teams[gid] = {
        "id": gid, "createdDateTime": group["createdDateTime"], "displayName": group["displayName"],
        "description": group["description"], "internalId": f"19:{gid.replace('-', '')}@thread.tacv2", "classification": None,
        "specialization": "none", "visibility": "private", "webUrl": f"https://teams.microsoft.com/l/team/19%3a{gid}",
        "isArchived": False, "tenantId": t.tenant_id,
        "memberSettings": {"allowCreateUpdateChannels": True, "allowDeleteChannels": True, "allowAddRemoveApps": True,
                           "allowCreateUpdateRemoveTabs": True, "allowCreateUpdateRemoveConnectors": True},
        "guestSettings": {"allowCreateUpdateChannels": guests_allowed, "allowDeleteChannels": False},
        "messagingSettings": {"allowUserEditMessages": True, "allowUserDeleteMessages": True, "allowOwnerDeleteMessages": True,
                              "allowTeamMentions": True, "allowChannelMentions": True},
        "funSettings": {"allowGiphy": True, "giphyContentRating": "moderate", "allowStickersAndMemes": True, "allowCustomMemes": True},
        "discoverySettings": {"showInTeamsSearchAndSuggestions": True},
    }
    t.channels[gid] = [{"id": f"19:{g.uid().replace('-', '')}@thread.tacv2", "createdDateTime": group["createdDateTime"],
                        "displayName": "General", "description": group["description"], "membershipType": "standard",
                        "email": "", "webUrl": ""}]
    t.team_members[gid] = []
    for uid, role in [(o, ["owner"]) for o in owners] + [(m, []) for m in members if m not in owners]:
        u = t.users_by_id[uid]
        t.team_members[gid].append({"@odata.type": "#microsoft.graph.aadUserConversationMember", "id": g.uid(),
                                    "roles": role if u["userType"] == "Member" else ["guest"], "displayName": u["displayName"],
                                    "userId": uid, "email": u["mail"], "tenantId": t.tenant_id,
                                    "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z"})
    t.group_members.setdefault(gid, [])
    for uid in owners + members:
        if uid not in t.group_members[gid]:
            t.group_members[gid].append(uid)


ENTERPRISE_MIN = 12  # the smallest enterprise tenant every seed can make (seeds 0-29 measured; below, some fail)


def generate_tenant(profile: str = "unprepared-sme", seed: int = 7, size: int | None = None) -> Tenant:
    """A tenant whose data is as of ``clock.today()``: the same seed gives the same data relative to that day."""
    try:
        return _generate(profile, seed, size)
    except (ValueError, IndexError):  # too few people for its departments, admins and samples (some seeds manage)
        if profile == "enterprise" and size is not None and size < ENTERPRISE_MIN:
            raise UsageError.keyed("api.enterprise_too_small", size=size, seed=seed, minimum=ENTERPRISE_MIN) from None
        raise


def _generate(profile: str, seed: int, size: int | None) -> Tenant:
    if profile == "unprepared-sme":
        t = _sme(seed)
    elif profile == "enterprise":
        t = _enterprise(seed, size or 2000)
    else:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    licensed = (date.fromisoformat(t.created) - timedelta(days=50)).isoformat() + "T08:00:00Z"
    for u in t.users:
        for state in u["licenseAssignmentStates"]:
            state["lastUpdatedDateTime"] = state["lastUpdatedDateTime"] or licensed
    return _with_deleted(add_depth(t, seed, _Gen, _sku), seed)


def _with_deleted(t: Tenant, seed: int) -> Tenant:
    """Two people deleted last week: gone from /users, still rows in the usage reports (own random stream)."""
    g = _Gen(seed + 7919)
    for i in range(2):
        first, last = g.rng.choice(N.GERMAN_FIRST), g.rng.choice(N.GERMAN_LAST)
        day = (date.fromisoformat(t.created) - timedelta(days=3 + i)).isoformat()
        t.deleted_users.append({"id": g.uid(), "userPrincipalName": f"{g.uid()[:8]}{N.mail_nickname(first, last)}@{t.domain}",
                                "displayName": f"{first} {last}", "deletedDateTime": day, "lastTeams": day})
    return t


def _sme(seed: int) -> Tenant:
    g = _Gen(seed)
    tid = g.uid()
    domain = "mueller-soehne.de"
    t = Tenant(tid, domain, "Müller & Söhne Maschinenbau GmbH", "unprepared-sme", g.as_of.isoformat())
    std = _sku(g, tid, "O365_BUSINESS_PREMIUM", 30)
    basic = _sku(g, tid, "O365_BUSINESS_ESSENTIALS", 12)
    apps = _sku(g, tid, "O365_BUSINESS", 8)
    exo = _sku(g, tid, "EXCHANGESTANDARD", 3)
    flow = _sku(g, tid, "FLOW_FREE", 10000)
    t.skus = [std, basic, apps, exo, flow]
    taken: set[str] = set()
    people = []
    for dept, count in N.SME_DEPARTMENTS:
        for _ in range(count):
            first, last = g.rng.choice(N.GERMAN_FIRST), g.rng.choice(N.GERMAN_LAST)
            if g.rng.random() < 0.15:
                first, last = g.rng.choice(N.INTL_FIRST), g.rng.choice(N.INTL_LAST)
            people.append(_user(g, domain, first, last, dept, taken=taken))
    # licence mix: Standard for office staff, Basic for some, Apps-only (no Teams, no mailbox) for production
    order = list(range(len(people)))
    for i in order:
        u = people[i]
        d = u["department"]
        roll = g.rng.random()
        if d == "Produktion":
            if roll < 0.55:
                _license(u, apps)
            elif roll < 0.8:
                _license(u, basic)
        elif d in ("Logistik",):
            if roll < 0.5:
                _license(u, basic)
            elif roll < 0.75:
                _license(u, exo)
        else:
            _license(u, std, disabled=("TEAMS1",) if roll < 0.12 else ())
    # Apps for business is oversubscribed by design in many SMEs: keep within seats here
    t.users = people
    # the usual gaps
    for u in g.rng.sample(people, 5):
        u["usageLocation"] = None
    nolic = [u for u in people if not u["assignedLicenses"]]
    for u in nolic[:2]:
        u["usageLocation"] = None
    for u in g.rng.sample(people, 2):
        u["accountEnabled"] = False
    ext = _user(g, domain, "Mateo", "García", "Vertrieb", taken=taken, country="España", usage="ES")
    ext["userPrincipalName"] = f"mateo.garcia_partner-logistik.com#EXT#@{domain}"
    ext["mail"] = "mateo.garcia@partner-logistik.com"
    _license(ext, std)
    t.users.append(ext)
    for i in range(4):
        t.users.append(_guest(g, domain, taken, stale=i < 2))
    # a user with a historic Teams row (Deleted) but no Teams today: assignedPlans is not the truth
    apps_user = next(u for u in people if any(l["skuId"] == apps["skuId"] for l in u["assignedLicenses"]))
    apps_user["_historicPlans"] = [{"assignedDateTime": g.stamp(994), "capabilityStatus": "Deleted",
                                    "service": "TeamspaceAPI", "servicePlanId": "57ff2da0-773e-42df-b2af-ffb7a2317929"}]
    t.reindex()
    t.recount_consumed()
    # MFA: about a third registered
    for u in t.users:
        t.auth_methods[u["id"]] = _methods(g, mfa=u["userType"] == "Member" and g.rng.random() < 0.35)
    # Entra devices only (no Intune): about half own a registered or joined device
    for u in t.users:
        if u["userType"] != "Member" or g.rng.random() > 0.5:
            continue
        os_name, trust = g.rng.choice([("Windows", "AzureAd"), ("Windows", "Workplace"), ("iOS", "Workplace"), ("Android", "Workplace")])
        dev = _entra_device(g, f"{u['givenName'][:6].upper()}-{os_name[:3].upper()}{g.rng.randint(10, 99)}", os_name, trust,
                            enabled=g.rng.random() > 0.1)
        t.devices.append(dev)
        t.device_owners[dev["id"]] = [u["id"]]
    _base_settings(t, sharing="externalUserAndGuestSharing", invites="everyone",
                   guest_role="a0b1b346-4d3e-4e8b-98f8-753987be4970", sec_defaults=False, concealed=True)
    # groups and two teams
    members = [u["id"] for u in t.users if u["userType"] == "Member"]
    all_staff = _group(g, "Alle Mitarbeitenden", team=True)
    vertrieb = _group(g, "Vertrieb", team=True)
    t.groups = [all_staff, vertrieb, _group(g, "IT-Admins", security=True)]
    t.reindex()
    owner = members[0]
    _team(t, g, all_staff, [owner], members[: len(members) // 2])
    sales = [u["id"] for u in t.users if u.get("department") == "Vertrieb"]
    guests = [u["id"] for u in t.users if u["userType"] == "Guest"][:1]
    _team(t, g, vertrieb, sales[:1], sales + guests)
    # Teams activity: roughly half of those with Teams used it in the last 30 days
    for u in t.users:
        if g.rng.random() < 0.45:
            t.activity[u["id"]] = {"teams": g.day(25, anchor=t.report_refresh_date), "exchange": g.day(5, anchor=t.report_refresh_date)}
    return t


def _enterprise(seed: int, size: int) -> Tenant:
    g = _Gen(seed)
    tid = g.uid()
    domain = "contoso-industrie.com"
    t = Tenant(tid, domain, "Contoso Industrie AG", "enterprise", g.as_of.isoformat())
    guests = max(2, size // 33)
    disabled = max(1, size // 50)
    members_n = size - guests
    e3 = _sku(g, tid, "SPE_E3", int(members_n * 0.55) + 5)
    e5 = _sku(g, tid, "SPE_E5", int(members_n * 0.10) + 5)
    f3 = _sku(g, tid, "SPE_F1", int(members_n * 0.20) + 5)
    e3nt = _sku(g, tid, "Microsoft_365_E3_(no_Teams)", int(members_n * 0.10) + 2)
    teams_eea = _sku(g, tid, "Microsoft_Teams_EEA_New", int(members_n * 0.06))
    t.skus = [e3, e5, f3, e3nt, teams_eea, _sku(g, tid, "FLOW_FREE", 10000)]
    depts = N.ENTERPRISE_DEPARTMENTS
    taken: set[str] = set()
    users = []
    n_groups = max(10, size // 20)
    lic_group = _group(g, "LIC-M365-E3", security=True)
    lic_group["assignedLicenses"] = [{"disabledPlans": [], "skuId": e3["skuId"]}]
    for i in range(members_n):
        intl = g.rng.random() < 0.4
        first = g.rng.choice(N.INTL_FIRST if intl else N.GERMAN_FIRST)
        last = g.rng.choice(N.INTL_LAST if intl else N.GERMAN_LAST)
        u = _user(g, domain, first, last, depts[i % len(depts)], taken=taken,
                  usage=None if g.rng.random() < 0.02 else g.rng.choice(["DE", "DE", "DE", "AT", "CH", "US", "FR"]))
        roll = g.rng.random()
        if roll < 0.55:
            group_error = g.rng.random() < 0.01
            _license(u, e3, group=lic_group["id"], state="Error" if group_error else "Active",
                     error="CountViolation" if group_error else "None")
            if group_error:
                lic_group["hasMembersWithLicenseErrors"] = True
        elif roll < 0.65:
            _license(u, e5, disabled=("TEAMS1",) if g.rng.random() < 0.05 else ())
        elif roll < 0.85:
            _license(u, f3)
        elif roll < 0.95:
            _license(u, e3nt)
            if g.rng.random() < 0.6:
                _license(u, teams_eea)
        users.append(u)
    for u in g.rng.sample(users, min(disabled, len(users))):
        u["accountEnabled"] = False
    for i in range(guests):
        users.append(_guest(g, domain, taken, stale=i % 3 == 0))
    t.users = users
    t.groups = [lic_group] + [_group(g, f"{depts[i % len(depts)]} {i // len(depts) + 1}", team=i % 4 == 0, security=i % 4 == 3)
                              for i in range(n_groups - 1)]
    t.group_members[lic_group["id"]] = [u["id"] for u in users if any(s.get("assignedByGroup") for s in u["licenseAssignmentStates"])]
    t.reindex()
    t.recount_consumed()
    for s in t.skus[:-1]:  # a few free seats everywhere; E3 (group licensing) ran out: its errors are CountViolation
        s["prepaidUnits"]["enabled"] = s["consumedUnits"] + (0 if s is e3 else max(2, s["consumedUnits"] // 50))
    member_ids = [u["id"] for u in users if u["userType"] == "Member"]
    for u in users:
        t.auth_methods[u["id"]] = _methods(g, mfa=u["userType"] == "Member" and g.rng.random() < 0.75)
    # Intune: most members have one managed device; primary user joined on userId; some UPNs are stale
    states = ["compliant"] * 70 + ["noncompliant"] * 14 + ["inGracePeriod"] * 6 + ["unknown"] * 5 + ["error"] * 2 + ["conflict"] * 3
    for uid in member_ids:
        if g.rng.random() < 0.06:
            continue
        u = t.users_by_id[uid]
        os_name = g.rng.choice(["Windows"] * 6 + ["iOS", "Android", "macOS"])
        entra = _entra_device(g, f"CI-{g.rng.randint(100000, 999999)}", os_name if os_name != "macOS" else "MacMDM",
                              "AzureAd" if os_name == "Windows" else "Workplace")
        entra["isManaged"] = True
        t.devices.append(entra)
        t.device_owners[entra["id"]] = [uid]
        upn = u["userPrincipalName"] if g.rng.random() > 0.03 else f"old.{u['userPrincipalName']}"
        t.managed_devices.append(_managed(g, entra, uid, upn, os_name, g.rng.choice(states)))
        if g.rng.random() < 0.16:  # a company phone as well
            phone_os = g.rng.choice(["iOS", "Android"])
            phone = _entra_device(g, f"CI-P{g.rng.randint(100000, 999999)}", phone_os, "Workplace")
            phone["isManaged"] = True
            t.devices.append(phone)
            t.device_owners[phone["id"]] = [uid]
            t.managed_devices.append(_managed(g, phone, uid, upn, phone_os, g.rng.choice(states)))
    for uid in member_ids:  # personal phones registered in Entra but never enrolled in Intune
        if g.rng.random() < 0.05:
            byod = _entra_device(g, f"BYOD-{g.rng.randint(1000, 9999)}", g.rng.choice(["iOS", "Android"]), "Workplace")
            t.devices.append(byod)
            t.device_owners[byod["id"]] = [uid]
    t.compliance_policies = [_compliance(g, "windows10CompliancePolicy", "Windows 10/11 baseline"),
                             _compliance(g, "iosCompliancePolicy", "iOS baseline")]
    _base_settings(t, sharing="externalUserSharingOnly", invites="adminsAndGuestInviters",
                   guest_role="10dae51f-b6af-4016-8d66-8c2a99b929b3", sec_defaults=False, concealed=False)
    t.sharepoint_settings["isResharingByExternalUsersEnabled"] = False
    t.sharepoint_settings["isLegacyAuthProtocolsEnabled"] = False
    t.ca_policies = [_ca(g, "Require MFA for administrators", "enabled", roles=True),
                     _ca(g, "Require MFA for all users", "enabledForReportingButNotEnforced"),
                     _ca(g, "Require compliant device for Office 365", "disabled", grant="compliantDevice")]
    for grp in t.groups:
        if "Team" in grp["resourceProvisioningOptions"]:
            picks = g.rng.sample(member_ids, min(8, len(member_ids)))
            _team(t, g, grp, picks[:1], picks)
    for uid in member_ids:
        if g.rng.random() < 0.7:
            t.activity[uid] = {"teams": g.day(28, anchor=t.report_refresh_date), "exchange": g.day(3, anchor=t.report_refresh_date)}
    return t


def _managed(g: _Gen, entra: dict, uid: str, upn: str, os_name: str, state: str) -> dict:
    return {"@odata.type": "#microsoft.graph.managedDevice", "id": g.uid(), "userId": uid, "deviceName": entra["displayName"],
            "managedDeviceOwnerType": "company" if g.rng.random() < 0.85 else "personal",
            "enrolledDateTime": g.when(700, 30), "lastSyncDateTime": g.when(45), "operatingSystem": os_name,
            "complianceState": state, "jailBroken": "False", "managementAgent": "mdm", "osVersion": entra["operatingSystemVersion"],
            "azureADRegistered": True, "deviceEnrollmentType": "windowsAzureADJoin" if os_name == "Windows" else "userEnrollment",
            "azureADDeviceId": entra["deviceId"], "deviceRegistrationState": "registered", "isEncrypted": g.rng.random() < 0.9,
            "userPrincipalName": upn, "model": "Latitude 7440" if os_name == "Windows" else "Mobile",
            "manufacturer": "Dell" if os_name == "Windows" else "Apple", "serialNumber": f"SN{g.rng.randint(10**7, 10**8 - 1)}",
            "userDisplayName": "", "emailAddress": upn, "complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z"}


def _compliance(g: _Gen, odata_type: str, name: str) -> dict:
    return {"@odata.type": f"#microsoft.graph.{odata_type}", "id": g.uid(), "createdDateTime": g.when(500, 100),
            "description": name, "lastModifiedDateTime": g.when(90), "displayName": name, "version": 3}


def _ca(g: _Gen, name: str, state: str, roles: bool = False, grant: str = "mfa") -> dict:
    users = {"includeUsers": [] if roles else ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [],
             "includeRoles": ["62e90394-69f5-4237-9190-012177145e10"] if roles else [], "excludeRoles": []}
    return {"id": g.uid(), "displayName": name, "createdDateTime": g.when(400, 50), "modifiedDateTime": None, "state": state,
            "sessionControls": None,
            "conditions": {"signInRiskLevels": [], "clientAppTypes": ["all"], "platforms": None, "locations": None,
                           "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
                           "users": users},
            "grantControls": {"operator": "OR", "builtInControls": [grant], "customAuthenticationFactors": [], "termsOfUse": []}}
