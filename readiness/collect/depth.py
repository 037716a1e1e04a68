"""Collectors for the deeper readiness questions (issue 14).

Directory role assignments (administrators, readable without Entra ID P1), the authentication methods
policy (Temporary Access Pass, registration campaign), Windows 365 Cloud PCs, app protection (MAM)
policies, Autopilot devices, and, where sign-in activity is unavailable (no P1), the Microsoft 365
active user report for idle licences.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Awaitable, Callable

from ..errors import GraphBadResponse, Phrase
from ..graph.client import GraphClient
from ..graph.slots import LONG
from ..licensing.capabilities import INTUNE as INTUNE_CAP
from ..licensing.capabilities import WINDOWS365 as W365_CAP
from .collectors import INTUNE, _collection, _guard, _ladder, _licence_or_permission, _single
from .queries import build
from .snapshot import COMPLETE, FORBIDDEN, SKIPPED, Section

WINDOWS365 = "Windows 365"
ROLE_FIELDS = ["id", "principalId", "roleDefinitionId", "directoryScopeId"]
CLOUD_PC_FIELDS = ["id", "displayName", "managedDeviceName", "userPrincipalName", "servicePlanName", "status"]
TEAMS_USER_FIELDS = ["id", "userPrincipalName", "accountType", "featureTypes"]
AUTOPILOT_FIELDS = ["id", "serialNumber", "model", "manufacturer", "groupTag", "enrollmentState", "userPrincipalName"]
OFFICE_REPORT = "/reports/getOffice365ActiveUserDetail(period='D90')"
ACTIVITY_COLUMNS = ("Exchange Last Activity Date", "OneDrive Last Activity Date", "SharePoint Last Activity Date",
                    "Teams Last Activity Date", "Yammer Last Activity Date", "Skype For Business Last Activity Date")


async def roles(client: GraphClient) -> Section:
    """Who holds a directory role: RoleManagement.Read.Directory, no Entra ID P1 needed."""
    endpoint = "/roleManagement/directory/roleAssignments"
    info = build(client.sdk.role_management.directory.role_assignments, select=ROLE_FIELDS)
    return await _guard("roles", endpoint, "RoleManagement.Read.Directory", _collection(client, "roles", endpoint, info))


async def auth_methods_policy(client: GraphClient) -> Section:
    endpoint = "/policies/authenticationMethodsPolicy"
    return await _guard("auth_methods_policy", endpoint, "Policy.Read.AuthenticationMethod",
                        _single(client, "auth_methods_policy", endpoint, build(client.sdk.policies.authentication_methods_policy)))


async def teams_users(client: GraphClient) -> Section:
    """Teams accounts per person (teamsUserConfiguration: "users who have accounts hosted on Microsoft Teams";
    TeamsUserConfiguration.Read.All, api-reference/v1.0/api/teamsadministration-teamsadminroot-list-userconfigurations)."""
    endpoint = "/admin/teams/userConfigurations"
    builder = client.sdk.admin.teams.user_configurations
    # the list supports $top (its largest value is not documented; a refusal falls back): at the default page of
    # 100 a tenant of 100,000 people is a chain of 1,000 requests, the audit's longest
    tries = [(build(builder, select=TEAMS_USER_FIELDS, top=999), ""),
             (build(builder, select=TEAMS_USER_FIELDS), "read with the default page size")]
    return await _guard("teams_users", endpoint, "TeamsUserConfiguration.Read.All",
                        _ladder(client, "teams_users", endpoint, tries, priority=LONG))  # one per person: first (graph/slots.py)


async def cloud_pcs(client: GraphClient, skus: Awaitable[Section] | None = None) -> Section:
    endpoint = "/deviceManagement/virtualEndpoint/cloudPCs"
    builder = client.sdk.device_management.virtual_endpoint.cloud_p_cs
    # virtualendpoint-list-cloudpcs.md: $top is supported (its largest value is not documented; a refusal falls back)
    tries = [(build(builder, select=CLOUD_PC_FIELDS, top=999), ""),
             (build(builder, select=CLOUD_PC_FIELDS), "read with the default page size")]
    sec = await _guard("cloud_pcs", endpoint, "CloudPC.Read.All", _ladder(client, "cloud_pcs", endpoint, tries), licence=WINDOWS365)
    if sec.status == FORBIDDEN and not sec.licence:
        sec = await _licence_or_permission(sec, skus, W365_CAP, WINDOWS365)
    return sec


async def app_protection(client: GraphClient, skus: Awaitable[Section] | None = None) -> Section:
    endpoint = "/deviceAppManagement/managedAppPolicies"
    info = build(client.sdk.device_app_management.managed_app_policies)  # few; @odata.type tells the platform
    sec = await _guard("app_protection", endpoint, "DeviceManagementApps.Read.All",
                       _collection(client, "app_protection", endpoint, info), licence=INTUNE)
    if sec.status == FORBIDDEN and not sec.licence:
        sec = await _licence_or_permission(sec, skus, INTUNE_CAP, INTUNE)
    return sec


async def autopilot(client: GraphClient, skus: Awaitable[Section] | None = None) -> Section:
    endpoint = "/deviceManagement/windowsAutopilotDeviceIdentities"
    info = build(client.sdk.device_management.windows_autopilot_device_identities)
    sec = await _guard("autopilot", endpoint, "DeviceManagementServiceConfig.Read.All",
                       _collection(client, "autopilot", endpoint, info, _autopilot_row), licence=INTUNE)
    if sec.status == FORBIDDEN and not sec.licence:
        sec = await _licence_or_permission(sec, skus, INTUNE_CAP, INTUNE)
    return sec


def _autopilot_row(d: dict) -> dict:
    return {k: d.get(k) for k in AUTOPILOT_FIELDS}


async def office_activity(client: GraphClient, users_sec: Awaitable[Section]) -> list[Section]:
    """The Microsoft 365 active user report (90 days), only where sign-in activity is missing (no Entra ID P1).

    Where sign-in activity was read there is no section at all (nothing was left unread).
    """
    users_done = await users_sec
    if users_done.usable and any("signInActivity included" in n for n in users_done.notes):
        return []
    return [await _office_activity(client)]


async def _office_activity(client: GraphClient) -> Section:
    settings = await _guard("report_settings", "/admin/reportSettings", "ReportSettings.Read.All",
                            _single(client, "report_settings", "/admin/reportSettings", build(client.sdk.admin.report_settings)))
    if not settings.usable:
        return Section("office_activity", SKIPPED, endpoint=OFFICE_REPORT,
                       reason=Phrase("report.reasons.concealed_unknown", reason=settings.reason))
    if settings.data.get("displayConcealedNames"):
        return Section("office_activity", FORBIDDEN, endpoint=OFFICE_REPORT,
                       reason=Phrase("cli.progress.reasons.concealed_activity"))
    return await _guard("office_activity", OFFICE_REPORT, "Reports.Read.All", _office_report(client))


async def _office_report(client: GraphClient) -> Section:
    raw = await client.send(client.sdk.reports.get_office365_active_user_detail_with_period("D90").to_get_request_information())
    if not raw.ok:
        from ..graph.client import graph_error

        raise graph_error(raw, "GET", OFFICE_REPORT)
    text = raw.content.decode("utf-8-sig", "replace")
    reader = csv.DictReader(io.StringIO(text))
    if "Report Refresh Date" not in (reader.fieldnames or []):  # an empty answer is no report: its CSV always has a header
        # row (reportroot-getoffice365activeuserdetail.md); a header and no rows is a report of nobody (depth_facts)
        raise GraphBadResponse(key="graph.not_usage_report", params={"endpoint": OFFICE_REPORT},
                               fix_key="graph.bad_answer", path=OFFICE_REPORT)
    rows, refreshed = [], ""
    for row in reader:
        refreshed = refreshed or row.get("Report Refresh Date", "")
        if str(row.get("Is Deleted", "")).lower() in ("true", "yes"):
            continue
        dates = [row.get(c) or "" for c in ACTIVITY_COLUMNS]
        rows.append({"userPrincipalName": row.get("User Principal Name", ""), "lastActivityDate": max(dates) or None})
    return Section("office_activity", COMPLETE, {"rows": rows, "reportRefreshDate": refreshed, "period_days": 90},
                   endpoint=OFFICE_REPORT, count=len(rows))


def jobs(client: GraphClient, users_: Any, skus_: Any) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """This module's collections, for collectors.collect_all(more=jobs): (label, job) pairs, a job started only when
    the collection wants it (the helper process reads some, collect/helper.py)."""
    return [("roles", lambda: roles(client)), ("auth_methods_policy", lambda: auth_methods_policy(client)),
            ("cloud_pcs", lambda: cloud_pcs(client, skus_)), ("app_protection", lambda: app_protection(client, skus_)),
            ("autopilot", lambda: autopilot(client, skus_)), ("office_activity", lambda: office_activity(client, users_)),
            ("teams_users", lambda: teams_users(client))]
