"""Read endpoints for the deeper readiness questions (issue 14), with Graph's permissions and licence rules.

- GET /roleManagement/directory/roleAssignments: RoleManagement.Read.Directory, no Entra ID P1 needed
  (https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments).
- GET /policies/authenticationMethodsPolicy: Policy.Read.AuthenticationMethod
  (https://learn.microsoft.com/graph/api/authenticationmethodspolicy-get).
- GET /deviceManagement/virtualEndpoint/cloudPCs: CloudPC.Read.All; a tenant without Windows 365 gets 403
  (https://learn.microsoft.com/graph/api/virtualendpoint-list-cloudpcs).
- GET /deviceAppManagement/managedAppPolicies: DeviceManagementApps.Read.All; Intune required
  (https://learn.microsoft.com/graph/api/intune-mam-managedapppolicy-list).
- GET /deviceManagement/windowsAutopilotDeviceIdentities: DeviceManagementServiceConfig.Read.All; Intune required
  (https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-list).
- GET /admin/teams/userConfigurations: TeamsUserConfiguration.Read.All
  (https://learn.microsoft.com/graph/api/teamsadministration-teamsadminroot-list-userconfigurations).
"""
from __future__ import annotations

import functools

from typing import TYPE_CHECKING, Any

from ..licensing.capabilities import TEAMS, WINDOWS365
from .tenant import SimError
from .wire import Collection, SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

ROLES = Collection("roleAssignments", directory=False, needs_select=False, filterable={"roleDefinitionId", "principalId",
                                                                                       "directoryScopeId"})
CLOUD_PCS = Collection("cloudPCs", directory=False, needs_select=False, filterable={"status", "userPrincipalName", "servicePlanType"})
MAM = Collection("managedAppPolicies", directory=False, needs_select=False, filterable={"displayName"})
AUTOPILOT = Collection("windowsAutopilotDeviceIdentities", default_top=1000, max_top=1000, directory=False, needs_select=False,
                       filterable={"enrollmentState", "groupTag", "serialNumber"})
TEAMS_USERS = Collection("userConfigurations", directory=False, needs_select=False, filterable={"accountType", "userPrincipalName"})


def _intune(sim: Simulator) -> None:
    if not sim.tenant.tenant_has("intune"):
        raise SimError(403, "Forbidden", "Request not applicable to target tenant: the tenant is not licensed for Microsoft Intune.")


def role_assignments(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    expand = req.query.get("$expand")
    if expand not in (None, "principal", "roleDefinition"):
        raise SimError(400, "BadRequest", f"Unsupported $expand '{expand}' on roleAssignments.")

    def view(a: dict, select: list[str] | None) -> dict:
        out = {k: a.get(k) for k in select} if select else dict(a)
        if expand == "principal":
            u = t.users_by_id.get(a["principalId"]) or {}
            out["principal"] = {"@odata.type": "#microsoft.graph.user", "id": a["principalId"],
                                "userPrincipalName": u.get("userPrincipalName"), "displayName": u.get("displayName")}
        return out

    return sim.page(req, ROLES, lambda: t.role_assignments, view=view,
                    context=sim.context(req, "roleManagement/directory/roleAssignments"))


def auth_methods_policy(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    doc = {"@odata.context": sim.context(req, "policies/authenticationMethodsPolicy/$entity")}
    doc.update(sim.tenant.auth_methods_policy)
    return SimResponse.json(200, doc)


def cloud_pcs(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    if not sim.tenant.tenant_has(WINDOWS365):
        raise SimError(403, "Forbidden", "Request not applicable to target tenant: the tenant has no Windows 365 license.")
    return sim.page(req, CLOUD_PCS, lambda: sim.tenant.cloud_pcs, context=sim.context(req, "deviceManagement/virtualEndpoint/cloudPCs"))


def managed_app_policies(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _intune(sim)
    return sim.page(req, MAM, lambda: sim.tenant.app_protection_policies, context=sim.context(req, "deviceAppManagement/managedAppPolicies"))


def autopilot_devices(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    _intune(sim)
    return sim.page(req, AUTOPILOT, lambda: sim.tenant.autopilot_devices,
                    context=sim.context(req, "deviceManagement/windowsAutopilotDeviceIdentities"))


def teams_user_configurations(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    """Teams users: members and guests with a Teams licence (guests as accountType guest)."""
    t = sim.tenant

    def rows() -> list[dict]:
        out, cache = [], {}
        for u in t.users:
            guest = u["userType"] == "Guest"
            caps = _enabled_caps(t, u, cache)
            if not guest and TEAMS not in caps or u.get("_teams_account") == "none":
                continue  # not hosted on Teams (a test sets _teams_account "none", or "sfbOnPremUser")
            out.append({"id": u["id"], "userPrincipalName": u["userPrincipalName"], "tenantId": t.tenant_id,
                        "accountType": "guest" if guest else u.get("_teams_account", "user"), "isEnterpriseVoiceEnabled": False,
                        "createdDateTime": u.get("createdDateTime"), "modifiedDateTime": u.get("createdDateTime"),
                        "featureTypes": ["Teams"], "telephoneNumbers": [], "effectivePolicyAssignments": []})
        return out

    return sim.page(req, TEAMS_USERS, rows, context=sim.context(req, "admin/teams/userConfigurations"))


def _enabled_caps(t: Any, u: dict, cache: dict) -> frozenset[str]:
    """The capabilities of a person's enabled assignedPlans, computed once per licence combination: building every
    person's assignedPlans made this read cost seconds per 100,000 people (a 400,000-person tenant timed out)."""
    if u.get("_historicPlans"):
        return frozenset(c for p in t.assigned_plans(u) if p.get("capabilityStatus") == "Enabled" for c in _caps(p))
    licences = u.get("assignedLicenses") or []
    key = (tuple((lic["skuId"], tuple(lic.get("disabledPlans") or ())) for lic in licences),
           tuple(s.get("skuId") for s in u.get("licenseAssignmentStates") or [] if s.get("state") == "Active"))
    got = cache.get(key)
    if got is None:
        got = cache[key] = frozenset(c for p in t.assigned_plans(u) if p.get("capabilityStatus") == "Enabled"
                                     for c in _caps(p))
    return got


def _caps(plan: dict) -> frozenset[str]:
    return _caps_of(plan.get("service") or "")


@functools.lru_cache(maxsize=4096)
def _caps_of(service: str) -> frozenset[str]:
    """A plan name's capabilities, once per name: every user's provisionedPlans asks again (the delta state
    computes them for the whole tenant in one request)."""
    from ..licensing.capabilities import capabilities_of_plan

    return frozenset(capabilities_of_plan(service))


# provisionedPlans (https://learn.microsoft.com/graph/api/resources/provisionedplan): one row per service of an
# enabled plan; "Success" unless the generated person's service is still provisioning or failed
SERVICE_OF = {"exchange": "exchange", "sharepoint": "SharePoint", "onedrive": "SharePoint", "teams": "TeamspaceAPI"}


def provisioned_plans(t: Any, u: dict, cache: dict | None = None) -> list[dict]:
    """``cache``: one read's services per licence combination (a read of every user, such as a delta round's state,
    otherwise derives every person's assignedPlans again: 14 s of the simulator's CPU per 100,000 people)."""
    override = u.get("_provisioning") or {}
    key = None
    if cache is not None and not u.get("_historicPlans"):
        key = (tuple((lic["skuId"], tuple(lic.get("disabledPlans") or ())) for lic in u.get("assignedLicenses") or []),
               tuple(s.get("skuId") for s in u.get("licenseAssignmentStates") or [] if s.get("state") == "Active"))
        services = cache.get(key)
        if services is not None:
            return [{"capabilityStatus": "Enabled", "provisioningStatus": override.get(s, "Success"), "service": s} for s in services]
    found: dict[str, None] = {}
    for plan in t.assigned_plans(u):
        if plan.get("capabilityStatus") != "Enabled":
            continue
        for cap in sorted(_caps(plan)):
            if cap in SERVICE_OF:
                found.setdefault(SERVICE_OF[cap], None)
    if key is not None:
        cache[key] = tuple(found)
    return [{"capabilityStatus": "Enabled", "provisioningStatus": override.get(s, "Success"), "service": s} for s in found]
