"""The permissions each part of readiness needs, least privileged first, and what a token grants."""
from __future__ import annotations

from dataclasses import dataclass

from .auth import token_claims


@dataclass(frozen=True)
class Need:
    permission: str  # least privileged
    accepted: tuple[str, ...]  # any of these grants it (the least one included)
    purpose: str


def _n(perm: str, purpose: str, *more: str) -> Need:
    return Need(perm, (perm,) + more, purpose)


AUDIT = (
    _n("Organization.Read.All", "tenant name (optional)", "Organization.ReadWrite.All", "Directory.Read.All"),
    _n("LicenseAssignment.Read.All", "subscribed SKUs and free seats", "LicenseAssignment.ReadWrite.All",
       "Organization.Read.All", "Directory.Read.All"),
    _n("User.Read.All", "users, licences, usage locations", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"),
    _n("Group.Read.All", "groups, group licensing, teams", "Group.ReadWrite.All", "Directory.Read.All"),
    _n("Device.Read.All", "Entra devices and their owners", "Directory.Read.All"),
    _n("DeviceManagementManagedDevices.Read.All", "Intune managed devices", "DeviceManagementManagedDevices.ReadWrite.All"),
    _n("DeviceManagementConfiguration.Read.All", "compliance policies", "DeviceManagementConfiguration.ReadWrite.All"),
    _n("SharePointTenantSettings.Read.All", "SharePoint/OneDrive sharing settings", "SharePointTenantSettings.ReadWrite.All"),
    _n("Policy.Read.All", "guest, security-default, cross-tenant and Conditional Access policies"),
    _n("AuditLog.Read.All", "MFA registration report and sign-in activity"),
    _n("UserAuthenticationMethod.Read.All", "MFA methods per user (fallback without Entra ID P1)",
       "UserAuthenticationMethod.ReadWrite.All"),
    _n("Reports.Read.All", "Teams usage report"),
    _n("ReportSettings.Read.All", "whether report names are concealed", "ReportSettings.ReadWrite.All"),
    _n("Team.ReadBasic.All", "teams and their settings", "TeamSettings.Read.All", "Group.Read.All"),
    _n("RoleManagement.Read.Directory", "who holds a directory role (administrators' MFA without Entra ID P1)",
       "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All"),
    _n("Policy.Read.AuthenticationMethod", "authentication methods policy (Temporary Access Pass, registration campaign)",
       "Policy.ReadWrite.AuthenticationMethod"),
    _n("CloudPC.Read.All", "Windows 365 Cloud PCs", "CloudPC.ReadWrite.All"),
    _n("DeviceManagementApps.Read.All", "app protection (MAM) policies for personal phones", "DeviceManagementApps.ReadWrite.All"),
    _n("DeviceManagementServiceConfig.Read.All", "Autopilot devices (stock to ship home)",
       "DeviceManagementServiceConfig.ReadWrite.All"),
    _n("TeamsUserConfiguration.Read.All", "Teams accounts per person (licensed, but not hosted on Teams)"),
)

PLAYBOOKS = (
    _n("LicenseAssignment.ReadWrite.All", "assign licences", "User.ReadWrite.All", "Directory.ReadWrite.All"),
    _n("User.ReadWrite.All", "set usage location", "Directory.ReadWrite.All"),
    _n("GroupMember.ReadWrite.All", "add users to licensing groups", "Group.ReadWrite.All", "Directory.ReadWrite.All"),
    _n("Team.Create", "create the crisis team"),
    _n("Channel.Create", "create channels"),
    _n("TeamMember.ReadWrite.All", "add team members and owners"),
    _n("SharePointTenantSettings.ReadWrite.All", "change sharing settings"),
    _n("Policy.ReadWrite.Authorization", "guest invitation policy"),
    _n("Policy.ReadWrite.ConditionalAccess", "report-only Conditional Access policy"),
    _n("DeviceManagementConfiguration.ReadWrite.All", "compliance policies"),
    _n("User.Invite.All", "invite guests", "User.ReadWrite.All", "Directory.ReadWrite.All"),
    _n("Mail.ReadWrite", "announcement draft, confirmed in Sent Items"),
    _n("Mail.Send", "announcement mail"),
    _n("Policy.ReadWrite.SecurityDefaults", "turn on security defaults (tenants without Conditional Access)"),
    _n("Policy.ReadWrite.AuthenticationMethod", "Authenticator registration campaign, Temporary Access Pass policy"),
    _n("UserAuthenticationMethod.ReadWrite.All", "issue one-time Temporary Access Passes (and delete them on undo)"),
    _n("TeamSettings.ReadWrite.All", "guests may not change channels in the crisis team"),
)

FEATURES = {"audit": AUDIT, "playbooks": PLAYBOOKS}


def granted_permissions(token: str) -> set[str] | None:
    """Application roles or delegated scopes in a JWT; None when the token is opaque."""
    claims = token_claims(token)
    if not claims:
        return None
    granted = set(claims.get("roles") or [])
    granted |= set(str(claims.get("scp") or "").split())
    return granted


def check(granted: set[str], needs: tuple[Need, ...]) -> list[tuple[Need, bool, str]]:
    out = []
    for need in needs:
        match = next((p for p in need.accepted if p in granted), "")
        out.append((need, bool(match), match))
    return out
