"""A replica of a real tenant, built from a snapshot, for drills: a simulator Tenant that answers Graph's reads
the way the tenant did when the snapshot was taken.

Everything the snapshot holds comes back: users (with their licences and licence states), subscriptions and
seats, groups (with the members of licensing groups) and teams, Entra and Intune devices, compliance and
Conditional Access policies, authentication methods, SharePoint, guest, security-defaults, cross-tenant and
report settings, Teams usage. What the snapshot does not hold (channels, team members, mail) starts empty.
Pseudonymised snapshots work: the replica is then pseudonymous too.

This module reads a snapshot only as a document (``snapshot.to_dict()``), so the simulator stays independent
of the collector. Replicating the collector's compaction: a direct, active licence assignment is not kept in
the snapshot's ``licenseAssignmentStates`` (it says nothing new) and is restored here.
"""
from __future__ import annotations

import copy
from collections import Counter
from datetime import date, timedelta
from typing import Any

from .tenant import REPORT_LAG_DAYS, Tenant

DEFAULT_SETTINGS = {"sharepoint": "sharepoint_settings", "authorization_policy": "authorization_policy",
                    "security_defaults": "security_defaults", "cross_tenant_default": "cross_tenant_default",
                    "report_settings": "report_settings", "auth_methods_policy": "auth_methods_policy"}
LIST_SECTIONS = {"managed_devices": "managed_devices", "compliance_policies": "compliance_policies",
                 "conditional_access": "ca_policies", "roles": "role_assignments", "cloud_pcs": "cloud_pcs",
                 "app_protection": "app_protection_policies", "autopilot": "autopilot_devices"}


def _data(doc: dict, name: str, default: Any) -> Any:
    sec = (doc.get("sections") or {}).get(name) or {}
    if sec.get("status") not in ("complete", "fallback") or sec.get("data") is None:
        return default
    return copy.deepcopy(sec["data"])


def _domain(doc: dict, users: list[dict]) -> str:
    for org in _data(doc, "organization", []) or []:
        for d in org.get("verifiedDomains") or []:
            if d.get("isDefault"):
                return str(d["name"])
    counted = Counter(str(u.get("userPrincipalName", "")).rpartition("@")[2].lower() for u in users
                      if "#EXT#" not in str(u.get("userPrincipalName", "")))
    return counted.most_common(1)[0][0] if counted else "replica.invalid"


def _user(u: dict, created: str) -> dict:
    u = dict(u)
    u.setdefault("mail", None)
    u.setdefault("department", None)
    u.setdefault("usageLocation", None)
    u.setdefault("userType", "Member")
    u.setdefault("accountEnabled", True)
    u.setdefault("createdDateTime", f"{created}T08:00:00Z")
    licences = [{"skuId": str(x["skuId"]).lower(), "disabledPlans": [str(p).lower() for p in x.get("disabledPlans") or []]}
                for x in u.get("assignedLicenses") or []]
    states = [dict(st) for st in u.get("licenseAssignmentStates") or []]
    for st in states:
        st.setdefault("lastUpdatedDateTime", f"{created}T08:00:00Z")
    kept = {(st["skuId"], st.get("assignedByGroup")) for st in states}
    for lic in licences:  # the collector drops direct, active states: restore them
        if (lic["skuId"], None) not in kept and not any(st["skuId"] == lic["skuId"] for st in states):
            states.append({"assignedByGroup": None, "disabledPlans": list(lic["disabledPlans"]), "error": "None",
                           "lastUpdatedDateTime": f"{created}T08:00:00Z", "skuId": lic["skuId"], "state": "Active"})
    u["assignedLicenses"], u["licenseAssignmentStates"] = licences, states
    # provisionedPlans are derived from the licences on read; what was not provisioned stays so
    u["_provisioning"] = {str(x.get("service")): x.get("provisioningStatus") for x in u.pop("provisionedPlans", None) or []
                          if isinstance(x, dict) and x.get("provisioningStatus") != "Success"}
    return u


def replica_tenant(snapshot: Any) -> Tenant:
    """A simulator Tenant equal, as far as Graph's reads show, to the tenant the snapshot was taken from."""
    doc = snapshot.to_dict() if hasattr(snapshot, "to_dict") else copy.deepcopy(snapshot)
    tenant_doc = doc.get("tenant") or {}
    collected = str(doc.get("collected_at") or "")[:10] or date.today().isoformat()
    usage = _data(doc, "teams_usage", None)
    created = collected
    if isinstance(usage, dict) and usage.get("reportRefreshDate"):  # keep the usage report's date as it was
        created = (date.fromisoformat(usage["reportRefreshDate"]) + timedelta(days=REPORT_LAG_DAYS)).isoformat()
    users = [_user(u, created) for u in _data(doc, "users", [])]
    t = Tenant(str(tenant_doc.get("id") or "00000000-0000-0000-0000-000000000000"), _domain(doc, users),
               str(tenant_doc.get("name") or "Replica"), "replica", created)
    t.skus = _data(doc, "skus", [])
    t.users = users
    t.groups = [dict(g, **{"createdDateTime": g.get("createdDateTime") or f"{created}T08:00:00Z",
                           "description": g.get("description")}) for g in _data(doc, "groups", [])]
    erroring = {g["id"] for g in _data(doc, "licence_error_groups", [])}
    for g in t.groups:
        g["hasMembersWithLicenseErrors"] = g["id"] in erroring
    t.group_members = {gid: [m if isinstance(m, str) else m.get("id") for m in members]
                       for gid, members in (_data(doc, "group_members", {}) or {}).items()}
    for d in _data(doc, "devices", []):
        t.device_owners[d["id"]] = list(d.pop("owners", None) or [])
        t.devices.append(d)
    for section, attr in LIST_SECTIONS.items():
        setattr(t, attr, _data(doc, section, []))
    for section, attr in DEFAULT_SETTINGS.items():
        setattr(t, attr, _data(doc, section, {}) or {})
    teams_users = _data(doc, "teams_users", None)
    if isinstance(teams_users, list):  # Teams accounts as collected: one not of type user, or none though licensed
        from ..licensing.capabilities import TEAMS, capabilities_of_plan

        t.reindex()
        accounts = {str(c.get("id")): c.get("accountType") or "unknown" for c in teams_users}
        for u in users:
            licensed = any(p.get("capabilityStatus") == "Enabled" and TEAMS in capabilities_of_plan(p.get("service") or "")
                           for p in t.assigned_plans(u))
            if u.get("userType") != "Guest" and (accounts.get(u["id"], "user") != "user" or licensed and u["id"] not in accounts):
                u["_teams_account"] = accounts.get(u["id"], "none")
    for row in _data(doc, "mfa", []):
        t.auth_methods[row["id"]] = ["password"] + [m for m in row.get("methodsRegistered") or [] if m != "password"]
    for team in _data(doc, "teams", []):
        t.teams[team["id"]] = team
        t.channels[team["id"]] = []
        t.team_members[team["id"]] = []
    if isinstance(usage, dict):
        for row in usage.get("rows") or []:
            if row.get("userId") and row.get("lastActivityDate"):
                t.activity.setdefault(row["userId"], {})["teams"] = row["lastActivityDate"]
    t.reindex()
    return t
