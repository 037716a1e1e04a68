"""The route table: path pattern, method, handler, and the application permissions that grant it.

Permissions follow Microsoft's permission map (least privileged first; higher ones also work).
"""
from __future__ import annotations

import re

from . import assignments, delta, mail, tap
from . import batch as b
from . import depth_reads as d
from . import depth_writes as dw
from . import reads as r
from . import reports as rep
from . import writes as w
from .wire import Route

USER_READ = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
USER_WRITE = ("User.ReadWrite.All", "Directory.ReadWrite.All")
SKU_READ = ("LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All", "Organization.Read.All", "Directory.Read.All")
LIC_WRITE = ("LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All")
GROUP_READ = ("Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "Directory.Read.All")
DEVICE_READ = ("Device.Read.All", "Directory.Read.All")
INTUNE_DEV = ("DeviceManagementManagedDevices.Read.All", "DeviceManagementManagedDevices.ReadWrite.All")
INTUNE_CFG = ("DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All")
POLICY_READ = ("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.Authorization")
SP_READ = ("SharePointTenantSettings.Read.All", "SharePointTenantSettings.ReadWrite.All")
TEAM_READ = ("Team.ReadBasic.All", "TeamSettings.Read.All", "TeamSettings.ReadWrite.All", "Group.Read.All")

UID = r"(?P<uid>[^/()]+)"
GID = r"(?P<gid>[0-9a-fA-F-]{36})"
TID = r"(?P<tid>[0-9a-fA-F-]{36})"


def _r(method: str, path: str, handler, roles: tuple[str, ...], versions: tuple[str, ...] = ("v1.0", "beta")) -> Route:
    return Route(method, re.compile(path), handler, roles, versions)


ROUTES: list[Route] = [
    _r("GET", r"/organization", r.organization, ("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All")),
    _r("GET", r"/subscribedSkus", r.subscribed_skus, SKU_READ),
    *delta.ROUTES,  # /users|groups|devices/delta, /devices/{id}/registeredOwners (simulator/delta.py)
    _r("GET", r"/users", r.users, USER_READ),
    _r("GET", r"/(?P<coll>users)/\$count", r.collection_count, USER_READ),
    _r("GET", rf"/users/{UID}", r.user_get, USER_READ),
    _r("GET", rf"/users/{UID}/licenseDetails", r.license_details, SKU_READ + USER_READ),
    _r("GET", rf"/users/{UID}/authentication/methods", r.auth_methods,
       ("UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All")),
    _r("GET", r"/groups", r.groups, GROUP_READ),
    _r("GET", r"/(?P<coll>groups)/\$count", r.collection_count, GROUP_READ),
    _r("GET", rf"/groups/{GID}", r.group_get, GROUP_READ),
    _r("GET", rf"/groups/{GID}/(?P<kind>members|membersWithLicenseErrors)", r.group_members, GROUP_READ),
    _r("GET", r"/devices", r.devices, DEVICE_READ),
    _r("GET", r"/(?P<coll>devices)/\$count", r.collection_count, DEVICE_READ),
    _r("GET", r"/deviceManagement/managedDevices", r.managed_devices, INTUNE_DEV),
    _r("GET", rf"/users/{UID}/managedDevices", r.user_managed_devices, INTUNE_DEV),
    _r("GET", r"/deviceManagement/deviceCompliancePolicies", r.compliance_policies, INTUNE_CFG),
    _r("GET", r"/admin/sharepoint/settings", r.sharepoint_settings, SP_READ),
    _r("GET", r"/policies/authorizationPolicy", r.singleton("authorization_policy", "policies/authorizationPolicy/$entity"), POLICY_READ),
    _r("GET", r"/policies/identitySecurityDefaultsEnforcementPolicy",
       r.singleton("security_defaults", "policies/identitySecurityDefaultsEnforcementPolicy/$entity"), POLICY_READ),
    _r("GET", r"/policies/crossTenantAccessPolicy/default",
       r.singleton("cross_tenant_default", "policies/crossTenantAccessPolicy/default/$entity"), POLICY_READ),
    _r("GET", r"/policies/crossTenantAccessPolicy/partners", r.cross_tenant_partners, POLICY_READ),
    _r("GET", r"/identity/conditionalAccess/policies", r.ca_policies, POLICY_READ),
    _r("GET", r"/reports/authenticationMethods/userRegistrationDetails", r.registration_details, ("AuditLog.Read.All",)),
    _r("GET", r"/reports/getTeamsUserActivityUserDetail(?P<args>\(.*\))", rep.teams_activity_report, ("Reports.Read.All",)),
    _r("GET", r"/reports/getOffice365ActiveUserDetail(?P<args>\(.*\))", rep.office_activity_report, ("Reports.Read.All",)),
    _r("GET", r"/admin/reportSettings", r.report_settings, ("ReportSettings.Read.All", "ReportSettings.ReadWrite.All")),
    _r("GET", rf"/teams/{TID}", r.teams_get, TEAM_READ),
    _r("GET", rf"/teams/{TID}/channels", r.channels, ("Channel.ReadBasic.All", "ChannelSettings.Read.All", "Group.Read.All")),
    _r("GET", rf"/teams/{TID}/members", r.team_members, ("TeamMember.Read.All", "TeamMember.ReadWrite.All", "Group.Read.All")),
    _r("GET", rf"/teams\('?{TID}'?\)/operations\('?(?P<op>[0-9a-fA-F-]{{36}})'?\)", r.team_operation, ("Team.Create", "Team.ReadBasic.All")),
    _r("GET", rf"/teams/{TID}/operations/(?P<op>[0-9a-fA-F-]{{36}})", r.team_operation, ("Team.Create", "Team.ReadBasic.All")),
    # issue 14: roles without P1, authentication methods policy, Cloud PCs, MAM, Autopilot, Teams user configurations
    _r("GET", r"/roleManagement/directory/roleAssignments", d.role_assignments,
       ("RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All")),
    _r("GET", r"/policies/authenticationMethodsPolicy", d.auth_methods_policy,
       ("Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod")),
    _r("GET", r"/deviceManagement/virtualEndpoint/cloudPCs", d.cloud_pcs, ("CloudPC.Read.All", "CloudPC.ReadWrite.All")),
    _r("GET", r"/deviceAppManagement/managedAppPolicies", d.managed_app_policies,
       ("DeviceManagementApps.Read.All", "DeviceManagementApps.ReadWrite.All")),
    _r("GET", r"/deviceManagement/windowsAutopilotDeviceIdentities", d.autopilot_devices,
       ("DeviceManagementServiceConfig.Read.All", "DeviceManagementServiceConfig.ReadWrite.All")),
    _r("GET", r"/admin/teams/userConfigurations", d.teams_user_configurations, ("TeamsUserConfiguration.Read.All",)),
    # writes
    _r("POST", rf"/users/{UID}/assignLicense", w.assign_license, LIC_WRITE),
    _r("PATCH", rf"/users/{UID}", w.patch_user, USER_WRITE),
    _r("POST", rf"/users/{UID}/sendMail", w.send_mail, ("Mail.Send",)),
    _r("POST", rf"/groups/{GID}/assignLicense", w.group_assign_license, ("LicenseAssignment.ReadWrite.All", "Directory.ReadWrite.All")),
    _r("POST", rf"/groups/{GID}/members/\$ref", w.add_group_member, ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")),
    _r("POST", r"/teams", w.create_team, ("Team.Create",)),
    _r("PATCH", rf"/teams/{TID}", dw.patch_team, ("TeamSettings.ReadWrite.All",)),
    _r("POST", rf"/teams/{TID}/channels", w.create_channel, ("Channel.Create",)),
    _r("POST", rf"/teams/{TID}/members", w.add_team_member, ("TeamMember.ReadWrite.All",)),
    _r("PATCH", r"/admin/sharepoint/settings", w.patch_sharepoint, ("SharePointTenantSettings.ReadWrite.All",)),
    _r("PATCH", r"/policies/authorizationPolicy", w.patch_singleton("authorization_policy", {
        "allowInvitesFrom": ("none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone"),
        "guestUserRoleId": ("a0b1b346-4d3e-4e8b-98f8-753987be4970", "10dae51f-b6af-4016-8d66-8c2a99b929b3", "2af84b1e-32c8-42b7-82bc-daa82404023b"),
        "allowedToSignUpEmailBasedSubscriptions": (True, False), "allowEmailVerifiedUsersToJoinOrganization": (True, False),
        "allowedToUseSSPR": (True, False), "blockMsolPowerShell": (True, False)}), ("Policy.ReadWrite.Authorization",)),
    _r("PATCH", r"/policies/identitySecurityDefaultsEnforcementPolicy",
       w.patch_singleton("security_defaults", {"isEnabled": (True, False)}), ("Policy.ReadWrite.SecurityDefaults",)),
    _r("PATCH", r"/policies/authenticationMethodsPolicy", w.patch_singleton("auth_methods_policy", {
        "registrationEnforcement": (), "systemCredentialPreferences": ()}), ("Policy.ReadWrite.AuthenticationMethod",)),
    _r("PATCH", r"/admin/reportSettings", w.patch_singleton("report_settings", {"displayConcealedNames": (True, False)}),
       ("ReportSettings.ReadWrite.All",)),
    _r("POST", r"/deviceManagement/deviceCompliancePolicies", w.create_compliance_policy, ("DeviceManagementConfiguration.ReadWrite.All",)),
    _r("POST", r"/deviceManagement/deviceCompliancePolicies/(?P<pid>[0-9a-fA-F-]{36})/assign", w.assign_compliance_policy,
       ("DeviceManagementConfiguration.ReadWrite.All",)),
    _r("POST", r"/identity/conditionalAccess/policies", w.create_ca_policy, ("Policy.ReadWrite.ConditionalAccess",)),
    _r("POST", r"/invitations", w.invite, ("User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All")),
    _r("DELETE", rf"/groups/{GID}/members/(?P<uid>[0-9a-fA-F-]{{36}})/\$ref", w.delete_group_member,
       ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")),
    _r("DELETE", rf"/groups/{GID}", w.delete_group, ("Group.ReadWrite.All", "Directory.ReadWrite.All", "Team.Create")),
    _r("DELETE", rf"/users/{UID}", w.delete_user, ("User.ReadWrite.All", "Directory.ReadWrite.All", "User.Invite.All")),
    _r("DELETE", r"/deviceManagement/deviceCompliancePolicies/(?P<pid>[0-9a-fA-F-]{36})",
       w.delete_in("compliance_policies", "compliance policy"), ("DeviceManagementConfiguration.ReadWrite.All",)),
    _r("DELETE", r"/identity/conditionalAccess/policies/(?P<pid>[0-9a-fA-F-]{36})",
       w.delete_in("ca_policies", "policy"), ("Policy.ReadWrite.ConditionalAccess",)),
    _r("POST", r"/\$batch", b.batch, ()),
    *assignments.ROUTES,  # a compliance policy's assignments (simulator/assignments.py)
    *tap.ROUTES,  # Temporary Access Pass: a user's pass, the TAP method's configuration (simulator/tap.py)
    *mail.ROUTES,  # drafts, /send, Sent Items look-up by extended property (simulator/mail.py)
]
