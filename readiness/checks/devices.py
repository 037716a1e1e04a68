"""Devices: does everyone have a managed, compliant device to work on from home?"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import compress, repeat
from operator import ne
from typing import Iterable

from ..licensing.capabilities import INTUNE
from ..clock import graph_days
from ..i18n import Message
from .common import finding, names
from ..audit.columns import Days, column, values_at
from ..audit.facts import ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, facts
from .model import Finding, Status
from .registry import check
from .unavailable import describe

PLATFORM_TYPES = {"Windows": "windows10CompliancePolicy", "iOS": "iosCompliancePolicy",
                  "Android": "androidCompliancePolicy", "macOS": "macOSCompliancePolicy"}
# what a person without a device needs, one of (language-free codes; devices.autopilot_stock, devices.cloud_pc and
# devices.app_protection say which of them the tenant has): a company device enrolled in Intune (Autopilot stock can
# be shipped), a Windows 365 Cloud PC, a personal device registered in Entra ID (phones under app protection)
DEVICE_PATHS = ("company_device_intune", "autopilot_stock", "windows365_cloud_pc", "personal_device_entra_registered")


def _need_rule(snapshot, check_id: str):  # noqa: ANN001, ANN202
    f = facts(snapshot)
    if f.device_rule is None:
        why = describe(f.device_blocker) if f.device_blocker else f.device_reason
        return f, finding(Status.NOT_EVALUABLE, Message("engine.not_checked", {"why": why}))
    return f, None


def need_every_device(snapshot):  # noqa: ANN001, ANN202
    """``_need_rule``, and every member's device known: with Intune, a member Intune lists nothing for is judged by
    their Entra devices, so unread Entra devices leave them unknown (device_facts), and a count of members without a
    device would be a guess (indep17 #6: 666 "without a device" where 563 were)."""
    f, blocked = _need_rule(snapshot, "")
    if blocked is None and f.members_with_device(None):
        blocked = finding(Status.NOT_EVALUABLE, Message("engine.not_checked", {"why": describe(snapshot.section("devices"))}))
    return f, blocked


# no playbook step hands out a device: a person needs one of DEVICE_PATHS (named in the evidence)
@check(id="devices.members_without_device", area="devices", severity="critical",
       requires=("users",), fix_playbook=None, effort="days")
def members_without_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = need_every_device(snapshot)
    if blocked:
        yield blocked
        return
    none = f.members_with_device(NO_DEVICE)
    ev = {"rule": f.device_rule, "members": len(f.members), "without_device": names(none), "device_paths": DEVICE_PATHS,
          "source": "/deviceManagement/managedDevices userId" if f.device_rule == "intune" else "/devices registeredOwners"}
    if none:
        yield finding(Status.FAIL, "fail", {"n": len(none), "members": len(f.members)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


# a compliance policy judges devices, it does not fix them: their users or IT must (no playbook step can)
@check(id="devices.noncompliant", area="devices", severity="high",
       requires=("managed_devices",), fix_playbook=None, effort="days")
def noncompliant(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []  # read as columns: 100,000 rows (issue 15)
    compliance = column(devices, "complianceState")
    states: dict = {}
    try:  # each distinct state counted at C speed, then the empty ones merged into "unknown" (first-seen order kept)
        for state, n in Counter(compliance).items():
            state = state or "unknown"
            states[state] = states.get(state, 0) + n
    except TypeError:  # an odd value (a list): one by one
        states = dict(Counter(state or "unknown" for state in compliance))
    bad = list(compress(range(len(compliance)), map(ne, compliance, repeat("compliant"))))
    ev = {"devices": len(devices), "by_state": states, "sample": values_at(devices, "deviceName", bad[:25]),
          "source": "/deviceManagement/managedDevices complianceState"}
    if not devices:
        yield finding(Status.WARN, "warn", **ev)
    elif bad:
        share = len(bad) / len(devices)
        yield finding(Status.FAIL if share > 0.1 else Status.WARN, "result", {"n": len(bad), "devices": len(devices)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(devices)}, **ev)


@check(id="devices.people_with_noncompliant_device", area="devices", severity="high",
       requires=("users", "managed_devices"), fix_playbook=None, effort="days")  # see devices.noncompliant
def people_with_noncompliant_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = _need_rule(snapshot, "devices.people_with_noncompliant_device")
    if blocked:
        yield blocked
        return
    hit = f.members_with_device(MANAGED_NOT_COMPLIANT)
    unmanaged = f.members_with_device(ENTRA_ONLY)
    ev = {"not_compliant": names(hit), "registered_not_managed": names(unmanaged), "source": "/deviceManagement/managedDevices"}
    if hit:
        yield finding(Status.FAIL, "fail", {"n": len(hit)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="devices.compliance_policies", area="devices", severity="high",
       requires=("managed_devices", "compliance_policies"), fix_playbook="secure-remote-access", effort="hours")
def compliance_policies(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []
    policies = snapshot.data("compliance_policies", []) or []
    kinds = {str(p.get("@odata.type", "")).rsplit(".", 1)[-1] for p in policies}
    used = set(column(devices, "operatingSystem"))
    missing = sorted(pl for pl, kind in PLATFORM_TYPES.items() if pl in used and kind not in kinds)
    ev = {"platforms_in_use": sorted(x for x in used if x), "policy_types": sorted(kinds), "missing": missing,
          "source": "/deviceManagement/deviceCompliancePolicies"}
    if not policies:
        yield finding(Status.FAIL, "fail", **ev)
    elif missing:
        yield finding(Status.FAIL, "fail_2", {"value": ', '.join(missing)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="devices.encryption", area="devices", severity="medium",
       requires=("managed_devices",), fix_playbook=None, effort="hours")  # encrypting is done on the device
def encryption(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    devices = snapshot.data("managed_devices", []) or []
    plain = [i for i, encrypted in enumerate(column(devices, "isEncrypted")) if encrypted is False]
    ev = {"devices": len(devices), "unencrypted": len(plain), "sample": values_at(devices, "deviceName", plain[:25]),
          "source": "/deviceManagement/managedDevices isEncrypted"}
    if plain:
        yield finding(Status.WARN, "warn", {"n": len(plain), "devices": len(devices)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="devices.stale_sync", area="devices", severity="low", requires=("managed_devices",), effort="hours")
def stale_sync(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    devices = snapshot.data("managed_devices", []) or []
    stale = stale_rows(column(devices, "lastSyncDateTime"), f.today)
    ev = {"devices": len(devices), "stale": len(stale), "sample": values_at(devices, "deviceName", stale[:25]),
          "source": "/deviceManagement/managedDevices lastSyncDateTime"}
    if stale:
        yield finding(Status.WARN, "warn", {"n": len(stale)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


def stale_rows(synced: list, today: date) -> list[int]:
    """The rows whose last sync is more than 30 days before ``today``, or unknown (``Days``: None). Every row's day in
    Graph's usual form at once (``graph_days``: one regular-expression pass), each distinct day judged once; a column
    it cannot read at once (a null, an odd value) by each distinct value."""
    days, cutoff = Days(today), today - timedelta(days=30)  # older than 30 days: a day before this one
    try:
        found = graph_days(synced)
    except TypeError:  # a value that is not a string (null): each distinct sync time judged once
        found = None
    return _stale_by_day(found, synced, days, cutoff) if found is not None else _stale_by_value(synced, days, cutoff)


def _stale_by_day(found: list, synced: list, days: Days, cutoff: date) -> list[int]:
    """stale_sync's rows from ``graph_days``' answer: each distinct day (one shared date object each, a few hundred at
    100k devices) judged once and the rows found through it at C speed; rows not in Graph's usual form (None) read in
    full by ``days`` one by one, as always (issue 15: a per-row comparison took 30-40 ms at 105,000 devices)."""
    distinct = set(found)
    old = {day: day < cutoff for day in distinct if day is not None}
    if len(old) == len(distinct):  # every row in the usual form
        return list(compress(range(len(found)), map(old.__getitem__, found)))
    return [i for i, (day, when) in enumerate(zip(found, synced))
            if (old[day] if day is not None else (age := days(when)) is None or age > 30)]


def _stale_by_value(synced: list, days: Days, cutoff: date) -> list[int]:
    """stale_sync's rows for a column ``graph_days`` cannot read at once: each distinct sync time judged once."""
    try:
        distinct = set(synced)
        of = days.learn(distinct)  # each one's day (None: not in Graph's usual form; days() reads it in full)
        old = {when for when in distinct if (day := of[when]) is not None and day < cutoff
               or day is None and ((age := days(when)) is None or age > 30)}
        return [i for i, when in enumerate(synced) if when in old]
    except TypeError:  # an odd value (a list): one by one
        return [i for i, when in enumerate(synced) if (age := days(when)) is None or age > 30]


@check(id="devices.intune_available", area="devices", severity="medium", requires=("skus",), effort="days")
def intune_available(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    ev = {"tenant_has_intune": INTUNE in f.tenant_has, "source": "/subscribedSkus servicePlans"}
    if INTUNE in f.tenant_has:
        yield finding(Status.PASS, "pass", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="devices.registered_not_managed", area="devices", severity="medium",
       requires=("users", "managed_devices", "devices"), fix_playbook=None, effort="days")  # enrolment is done on the device
def registered_not_managed(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f, blocked = _need_rule(snapshot, "devices.registered_not_managed")
    if blocked:
        yield blocked
        return
    hit = f.members_with_device(ENTRA_ONLY)
    ev = {"people": names(hit), "source": "/devices registeredOwners vs /deviceManagement/managedDevices"}
    if hit:
        yield finding(Status.WARN, "warn", {"n": len(hit)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)

