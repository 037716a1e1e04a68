"""Each person's device category, from whole columns of Intune's managed devices and Entra's devices (issue 15).

With Intune in the tenant, a compliant managed device whose primary user (``userId``) is the person counts; without
it, an enabled Entra device the person owns (``registeredOwners``). A provisioned Windows 365 Cloud PC is an
Intune-managed device of its user. The rules per person are ``device_category``'s; this module applies them to
100,000 people by reading each device column once instead of keeping every person's device rows.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import compress
from typing import Any

from ..collect.table import Lists, Table
from ..licensing.capabilities import INTUNE
from .columns import column
from .depth_facts import CLOUD_PC_WORKING

# device categories per person
COMPLIANT_MANAGED = "compliant_managed"
MANAGED_NOT_COMPLIANT = "managed_not_compliant"
ENTRA_ONLY = "entra_only"
NO_DEVICE = "none"

Person = Any  # facts.Person (facts imports this module; no import back)


def device_category(managed: list[dict], entra: list[dict], *, intune: bool, in_intune: set[str] = frozenset()) -> str:
    """One person's device category from Intune's managed devices (by primary user) and their enabled Entra devices.

    Intune's records decide where Intune lists a device for the person. An Entra device with ``isManaged: true``
    is managed by an MDM and its ``isCompliant`` tells compliance, unless Intune lists that very device
    (``azureADDeviceId``) under another primary user: then Intune's join on the user decides and, for this
    person, it is only registered. ``isManaged`` null (what Graph gives a registered device no MDM ever saw)
    or false is a device that is only registered or joined.
    """
    if any(d.get("complianceState") == "compliant" for d in managed):
        return COMPLIANT_MANAGED
    if managed:
        return MANAGED_NOT_COMPLIANT
    mdm = [d for d in entra if d.get("isManaged") is True
           and not (intune and str(d.get("deviceId") or "").lower() in in_intune)]
    if any(d.get("isCompliant") is True for d in mdm):
        return COMPLIANT_MANAGED
    if mdm:
        return MANAGED_NOT_COMPLIANT
    return ENTRA_ONLY if entra else NO_DEVICE


def devices_of(snapshot: Any, by_id: dict[str, Person], tenant_has: set[str]) -> tuple[str | None, str, Any]:
    """Fill ``device`` for everyone; return the rule ("intune" | "entra" | None), why, and the section that blocked it."""
    managed = snapshot.section("managed_devices")
    entra = snapshot.section("devices")
    # Intune: per person, whether any of their managed devices is compliant (False: managed, none compliant)
    # by user id: every user Intune lists, people or not (below, only by_id's keys are looked up: those of people)
    compliant: dict[str, bool] = {}
    if managed.usable:
        for uid, state in zip(column(managed.data, "userId"), column(managed.data, "complianceState")):
            uid = uid or ""
            if not compliant.get(uid):  # one look-up a device, not two (issue 15: 105,000 devices, ~35 ms a pass)
                compliant[uid] = state == "compliant"
    has_intune = INTUNE in tenant_has or (managed.usable and bool(managed.data))
    if has_intune:
        if not managed.usable:
            return None, managed.reason or "Intune managed devices were not collected", managed
        rule = "intune"
    else:
        if not entra.usable:
            return None, entra.reason or "Entra devices were not collected", entra
        rule = "entra"
    rest: set[str] = set()  # people Intune lists nothing for: their Entra devices decide
    for uid, p in by_id.items():
        state = compliant.get(uid)
        if state is not None:  # Intune's records decide (device_category's first two cases)
            p.device = COMPLIANT_MANAGED if state else MANAGED_NOT_COMPLIANT
        elif entra.usable:
            p.device = NO_DEVICE  # unless an Entra device of theirs decides (below, from the devices' columns)
            rest.add(uid)
        else:  # Intune lists nothing for them and their Entra devices (another MDM's, or registered only) are
            p.device = None  # unread: unknown, not "no device" (indep17 #6)
    owned: dict[str, list[int]] = {}  # Entra devices (row numbers) of people in rest, by person id
    found = _owned_from_items(entra.data, rest) if entra.usable else None
    if found is not None:
        owned = found
    elif entra.usable:
        for i, (on, owners) in enumerate(zip(column(entra.data, "accountEnabled", True), column(entra.data, "owners"))):
            if not on:
                continue
            for owner in owners or ():
                if owner in rest:
                    got = owned.get(owner)
                    if got is None:
                        owned[owner] = [i]
                    else:
                        got.append(i)
    if owned:
        _entra_categories([(by_id[uid], rows) for uid, rows in owned.items()], entra.data, managed,
                          intune=rule == "intune")
    for p in by_id.values():
        if p.cloud_pcs and p.device in (NO_DEVICE, ENTRA_ONLY, None) \
                and any(pc.get("status") in CLOUD_PC_WORKING for pc in p.cloud_pcs):
            p.device = COMPLIANT_MANAGED  # a Windows 365 Cloud PC is an Intune-managed device of its user
    why = ("the tenant has Intune: a compliant managed device is required" if rule == "intune"
           else "the tenant has no Intune: an enabled Entra-registered or joined device counts")
    return rule, why, None


def _owned_from_items(data: Any, rest: set[str]) -> dict[str, list[int]] | None:
    """``devices_of``'s ``owned`` read from a Table's owners column held as ``Lists`` (all owners in one flat list,
    an offset per device): the owners among ``rest`` found in the flat list at C speed, each one's device found by
    bisection over the offsets, instead of a list per device for 110,000 devices (issue 15). None when the column is
    not held that way (or holds a value that is neither a list nor empty)."""
    if not isinstance(data, Table) or "owners" not in data.keys:
        return None
    col = data.cols[data.keys.index("owners")]
    if col.__class__ is not Lists or any(col.other.values()):
        return None
    items, offsets = col.items, col.offsets
    try:
        hits = list(compress(range(len(items)), map(rest.__contains__, items)))
    except TypeError:  # an owner that is not a string
        return None
    enabled = column(data, "accountEnabled", True) if hits else []
    owned: dict[str, list[int]] = {}
    for at in hits:  # in device order, each device's owners in their order: as the loop over devices finds them
        i = bisect_right(offsets, at) - 1
        if not enabled[i]:
            continue
        owner = items[at]
        got = owned.get(owner)
        if got is None:
            owned[owner] = [i]
        else:
            got.append(i)
    return owned


def _entra_categories(owned: list[tuple[Person, list[int]]], data: Any, managed: Any, *, intune: bool) -> None:
    """device_category's Entra cases for people with only Entra devices, from the devices' columns."""
    is_managed, is_compliant, device_ids = (column(data, "isManaged"), column(data, "isCompliant"),
                                            column(data, "deviceId"))
    in_intune: set[str] = set()
    if intune and managed.usable and any(is_managed[i] is True for _, rows in owned for i in rows):
        # only where an MDM manages one of these devices does it matter whether Intune lists it (105,000 ids at 100k)
        in_intune = {str(x or "").lower() for x in column(managed.data, "azureADDeviceId")} - {""}
    for p, rows in owned:
        mdm = [i for i in rows if is_managed[i] is True
               and not (intune and str(device_ids[i] or "").lower() in in_intune)]
        if any(is_compliant[i] is True for i in mdm):
            p.device = COMPLIANT_MANAGED
        elif mdm:
            p.device = MANAGED_NOT_COMPLIANT
        else:
            p.device = ENTRA_ONLY
