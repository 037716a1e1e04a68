"""Facts derived from a snapshot, shared by the checks and the per-person matrix (pure, cached).

Capabilities come from enabled service plans: assigned licences minus disabled plans, joined to the
tenant's subscribed SKUs; a group licence in error does not count, and assignedPlans history is not
used at all (it keeps deleted rows).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from functools import cached_property
from datetime import date, datetime, timezone

from .. import clock
from ..clock import days_since as clock_days_since
from ..collect.snapshot import Section, Snapshot
from ..collect.table import columns
from ..licensing import capabilities_of_plan, catalog
from ..licensing.capabilities import ENTRA_P1, kit
from . import depth_facts
from .columns import Days, _graph_day, has_key
from .device_facts import COMPLIANT_MANAGED, ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, device_category, devices_of

MEMBER_GUEST_ROLE = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
MFA_METHODS = {"microsoftAuthenticatorPush", "microsoftAuthenticatorPasswordless", "mobilePhone", "alternateMobilePhone",
               "officePhone", "fido2SecurityKey", "softwareOneTimePasscode", "hardwareOneTimePasscode",
               "windowsHelloForBusiness", "passKeyDeviceBound", "passKeyDeviceBoundAuthenticator",
               "passKeyDeviceBoundWindowsHello", "macOsSecureEnclaveKey", "microsoftAuthenticatorPasskey"}
INACTIVE_SKU_STATES = ("Suspended", "Deleted", "LockedOut")


@dataclass(slots=True)  # issue 15: 100,000 of them; slots hold a Person in ~260 bytes instead of ~1.3 KB with its dict
class Person:
    id: str
    upn: str
    name: str
    department: str
    enabled: bool
    user_type: str
    usage_location: str | None
    # Read only: the sequences and sets below are often shared by many people (issue 15: 100,000 Persons with ten
    # fresh lists each were a million objects for the cyclic collector to walk); facts builds them, nobody changes them
    capabilities: frozenset[str] = frozenset()
    disabled_capabilities: frozenset[str] = frozenset()  # in an assigned SKU but switched off
    skus: Sequence[str] = ()  # effective SKU ids
    licence_errors: Sequence[dict] = ()
    suspended_skus: Sequence[str] = ()
    mfa: bool | None = None
    methods: Sequence[str] = ()
    is_admin: bool | None = None
    device: str | None = None  # category, None when not evaluable (from Intune's and Entra's device columns)
    teams_active: bool | None = None
    last_sign_in: str | None = None  # newest of interactive and non-interactive sign-ins
    created: str | None = None  # createdDateTime
    invited: str | None = None  # externalUserStateChangeDateTime (guests: invitation sent or redeemed)
    # issue 14 (audit/depth_facts.py): None where the data was not read
    sspr: bool | None = None  # registered for self-service password reset
    tap: bool | None = None  # a Temporary Access Pass can be issued (policy enabled for all users)
    roles: Sequence[str] = ()  # directory role definition ids
    provisioning: Sequence[str] | None = None  # "mailbox: PendingInput", ...: work services not provisioned
    cloud_pcs: Sequence[dict] = ()
    idle: bool | None = None  # no sign-in or activity for depth_facts.IDLE_DAYS
    teams_account: str | None = None  # teamsUserConfiguration accountType, "none" when not hosted on Teams

    @property
    def can_recover(self) -> bool | None:
        """Can get back in from home after a lost password or phone: SSPR registered or a TAP possible."""
        if self.sspr or self.tap:
            return True
        return None if self.sspr is None or self.tap is None else False  # either unknown: cannot say "no"

    @property
    def last_seen(self) -> str | None:
        """The newest sign-in, or creation/invitation: a guest invited days ago who has not signed in yet is not stale."""
        return newest(self.last_sign_in, self.created, self.invited)

    @property
    def member(self) -> bool:
        """Enabled member: guests never; an external (#EXT#) account of type Member does count."""
        return self.enabled and self.user_type == "Member"

    @property
    def external(self) -> bool:
        return "#EXT#" in self.upn


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
        return [p for p in self.people if p.member]

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


def _instant(when: str | None) -> datetime | None:
    if not when or when.startswith("0001"):
        return None
    try:
        got = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    return got if got.tzinfo else got.replace(tzinfo=timezone.utc)


def newest(*whens: str | None) -> str | None:
    """The latest of several Graph timestamps (None and 0001-01-01 mean never)."""
    best: tuple[datetime, str] | None = None
    for w in whens:
        at = _instant(w)
        if at is not None and (best is None or at > best[0]):
            best = (at, w)  # type: ignore[assignment]
    return best[1] if best else None


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
    people = _people(users, days, caps, sku_by_id, tap, is_admin, sign_in_read)
    by_id = {p.id: p for p in people}
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

    by_upn = {p.upn.lower(): p for p in by_id.values()}
    depth_facts.apply_after_users(snapshot, by_id, today, sign_in_read=sign_in_read, by_upn=by_upn)
    device_rule, device_reason, blocker = devices_of(snapshot, by_id, tenant_has)
    _usage(snapshot, by_id, today, by_upn)
    return Facts(snapshot, people, caps, sku_by_id, tenant_has, device_rule, device_reason, blocker, mfa_source, mfa_reason,
                 today, sign_in_read)


def _people(users: object, days: Days, caps: dict, sku_by_id: dict, tap: bool | None, is_admin: bool | None,
            sign_in_read: bool) -> list[Person]:
    """A Person per user, read column by column (a list of dicts or a Table alike)."""
    (ids, upns, names, departments, enabled, types, places, licences, states, activity, created, invited,
     plans) = columns(users, "id", "userPrincipalName", "displayName", "department", "accountEnabled", "userType",
                      "usageLocation", "assignedLicenses", "licenseAssignmentStates", "signInActivity",
                      "createdDateTime", "externalUserStateChangeDateTime", "provisionedPlans")
    plans_read = has_key(users, "provisionedPlans")
    plan_cache: dict[tuple[str, frozenset[str]], tuple[frozenset[str], frozenset[str]]] = {}
    lic_cache: dict = {}
    one_sku: dict[str | tuple, tuple] = {}  # most people: one licence (or none), nothing switched off
    day_of, graph_form, ages, today = days.of, days.graph_form, days, days.today
    not_provisioned, idle_days = depth_facts.not_provisioned, depth_facts.IDLE_DAYS
    people = []
    append = people.append
    for i, uid in enumerate(ids):
        act = activity[i] or {}
        # signInActivity: use lastNonInteractiveSignInDateTime along with lastSignInDateTime to find inactive
        # accounts (https://learn.microsoft.com/graph/api/resources/signinactivity)
        a, b = act.get("lastSignInDateTime"), act.get("lastNonInteractiveSignInDateTime")
        try:
            usual = day_of[a] is not None and day_of[b] is not None  # parsed before: a date, or None (another form)
        except (KeyError, TypeError):
            usual = graph_form(a) and graph_form(b)
        last = (b if b > a else a) if usual else newest(a, b)  # Graph's usual form (UTC, one width) compares as text
        lics, held = licences[i], states[i]
        found = sku = None
        # one licence, nothing switched off, and no assignment state other than Active (a group's working licence):
        # the answer depends on the SKU alone (_licences: only a SKU's states all failing make it an error)
        if lics.__class__ is list and len(lics) == 1 and (not held or (
                held.__class__ is list and len(held) == 1 and held[0].__class__ is dict
                and held[0].get("state") == "Active")):
            lic = lics[0]
            sku = lic.get("skuId") if lic.__class__ is dict and not lic.get("disabledPlans") else None
            if sku.__class__ is str:
                found = one_sku.get(sku)
        elif not lics and not held:
            sku = ()  # no licence at all: one answer for everybody
            found = one_sku.get(sku)
        p = Person(uid, upns[i] or "", names[i] or "", departments[i] or "", bool(enabled[i]), types[i] or "Member",
                   places[i], last_sign_in=last, created=created[i], invited=invited[i],
                   provisioning=not_provisioned(plans[i]) if plans_read[i] else None, tap=tap, is_admin=is_admin)
        if found is not None:  # shared and immutable: nothing changes a person's licences after this
            p.capabilities, p.disabled_capabilities, p.skus, p.suspended_skus = found
        else:
            _licences_cached(p, lics, held, caps, sku_by_id, plan_cache, lic_cache)
            if (sku.__class__ is str or sku == ()) and not p.licence_errors:
                one_sku[sku] = (frozenset(p.capabilities), frozenset(p.disabled_capabilities), tuple(p.skus),
                                tuple(p.suspended_skus))
        if sign_in_read:  # no sign-in for IDLE_DAYS, unless the account is newer than that (depth_facts.idle_by_sign_in)
            day = day_of.get(last) if usual else None
            age = (today - day).days if day is not None else ages(last)
            p.idle = (not (ages(p.created) or 0) <= idle_days) if age is None or age > idle_days else False
        append(p)
    return people


def _mfa(rows: object, by_id: dict[str, Person], *, fallback: bool, admin_from_report: bool) -> None:
    """The registration report (or its fallback): MFA, methods, SSPR and, without role assignments, isAdmin."""
    ids, methods_col, mfa_col, admin_col, sspr_col = columns(rows, "id", "methodsRegistered", "isMfaRegistered",
                                                             "isAdmin", "isSsprRegistered")
    mfa_read, admin_read = has_key(rows, "isMfaRegistered"), has_key(rows, "isAdmin")
    sspr_methods = depth_facts.SSPR_METHODS
    shared: dict[tuple, tuple[tuple, bool, bool]] = {}  # a few method combinations, each one tuple for everybody
    for i, uid in enumerate(ids):
        p = by_id.get(uid)
        if p is None:
            continue
        registered = methods_col[i] or ()
        key = registered if registered.__class__ is tuple else tuple(registered)
        got = shared.get(key)
        if got is None:
            got = shared[key] = (key, bool(MFA_METHODS & set(key)), bool(sspr_methods & set(key)))
        p.methods = got[0]
        p.mfa = bool(mfa_col[i]) if mfa_read[i] else got[1]
        if admin_from_report:
            p.is_admin = admin_col[i] if admin_read[i] else None
        sspr = sspr_col[i]  # depth_facts.sspr_from: the report's answer, else (fallback) a method that can reset
        if sspr.__class__ is bool:
            p.sspr = sspr
        elif fallback:
            p.sspr = got[2]


def _licences_cached(p: Person, lics: object, states: object, caps: dict, sku_by_id: dict, plan_cache: dict,
                     lic_cache: dict) -> None:
    """``_licences`` for one user, looked up by what decides it (licences, disabled plans, assignment states):
    most people share one of a few combinations. Errors name groups per person and are never shared."""
    lics = lics or ()
    states = states or ()
    try:
        if not states and len(lics) == 1:  # most people: one licence, no group assignment
            lic = lics[0]
            key = (lic.get("skuId"), tuple(lic.get("disabledPlans") or ()))
        else:
            key = (tuple((lic.get("skuId"), tuple(lic.get("disabledPlans") or ())) for lic in lics),
                   tuple((st.get("skuId"), st.get("state")) for st in states))
        hash(key)
    except (TypeError, AttributeError, KeyError):  # odd values (lists where strings belong): no caching, _licences decides
        key = None
    found = lic_cache.get(key) if key is not None else None
    if found is None:
        _licences(p, lics, states, caps, sku_by_id, plan_cache)
        if key is not None and not p.licence_errors:
            lic_cache[key] = (frozenset(p.capabilities), frozenset(p.disabled_capabilities), tuple(p.skus),
                              tuple(p.suspended_skus))
        return
    p.capabilities = found[0]  # shared and immutable: nothing changes a person's capabilities after this
    p.disabled_capabilities = found[1]
    p.skus = found[2]  # shared tuples (read only)
    p.suspended_skus = found[3]


def days_since(when: str | None, today: date) -> int | None:
    """``clock.days_since`` (the same answer for every input), fast for Graph's usual form: the checks and the facts
    ask it a few hundred thousand times at 100,000 people."""
    day = _graph_day(when)
    return (today - day).days if day is not None else clock_days_since(when, today)


def _licences(p: Person, lics: object, assignment_states: object, caps: dict, sku_by_id: dict,
              plan_cache: dict | None = None) -> None:
    plan_cache = {} if plan_cache is None else plan_cache
    errors: list[dict] = []
    suspended: list[str] = []
    skus: list[str] = []
    states: dict[str, list[dict]] = {}
    for st in assignment_states or []:
        states.setdefault(str(st.get("skuId", "")).lower(), []).append(st)
    for lic in lics or []:
        sku_id = str(lic.get("skuId", "")).lower()
        sku_states = states.get(sku_id, [])
        if sku_states and not any(s.get("state") == "Active" for s in sku_states):
            for s in sku_states:
                errors.append({"skuId": sku_id, "group": s.get("assignedByGroup"), "state": s.get("state"),
                                         "error": s.get("error")})
            continue
        if (sku_by_id.get(sku_id) or {}).get("capabilityStatus") in INACTIVE_SKU_STATES:
            suspended.append(sku_id)
            continue
        disabled = frozenset(str(x).lower() for x in lic.get("disabledPlans") or ())
        skus.append(sku_id)
        key = (sku_id, disabled)
        found = plan_cache.get(key)
        if found is None:  # what one SKU with these plans switched off gives: the same for most people
            on: set[str] = set()
            off: set[str] = set()
            for plan_id, plan_caps in caps.get(sku_id, {}).items():
                (off if plan_id in disabled else on).update(plan_caps)
            found = plan_cache[key] = (frozenset(on), frozenset(off))
        p.capabilities |= found[0]
        p.disabled_capabilities |= found[1]
    p.disabled_capabilities -= p.capabilities
    p.licence_errors, p.suspended_skus, p.skus = errors or (), suspended or (), skus or ()


def _usage(snapshot: Snapshot, by_id: dict[str, Person], today: date, by_upn: dict[str, Person] | None = None) -> None:
    sec = snapshot.section("teams_usage")
    if not sec.usable:
        return
    rows = (sec.data or {}).get("rows") or []
    # Usage reports lag by days: activity age counts from the report's own refresh date, not from collection
    refreshed = _date_or_none((sec.data or {}).get("reportRefreshDate"))
    if refreshed is not None:
        today = refreshed
    if by_upn is None:
        by_upn = {p.upn.lower(): p for p in by_id.values()}
    for p in by_id.values():
        p.teams_active = False
    active: dict[object, bool] = {}  # lastActivityDate -> active: a report holds a few hundred distinct days
    for row in rows:
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


__all__ = ["COMPLIANT_MANAGED", "ENTRA_ONLY", "ENTRA_P1", "Facts", "MANAGED_NOT_COMPLIANT", "MEMBER_GUEST_ROLE",
           "NO_DEVICE", "Person", "days_since", "device_category", "facts", "newest", "ready_capabilities"]
