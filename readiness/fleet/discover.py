"""`tenant discover --partner NAME`: the partner's active GDAP relationships as offered profiles.

Reads ``GET /tenantRelationships/delegatedAdminRelationships`` (``DelegatedAdminRelationship.Read.All``;
https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships) in the MSP's own
tenant, merges the relationships of each customer, names the Entra roles granted, and says which checks
those roles leave "not evaluable". Role coverage follows Microsoft's role reference
(https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference); it is an
estimate before signing in: `readiness tenant test` and the audit itself say what was really refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Entra built-in role template ids -> names
ROLES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
    "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "4a5d8f65-41da-4de4-8968-e035b65339cf": "Reports Reader",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
}
_ALL = {"Global Administrator", "Global Reader"}
_DIR = _ALL | {"Directory Readers", "User Administrator", "License Administrator", "Groups Administrator",
               "Security Reader", "Security Administrator"}
_SEC = _ALL | {"Security Reader", "Security Administrator", "Conditional Access Administrator"}
# what the audit reads (the checks' `requires`) -> roles that can read it
READERS: dict[str, set[str]] = {
    "users": _DIR, "groups": _DIR, "skus": _DIR,
    "devices": _DIR | {"Intune Administrator", "Cloud Device Administrator"},
    "managed_devices": _ALL | {"Intune Administrator"}, "compliance_policies": _ALL | {"Intune Administrator"},
    "mfa": _ALL | {"Reports Reader", "Security Reader", "Security Administrator", "Authentication Administrator"},
    "teams_usage": _ALL | {"Reports Reader", "Teams Administrator"},
    "report_settings": _ALL | {"Reports Reader"},
    "teams": _DIR | {"Teams Administrator"},
    "sharepoint": _ALL | {"SharePoint Administrator"},
    "conditional_access": _SEC, "security_defaults": _SEC, "cross_tenant_default": _SEC,
    "authorization_policy": _SEC | {"User Administrator"},
    # issue 14 (collect/depth.py)
    "roles": _DIR | {"Privileged Role Administrator"}, "auth_methods_policy": _SEC | {"Authentication Policy Administrator"},
    "cloud_pcs": _ALL | {"Intune Administrator", "Windows 365 Administrator"},
    "app_protection": _ALL | {"Intune Administrator"}, "autopilot": _ALL | {"Intune Administrator"},
}


def profile_name(display_name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-")[:56] or "client"
    if not base[0].isalnum():
        base = "c" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def not_evaluable_checks(role_names: set[str], checks: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Ids of the checks that need something none of ``role_names`` can read."""
    return [cid for cid, needs in checks if any(not (READERS.get(n, _ALL) & role_names) for n in needs)]


def offers(relationships: list[dict], checks: list[tuple[str, tuple[str, ...]]]) -> list[dict]:
    """One offer per customer with an active relationship: name, tenant id, roles, checks left not evaluable."""
    by_customer: dict[str, dict[str, Any]] = {}
    for rel in relationships:
        if (rel.get("status") or "").lower() != "active":
            continue
        cust = rel.get("customer") or {}
        tid = cust.get("tenantId")
        if not tid:
            continue
        entry = by_customer.setdefault(tid, {"tenant_id": tid, "customer": cust.get("displayName") or tid,
                                             "role_ids": set(), "relationships": []})
        entry["relationships"].append(rel.get("displayName") or rel.get("id"))
        for role in (rel.get("accessDetails") or {}).get("unifiedRoles") or []:
            if role.get("roleDefinitionId"):
                entry["role_ids"].add(role["roleDefinitionId"])
    taken: set[str] = set()
    out = []
    for tid, e in sorted(by_customer.items(), key=lambda kv: kv[1]["customer"].lower()):
        names = {ROLES.get(r, r) for r in e["role_ids"]}
        out.append({"name": profile_name(e["customer"], taken), "tenant_id": tid, "customer": e["customer"],
                    "roles": sorted(names), "relationships": e["relationships"],
                    "not_evaluable": not_evaluable_checks(names, checks)})
    return out


async def read_relationships(client: Any) -> list[dict]:
    return await client.collect("/tenantRelationships/delegatedAdminRelationships?$top=300")


def check_needs() -> list[tuple[str, tuple[str, ...]]]:
    from .runner import check_needs as needs

    return needs()


def offered_rows(offered: list[dict], partner: Any, tags: list[str]) -> list[dict]:
    """Import rows (the `tenant import` columns) for each offer, signing in the way the partner profile does."""
    return [{"name": o["name"], "tenant_id": o["tenant_id"], "auth": partner.auth, "client_id": partner.client_id,
             "cert_path": partner.cert_path, "cloud": partner.cloud if not partner.graph_url else "",
             "graph_url": partner.graph_url, "usage_location": partner.usage_location, "tags": ";".join(tags)}
            for o in offered]


def add_offered(rows: list[dict]) -> list[tuple[str, str]]:
    """Save the offered profiles; (name, "added" | why it was skipped) for each."""
    from ..errors import ReadinessError
    from . import runner
    from .onboard import split_tags

    store = runner.profile_store()
    existing = {p.name for p in store.list()[0]}
    out = []
    for r in rows:
        if r["name"] in existing:
            out.append((r["name"], "a profile with this name exists"))
            continue
        profile = runner.make_profile(name=r["name"], tenant=r["tenant_id"], auth=r["auth"], client_id=r["client_id"],
                                cloud=r["cloud"] or "global", graph_url=r["graph_url"], usage_location=r["usage_location"],
                                cert_path=r["cert_path"], tags=split_tags(r["tags"]))
        try:
            store.add(profile)
        except ReadinessError as exc:
            out.append((r["name"], str(exc)))
            continue
        out.append((r["name"], "added"))
    return out


@dataclass
class Discovery:
    """``readiness.discover_tenants``: what a partner's GDAP relationships offer.

    + offered: per customer ``name``, ``tenant_id``, ``customer``, ``roles`` and the checks those roles leave
      ``not_evaluable``. + rows: the same as `tenant import` rows (``COLUMNS``), signing in as the partner does.
    + added: (profile name, "added" or why it was skipped) when asked to add them.
    """

    offered: list[dict]
    rows: list[dict]
    added: list[tuple[str, str]] = field(default_factory=list)
    columns: tuple[str, ...] = ()


async def discover(partner: str, tags: list[str], add: bool = False) -> Discovery:
    """Read the partner profile's GDAP relationships (one client, closed after) and offer one profile per customer."""
    from . import runner
    from .onboard import COLUMNS

    conn = runner.connection(partner)
    client = conn.open()
    try:
        relationships = await read_relationships(client)
    finally:
        await client.aclose()
    offered = offers(relationships, check_needs())
    rows = offered_rows(offered, conn.profile, list(tags))
    return Discovery(offered, rows, add_offered(rows) if add else [], COLUMNS)
