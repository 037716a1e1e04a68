"""Facts derived from a snapshot, shared by the checks and the per-person matrix (pure, cached).

Capabilities come from enabled service plans: assigned licences minus disabled plans, joined to the
tenant's subscribed SKUs; a group licence in error does not count, and assignedPlans history is not
used at all (it keeps deleted rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from datetime import date, datetime

from .. import clock
from ..clock import days_since  # re-exported: the checks import it from here
from ..collect.snapshot import Section, Snapshot
from ..collect.table import columns
from ..licensing import capabilities_of_plan, catalog
from ..licensing.capabilities import ENTRA_P1, kit
from . import depth_facts
from .columns import Days, by_value, has_key, in_order
from .people import INACTIVE_SKU_STATES, Person, newest, people_of
from .device_facts import COMPLIANT_MANAGED, ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, device_category, devices_of

MEMBER_GUEST_ROLE = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
MFA_METHODS = {"microsoftAuthenticatorPush", "microsoftAuthenticatorPasswordless", "mobilePhone", "alternateMobilePhone",
               "officePhone", "fido2SecurityKey", "softwareOneTimePasscode", "hardwareOneTimePasscode",
               "windowsHelloForBusiness", "passKeyDeviceBound", "passKeyDeviceBoundAuthenticator",
               "passKeyDeviceBoundWindowsHello", "macOsSecureEnclaveKey", "microsoftAuthenticatorPasskey"}


@dataclass
class Facts:
    snapshot: Snapshot
    people: list[Person]
    sku_caps: dict[str, dict[str, frozenset[str]]]  # skuId -> planId -> capabilities
    sku_by_id: dict[str, dict]
    tenant_has: set[str]
    device_rule: str | None  # "intune" | "entra" | None (not evaluable)
    device_reason: str
    device_blocker: Section | None  # the section that made devices not evaluable
    mfa_source: str | None  # "report" | "fallback" | None
    mfa_reason: str
    today: date
    sign_in_read: bool = False  # signInActivity was read for anyone (else idleness comes from the usage report)

    @cached_property
    def members(self) -> list[Person]:
        """Built once: the checks ask for it about 25 times (at 100k people each copy cost ~5 ms)."""
        return [p for p in self.people if p.enabled and p.user_type == "Member"]  # Person.member, inline

    @cached_property
    def members_by_device(self) -> dict[str | None, list[Person]]:
        """Members by device category, each list in member order, but those with a compliant managed device (most
        people; no check lists them): one pass for the five checks that ask (issue 15)."""
        by: dict[str | None, list[Person]] = {}
        for p in self.members:
            device = p.device
            if device != COMPLIANT_MANAGED:
                got = by.get(device)
                if got is None:
                    by[device] = [p]
                else:
                    got.append(p)
        return by

    def members_with_device(self, category: str | None) -> list[Person]:
        """The members whose device category is ``category`` (a list of their own, in member order)."""
        if category == COMPLIANT_MANAGED:
            return [p for p in self.members if p.device == category]
        return list(self.members_by_device.get(category, ()))

    @cached_property
    def guests(self) -> list[Person]:
        return [p for p in self.people if p.user_type == "Guest"]

    def sku_name(self, sku_id: str) -> str:
        names = self.__dict__.setdefault("_sku_names", {})  # one look-up per SKU, not per person
        name = names.get(sku_id)
        if name is None:
            sku = self.sku_by_id.get(sku_id) or {}
            name = names[sku_id] = catalog().friendly_name(sku_id, sku.get("skuPartNumber", ""))
        return name


def _today(snapshot: Snapshot) -> date:
    try:
        return datetime.fromisoformat(snapshot.collected_at.replace("Z", "+00:00")).date()
    except ValueError:
        return clock.today()


def _date_or_none(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def facts(snapshot: Snapshot) -> Facts:
    cached = snapshot._cache.get("facts")
    if cached is None:
        cached = snapshot._cache["facts"] = _build(snapshot)
    return cached


def _sku_caps(skus: list[dict]) -> dict[str, dict[str, frozenset[str]]]:
    out: dict[str, dict[str, frozenset[str]]] = {}
    cat = catalog()
    for sku in skus:
        plans = sku.get("servicePlans") or []
        if not plans and (info := cat.sku(sku.get("skuId", ""))):
            plans = [{"servicePlanId": pid, "servicePlanName": name, "appliesTo": "User"} for pid, name in info.plans]
        out[sku.get("skuId", "").lower()] = {
            str(p.get("servicePlanId", "")).lower(): capabilities_of_plan(p.get("servicePlanName", ""))
            for p in plans if p.get("appliesTo", "User") == "User"
        }
    return out


def _build(snapshot: Snapshot) -> Facts:
    """Every person's facts in one pass over the users' columns, joined to the other sections through indexes (by id,
    by UPN) built once: at 100,000 people the checks and the matrix then read these facts instead of rescanning.
    Each distinct timestamp is parsed once; people with the same licences share one answer (issue 15)."""
    today = _today(snapshot)
    skus = snapshot.data("skus", []) or []
    sku_by_id = {s.get("skuId", "").lower(): s for s in skus}
    caps = _sku_caps(skus)
    tenant_has: set[str] = set()
    for sku in skus:
        if sku.get("capabilityStatus") == "Enabled" and int((sku.get("prepaidUnits") or {}).get("enabled") or 0) > 0:
            for plan_caps in caps.get(sku.get("skuId", "").lower(), {}).values():
                tenant_has |= plan_caps

    users = snapshot.data("users", []) or []
    # sign-in activity read for anyone: idleness comes from it (else from the active user report, below)
    sign_in_read = bool(users) and any(has_key(users, "signInActivity"))
    tap = (depth_facts.tap_for_everyone(snapshot.data("auth_methods_policy"))
           if snapshot.section("auth_methods_policy").usable else None)
    is_admin = False if snapshot.section("roles").usable else None  # role assignments decide who is an administrator
    days = Days(today)
    people = people_of(users, days, caps, sku_by_id, tap, is_admin, sign_in_read)
    by_id = dict(zip(columns(users, "id")[0], people))  # each Person's id is its user's (no pass over the people)
    if len(by_id) != len(people):  # the same id twice: only the last one is joined to anything (as before)
        for p in people:
            if by_id[p.id] is not p:
                p.provisioning = p.tap = p.idle = None
                p.is_admin = None

    mfa_sec = snapshot.section("mfa")
    mfa_source, mfa_reason = None, mfa_sec.reason or "MFA registration was not collected"
    if mfa_sec.usable:
        mfa_source = "fallback" if mfa_sec.status == "fallback" else "report"
        _mfa(mfa_sec.data or [], by_id, fallback=mfa_sec.status == "fallback", admin_from_report=is_admin is None)

    by_upn = depth_facts.ByUpn(by_id)
    depth_facts.apply_after_users(snapshot, by_id, today, sign_in_read=sign_in_read, by_upn=by_upn)
    device_rule, device_reason, blocker = devices_of(snapshot, by_id, tenant_has)
    _usage(snapshot, by_id, today, by_upn)
    return Facts(snapshot, people, caps, sku_by_id, tenant_has, device_rule, device_reason, blocker, mfa_source, mfa_reason,
                 today, sign_in_read)


def _mfa(rows: object, by_id: dict[str, Person], *, fallback: bool, admin_from_report: bool) -> None:
    """The registration report (or its fallback): MFA, methods, SSPR and, without role assignments, isAdmin."""
    ids, admin_col, sspr_col = columns(rows, "id", "isAdmin", "isSsprRegistered")
    mfa_read, admin_read = has_key(rows, "isMfaRegistered"), has_key(rows, "isAdmin")
    sspr_methods = depth_facts.SSPR_METHODS
    shared: dict[tuple, tuple[tuple, bool, bool]] = {}  # a few method combinations, each one tuple for everybody

    def registered(methods: object) -> tuple[tuple, bool, bool]:
        """The methods as one shared tuple, and whether they make MFA and SSPR registered."""
        key = methods if methods.__class__ is tuple else tuple(methods or ())  # type: ignore[arg-type]
        got = shared.get(key)
        if got is None:
            got = shared[key] = (key, bool(MFA_METHODS & set(key)), bool(sspr_methods & set(key)))
        return got

    # each distinct value answered once (a Table's Coded columns: by code), then one pass over the rows (issue 15)
    answers = by_value(rows, "methodsRegistered", registered)
    # where the report lists by_id's people in by_id's order, each row is its person without a look-up (issue 15)
    people = in_order(ids, by_id) or map(by_id.get, ids)
    for p, got, mfa, read, admin, admin_known, sspr in zip(people, answers, by_value(rows, "isMfaRegistered", bool),
                                                           mfa_read, admin_col, admin_read, sspr_col):
        if p is None:
            continue
        p.methods = got[0]
        p.mfa = mfa if read else got[1]
        if admin_from_report:
            p.is_admin = admin if admin_known else None
        if sspr.__class__ is bool:  # depth_facts.sspr_from: the report's answer, else (fallback) a method that can reset
            p.sspr = sspr
        elif fallback:
            p.sspr = got[2]


def _usage(snapshot: Snapshot, by_id: dict[str, Person], today: date, by_upn: depth_facts.ByUpn | None = None) -> None:
    sec = snapshot.section("teams_usage")
    if not sec.usable:
        return
    rows = (sec.data or {}).get("rows") or []
    # Usage reports lag by days: activity age counts from the report's own refresh date, not from collection
    refreshed = _date_or_none((sec.data or {}).get("reportRefreshDate"))
    if refreshed is not None:
        today = refreshed
    if by_upn is None:
        by_upn = depth_facts.ByUpn(by_id)  # made whole only if a row's userId is not a person's
    active: dict[object, bool] = {}  # lastActivityDate -> active: a report holds a few hundred distinct days
    people = in_order([row.get("userId") or "" for row in rows], by_id)  # rows in the users' order: no look-ups
    if people is None or len(people) < len(by_id):  # someone without a row of their own (else each gets one below)
        for p in by_id.values():
            p.teams_active = False
    for row, p in zip(rows, people or repeat(None)):
        if p is None:
            p = by_id.get(row.get("userId") or "") or by_upn.get((row.get("userPrincipalName") or "").lower())
        if p is None:
            continue
        last = row.get("lastActivityDate")
        try:
            p.teams_active = active[last]
        except (KeyError, TypeError):
            age = days_since(last, today)
            p.teams_active = age is not None and age <= 30
            if isinstance(last, str):
                active[last] = p.teams_active


_KITS: dict[frozenset[str], dict[str, bool]] = {}


def ready_capabilities(p: Person) -> dict[str, bool]:
    """The kit a person's capabilities give (a fresh dict; the few distinct answers are computed once)."""
    key = frozenset(p.capabilities)
    got = _KITS.get(key)
    if got is None:
        got = _KITS[key] = kit(key)
    return dict(got)


__all__ = ["COMPLIANT_MANAGED", "ENTRA_ONLY", "ENTRA_P1", "Facts", "INACTIVE_SKU_STATES", "MANAGED_NOT_COMPLIANT",
           "MEMBER_GUEST_ROLE", "NO_DEVICE", "Person", "days_since", "device_category", "facts", "newest", "ready_capabilities"]
