"""Devices beyond Intune-managed PCs: Windows 365 Cloud PCs, app protection for personal phones, Autopilot stock."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from ..audit.columns import coded, column
from ..audit.depth_facts import CLOUD_PC_WORKING
from ..audit.facts import NO_DEVICE, facts
from .devices import need_every_device
from .common import finding, names
from .model import Finding, Status
from .registry import check

MAM_TYPES = {"iOS": "#microsoft.graph.iosManagedAppProtection", "Android": "#microsoft.graph.androidManagedAppProtection"}


@check(id="devices.cloud_pc", area="devices", severity="medium", requires=("cloud_pcs", "users"), effort="hours")
def cloud_pc(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Cloud PCs provisioned for their users (https://learn.microsoft.com/graph/api/resources/cloudpc, status)."""
    pcs = snapshot.data("cloud_pcs", []) or []
    f = facts(snapshot)
    not_ready = [pc for pc in pcs if pc.get("status") not in CLOUD_PC_WORKING]
    ev = {"cloud_pcs": len(pcs), "not_provisioned": [f"{pc.get('managedDeviceName') or pc.get('displayName')}: {pc.get('status')}"
                                                     for pc in not_ready][:25],
          "people_with_cloud_pc": names([p for p in f.members if p.cloud_pcs]),
          "source": "/deviceManagement/virtualEndpoint/cloudPCs status"}
    if not_ready:
        yield finding(Status.WARN, "warn", {"n": len(not_ready), "total": len(pcs)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(pcs)}, **ev)


@check(id="devices.app_protection", area="devices", severity="medium", requires=("app_protection", "devices"), effort="hours")
def app_protection(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Personal phones (Entra-registered iOS/Android devices no MDM manages) need an app protection policy for their
    platform (https://learn.microsoft.com/graph/api/resources/intune-mam-managedapppolicy)."""
    policies = snapshot.data("app_protection", []) or []
    kinds = {str(p.get("@odata.type") or "") for p in policies}
    devices = snapshot.data("devices", []) or []  # read as columns: 110,000 rows at 100k people (issue 15)
    phones = _personal_phones(devices)
    typed = any(k for k in kinds)  # $select without @odata.type: a policy of unknown platform covers both
    uncovered = sorted(os for os in phones if typed and MAM_TYPES[os] not in kinds) if policies else sorted(phones)
    ev = {"policies": [p.get("displayName") for p in policies], "personal_phones": [f"{os}: {n}" for os, n in sorted(phones.items())],
          "uncovered": uncovered,
          "source": "/deviceAppManagement/managedAppPolicies, /devices"}
    if uncovered:
        yield finding(Status.FAIL, "fail", {"n": sum(phones[o] for o in uncovered), "platforms": ", ".join(uncovered)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": sum(phones.values())}, **ev)


def _personal_phones(devices: Any) -> dict[str, int]:
    """Enabled iOS/Android devices no MDM manages, counted by operating system. Where the three columns are a Table's
    Coded columns (a byte per row, each distinct value once), each distinct combination of codes is counted at C speed
    and judged once; otherwise row by row."""
    cols = [coded(devices, "operatingSystem"), coded(devices, "isManaged"), coded(devices, "accountEnabled")]
    phones: dict[str, int] = {}
    if all(col is not None for col in cols):
        systems, managed, enabled = (col.palette for col in cols)  # type: ignore[union-attr]
        for (s, m, e), n in Counter(zip(*(col.codes for col in cols))).items():  # type: ignore[union-attr]
            os_name = str(systems[s] or "")
            if os_name in MAM_TYPES and managed[m] is not True and enabled[e]:
                phones[os_name] = phones.get(os_name, 0) + n
        return phones
    for os_name, managed_, enabled_ in zip(column(devices, "operatingSystem"), column(devices, "isManaged"),
                                           column(devices, "accountEnabled", True)):
        os_name = str(os_name or "")
        if os_name in MAM_TYPES and managed_ is not True and enabled_:
            phones[os_name] = phones.get(os_name, 0) + 1
    return phones


@check(id="devices.autopilot_stock", area="devices", severity="low", requires=("autopilot", "users"), effort="days")
def autopilot_stock(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Autopilot devices without a user are stock to ship to people without a device
    (https://learn.microsoft.com/graph/api/resources/intune-enrollment-windowsautopilotdeviceidentity)."""
    f, blocked = need_every_device(snapshot)
    if blocked:  # who lacks a device is unknown: the stock cannot be matched to them
        yield blocked
        return
    stock = [d for d in snapshot.data("autopilot", []) or []
             if not d.get("userPrincipalName") and d.get("enrollmentState") in (None, "notContacted", "unknown")]
    without = f.members_with_device(NO_DEVICE)
    ev = {"stock": [d.get("serialNumber") for d in stock][:25], "stock_count": len(stock), "without_device": names(without),
          "source": "/deviceManagement/windowsAutopilotDeviceIdentities"}
    if without and stock:
        yield finding(Status.WARN, "ship", {"n": len(without), "stock": len(stock)}, **ev)
    elif without:
        yield finding(Status.WARN, "no_stock", {"n": len(without)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"stock": len(stock)}, **ev)
