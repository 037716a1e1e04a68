"""Simulator access tokens: HS256 JWTs with Graph's claims (tid, aud, roles), signed per simulator.

They are shaped like Entra tokens so that `tenant test` reads granted permissions the same way for
the simulator and for a real tenant. They are worthless anywhere but the simulator that issued them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

READ_ROLES = (
    "Organization.Read.All", "User.Read.All", "LicenseAssignment.Read.All", "Group.Read.All", "Device.Read.All",
    "DeviceManagementManagedDevices.Read.All", "DeviceManagementConfiguration.Read.All",
    "SharePointTenantSettings.Read.All", "Policy.Read.All", "AuditLog.Read.All", "Reports.Read.All",
    "ReportSettings.Read.All", "Team.ReadBasic.All", "Channel.ReadBasic.All", "TeamMember.Read.All",
    "UserAuthenticationMethod.Read.All",
    # issue 14
    "RoleManagement.Read.Directory", "Policy.Read.AuthenticationMethod", "CloudPC.Read.All", "DeviceManagementApps.Read.All",
    "DeviceManagementServiceConfig.Read.All", "TeamsUserConfiguration.Read.All",
)
WRITE_ROLES = (
    "LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "GroupMember.ReadWrite.All", "Team.Create",
    "Channel.Create", "TeamMember.ReadWrite.All", "SharePointTenantSettings.ReadWrite.All",
    "Policy.ReadWrite.Authorization", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.SecurityDefaults",
    "DeviceManagementConfiguration.ReadWrite.All", "User.Invite.All", "Mail.Send", "Mail.ReadWrite", "ReportSettings.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod", "TeamSettings.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All",
)
ALL_ROLES = READ_ROLES + WRITE_ROLES


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


AUDIENCE = "https://graph.microsoft.com"


def issue(secret: bytes, tenant_id: str, roles: tuple[str, ...] | list[str], ttl: int = 8 * 3600,
          audience: str = AUDIENCE) -> str:
    """A token; a negative ``ttl`` makes an expired one (tests of the 401 path)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {"aud": audience, "iss": "readiness-simulator", "tid": tenant_id,
              "roles": sorted(roles), "iat": now, "exp": now + ttl, "app_displayname": "readiness simulator"}
    body = _b64(json.dumps(claims).encode())
    sig = _b64(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{sig}"


def verify(secret: bytes, token: str) -> dict | None:
    try:
        header, body, sig = token.split(".")
    except ValueError:
        return None
    want = _b64(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, sig):
        return None
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if claims.get("exp", 0) < time.time():
        return None
    return claims


def rejection(secret: bytes, token: str, tenant_id: str) -> tuple[dict | None, str]:
    """(claims, "") for a token Graph would accept, else (None, Graph's 401 message for it).

    Graph answers 401 InvalidAuthenticationToken with these words (microsoft-graph-docs-contrib
    concepts/resolve-auth-errors.md; the messages as Graph sends them for each cause).
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None, "CompactToken parsing failed with error code: 80049217"
    want = _b64(hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, parts[2]):
        return None, "Access token validation failure."
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None, "Access token validation failure."
    if not isinstance(claims, dict) or claims.get("exp", 0) < time.time():
        return None, "Lifetime validation failed, the token is expired."
    if claims.get("aud") not in (AUDIENCE, AUDIENCE + "/", "00000003-0000-0000-c000-000000000000"):
        return None, "Access token validation failure. Invalid audience."
    if claims.get("tid") != tenant_id:
        return None, "Access token validation failure. Invalid audience (the token is for another tenant)."
    return claims, ""
