"""Keep 100,000-user snapshots small in memory: share what repeats, drop what no check reads.

Measured on the simulator (benchmarks/results/audit.json): a user as parsed from Graph costs about
2.5 KB in Python; most of it is repeated values (SKU ids, states, departments) and identical licence
entries. Interning those and sharing identical, never-mutated licence structures brings a user to
about 1 KB. Items are compacted page by page, so parsed pages are freed as they stream in.
"""
from __future__ import annotations

import sys
from typing import Any

_intern = sys.intern
USER_FIELDS = ("userType", "usageLocation", "department", "country")
DEVICE_FIELDS = ("operatingSystem", "osVersion", "complianceState", "managedDeviceOwnerType", "trustType")
REGISTRATION_FIELDS = ("userType",)
SIGN_IN_FIELDS = ("lastSignInDateTime", "lastNonInteractiveSignInDateTime")


class Compactor:
    """One per collection run: caches shared between all items of a section."""

    def __init__(self, fields: tuple[str, ...] = DEVICE_FIELDS) -> None:
        self.fields = fields
        self._shared: dict[Any, Any] = {}

    def _one(self, key: Any, make: Any) -> Any:
        found = self._shared.get(key)
        if found is None:
            self._shared[key] = found = make()
        return found

    def item(self, item: dict) -> dict:
        for key in self.fields:
            value = item.get(key)
            if value.__class__ is str:
                item[key] = _intern(value)
        return item

    def user(self, u: dict) -> dict:
        """Users: shared licence lists; only informative licence states; last interactive and non-interactive sign-in."""
        for key in USER_FIELDS:
            value = u.get(key)
            if value.__class__ is str:
                u[key] = _intern(value)
        u["assignedLicenses"] = self.licences(u.get("assignedLicenses"))
        u["licenseAssignmentStates"] = self.states(u.get("licenseAssignmentStates"))
        if u.get("provisionedPlans"):  # most people share the same few rows
            u["provisionedPlans"] = self.plans(u["provisionedPlans"])
        if "signInActivity" in u:
            u["signInActivity"] = sign_in(u["signInActivity"])
        return u

    # one value of a user's property each: the collection applies them a column at a time (collect/columns.py)
    def licences(self, value: Any) -> list:
        keys = tuple((str(x.get("skuId", "")).lower(), tuple(sorted(str(p).lower() for p in x.get("disabledPlans") or ())))
                     for x in value or ())
        return self._one(("L",) + keys, lambda: [
            self._one(k, lambda k=k: {"skuId": k[0], "disabledPlans": list(k[1])}) for k in keys])

    def states(self, value: Any) -> list:
        states = tuple((str(st.get("skuId", "")).lower(), st.get("assignedByGroup"), st.get("state"), st.get("error"),
                        tuple(sorted(st.get("disabledPlans") or ())))
                       for st in value or ()
                       if st.get("assignedByGroup") or st.get("state") != "Active")  # direct+active says nothing new
        return self._one(("S",) + states, lambda: [
            self._one(k, lambda k=k: {"skuId": k[0], "assignedByGroup": k[1], "state": k[2], "error": k[3],
                                      "disabledPlans": list(k[4])}) for k in states])

    def plans(self, value: Any) -> Any:
        if not value:
            return value
        rows = tuple((str(p.get("service") or ""), str(p.get("provisioningStatus") or ""), str(p.get("capabilityStatus") or ""))
                     for p in value if isinstance(p, dict))
        return self._one(("P",) + rows, lambda: [
            {"service": r[0], "provisioningStatus": r[1], "capabilityStatus": r[2]} for r in rows])

    def methods(self, value: Any) -> list:
        methods = tuple(value or ())
        return self._one(("M",) + methods, lambda: list(methods))

    def registration(self, row: dict) -> dict:
        value = row.get("userType")
        if value.__class__ is str:
            row["userType"] = _intern(value)
        row["methodsRegistered"] = self.methods(row.get("methodsRegistered"))
        return row


def sign_in(act: Any) -> dict:
    """Interactive and non-interactive sign-ins together tell whether an account is in use
    (https://learn.microsoft.com/graph/api/resources/signinactivity)."""
    act = act or {}
    return {k: act[k] for k in SIGN_IN_FIELDS if act.get(k)}
