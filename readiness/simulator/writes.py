"""Write endpoints the playbooks use, with Graph's validation and errors."""
from __future__ import annotations

import json
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

from .reads import _p1, _team
from .tenant import SimError
from .wire import SimRequest, SimResponse

if TYPE_CHECKING:  # app imports the routes, which import these handlers
    from .app import Simulator

ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _body(req: SimRequest) -> dict:
    try:
        doc = req.json()
    except (ValueError, UnicodeDecodeError):
        raise SimError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.") from None
    if not isinstance(doc, dict):
        raise SimError(400, "BadRequest", "The request body must be a JSON object.")
    return doc


def _new_id() -> str:
    return str(uuid.uuid4())


def assign_license(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    missing = [k for k in ("addLicenses", "removeLicenses") if k not in body]
    if missing:
        raise SimError(400, "Request_BadRequest",
                       "One or more parameters of the operation 'assignLicense' are missing from the request payload. "
                       f"The missing parameters are: {', '.join(missing)}.")
    for lic in body["addLicenses"]:
        if not re.fullmatch(r"[0-9a-fA-F-]{36}", str(lic.get("skuId", ""))):
            raise SimError(400, "Request_BadRequest", "Cannot convert a primitive value to the expected type 'Edm.Guid'.")
    t = sim.tenant
    u = t.user(m.group("uid"))
    t.assign_license(u, body["addLicenses"], [str(x).lower() for x in body["removeLicenses"]])
    # the answer is the user (https://learn.microsoft.com/graph/api/user-assignlicense, response example)
    doc = {k: u.get(k) for k in ("id", "displayName", "userPrincipalName", "accountEnabled", "usageLocation", "assignedLicenses",
                                 "city", "companyName")}
    doc["businessPhones"] = u.get("businessPhones") or []
    doc["assignedPlans"] = t.assigned_plans(u)
    doc["@odata.context"] = sim.context(req, "users/$entity")
    return SimResponse.json(200, doc)


def patch_user(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    u = sim.tenant.user(m.group("uid"))
    allowed = {"usageLocation", "accountEnabled", "department", "jobTitle", "displayName", "country"}
    bad = set(body) - allowed
    if bad:
        raise SimError(400, "Request_BadRequest", f"Property '{sorted(bad)[0]}' is read-only or not supported by this simulator.")
    # usageLocation is not nullable in the v1.0 metadata: null is refused like any invalid value
    # (https://learn.microsoft.com/graph/api/resources/user: "Not nullable")
    if "usageLocation" in body and not ISO_COUNTRY.match(str(body["usageLocation"] or "")):
        raise SimError(400, "Request_BadRequest", "Invalid value specified for property 'usageLocation' of resource 'User'.")
    u.update(body)
    return SimResponse(204)


def group_assign_license(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    if "addLicenses" not in body or "removeLicenses" not in body:
        raise SimError(400, "Request_BadRequest", "Both addLicenses and removeLicenses are required.")
    t = sim.tenant
    if not t.tenant_has("entra_p1"):
        raise SimError(403, "Authorization_RequestDenied", "Group-based licensing requires Microsoft Entra ID P1.")
    g = t.group(m.group("gid"))
    removed = [str(x).lower() for x in body["removeLicenses"]]
    have = {x["skuId"] for x in g.get("assignedLicenses", [])}
    for sku_id in removed:
        if sku_id not in have:
            raise SimError(400, "Request_BadRequest", f"License {sku_id} is not assigned to the group and cannot be removed.")
    lic = [x for x in g.get("assignedLicenses", []) if x["skuId"] not in removed]
    if removed:
        _remove_group_licences(t, g, set(removed))
    for add in body["addLicenses"]:
        sku_id = str(add["skuId"]).lower()
        if sku_id not in t.skus_by_id:
            raise SimError(400, "Request_BadRequest", f"License {sku_id} does not correspond to a valid company License.")
        lic = [x for x in lic if x["skuId"] != sku_id] + [{"disabledPlans": add.get("disabledPlans") or [], "skuId": sku_id}]
    g["assignedLicenses"] = lic
    for uid in t.group_members.get(g["id"], []):
        _apply_group_licences(t, t.users_by_id[uid], g)
    t.recount_consumed()
    doc = {"id": g["id"], "createdDateTime": g["createdDateTime"], "groupTypes": g["groupTypes"], "securityEnabled": g["securityEnabled"]}
    return SimResponse.json(202, doc, {"Location": f"{req.origin}/v2/{t.tenant_id}/directoryObjects/{g['id']}/Microsoft.DirectoryServices.Group"})


def _remove_group_licences(t: Any, g: dict, sku_ids: set[str]) -> None:
    """A licence removed from a group leaves its members (unless assigned otherwise) and frees the seats
    (https://learn.microsoft.com/graph/api/group-assignlicense)."""
    for uid in t.group_members.get(g["id"], []):
        u = t.users_by_id.get(uid)
        if u is None:
            continue
        states = [s for s in u.get("licenseAssignmentStates") or []
                  if not (s.get("assignedByGroup") == g["id"] and s["skuId"] in sku_ids)]
        u["licenseAssignmentStates"] = states
        keep = {s["skuId"] for s in states}
        u["assignedLicenses"] = [x for x in u.get("assignedLicenses") or [] if x["skuId"] not in sku_ids or x["skuId"] in keep]
    g["hasMembersWithLicenseErrors"] = any(
        s.get("assignedByGroup") == g["id"] and s.get("state") == "Error"
        for uid in t.group_members.get(g["id"], []) for s in (t.users_by_id.get(uid) or {}).get("licenseAssignmentStates") or [])
    t.recount_consumed()


def _apply_group_licences(t: Any, u: dict, g: dict) -> None:
    for lic in g.get("assignedLicenses", []):
        states = u.setdefault("licenseAssignmentStates", [])
        if any(s["skuId"] == lic["skuId"] and s.get("assignedByGroup") == g["id"] for s in states):
            continue
        has_seat = any(s["skuId"] == lic["skuId"] and s.get("state") == "Active" for s in states) or t.free_seats(lic["skuId"]) > 0
        if not u.get("usageLocation"):
            state, error = "Error", "ProhibitedInUsageLocationViolation"
        elif not has_seat:
            state, error = "Error", "CountViolation"
        else:
            state, error = "Active", "None"
        states.append({"assignedByGroup": g["id"], "disabledPlans": lic["disabledPlans"], "error": error,
                       "lastUpdatedDateTime": t.created + "T08:00:00Z", "skuId": lic["skuId"], "state": state})
        if not any(x["skuId"] == lic["skuId"] for x in u.setdefault("assignedLicenses", [])):
            u["assignedLicenses"].append({"disabledPlans": lic["disabledPlans"], "skuId": lic["skuId"]})
        if error != "None":
            g["hasMembersWithLicenseErrors"] = True
        t.recount_consumed()


def add_group_member(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    t = sim.tenant
    g = t.group(m.group("gid"))
    ref = str(body.get("@odata.id", ""))
    uid = ref.rstrip("/").rsplit("/", 1)[-1].strip("{}")
    u = t.user(uid)
    members = t.group_members.setdefault(g["id"], [])
    if u["id"] in members:
        raise SimError(400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
    members.append(u["id"])
    _apply_group_licences(t, u, g)
    return SimResponse(204)


def create_team(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    t = sim.tenant
    if "template@odata.bind" not in body:
        raise SimError(400, "BadRequest", "The navigation bind for template was missing.")
    if "group@odata.bind" in body:
        return _team_from_group(sim, req, body)
    name = body.get("displayName")
    if not name:
        raise SimError(400, "BadRequest", "Team displayName is required.")
    members = body.get("members") or []
    owners = []
    for mem in members:
        bind = str(mem.get("user@odata.bind", ""))
        key = re.search(r"users\('([^']+)'\)", bind)
        if not key:
            raise SimError(400, "BadRequest", f"Invalid user@odata.bind '{bind}'.")
        u = t.user(key.group(1))
        if "owner" in (mem.get("roles") or []):
            owners.append(u["id"])
    if not owners:
        raise SimError(400, "BadRequest", "Team owner must be specified when creating a team with application permissions.")
    gid, op_id = _new_id(), _new_id()
    group = {"id": gid, "displayName": name, "description": body.get("description") or name,
             "mailNickname": re.sub(r"[^A-Za-z0-9]", "", name)[:50] or "team", "groupTypes": ["Unified"], "mailEnabled": True,
             "securityEnabled": False, "resourceProvisioningOptions": ["Team"], "resourceBehaviorOptions": [],
             "visibility": (body.get("visibility") or "private").capitalize(), "createdDateTime": t.created + "T09:00:00Z",
             "assignedLicenses": [], "hasMembersWithLicenseErrors": False}
    t.groups.append(group)
    t.reindex()
    from .generate import _Gen, _team as make_team  # reuse the generator's team shape

    g = _Gen(hash(gid) & 0xFFFF)
    make_team(t, g, group, owners, [t.user(re.search(r"users\('([^']+)'\)", mm["user@odata.bind"]).group(1))["id"] for mm in members])
    for key in ("guestSettings", "memberSettings"):  # settings in the create body apply (team-post example 1)
        if isinstance(body.get(key), dict):
            t.teams[gid][key] = dict(t.teams[gid][key], **body[key])
    team = t.teams[gid]
    team["visibility"] = (body.get("visibility") or "private").lower()
    team["_visibleAt"] = time.monotonic() + sim.faults.consistency_delay
    for ch in body.get("channels") or []:
        t.channels[gid].append({"id": f"19:{uuid.uuid4().hex}@thread.tacv2", "createdDateTime": group["createdDateTime"],
                                "displayName": ch.get("displayName"), "description": ch.get("description"),
                                "membershipType": ch.get("membershipType", "standard"), "email": "", "webUrl": ""})
    t.operations[op_id] = {"id": op_id, "operationType": "createTeam", "createdDateTime": t.created + "T09:00:00Z",
                           "status": "inProgress", "lastActionDateTime": None, "attemptsCount": 0,
                           "targetResourceId": gid, "targetResourceLocation": f"/teams('{gid}')", "error": None}
    return _accepted(gid, op_id)




def _accepted(gid: str, op_id: str) -> SimResponse:
    # 202 with an empty body, Location and Content-Location relative, and a Content-Type as Graph sends
    # (https://learn.microsoft.com/graph/api/team-post, response of every example)
    return SimResponse(202, {"Content-Type": "application/json", "Location": f"/teams('{gid}')/operations('{op_id}')",
                             "Content-Location": f"/teams('{gid}')", "Content-Length": "0"})


def _team_from_group(sim: Simulator, req: SimRequest, body: dict) -> SimResponse:
    """POST /teams with template@odata.bind and group@odata.bind: a team for an existing Microsoft 365 group
    (https://learn.microsoft.com/graph/api/team-post#example-4-create-a-team-from-group)."""
    t = sim.tenant
    key = re.search(r"groups\('?([0-9a-fA-F-]{36})'?\)", str(body["group@odata.bind"]))
    if not key:
        raise SimError(400, "BadRequest", f"Invalid group@odata.bind '{body['group@odata.bind']}'.")
    group = t.group(key.group(1))
    if "Unified" not in (group.get("groupTypes") or []):
        raise SimError(400, "BadRequest", "A team can only be created for a Microsoft 365 group.")
    gid = group["id"]
    if gid in t.teams:
        raise SimError(409, "Conflict", "A team already exists for this group.")
    members = list(t.group_members.get(gid, []))
    owners = members[:1]
    if not owners:
        raise SimError(400, "BadRequest", "The group has no owner: add an owner before creating a team for it.")
    from .generate import _Gen, _team as make_team

    make_team(t, _Gen(hash(gid) & 0xFFFF), group, owners, members)
    group["resourceProvisioningOptions"] = sorted(set(group.get("resourceProvisioningOptions") or []) | {"Team"})
    op_id = _new_id()
    t.teams[gid]["_visibleAt"] = time.monotonic() + sim.faults.consistency_delay
    t.operations[op_id] = {"id": op_id, "operationType": "createTeam", "createdDateTime": t.created + "T09:00:00Z",
                           "status": "inProgress", "lastActionDateTime": None, "attemptsCount": 0,
                           "targetResourceId": gid, "targetResourceLocation": f"/teams('{gid}')", "error": None}
    return _accepted(gid, op_id)


def create_channel(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    team = _team(sim, m.group("tid"))
    name = str(body.get("displayName") or "")
    if not name or len(name) > 50 or re.search(r"[~#%&*{}+/\\:<>?|'\"]", name):
        raise SimError(400, "BadRequest", "Channel name is invalid: at most 50 characters, none of ~ # % & * { } + / \\ : < > ? | ' \".")
    chans = sim.tenant.channels.setdefault(team["id"], [])
    if any(c["displayName"].lower() == name.lower() for c in chans):
        raise SimError(400, "BadRequest", "Channel name already existed, please use other name.")
    ch = {"id": f"19:{uuid.uuid4().hex}@thread.tacv2", "createdDateTime": sim.tenant.created + "T09:05:00Z",
          "displayName": name, "description": body.get("description"), "membershipType": body.get("membershipType", "standard"),
          "email": "", "webUrl": ""}
    chans.append(ch)
    # the created channel echoes isFavoriteByDefault (https://learn.microsoft.com/graph/api/channel-post, examples)
    answer = dict(ch, isFavoriteByDefault=bool(body.get("isFavoriteByDefault", False)))
    return SimResponse.json(201, dict(answer, **{"@odata.context": sim.context(req, f"teams('{team['id']}')/channels/$entity")}))


def add_team_member(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    t = sim.tenant
    team = _team(sim, m.group("tid"))
    bind = str(body.get("user@odata.bind", ""))
    key = re.search(r"users\('([^']+)'\)", bind)
    if not key:
        raise SimError(400, "BadRequest", "user@odata.bind is required.")
    u = t.user(key.group(1))
    members = t.team_members.setdefault(team["id"], [])
    existing = next((x for x in members if x["userId"] == u["id"]), None)
    if existing:
        return SimResponse.json(201, existing)  # Graph answers the existing membership
    item = {"@odata.type": "#microsoft.graph.aadUserConversationMember", "id": _new_id(), "roles": body.get("roles") or [],
            "displayName": u["displayName"], "userId": u["id"], "email": u["mail"], "tenantId": t.tenant_id,
            "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z"}
    members.append(item)
    t.group_members.setdefault(team["id"], []).append(u["id"])
    return SimResponse.json(201, item)


# sharepointSettings properties (https://learn.microsoft.com/graph/api/resources/sharepointsettings)
SHAREPOINT_PROPERTIES = {
    "allowedDomainGuidsForSyncApp", "availableManagedPathsForSiteCreation", "deletedUserPersonalSiteRetentionPeriodInDays",
    "excludedFileExtensionsForSyncApp", "idleSessionSignOut", "imageTaggingOption", "isCommentingOnSitePagesEnabled",
    "isFileActivityNotificationEnabled", "isLegacyAuthProtocolsEnabled", "isLoopEnabled", "isMacSyncAppEnabled",
    "isRequireAcceptingUserToMatchInvitedUserEnabled", "isResharingByExternalUsersEnabled",
    "isSharePointMobileNotificationEnabled", "isSharePointNewsfeedEnabled", "isSiteCreationEnabled", "isSiteCreationUIEnabled",
    "isSitePagesCreationEnabled", "isSitesStorageLimitAutomatic", "isSyncButtonHiddenOnPersonalSite",
    "isUnmanagedSyncAppForTenantRestricted", "personalSiteDefaultStorageLimitInMB", "sharingAllowedDomainList",
    "sharingBlockedDomainList", "sharingCapability", "sharingDomainRestrictionMode", "siteCreationDefaultManagedPath",
    "siteCreationDefaultStorageLimitInMB", "tenantDefaultTimezone"}


def patch_sharepoint(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    s = sim.tenant.sharepoint_settings
    caps = ("disabled", "existingExternalUserSharingOnly", "externalUserSharingOnly", "externalUserAndGuestSharing")
    if "sharingCapability" in body and body["sharingCapability"] not in caps:
        raise SimError(400, "BadRequest", f"Invalid sharingCapability '{body['sharingCapability']}'.")
    unknown = set(body) - set(s) - SHAREPOINT_PROPERTIES
    if unknown:
        raise SimError(400, "BadRequest", f"Property '{sorted(unknown)[0]}' does not exist on type 'microsoft.graph.sharepointSettings'.")
    s.update(body)
    return SimResponse.json(200, dict(s, **{"@odata.context": sim.context(req, "admin/sharepoint/settings/$entity")}))


def patch_singleton(attr: str, allowed: dict[str, tuple]) -> Any:
    def handler(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
        body = _body(req)
        target = getattr(sim.tenant, attr)
        for key, value in body.items():
            if key not in allowed:
                raise SimError(400, "BadRequest", f"Property '{key}' cannot be changed on this policy.")
            if allowed[key] and value not in allowed[key]:
                raise SimError(400, "BadRequest", f"Invalid value '{value}' for property '{key}'.")
        target.update(body)
        return SimResponse(204)
    return handler


def create_compliance_policy(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    from .reads import _intune

    _intune(sim)
    body = _body(req)
    odata_type = str(body.get("@odata.type", ""))
    if not odata_type.endswith("CompliancePolicy"):
        raise SimError(400, "BadRequest", "A compliance policy needs its @odata.type, e.g. #microsoft.graph.windows10CompliancePolicy.")
    blocks = [c for r in body.get("scheduledActionsForRule") or [] for c in r.get("scheduledActionConfigurations") or []
              if c.get("actionType") == "block"]
    if len(blocks) != 1:
        raise SimError(400, "BadRequest", "Compliance policy must have one and only one block scheduled action.")
    if not body.get("displayName"):
        raise SimError(400, "BadRequest", "displayName is required.")
    pol = {k: v for k, v in body.items() if k != "scheduledActionsForRule"}
    pol.update({"id": _new_id(), "createdDateTime": sim.tenant.created + "T09:00:00Z",
                "lastModifiedDateTime": sim.tenant.created + "T09:00:00Z", "version": 1, "_assignments": []})
    sim.tenant.compliance_policies.append(pol)
    return SimResponse.json(201, {k: v for k, v in pol.items() if not k.startswith("_")})


def assign_compliance_policy(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    pol = next((p for p in sim.tenant.compliance_policies if p["id"] == m.group("pid")), None)
    if pol is None:
        raise SimError(404, "ResourceNotFound", "The compliance policy does not exist.")
    assigns = []
    for a in body.get("assignments") or []:
        target = a.get("target") or {}
        if not str(target.get("@odata.type", "")).endswith("AssignmentTarget"):
            raise SimError(400, "BadRequest", "Each assignment needs a target with an @odata.type.")
        # deviceCompliancePolicyAssignment keeps its id (when sent) and @odata.type
        # (https://learn.microsoft.com/graph/api/intune-deviceconfig-devicecompliancepolicy-assign)
        assigns.append({"@odata.type": "#microsoft.graph.deviceCompliancePolicyAssignment", "id": str(a.get("id") or _new_id()),
                        "target": target})
    pol["_assignments"] = assigns
    return SimResponse.json(200, {"@odata.context": sim.context(req, "Collection(microsoft.graph.deviceCompliancePolicyAssignment)"),
                                  "value": assigns})


_CA_LISTS = {"applications": ("includeApplications", "excludeApplications", "includeUserActions"),
             "users": ("includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles")}


def _ca_defaults(body: dict) -> dict:
    """What Graph answers for a created policy: the omitted collections empty, the omitted conditions null
    (https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies, both response examples)."""
    pol = json.loads(json.dumps(body))
    pol.setdefault("sessionControls", None)
    cond = pol.setdefault("conditions", {})
    cond.setdefault("signInRiskLevels", [])
    cond.setdefault("clientAppTypes", ["all"])
    cond.setdefault("platforms", None)
    cond.setdefault("locations", None)
    for part, keys in _CA_LISTS.items():
        block = cond.get(part)
        if isinstance(block, dict):
            for key in keys:
                block.setdefault(key, [])
    grant = pol.get("grantControls")
    if isinstance(grant, dict):
        grant.setdefault("customAuthenticationFactors", [])
        grant.setdefault("termsOfUse", [])
    else:
        pol["grantControls"] = None
    return pol


def create_ca_policy(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _p1(sim)
    body = _body(req)
    roles = set(req.claims.get("roles") or [])  # type: ignore[attr-defined]
    if "Policy.Read.All" not in roles:
        raise SimError(403, "AccessDenied", "Creating a Conditional Access policy also requires Policy.Read.All.")
    if body.get("state") not in ("enabled", "disabled", "enabledForReportingButNotEnforced"):
        raise SimError(400, "BadRequest", "state must be enabled, disabled or enabledForReportingButNotEnforced.")
    cond = body.get("conditions") or {}
    if not (cond.get("users") and cond.get("applications")) or not (body.get("grantControls") or body.get("sessionControls")):
        raise SimError(400, "BadRequest", "A policy needs users, applications and a grant or session control.")
    if body["state"] == "enabled" and sim.tenant.security_defaults.get("isEnabled"):
        raise SimError(400, "BadRequest", "Security Defaults is enabled in the tenant. Disable it before enabling Conditional Access policies.")
    pol = _ca_defaults(body)
    pol.update(id=_new_id(), createdDateTime=sim.tenant.created + "T09:00:00Z", modifiedDateTime=None)
    sim.tenant.ca_policies.append(pol)
    return SimResponse.json(201, dict(pol, **{"@odata.context": sim.context(req, "identity/conditionalAccess/policies/$entity")}))


def invite(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    t = sim.tenant
    email = str(body.get("invitedUserEmailAddress") or "")
    if "@" not in email or not body.get("inviteRedirectUrl"):
        raise SimError(400, "BadRequest", "invitedUserEmailAddress and inviteRedirectUrl are required.")
    if t.authorization_policy.get("allowInvitesFrom") == "none":
        raise SimError(403, "Forbidden", "Guest invitations are not allowed in this tenant (allowInvitesFrom is none).")
    existing = next((u for u in t.users if (u.get("mail") or "").lower() == email.lower() and u["userType"] == "Guest"), None)
    if existing is None:
        nick = email.replace("@", "_")
        existing = {"id": _new_id(), "userPrincipalName": f"{nick}#EXT#@{t.domain}", "displayName": body.get("invitedUserDisplayName") or email,
                    "givenName": None, "surname": None, "mail": email, "accountEnabled": True, "userType": body.get("invitedUserType", "Guest"),
                    "usageLocation": None, "department": None, "jobTitle": None, "country": None,
                    "createdDateTime": t.created + "T09:00:00Z", "onPremisesSyncEnabled": None, "assignedLicenses": [],
                    "licenseAssignmentStates": [], "signInActivity": None, "externalUserState": "PendingAcceptance",
                    "externalUserStateChangeDateTime": t.created + "T09:00:00Z"}
        t.users.append(existing)
        t.reindex()
        t.auth_methods[existing["id"]] = []
    inv = {"id": _new_id(), "inviteRedeemUrl": f"https://invitations.microsoft.com/redeem/?tenant={t.tenant_id}&user={existing['id']}",
           "invitedUserDisplayName": body.get("invitedUserDisplayName"), "invitedUserEmailAddress": email,
           "sendInvitationMessage": bool(body.get("sendInvitationMessage")), "inviteRedirectUrl": body["inviteRedirectUrl"],
           "status": "PendingAcceptance", "invitedUser": {"id": existing["id"]}, "invitedUserType": existing["userType"],
           "invitedUserMessageInfo": body.get("invitedUserMessageInfo") or {"messageLanguage": None, "ccRecipients": [], "customizedMessageBody": None}}
    t.invitations.append(inv)
    return SimResponse.json(201, dict(inv, **{"@odata.context": sim.context(req, "invitations/$entity")}))


def send_mail(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    u = sim.tenant.user(m.group("uid"))
    msg = body.get("message") or {}
    if not msg.get("toRecipients") and not msg.get("bccRecipients"):
        raise SimError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., Recipient is missing.")
    # the documented sample sends "saveToSentItems": "false" (a string); Graph reads it as the Boolean
    # (https://learn.microsoft.com/graph/api/user-sendmail, example 1)
    save = body.get("saveToSentItems", True)
    if not isinstance(save, bool) and str(save).lower() not in ("true", "false"):
        raise SimError(400, "BadRequest", "saveToSentItems must be a boolean.")
    sim.tenant.sent_mail.append({"from": u["id"], "message": msg})
    return SimResponse(202)


def delete_group_member(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    g = t.group(m.group("gid"))
    members = t.group_members.get(g["id"], [])
    if m.group("uid") not in members:
        raise SimError(404, "Request_ResourceNotFound", f"Resource '{m.group('uid')}' does not exist in the group.")
    members.remove(m.group("uid"))
    u = t.users_by_id.get(m.group("uid"))
    if u is not None:
        u["licenseAssignmentStates"] = [s for s in u.get("licenseAssignmentStates") or [] if s.get("assignedByGroup") != g["id"]]
        keep = {s["skuId"] for s in u["licenseAssignmentStates"]}
        u["assignedLicenses"] = [x for x in u.get("assignedLicenses") or [] if x["skuId"] in keep]
        t.recount_consumed()
    return SimResponse(204)


def delete_group(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    g = t.group(m.group("gid"))
    t.groups.remove(g)
    for store in (t.teams, t.channels, t.team_members, t.group_members):
        store.pop(g["id"], None)
    t.reindex()
    return SimResponse(204)


def delete_user(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    u = t.user(m.group("uid"))
    t.users.remove(u)
    t.deleted_users.append({"id": u["id"], "userPrincipalName": u["userPrincipalName"], "displayName": u["displayName"],
                            "deletedDateTime": t.created, "lastTeams": (t.activity.get(u["id"]) or {}).get("teams")})
    t.auth_methods.pop(u["id"], None)
    t.reindex()
    t.recount_consumed()
    return SimResponse(204)


def delete_in(attr: str, what: str) -> Any:
    def handler(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
        items = getattr(sim.tenant, attr)
        item = next((x for x in items if x["id"] == m.group("pid")), None)
        if item is None:
            raise SimError(404, "ResourceNotFound", f"The {what} does not exist.")
        items.remove(item)
        return SimResponse(204)
    return handler
