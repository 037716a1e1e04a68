"""A Graph double written apart from readiness' own simulator: a tiny http.server on 127.0.0.1 that answers
the reads an audit makes with Graph-shaped JSON, for a tenant small enough to know the answers by hand.

Shapes follow Microsoft's reference pages: user (https://learn.microsoft.com/en-us/graph/api/resources/user),
subscribedSku (https://learn.microsoft.com/en-us/graph/api/resources/subscribedsku), userRegistrationDetails
(https://learn.microsoft.com/en-us/graph/api/authenticationmethodsroot-list-userregistrationdetails), device with
$expand=registeredOwners (https://learn.microsoft.com/en-us/graph/api/device-list), and the error body with
InvalidAuthenticationToken for a refused token (https://learn.microsoft.com/en-us/graph/errors).
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from tests.helpers import HttpDouble

SKU = "c42b9cae-ea4f-4ab7-9717-81576235ccac"
PLANS = [("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"), ("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD"),
         ("c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD")]


@dataclass
class Person:
    id: str
    name: str
    licensed: bool = True
    mfa: bool = True
    device: bool = True
    member: bool = True
    enabled: bool = True


@dataclass
class DoubleTenant:
    tenant_id: str
    name: str
    people: list[Person]
    security_defaults: bool = False
    seats: int = 10
    token: str = "double-token"
    consent_missing: bool = False  # the app has no permission here: 403 Authorization_RequestDenied everywhere

    def upn(self, p: Person) -> str:
        return f"{p.name.lower()}@{self.name.lower()}.example"


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"error": {"code": code, "message": message, "innerError": {"request-id": "double", "date": "2026-01-01T00:00:00"}}}


def route(t: DoubleTenant, path: str) -> tuple[int, Any]:
    if t.consent_missing:
        return _error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    people = t.people
    if path == "/organization":
        return 200, {"value": [{"id": t.tenant_id, "displayName": t.name, "verifiedDomains": []}]}
    if path == "/subscribedSkus":
        plans = [{"servicePlanId": i, "servicePlanName": n, "provisioningStatus": "Success", "appliesTo": "User"} for i, n in PLANS]
        return 200, {"value": [{"skuId": SKU, "skuPartNumber": "O365_BUSINESS_PREMIUM", "capabilityStatus": "Enabled", "appliesTo": "User",
                                "prepaidUnits": {"enabled": t.seats, "suspended": 0, "warning": 0},
                                "consumedUnits": sum(p.licensed for p in people), "servicePlans": plans}]}
    if path == "/users":
        return 200, {"value": [{"id": p.id, "userPrincipalName": t.upn(p), "displayName": p.name, "accountEnabled": p.enabled,
                                "userType": "Member" if p.member else "Guest", "usageLocation": "DE", "department": "IT",
                                "mail": t.upn(p), "assignedLicenses": [{"skuId": SKU, "disabledPlans": []}] if p.licensed else [],
                                "licenseAssignmentStates": []} for p in people]}
    if path == "/groups":
        return 200, {"value": []}
    if path == "/admin/reportSettings":
        return 200, {"displayConcealedNames": True}
    if path == "/admin/sharepoint/settings":
        return 200, {"sharingCapability": "externalUserSharingOnly", "isResharingByExternalUsersEnabled": False}
    if path == "/policies/authorizationPolicy":
        return 200, {"id": "authorizationPolicy", "allowInvitesFrom": "adminsAndGuestInviters",
                     "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3"}
    if path == "/policies/crossTenantAccessPolicy/default":
        return 200, {"isServiceDefault": True}
    if path == "/policies/identitySecurityDefaultsEnforcementPolicy":
        return 200, {"id": "00000000-0000-0000-0000-000000000005", "isEnabled": t.security_defaults}
    if path == "/identity/conditionalAccess/policies":
        return _error(403, "AccessDenied", "Tenant is not licensed for Microsoft Entra ID P1 (premium)")
    if path == "/reports/authenticationMethods/userRegistrationDetails":
        return 200, {"value": [{"id": p.id, "userPrincipalName": t.upn(p), "userType": "member", "isAdmin": False,
                                "isMfaRegistered": p.mfa, "isMfaCapable": p.mfa,
                                "methodsRegistered": ["microsoftAuthenticatorPush"] if p.mfa else []} for p in people]}
    if path.startswith("/deviceManagement/"):
        return _error(403, "Forbidden", "Request not applicable to target tenant.")
    if path == "/devices":
        return 200, {"value": [{"id": f"d-{p.id}", "deviceId": f"dev-{p.id}", "displayName": f"PC-{p.name}", "operatingSystem": "Windows",
                                "trustType": "AzureAd", "accountEnabled": True, "isCompliant": None, "isManaged": False,
                                "approximateLastSignInDateTime": "2026-01-01T08:00:00Z", "registeredOwners": [{"id": p.id}]}
                               for p in people if p.device]}
    return _error(404, "Request_ResourceNotFound", f"Resource '{path}' does not exist.")


class GraphDouble(HttpDouble):
    """``with GraphDouble(tenant) as d: d.graph_url`` serves ``tenant`` (changes to it show on the next request);
    ``d.requests`` is what it was asked."""

    def __init__(self, tenant: DoubleTenant) -> None:
        self.tenant = tenant
        super().__init__(self._answer)
        self.graph_url = self.url

    def _answer(self, request: Any) -> tuple[int, Any]:
        if request.headers.get("Authorization") != f"Bearer {self.tenant.token}":
            return _error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience")
        path = urllib.parse.urlsplit(request.path).path
        return route(self.tenant, path[len("/v1.0"):] if path.startswith("/v1.0") else path)


def five_people(tenant_id: str, name: str) -> DoubleTenant:
    """5 enabled members of which exactly 2 are ready (Ann, Ben), plus a guest and a disabled account, neither counted.
    Cleo lacks MFA, Dan a licence, Eva a device."""
    return DoubleTenant(tenant_id, name, [
        Person("u1", "Ann"), Person("u2", "Ben"), Person("u3", "Cleo", mfa=False), Person("u4", "Dan", licensed=False),
        Person("u5", "Eva", device=False), Person("u6", "Gast", member=False, licensed=False),
        Person("u7", "Old", enabled=False)])
