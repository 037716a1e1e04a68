"""Read endpoints, in the shapes of shared/graph-examples/."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .depth_reads import provisioned_plans
from .generate import MFA_METHODS
from .odata import QueryError, project
from .tenant import SimError
from .wire import Collection, SimRequest, SimResponse

if TYPE_CHECKING:  # app imports the routes, which import these handlers
    from .app import Simulator

# Query support per property: https://learn.microsoft.com/graph/aad-advanced-queries (filter, orderby, null values)
USERS = Collection("users", filterable={"accountEnabled", "userType", "assignedLicenses", "displayName", "id",
                                        "userPrincipalName", "department", "usageLocation", "mail", "signInActivity",
                                        "createdDateTime", "onPremisesSyncEnabled", "country", "givenName", "surname",
                                        "jobTitle", "externalUserState"},
                   orderby={"displayName", "userPrincipalName"}, orderby_advanced={"createdDateTime"},
                   null_filterable={"department", "displayName", "country", "userType", "givenName", "surname", "jobTitle"},
                   searchable={"displayName", "mail", "userPrincipalName", "givenName", "surname", "mailNickname"})
GROUPS = Collection("groups", filterable={"resourceProvisioningOptions", "displayName", "groupTypes", "securityEnabled", "id",
                                          "mailEnabled", "assignedLicenses", "hasMembersWithLicenseErrors", "createdDateTime"},
                    orderby={"displayName"}, orderby_advanced={"createdDateTime"},
                    searchable={"displayName", "description", "mail", "mailNickname"})
# device: isManaged/isCompliant filter with eq/ne/not but not on null (https://learn.microsoft.com/graph/api/resources/device)
DEVICES = Collection("devices", filterable={"accountEnabled", "operatingSystem", "trustType", "displayName", "deviceId", "id",
                                            "isCompliant", "isManaged", "registrationDateTime", "approximateLastSignInDateTime",
                                            "operatingSystemVersion", "profileType", "createdDateTime"},
                     orderby_advanced={"displayName", "approximateLastSignInDateTime", "createdDateTime"},
                     searchable={"displayName"},
                     # startsWith as device.md documents it (deviceId, displayName, operatingSystem, operatingSystemVersion)
                     startswith={"deviceId", "displayName", "operatingSystem", "operatingSystemVersion"})
MANAGED = Collection("managedDevices", default_top=1000, max_top=1000, directory=False,
                     filterable={"complianceState", "operatingSystem", "managedDeviceOwnerType", "userId", "deviceName"})
POLICIES = Collection("deviceCompliancePolicies", default_top=1000, max_top=1000, directory=False, filterable={"displayName"},
                      needs_select=False)
REGISTRATION = Collection("userRegistrationDetails", default_top=1000, max_top=1000, directory=False,
                          filterable={"isMfaRegistered", "isMfaCapable", "userType", "methodsRegistered", "isAdmin",
                                      "userPrincipalName"})
CA = Collection("conditionalAccess/policies", directory=False, filterable={"state", "displayName"}, needs_select=False)
SKUS = Collection("subscribedSkus", directory=False, filterable=set(), needs_select=False)
SMALL = Collection("items", directory=False, filterable={"membershipType", "displayName"}, needs_select=False)

MFA_SET = set(MFA_METHODS)
SSPR_SET = {"microsoftAuthenticatorPush", "mobilePhone", "softwareOneTimePasscode", "email"}

# properties a full (no $select) read returns that the generated objects do not hold; values as an idle tenant has them
GROUP_DEFAULTS = {"classification": None, "deletedDateTime": None, "expirationDateTime": None, "isAssignableToRole": None,
                  "membershipRule": None, "membershipRuleProcessingState": None, "onPremisesLastSyncDateTime": None,
                  "onPremisesProvisioningErrors": [], "onPremisesSecurityIdentifier": None, "onPremisesSyncEnabled": None,
                  "preferredDataLocation": None, "preferredLanguage": None, "proxyAddresses": [], "renewedDateTime": None,
                  "theme": None, "mail": None}
DEVICE_DEFAULTS = {"deviceVersion": 2}
MANAGED_DEFAULTS = {  # managedDevice (https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice)
    "activationLockBypassCode": None, "androidSecurityPatchLevel": None, "configurationManagerClientEnabledFeatures": None,
    "deviceActionResults": [], "deviceCategoryDisplayName": "Unknown", "deviceHealthAttestationState": None,
    "easActivated": False, "easActivationDateTime": "0001-01-01T00:00:00Z", "easDeviceId": None, "ethernetMacAddress": None,
    "exchangeAccessState": "none", "exchangeAccessStateReason": "none", "exchangeLastSuccessfulSyncDateTime": "0001-01-01T00:00:00Z",
    "freeStorageSpaceInBytes": 0, "iccid": None, "imei": None, "isSupervised": False, "managedDeviceName": None, "meid": None,
    "notes": None, "partnerReportedThreatState": "unknown", "phoneNumber": None, "physicalMemoryInBytes": 0,
    "remoteAssistanceSessionErrorDetails": None, "remoteAssistanceSessionUrl": None, "subscriberCarrier": None,
    "totalStorageSpaceInBytes": 0, "udid": None, "wiFiMacAddress": None}


def _full(defaults: dict) -> Any:
    """A view that fills in ``defaults`` on full reads (no $select)."""
    def view(item: dict, select: list[str] | None) -> dict:
        if select:
            return project(item, select)
        out = dict(defaults)
        out.update(project(item, None))
        return out
    return view


def _no_filter(req: SimRequest, what: str) -> None:
    for key in ("$filter", "$top", "$orderby"):
        if key in req.query:
            raise QueryError(f"Query option '{key}' is not supported on {what}.", "BadRequest")


def organization(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    org = {"id": t.tenant_id, "displayName": t.display_name, "countryLetterCode": "DE", "preferredLanguage": "de",
           "verifiedDomains": [{"name": t.domain, "isDefault": True, "isInitial": False, "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"},
                               {"name": t.domain.split(".")[0] + ".onmicrosoft.com", "isDefault": False, "isInitial": True,
                                "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"}]}
    return sim.page(req, Collection("organization", directory=False, needs_select=False, filterable=set()), lambda: [org])


def subscribed_skus(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _no_filter(req, "subscribedSkus")
    return sim.page(req, SKUS, lambda: sim.tenant.skus)


def users(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    select = (req.query.get("$select") or "").split(",")
    if "signInActivity" in select or "signInActivity" in req.query.get("$filter", ""):
        roles = set(req.claims.get("roles") or [])  # type: ignore[attr-defined]
        if "AuditLog.Read.All" not in roles:
            raise SimError(403, "Authorization_RequestDenied",
                           "Calling principal does not have required MSGraph permissions AuditLog.Read.All")
        if not t.tenant_has("entra_p1"):
            raise SimError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                           "Neither tenant is B2C or tenant doesn't have premium license")
    for bad in ("mailboxSettings", "aboutMe", "skills"):
        if bad in select:
            raise SimError(501, "NotImplemented", f"The property '{bad}' does not support being read on a collection.")
    # users with signInActivity: pages of at most 500, a larger $top is reduced silently
    # (https://learn.microsoft.com/graph/api/user-list#example-11-get-users-including-their-last-sign-in-time)
    cap = 500 if "signInActivity" in select or "signInActivity" in req.query.get("$filter", "") else None
    cache: dict = {}  # provisionedPlans per licence combination, for this page
    return sim.page(req, USERS, lambda: t.users, view=lambda u, sel: _user_view(t, u, sel, cache), page_cap=cap,
                    context=sim.context(req, f"users({','.join(s for s in select if s)})" if select != [""] else "users"))


def _user_view(t: Any, u: dict, select: list[str] | None, cache: dict | None = None) -> dict:
    keys = select or ["businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone",
                      "officeLocation", "preferredLanguage", "surname", "userPrincipalName"]
    out = {}
    for k in keys:
        if k == "assignedPlans":
            out[k] = t.assigned_plans(u)
        elif k == "provisionedPlans":
            out[k] = provisioned_plans(t, u, cache)
        elif k == "businessPhones":
            out[k] = u.get(k, [])
        else:
            out[k] = u.get(k)
    return out


def collection_count(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    """/users/$count, /groups/$count, /devices/$count (https://learn.microsoft.com/graph/query-parameters#count-parameter)."""
    t = sim.tenant
    spec, items = {"users": (USERS, t.users), "groups": (GROUPS, t.groups), "devices": (DEVICES, t.devices)}[m.group("coll")]
    return sim.count_of(req, spec, items)


def _with_id(sel: str | None) -> list[str] | None:
    fields = [f for f in (sel or "").split(",") if f]
    return (fields if "id" in fields else ["id"] + fields) if fields else None


def user_get(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    u = sim.tenant.user(m.group("uid"))
    return SimResponse.json(200, _user_view(sim.tenant, u, _with_id(req.query.get("$select"))))


def license_details(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    u = t.user(m.group("uid"))
    value = []
    for lic in u.get("assignedLicenses") or []:
        sku = t.skus_by_id.get(lic["skuId"])
        if not sku:
            continue
        disabled = set(lic.get("disabledPlans") or [])
        value.append({"id": f"lic{lic['skuId'][:8]}", "skuId": lic["skuId"], "skuPartNumber": sku["skuPartNumber"],
                      "servicePlans": [{"servicePlanId": p["servicePlanId"], "servicePlanName": p["servicePlanName"],
                                        "provisioningStatus": "Disabled" if p["servicePlanId"] in disabled else "Success",
                                        "appliesTo": p["appliesTo"]} for p in sku["servicePlans"]]})
    return SimResponse.json(200, {"@odata.context": sim.context(req, f"users('{u['id']}')/licenseDetails"), "value": value})


def auth_methods(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    u = t.user(m.group("uid"))
    kinds = {"password": "passwordAuthenticationMethod", "microsoftAuthenticatorPush": "microsoftAuthenticatorAuthenticationMethod",
             "mobilePhone": "phoneAuthenticationMethod", "fido2SecurityKey": "fido2AuthenticationMethod",
             "softwareOneTimePasscode": "softwareOathAuthenticationMethod", "windowsHelloForBusiness": "windowsHelloForBusinessAuthenticationMethod",
             "email": "emailAuthenticationMethod", "temporaryAccessPass": "temporaryAccessPassAuthenticationMethod"}
    value = []
    for i, method in enumerate(t.auth_methods.get(u["id"], [])):
        item: dict[str, Any] = {"@odata.type": f"#microsoft.graph.{kinds[method]}", "id": f"{u['id'][:8]}-{i}"}
        if method == "mobilePhone":
            item.update({"phoneNumber": "+49 151 0000000", "phoneType": "mobile", "smsSignInState": "notEnabled"})
        value.append(item)
    return SimResponse.json(200, {"@odata.context": sim.context(req, f"users('{u['id']}')/authentication/methods"), "value": value})


def groups(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    # hasMembersWithLicenseErrors eq true works without advanced query parameters
    # (https://learn.microsoft.com/graph/api/resources/group: "Supports $filter (eq)")
    if "hasMembersWithLicenseErrors" in req.query.get("$filter", "") + req.query.get("$select", ""):
        _licence_error_flags(sim.tenant)
    domain = sim.tenant.domain

    def view(g: dict, select: list[str] | None) -> dict:
        out = _full(GROUP_DEFAULTS)(g, select)
        if not select and g.get("mailEnabled"):
            out["mail"] = f"{g.get('mailNickname') or 'group'}@{domain}"
            out["proxyAddresses"] = [f"SMTP:{out['mail']}"]
        return out

    return sim.page(req, GROUPS, lambda: sim.tenant.groups, view=view)


def _licence_error_flags(t: Any) -> None:
    """hasMembersWithLicenseErrors follows the members' group licence states."""
    for g in t.groups:
        if not g.get("assignedLicenses"):
            continue
        g["hasMembersWithLicenseErrors"] = any(
            st.get("assignedByGroup") == g["id"] and st.get("state") == "Error"
            for uid in t.group_members.get(g["id"], []) for st in (t.users_by_id.get(uid) or {}).get("licenseAssignmentStates") or [])


def group_get(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    g = sim.tenant.group(m.group("gid"))
    sel = ",".join(_with_id(req.query.get("$select")) or [])
    doc = dict(g)
    doc["licenseProcessingState"] = {"state": "ProcessingComplete"}
    if sel:
        doc = {k: doc.get(k) for k in sel.split(",")}
    else:
        doc.pop("licenseProcessingState")
    return SimResponse.json(200, doc)


def group_members(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    gid = t.group(m.group("gid"))["id"]
    ids = t.group_members.get(gid, [])
    if m.group("kind") == "membersWithLicenseErrors":
        ids = [i for i in ids if any(st.get("assignedByGroup") == gid and st.get("state") == "Error"
                                     for st in t.users_by_id[i].get("licenseAssignmentStates") or [])]
    users = t.users_by_id

    def view(u: dict, select: list[str] | None) -> dict:  # O(page): only the page's members are copied
        if select:
            return {"@odata.type": "#microsoft.graph.user", **project(u, select)}
        return {**project(u, None), "@odata.type": "#microsoft.graph.user"}

    # the rows are only looked up for the first page (continuation pages keep them in the paging state)
    return sim.page(req, Collection("members", needs_select=False, filterable=set()),
                    lambda: [users[i] for i in ids if i in users], view=view)


def devices(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    expand = req.query.get("$expand")
    if expand is not None and not re.fullmatch(r"registeredOwners(\(\$select=id(,userPrincipalName)?\))?", expand):
        raise QueryError(f"Unsupported $expand '{expand}' on devices: only registeredOwners is supported.", "BadRequest")

    def view(d: dict, select: list[str] | None) -> dict:
        out = {k: d.get(k) for k in select} if select else dict(DEVICE_DEFAULTS, **d)
        if expand is not None:
            out["registeredOwners"] = [{"@odata.type": "#microsoft.graph.user", "id": uid,
                                        "userPrincipalName": t.users_by_id[uid]["userPrincipalName"]}
                                       for uid in t.device_owners.get(d["id"], [])[:20] if uid in t.users_by_id]
        return out

    # $expand on directory objects returns at most 100 per page; a larger $top is reduced silently (known issue 13635)
    return sim.page(req, DEVICES, lambda: t.devices, view=view, page_cap=100 if expand is not None else None)


def _intune(sim: Simulator) -> None:
    if not sim.tenant.tenant_has("intune"):
        raise SimError(403, "Forbidden", "Request not applicable to target tenant: the tenant is not licensed for Microsoft Intune.")


def managed_devices(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _intune(sim)
    return sim.page(req, MANAGED, lambda: sim.tenant.managed_devices, view=_full(MANAGED_DEFAULTS),
                    context=sim.context(req, "deviceManagement/managedDevices"))


def user_managed_devices(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    """GET /users/{id}/managedDevices: the devices Intune lists with this user as primary user."""
    _intune(sim)
    uid = sim.tenant.user(m.group("uid"))["id"]
    return sim.page(req, MANAGED, lambda: [d for d in sim.tenant.managed_devices if d.get("userId") == uid],
                    view=_full(MANAGED_DEFAULTS), context=sim.context(req, f"users('{uid}')/managedDevices"))


def compliance_policies(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _intune(sim)
    expand = req.query.get("$expand")
    if expand is not None and expand != "assignments":
        raise QueryError(f"Unsupported $expand '{expand}' on deviceCompliancePolicies: only assignments.", "BadRequest")

    def view(p: dict, select: list[str] | None) -> dict:
        out = project(p, select)
        if expand:
            out["assignments"] = list(p.get("_assignments") or [])
        return out

    return sim.page(req, POLICIES, lambda: sim.tenant.compliance_policies, view=view,
                    context=sim.context(req, "deviceManagement/deviceCompliancePolicies"))


def sharepoint_settings(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    doc = {"@odata.context": sim.context(req, "admin/sharepoint/settings/$entity")}
    doc.update(sim.tenant.sharepoint_settings)
    return SimResponse.json(200, doc)


def singleton(attr: str, context: str) -> Any:
    def handler(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
        doc = {"@odata.context": sim.context(req, context)}
        doc.update({k: v for k, v in getattr(sim.tenant, attr).items() if k != "@odata.context"})
        return SimResponse.json(200, doc)
    return handler


def cross_tenant_partners(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    return SimResponse.json(200, {"@odata.context": sim.context(req, "policies/crossTenantAccessPolicy/partners"), "value": []})


def _p1(sim: Simulator) -> None:
    if not sim.tenant.tenant_has("entra_p1"):
        raise SimError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                       "Tenant does not have a SKU required for this call (Microsoft Entra ID P1 or P2).")


def ca_policies(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _p1(sim)
    return sim.page(req, CA, lambda: sim.tenant.ca_policies, context=sim.context(req, "identity/conditionalAccess/policies"))


def registration_details(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _p1(sim)
    t = sim.tenant

    def rows() -> list[dict]:  # built once per query; later pages come from the paging state
        out = []
        admins = {a["principalId"] for a in t.role_assignments}
        for u in t.users:
            methods = t.auth_methods.get(u["id"], [])
            reg = [x for x in methods if x != "password"]
            mfa = bool(MFA_SET.intersection(methods))
            # SSPR: a method that can reset a password (phone, app, email; not Windows Hello or FIDO2 alone)
            # (https://learn.microsoft.com/entra/identity/authentication/concept-sspr-howitworks#authentication-methods)
            sspr = bool(SSPR_SET.intersection(methods))
            out.append({"id": u["id"], "userPrincipalName": u["userPrincipalName"], "userDisplayName": u["displayName"],
                        "userType": u["userType"].lower(), "isAdmin": u["id"] in admins, "isSsprRegistered": sspr,
                        "isSsprEnabled": True, "isSsprCapable": sspr and u["accountEnabled"], "isMfaRegistered": mfa, "isMfaCapable": mfa and u["accountEnabled"],
                        "isPasswordlessCapable": "fido2SecurityKey" in methods or "windowsHelloForBusiness" in methods,
                        "methodsRegistered": reg, "isSystemPreferredAuthenticationMethodEnabled": True,
                        "systemPreferredAuthenticationMethods": ["push"] if "microsoftAuthenticatorPush" in methods else [],
                        "userPreferredMethodForSecondaryAuthentication": "push" if "microsoftAuthenticatorPush" in methods else "none",
                        "lastUpdatedDateTime": f"{t.created}T03:00:00Z"})
        return out

    return sim.page(req, REGISTRATION, rows, context=sim.context(req, "reports/authenticationMethods/userRegistrationDetails"))


def teams_get(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    team = _team(sim, m.group("tid"))
    members = sim.tenant.team_members.get(team["id"], [])
    owners = sum(1 for x in members if "owner" in (x.get("roles") or []))
    guests = sum(1 for x in members if "guest" in (x.get("roles") or []))
    # teamSummary (https://learn.microsoft.com/graph/api/resources/teamsummary)
    team["summary"] = {"ownersCount": owners, "membersCount": len(members) - owners - guests, "guestsCount": guests}
    sel = ",".join(_with_id(req.query.get("$select")) or [])
    if sel:
        team = {k: team.get(k) for k in sel.split(",")}
    return SimResponse.json(200, dict(team, **{"@odata.context": sim.context(req, "teams/$entity")}))


def _team(sim: Simulator, tid: str) -> dict:
    team = sim.tenant.teams.get(tid)
    created = (team or {}).get("_visibleAt")
    import time as _t
    if team is None or (created and _t.monotonic() < created):
        raise SimError(404, "NotFound", f"No team found with Group Id {tid}")
    return {k: v for k, v in team.items() if not k.startswith("_")}


def channels(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    tid = _team(sim, m.group("tid"))["id"]
    return sim.page(req, SMALL, lambda: sim.tenant.channels.get(tid, []), context=sim.context(req, f"teams('{tid}')/channels"))


def team_members(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    tid = _team(sim, m.group("tid"))["id"]
    # the members list carries @odata.count (https://learn.microsoft.com/graph/api/team-list-members, example response)
    return sim.page(req, SMALL, lambda: sim.tenant.team_members.get(tid, []), context=sim.context(req, f"teams('{tid}')/members"),
                    count_always=True)


def team_operation(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    op = sim.tenant.operations.get(m.group("op"))
    if op is None or op["targetResourceId"] != m.group("tid"):
        raise SimError(404, "NotFound", "Operation not found.")
    op["attemptsCount"] += 1
    if op["status"] == "inProgress" and op["attemptsCount"] >= 2:
        op["status"] = "succeeded"
        op["lastActionDateTime"] = op["createdDateTime"]
    return SimResponse.json(200, dict(op, **{"@odata.context": sim.context(req, "teams/operations/$entity")}))


def report_settings(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    return SimResponse.json(200, dict(sim.tenant.report_settings, **{"@odata.context": sim.context(req, "admin/reportSettings/$entity")}))
