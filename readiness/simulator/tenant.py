"""The in-memory tenant: Graph-shaped objects plus the rules that keep them consistent.

Objects are stored the way Graph returns them (camelCase dicts). Properties that would be costly to
hold for 100,000 users (``assignedPlans``) are derived on read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from ..licensing.capabilities import capabilities_of_plan
from .rwlock import ReadWriteLock


class SimError(Exception):
    """An error answer in Graph's shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

# Microsoft 365 usage reports lag about 48 hours: a report fetched on 5/14 carries reportRefreshDate 5/12
# (https://learn.microsoft.com/en-us/answers/a/10515837).
REPORT_LAG_DAYS = 2


@dataclass
class Tenant:
    tenant_id: str
    domain: str
    display_name: str
    profile: str
    created: str  # ISO date the tenant's data is "as of" (generated: clock.today())
    skus: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    group_members: dict[str, list[str]] = field(default_factory=dict)
    devices: list[dict] = field(default_factory=list)
    device_owners: dict[str, list[str]] = field(default_factory=dict)  # Entra device object id -> user ids
    managed_devices: list[dict] = field(default_factory=list)
    compliance_policies: list[dict] = field(default_factory=list)
    auth_methods: dict[str, list[str]] = field(default_factory=dict)  # user id -> registered method types
    sharepoint_settings: dict = field(default_factory=dict)
    authorization_policy: dict = field(default_factory=dict)
    security_defaults: dict = field(default_factory=dict)
    cross_tenant_default: dict = field(default_factory=dict)
    report_settings: dict = field(default_factory=dict)
    ca_policies: list[dict] = field(default_factory=list)
    teams: dict[str, dict] = field(default_factory=dict)
    channels: dict[str, list[dict]] = field(default_factory=dict)
    team_members: dict[str, list[dict]] = field(default_factory=dict)
    activity: dict[str, dict] = field(default_factory=dict)  # user id -> last activity dates
    invitations: list[dict] = field(default_factory=list)
    sent_mail: list[dict] = field(default_factory=list)
    operations: dict[str, dict] = field(default_factory=dict)
    deleted_users: list[dict] = field(default_factory=list)  # still in usage reports (Is Deleted, Deleted Date)
    # issue 14 (simulator/depth.py, depth_reads.py): directory roles, authentication methods policy, Cloud PCs,
    # app protection (MAM) policies, Autopilot devices
    role_assignments: list[dict] = field(default_factory=list)
    auth_methods_policy: dict = field(default_factory=dict)
    cloud_pcs: list[dict] = field(default_factory=list)
    app_protection_policies: list[dict] = field(default_factory=list)
    autopilot_devices: list[dict] = field(default_factory=list)
    tap_methods: dict[str, dict] = field(default_factory=dict)  # user id -> {method id: pass} (simulator/tap.py)
    tap_issued: list[tuple] = field(default_factory=list)  # (user id, method id, value) of every pass issued, for tests
    lock: ReadWriteLock = field(default_factory=ReadWriteLock, repr=False)  # `with lock:` writes; lock.read() reads

    def __post_init__(self) -> None:
        self.reindex()

    @property
    def report_refresh_date(self) -> date:
        """Usage reports lag behind the data's date by a couple of days, as Microsoft 365's do."""
        return date.fromisoformat(self.created) - timedelta(days=REPORT_LAG_DAYS)

    # -- indexes -----------------------------------------------------------------------------
    def reindex(self) -> None:
        self.users_by_id = {u["id"]: u for u in self.users}
        self.users_by_upn = {u["userPrincipalName"].lower(): u for u in self.users}
        self.groups_by_id = {g["id"]: g for g in self.groups}
        self.skus_by_id = {s["skuId"]: s for s in self.skus}
        self._sku_caps = {
            s["skuId"]: {p["servicePlanId"]: capabilities_of_plan(p["servicePlanName"]) for p in s["servicePlans"]}
            for s in self.skus
        }

    def user(self, key: str) -> dict:
        u = self.users_by_id.get(key) or self.users_by_upn.get(key.lower())
        if u is None:
            raise SimError(404, "Request_ResourceNotFound",
                           f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.")
        return u

    def group(self, key: str) -> dict:
        g = self.groups_by_id.get(key)
        if g is None:
            raise SimError(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist.")
        return g

    # -- licences ----------------------------------------------------------------------------
    def tenant_has(self, capability: str) -> bool:
        """Whether an enabled subscription with seats carries a plan with this capability."""
        for sku in self.skus:
            if sku["capabilityStatus"] != "Enabled" or sku["prepaidUnits"]["enabled"] <= 0:
                continue
            if any(capability in caps for caps in self._sku_caps[sku["skuId"]].values()):
                return True
        return False

    def assigned_plans(self, user: dict) -> list[dict]:
        """assignedPlans as Graph derives them, plus historic rows (capabilityStatus Deleted)."""
        plans = []
        active = {s["skuId"] for s in user.get("licenseAssignmentStates") or [] if s.get("state") == "Active"}
        for lic in user.get("assignedLicenses") or []:
            if lic["skuId"] not in active:
                continue
            sku = self.skus_by_id.get(lic["skuId"])
            if not sku:
                continue
            disabled = set(lic.get("disabledPlans") or [])
            for plan in sku["servicePlans"]:
                if plan["appliesTo"] != "User" or plan["servicePlanId"] in disabled:
                    continue
                plans.append({"assignedDateTime": user.get("createdDateTime"), "capabilityStatus": "Enabled",
                              "service": plan["servicePlanName"], "servicePlanId": plan["servicePlanId"]})
        plans.extend(user.get("_historicPlans") or [])
        return plans

    def recount_consumed(self) -> None:
        """consumedUnits: one seat per user and SKU, however many groups (and direct) grant it."""
        counts = {s["skuId"]: 0 for s in self.skus}
        for u in self.users:
            active = {st["skuId"] for st in u.get("licenseAssignmentStates") or [] if st.get("state") == "Active"}
            for sku_id in active & counts.keys():
                counts[sku_id] += 1
        for s in self.skus:
            s["consumedUnits"] = counts[s["skuId"]]

    def free_seats(self, sku_id: str) -> int:
        s = self.skus_by_id[sku_id]
        return s["prepaidUnits"]["enabled"] - s["consumedUnits"]

    def assign_license(self, user: dict, add: list[dict], remove: list[str]) -> None:
        """POST /users/{id}/assignLicense, with Graph's errors, all or nothing."""
        with self.lock:
            if add and not user.get("usageLocation"):
                raise SimError(400, "Request_BadRequest",
                               "License assignment cannot be done for user with invalid usage location.")
            current = {lic["skuId"]: lic for lic in user.get("assignedLicenses") or []}
            direct = {st["skuId"] for st in user.get("licenseAssignmentStates") or [] if not st.get("assignedByGroup")}
            for sku_id in remove:
                if sku_id not in self.skus_by_id:
                    raise SimError(400, "Request_BadRequest", f"License {sku_id} does not correspond to a valid company License.")
                if sku_id in current and sku_id not in direct:
                    raise SimError(400, "Request_BadRequest",
                                   "User license is inherited from a group membership and it cannot be removed directly from the user.")
            for lic in add:
                sku_id = str(lic.get("skuId", "")).lower()
                sku = self.skus_by_id.get(sku_id)
                if sku is None:
                    raise SimError(400, "Request_BadRequest", f"License {sku_id} does not correspond to a valid company License.")
                plan_ids = {p["servicePlanId"] for p in sku["servicePlans"]}
                for plan in lic.get("disabledPlans") or []:
                    if plan.lower() not in plan_ids:
                        raise SimError(400, "Request_BadRequest",
                                       f"Service plan {plan} does not exist in the license {sku_id}.")
                if sku_id not in current and self.free_seats(sku_id) <= 0:
                    raise SimError(400, "Request_BadRequest",
                                   f"Subscription {sku['skuPartNumber']} does not have any available licenses.")
            # apply; seats are recounted for this user only (a full recount is O(users) per call)
            was = {st["skuId"] for st in user.get("licenseAssignmentStates") or [] if st.get("state") == "Active"}
            states = [st for st in user.get("licenseAssignmentStates") or []
                      if not (st["skuId"] in remove and not st.get("assignedByGroup"))]
            licences = [lic for lic in user.get("assignedLicenses") or [] if lic["skuId"] not in remove
                        or any(st["skuId"] == lic["skuId"] for st in states)]
            for lic in add:
                sku_id = lic["skuId"].lower()
                disabled = [p.lower() for p in lic.get("disabledPlans") or []]
                licences = [x for x in licences if x["skuId"] != sku_id] + [{"disabledPlans": disabled, "skuId": sku_id}]
                states = [st for st in states if not (st["skuId"] == sku_id and not st.get("assignedByGroup"))]
                states.append({"assignedByGroup": None, "disabledPlans": disabled, "error": "None",
                               "lastUpdatedDateTime": self.created + "T08:00:00Z", "skuId": sku_id, "state": "Active"})
            user["assignedLicenses"] = licences
            user["licenseAssignmentStates"] = states
            now = {st["skuId"] for st in states if st.get("state") == "Active"}
            for sku_id in was - now:
                self.skus_by_id[sku_id]["consumedUnits"] -= 1
            for sku_id in now - was:
                self.skus_by_id[sku_id]["consumedUnits"] += 1
