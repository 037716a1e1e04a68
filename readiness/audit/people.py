"""A person's facts (``Person``) and how 100,000 of them are built from the users' columns (issue 15).

``people_of`` reads each property of the users once, as a whole column (a list of dicts or a ``collect.table.Table``
alike), and makes every Person in one call per person with all its fields: what the same inputs decide is worked out
once per distinct input, not per person. Each distinct timestamp is parsed once; the licence answer is computed once
per distinct pair of licence and assignment-state values (a Table shares equal lists, so that is a handful at 100k);
provisioning once per distinct provisionedPlans value. Values the fast path cannot index (a list where a timestamp
belongs) are read one person at a time, exactly as before.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from itertools import compress, repeat
from operator import add, mul
from typing import Any, Sequence

from . import depth_facts
from .columns import Days, by_value, coded, has_key
from ..collect.table import columns, fields_of

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




def people_of(users: Any, days: Days, caps: dict, sku_by_id: dict, tap: bool | None, is_admin: bool | None,
              sign_in_read: bool) -> list[Person]:
    """A Person per user, every field from whole columns, made with one call each (``facts._build`` joins the other
    sections to them afterwards)."""
    ids, upns, names, places, created, invited = columns(users, "id", "userPrincipalName", "displayName", "usageLocation",
                                                         "createdDateTime", "externalUserStateChangeDateTime")
    if not ids:
        return []
    given: dict[str, Any] = {  # upn and name: "" for a null, the column itself when it has none (all(): C speed)
        "id": ids, "upn": upns if all(upns) else [x or "" for x in upns],
        "name": names if all(names) else [x or "" for x in names],
        # columns of few values (Coded in a Table): each distinct value's answer once, looked up by code
        "department": by_value(users, "department", _or_empty), "enabled": by_value(users, "accountEnabled", bool),
        "user_type": by_value(users, "userType", _or_member), "usage_location": places, "created": created,
        "invited": invited, "tap": repeat(tap), "is_admin": repeat(is_admin)}
    # signInActivity: use lastNonInteractiveSignInDateTime along with lastSignInDateTime to find inactive
    # accounts (https://learn.microsoft.com/graph/api/resources/signinactivity)
    last, usual = _newest_of(days, *fields_of(users, "signInActivity", "lastSignInDateTime",
                                              "lastNonInteractiveSignInDateTime"))
    given["last_sign_in"] = last
    if sign_in_read:  # no sign-in for IDLE_DAYS, unless the account is newer than that (depth_facts.idle_by_sign_in)
        idle_days = depth_facts.IDLE_DAYS
        if usual:  # every one in Graph's usual form: more than IDLE_DAYS ago is before that day's ISO text (issue 15)
            idle = list(map((days.today - timedelta(days=idle_days)).isoformat().__gt__, last))
        else:  # each distinct value judged once (last: strings or None) and looked up at C speed
            stale = {w: (age := days(w)) is None or age > idle_days for w in set(last)}
            idle = list(map(stale.__getitem__, last))
        given["idle"] = idle  # False for most people; those without a recent sign-in are then judged by their age
        for i in list(compress(range(len(idle)), idle)):
            idle[i] = not (days(created[i]) or 0) <= idle_days
    answers = _licence_codes(users, caps, sku_by_id)
    licences = states = None
    if answers is None or answers[-1]:  # rows the codes cannot answer, or licences in error (made per person below)
        licences, states = columns(users, "assignedLicenses", "licenseAssignmentStates")
    given["capabilities"], given["disabled_capabilities"], given["skus"], given["licence_errors"], \
        given["suspended_skus"], errors_at = answers or _licence_columns(licences, states, caps, sku_by_id)
    given["provisioning"] = (by_value(users, "provisionedPlans", depth_facts.not_provisioned, plain=False)
                             or _provisioning(columns(users, "provisionedPlans")[0], has_key(users, "provisionedPlans")))
    people = list(map(Person, *(given[f.name] if f.name in given else repeat(f.default) for f in PERSON_FIELDS)))
    for i in errors_at:  # a licence in error names its group: worked out for each such person, never shared
        _licence_answer(people[i], licences[i], states[i], caps, sku_by_id, {}, {}, {})  # type: ignore[index]
    return people


def _or_empty(value: Any) -> Any:
    return value or ""


def _or_member(value: Any) -> Any:
    return value or "Member"


PERSON_FIELDS = fields(Person)


def _newest_of(days: Days, first: list, second: list) -> tuple[list, bool]:
    """``newest(a, b)`` per pair, and whether every value of both is in Graph's usual form (with a valid day: UTC, one
    width, so it compares as text); each distinct string's form looked up once."""
    try:
        known = days.learn({*first, *second})
        usual = {w: known[w] is not None for w in known}  # Days.graph_form
    except TypeError:  # a value that cannot be indexed (a list where a timestamp belongs): pair by pair
        return [newest(a, b) for a, b in zip(first, second)], False
    if all(usual.values()):  # every one in the usual form (most tenants): max(a, b) is ``b if b > a else a``, at C speed
        return list(map(max, first, second)), True
    return [(b if b > a else a) if usual[a] and usual[b] else newest(a, b) for a, b in zip(first, second)], False


def _licence_columns(licences: list, states: list, caps: dict, sku_by_id: dict) -> tuple:
    """Capabilities, switched-off capabilities, SKUs, licence errors and suspended SKUs per user, worked out once per
    distinct pair of (licence list, assignment states) objects: equal values share one object in a Table, and the
    answer depends on the values alone. Also the positions of people whose answer has errors (made per person)."""
    keys = list(zip(map(id, licences), map(id, states)))
    plan_cache: dict = {}
    lic_cache: dict = {}
    one_sku: dict = {}
    answers: dict[tuple[int, int], tuple] = {}
    scratch = Person("", "", "", "", False, "", None)
    with_errors: set[tuple[int, int]] = set()
    for key, i in dict(zip(keys, range(len(keys)))).items():  # one user per distinct pair
        _licence_answer(scratch, licences[i], states[i], caps, sku_by_id, plan_cache, lic_cache, one_sku)
        answers[key] = (frozenset(scratch.capabilities), frozenset(scratch.disabled_capabilities), tuple(scratch.skus),
                        (), tuple(scratch.suspended_skus))  # read only: shared by everyone with these values
        if scratch.licence_errors:
            with_errors.add(key)
    out = tuple(list(col) for col in zip(*map(answers.__getitem__, keys))) or ([], [], [], [], [])
    errors_at = [i for i, key in enumerate(keys) if key in with_errors] if with_errors else []
    return (*out, errors_at)


def _licence_codes(users: Any, caps: dict, sku_by_id: dict) -> tuple | None:
    """``_licence_columns`` read from the codes of a Table's Coded licence columns (collect/table.py: a byte per row,
    each distinct value once): the answer is worked out once per distinct pair of codes and each output column made by
    looking the codes up, at C speed (issue 15). None when the columns are not held that way."""
    lics, held = coded(users, "assignedLicenses"), coded(users, "licenseAssignmentStates")
    if lics is None or held is None or len(lics.codes) != len(held.codes):
        return None
    width = len(held.palette) or 1
    pairs = lics.codes if width == 1 else list(map(add, map(mul, lics.codes, repeat(width)), held.codes))
    plan_cache: dict = {}
    lic_cache: dict = {}
    one_sku: dict = {}
    scratch = Person("", "", "", "", False, "", None)
    outputs: list[list] = [[None] * (len(lics.palette) * width) for _ in range(5)]
    failing = [False] * (len(lics.palette) * width)
    for pair in set(pairs):
        _licence_answer(scratch, lics.palette[pair // width], held.palette[pair % width] if held.palette else None,
                        caps, sku_by_id, plan_cache, lic_cache, one_sku)
        for out, value in zip(outputs, (frozenset(scratch.capabilities), frozenset(scratch.disabled_capabilities),
                                        tuple(scratch.skus), (), tuple(scratch.suspended_skus))):
            out[pair] = value  # read only: shared by everyone with these values
        failing[pair] = bool(scratch.licence_errors)
    errors_at = list(compress(range(len(pairs)), map(failing.__getitem__, pairs))) if any(failing) else []
    return (*(list(map(out.__getitem__, pairs)) for out in outputs), errors_at)


def _licence_answer(p: Person, lics: Any, held: Any, caps: dict, sku_by_id: dict, plan_cache: dict, lic_cache: dict,
                    one_sku: dict) -> None:
    """One user's licence fields into ``p``, through the caches of what decides them."""
    p.capabilities = p.disabled_capabilities = frozenset()
    p.skus = p.licence_errors = p.suspended_skus = ()
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
    if found is not None:  # shared and immutable: nothing changes a person's licences after this
        p.capabilities, p.disabled_capabilities, p.skus, p.suspended_skus = found
        return
    _licences_cached(p, lics, held, caps, sku_by_id, plan_cache, lic_cache)
    if (sku.__class__ is str or sku == ()) and not p.licence_errors:
        one_sku[sku] = (frozenset(p.capabilities), frozenset(p.disabled_capabilities), tuple(p.skus),
                        tuple(p.suspended_skus))


def _provisioning(plans: list, read: list[bool]) -> list:
    """``depth_facts.not_provisioned`` per user (None where provisionedPlans was not read), once per distinct value
    object (read only: people share it, as they share their licences)."""
    seen: dict[int, Any] = {}
    for plan in {id(x): x for x in plans}.values():
        seen[id(plan)] = depth_facts.not_provisioned(plan)
    got = list(map(seen.__getitem__, map(id, plans)))
    if all(read):
        return got
    return [x if r else None for x, r in zip(got, read)]
