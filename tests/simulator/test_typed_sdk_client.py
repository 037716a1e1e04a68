"""msgraph-sdk's typed GraphServiceClient parses every collection the audit reads without losing a field.

A field the v1.0 metadata does not know (a typo, a wrong casing, a property of another type) would land in a
model's ``additional_data``; the simulator must serve none. Same queries as the collectors (readiness/collect).
The Teams activity report is not a model (CSV bytes behind a 302) and is compared column by column in
test_replay_examples / test_write_fidelity.
"""
from __future__ import annotations

from typing import Any

import pytest

from readiness.collect.queries import DEVICE_FIELDS, GROUP_FIELDS, MANAGED_FIELDS, REGISTRATION_FIELDS, USER_FIELDS
from readiness.simulator import Simulator, generate_tenant
from tests.helpers import inproc_client, using


def _config(builder: Any, headers: dict | None = None, **params: Any) -> Any:
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    qp_class = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters", None)
    config = RequestConfiguration(query_parameters=qp_class(**params) if (qp_class and params) else None)
    for name, value in (headers or {}).items():
        config.headers.add(name, value)
    return config


def _lost(model: Any, where: str, seen: set[int]) -> list[str]:
    """Every non-empty additional_data in a parsed model tree."""
    if model is None or id(model) in seen:
        return []
    seen.add(id(model))
    if isinstance(model, list):
        return [x for i, item in enumerate(model) for x in _lost(item, f"{where}[{i}]", seen)]
    if not hasattr(model, "additional_data"):
        return []
    # OData control information (@odata.context, @odata.count ...) is in every Graph answer and the SDK keeps it
    # in additional_data for real Graph too; anything else would be a field the metadata does not know
    lost = sorted(k for k in model.additional_data if not k.startswith("@odata."))
    out = [f"{where}: {lost}"] if lost else []
    for name, value in vars(model).items():
        if name in ("additional_data", "backing_store") or isinstance(value, (str, int, float, bool, bytes)):
            continue
        out += _lost(value, f"{where}.{name}", seen)
    return out


EVENTUAL = {"ConsistencyLevel": "eventual"}
pytestmark = pytest.mark.slow  # kiota's model parse costs seconds (notes/msgraph-sdk.md)


def _reads(sdk: Any, t: Any) -> dict[str, Any]:
    """The audit's reads as typed SDK calls: name -> awaitable factory."""
    team = next(iter(t.teams))
    group = next(g["id"] for g in t.groups if g.get("assignedLicenses"))
    user = next(u["id"] for u in t.users if u["userType"] == "Member")
    b = sdk
    return {
        "organization": lambda: b.organization.get(_config(b.organization, select=["id", "displayName", "verifiedDomains"])),
        "subscribedSkus": lambda: b.subscribed_skus.get(),
        "users": lambda: b.users.get(_config(b.users, select=USER_FIELDS + ["signInActivity"], top=500)),
        "groups": lambda: b.groups.get(_config(b.groups, select=GROUP_FIELDS, top=999)),
        "groups with licence errors": lambda: b.groups.get(_config(
            b.groups, EVENTUAL, select=["id", "displayName"], filter="hasMembersWithLicenseErrors eq true", count=True, top=999)),
        "group members": lambda: b.groups.by_group_id(group).members.get(
            _config(b.groups.by_group_id(group).members, select=["id"], top=999)),
        "team": lambda: b.teams.by_team_id(team).get(_config(
            b.teams.by_team_id(team), select=["id", "displayName", "isArchived", "visibility", "guestSettings", "memberSettings"])),
        "report settings": lambda: b.admin.report_settings.get(),
        "sharepoint settings": lambda: b.admin.sharepoint.settings.get(),
        "authorization policy": lambda: b.policies.authorization_policy.get(),
        "cross-tenant default": lambda: b.policies.cross_tenant_access_policy.default.get(),
        "security defaults": lambda: b.policies.identity_security_defaults_enforcement_policy.get(),
        "conditional access": lambda: b.identity.conditional_access.policies.get(),
        "registration details": lambda: b.reports.authentication_methods.user_registration_details.get(_config(
            b.reports.authentication_methods.user_registration_details, select=REGISTRATION_FIELDS, top=1000)),
        "managed devices": lambda: b.device_management.managed_devices.get(_config(
            b.device_management.managed_devices, select=MANAGED_FIELDS, top=1000)),
        "compliance policies": lambda: b.device_management.device_compliance_policies.get(_config(
            b.device_management.device_compliance_policies, select=["id", "displayName", "createdDateTime"])),
        "devices": lambda: b.devices.get(_config(b.devices, select=DEVICE_FIELDS, expand=["registeredOwners($select=id)"], top=100)),
        "authentication methods": lambda: b.users.by_user_id(user).authentication.methods.get(),
    }


READS = sorted([
    "organization", "subscribedSkus", "users", "groups", "groups with licence errors", "group members", "team",
    "report settings", "sharepoint settings", "authorization policy", "cross-tenant default", "security defaults",
    "conditional access", "registration details", "managed devices", "compliance policies", "devices",
    "authentication methods"])


@pytest.fixture(scope="module")
def tenant() -> Any:
    t = generate_tenant("enterprise", seed=3, size=120)  # Intune, Entra ID P1, teams, group licensing
    t.report_settings["displayConcealedNames"] = False
    lic = next(g for g in t.groups if g.get("assignedLicenses"))  # one failed group licence, so the filter finds a group
    for st in t.users_by_id[t.group_members[lic["id"]][0]]["licenseAssignmentStates"]:
        if st.get("assignedByGroup") == lic["id"]:
            st.update(state="Error", error="CountViolation")
    return t


def test_the_list_covers_every_read(tenant: Any) -> None:
    assert set(READS) == set(_reads(object(), tenant))  # the lambdas touch the client only when called


@pytest.mark.parametrize("name", READS)
def test_typed_client_parses_without_additional_data(name: str, tenant: Any) -> None:
    sim = Simulator(tenant)

    async def go(c: Any) -> Any:
        return await _reads(c.sdk, tenant)[name]()

    parsed = using(inproc_client(sim), go)
    assert parsed is not None
    items = getattr(parsed, "value", None)
    if items is not None:
        assert items, f"{name}: nothing served to check"
    assert _lost(parsed, name, set()) == []
