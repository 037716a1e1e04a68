"""Generated data for the deeper readiness questions (issue 14), on its own random stream.

Administrators (directory role assignments, some without MFA), people whose mailbox or OneDrive is
still provisioning, idle licensed accounts, the authentication methods policy (Temporary Access Pass,
registration campaign), Windows 365 Cloud PCs, app protection (MAM) policies for BYOD phones and
Autopilot devices in stock. A separate stream (seed + 104729) keeps every earlier generated value as
it was, so older tests and benchmarks see the same tenant.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..licensing.capabilities import WINDOWS365
from .tenant import Tenant

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"  # Global Administrator role template id
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"  # User Administrator
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"  # Exchange Administrator
ROLE_NAMES = {GLOBAL_ADMIN: "Global Administrator", USER_ADMIN: "User Administrator", EXCHANGE_ADMIN: "Exchange Administrator"}
IDLE_DAYS = 120  # idle accounts last signed in this long ago


def add_depth(t: Tenant, seed: int, gen: Any, make_sku: Any) -> Tenant:
    """Add the issue-14 data to a generated tenant (either profile); ``gen``/``make_sku``: generate's _Gen and _sku."""
    g = gen(seed + 104729, date.fromisoformat(t.created))
    _sku = make_sku
    members = [u for u in t.users if u["userType"] == "Member" and u["accountEnabled"] and "#EXT#" not in u["userPrincipalName"]]
    licensed = [u for u in members if u.get("assignedLicenses")]
    enterprise = t.profile == "enterprise"
    # administrators: one with MFA, one without (the generator's MFA mix decides the rest)
    with_mfa = [u for u in members if set(t.auth_methods.get(u["id"], [])) - {"password", "email", "temporaryAccessPass"}]
    mfa_ids = {u["id"] for u in with_mfa}
    without = [u for u in members if u["id"] not in mfa_ids]
    # locked-out-prone: MFA on one laptop only (Windows Hello), nothing that can reset a password from home
    # (no phone, no app, no email); whether they have MFA stays as generated
    for u in g.rng.sample(with_mfa[1:], min(len(with_mfa) - 1, max(1, len(members) // 12))):
        t.auth_methods[u["id"]] = ["password", "windowsHelloForBusiness"]
    admins = with_mfa[:1] + without[:1] + (g.rng.sample(members, 3) if enterprise else [])
    seen: set[str] = set()
    for i, u in enumerate(admins):
        if u["id"] in seen:
            continue
        seen.add(u["id"])
        role = GLOBAL_ADMIN if i < 2 else g.rng.choice([USER_ADMIN, EXCHANGE_ADMIN])
        t.role_assignments.append({"id": g.uid(), "principalId": u["id"], "roleDefinitionId": role,
                                   "directoryScopeId": "/", "principalOrganizationId": t.tenant_id})
    # pending provisioning: a mailbox not yet provisioned, a OneDrive in error
    pending = g.rng.sample(licensed, min(len(licensed), 3 if enterprise else 2))
    for i, u in enumerate(pending):
        u["_provisioning"] = {"exchange": "PendingInput"} if i % 2 == 0 else {"SharePoint": "Error"}
    # idle licences: licensed accounts nobody signed in to for months (interactive and non-interactive)
    idle_day = (date.fromisoformat(t.created) - timedelta(days=IDLE_DAYS)).isoformat() + "T07:30:00Z"
    for u in g.rng.sample([u for u in licensed if "_provisioning" not in u], min(len(licensed), 4 if enterprise else 2)):
        u["signInActivity"] = {"lastSignInDateTime": idle_day, "lastNonInteractiveSignInDateTime": idle_day,
                               "lastSuccessfulSignInDateTime": idle_day}
        t.activity.pop(u["id"], None)
        u["_idle"] = True
    t.auth_methods_policy = _methods_policy(t, tap=enterprise)
    if enterprise:
        _cloud_pcs(t, g, members, _sku)
        _autopilot(t, g, members)
        t.app_protection_policies = [_mam(g, "iosManagedAppProtection", "iOS BYOD app protection"),
                                     _mam(g, "androidManagedAppProtection", "Android BYOD app protection")]
    t.reindex()
    return t


def _methods_policy(t: Tenant, *, tap: bool) -> dict:
    """GET /policies/authenticationMethodsPolicy (https://learn.microsoft.com/graph/api/authenticationmethodspolicy-get)."""
    all_users = [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]
    return {
        "id": "authenticationMethodsPolicy", "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, "
                       "authentication method registration requirements, and self-service password reset settings",
        "lastModifiedDateTime": f"{t.created}T06:00:00Z", "policyVersion": "1.5", "policyMigrationState": "migrationInProgress",
        "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
            "snoozeDurationInDays": 1, "enforceRegistrationAfterAllowedSnoozes": True, "state": "default",
            "excludeTargets": [],
            "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}]}},
        "authenticationMethodConfigurations": [
            {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
             "id": "MicrosoftAuthenticator", "state": "enabled", "excludeTargets": [], "includeTargets": all_users},
            {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
             "id": "TemporaryAccessPass", "state": "enabled" if tap else "disabled", "defaultLifetimeInMinutes": 60,
             "defaultLength": 8, "minimumLifetimeInMinutes": 60, "maximumLifetimeInMinutes": 480, "isUsableOnce": True,
             "excludeTargets": [], "includeTargets": all_users if tap else []},
            {"@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration", "id": "Sms", "state": "enabled",
             "excludeTargets": [], "includeTargets": all_users},
        ],
    }


def _cloud_pcs(t: Tenant, g: Any, members: list[dict], make_sku: Any) -> None:
    """Windows 365 Enterprise for a few people without a managed device; one Cloud PC still provisioning."""
    owners = {d["userId"] for d in t.managed_devices}
    no_device = [u for u in members if u["id"] not in owners and u.get("usageLocation")]
    picks = no_device[: max(2, len(no_device) // 2)]
    sku = make_sku(g, t.tenant_id, "CPC_E_2C_4GB_64GB", len(picks) + 1)
    t.skus.insert(len(t.skus) - 1, sku)  # FLOW_FREE stays last
    t.reindex()
    for i, u in enumerate(picks):
        u["assignedLicenses"] = u["assignedLicenses"] + [{"disabledPlans": [], "skuId": sku["skuId"]}]
        u["licenseAssignmentStates"] = u["licenseAssignmentStates"] + [
            {"assignedByGroup": None, "disabledPlans": [], "error": "None", "lastUpdatedDateTime": f"{t.created}T08:00:00Z",
             "skuId": sku["skuId"], "state": "Active"}]
        name = f"CPC-{u['givenName'][:4].upper()}-{g.rng.randint(1000, 9999)}"
        # cloudPC (https://learn.microsoft.com/graph/api/resources/cloudpc)
        t.cloud_pcs.append({"id": g.uid(), "displayName": f"{u['displayName']}'s Cloud PC", "managedDeviceName": name,
                            "managedDeviceId": g.uid(), "aadDeviceId": g.uid(), "userPrincipalName": u["userPrincipalName"],
                            "servicePlanName": sku["servicePlans"][-1]["servicePlanName"], "servicePlanId": sku["servicePlans"][-1]["servicePlanId"],
                            "servicePlanType": "enterprise", "status": "provisioning" if i == 0 else "provisioned",
                            "provisioningPolicyId": "1d164206-bf41-4fd2-8424-a3192d39ffff", "provisioningPolicyName": "Home office",
                            "provisioningType": "dedicated", "imageDisplayName": "Windows 11 Enterprise + Microsoft 365 Apps",
                            "onPremisesConnectionName": "Microsoft hosted network", "lastModifiedDateTime": f"{t.created}T05:00:00Z",
                            "gracePeriodEndDateTime": None})
    assert t.tenant_has(WINDOWS365)
    t.recount_consumed()


def _autopilot(t: Tenant, g: Any, members: list[dict]) -> None:
    """Autopilot devices: most belong to someone; a few are stock nobody holds yet (no user, never contacted)."""
    for i in range(12):
        stock = i < 5
        u = None if stock else g.rng.choice(members)
        # windowsAutopilotDeviceIdentity (https://learn.microsoft.com/graph/api/resources/intune-enrollment-windowsautopilotdeviceidentity)
        t.autopilot_devices.append({
            "@odata.type": "#microsoft.graph.windowsAutopilotDeviceIdentity", "id": g.uid(), "groupTag": "HomeOffice" if stock else "",
            "purchaseOrderIdentifier": f"PO-{g.rng.randint(10000, 99999)}", "serialNumber": f"AP{g.rng.randint(10**7, 10**8 - 1)}",
            "productKey": "", "manufacturer": "Dell Inc.", "model": "Latitude 5440",
            "enrollmentState": "notContacted" if stock else "enrolled",
            "lastContactedDateTime": "0001-01-01T00:00:00Z" if stock else f"{t.created}T04:00:00Z",
            "addressableUserName": "" if stock else u["displayName"], "userPrincipalName": "" if stock else u["userPrincipalName"]})


def _mam(g: Any, odata_type: str, name: str) -> dict:
    # managedAppPolicy (https://learn.microsoft.com/graph/api/resources/intune-mam-managedapppolicy)
    return {"@odata.type": f"#microsoft.graph.{odata_type}", "id": g.uid(), "displayName": name,
            "description": "Company data stays in managed apps on personal phones", "createdDateTime": g.when(300, 30),
            "lastModifiedDateTime": g.when(20), "version": "1", "isAssigned": True}
