"""Licences and free seats: who has what, who is blocked, and what has to be bought."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import EXCHANGE, ONEDRIVE, SHAREPOINT, TEAMS, kit
from ..i18n import Message
from .common import finding, names
from ..audit.facts import INACTIVE_SKU_STATES, facts
from .model import Finding, Status
from .registry import check

WORK_CAPS = {TEAMS, EXCHANGE}
_WORK_SERVICES = frozenset({TEAMS, EXCHANGE, SHAREPOINT, ONEDRIVE})  # switched off, one of them takes work away


_FULL_KIT: dict[frozenset[str], bool] = {}


def _full_kit(caps: set[str] | frozenset[str]) -> bool:
    if not isinstance(caps, frozenset):
        return all(kit(caps).values())
    got = _FULL_KIT.get(caps)  # people share a few capability sets (audit/facts.py)
    if got is None:
        got = _FULL_KIT[caps] = all(kit(caps).values())
    return got


def _lacking_kit(members: list) -> list:
    """The members whose licences carry neither the kit nor the kit with a plan switched off: each distinct set of
    capabilities judged once (people share a few, audit/facts.py), looked up per member without a call (issue 15)."""
    full: dict = {}
    lacking = []
    for p in members:
        caps = p.capabilities
        try:
            whole = full[caps]
        except KeyError:
            whole = full[caps] = _full_kit(caps)
        except TypeError:  # not hashable (a set): judged on its own
            whole = _full_kit(caps)
        if not whole and not _full_kit(caps | p.disabled_capabilities):
            lacking.append(p)
    return lacking


def seat_plan(f) -> dict:  # noqa: ANN001 - Facts
    """Members lacking the remote-work kit, and free seats of SKUs that carry all of it.

    People whose licence carries the kit with a plan switched off need no new seat (switch it on);
    they are counted apart, as the enable_service_plans step of the playbook fixes them.
    Computed once per Facts (the check, the seats to buy and the seat costs all ask); read it, do not change it.
    """
    cached = f.__dict__.get("_seat_plan")
    if cached is not None:
        return cached
    lacking = _lacking_kit(f.members)
    kit_skus = []
    for sku_id, plans in f.sku_caps.items():
        caps = set().union(*plans.values()) if plans else set()
        sku = f.sku_by_id.get(sku_id) or {}
        if _full_kit(caps) and sku.get("capabilityStatus") == "Enabled":
            free = int((sku.get("prepaidUnits") or {}).get("enabled") or 0) - int(sku.get("consumedUnits") or 0)
            kit_skus.append({"skuId": sku_id, "name": f.sku_name(sku_id), "free": max(free, 0)})
    free = sum(s["free"] for s in kit_skus)
    plan = f.__dict__["_seat_plan"] = {"lacking": lacking, "skus": kit_skus, "free": free,
                                       "to_buy": max(0, len(lacking) - free)}
    return plan


@check(id="licences.seats_for_remote_work", area="licences", severity="critical",
       requires=("skus", "users"), fix_playbook="emergency-home-office", effort="hours")
def seats_for_remote_work(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    plan = seat_plan(f)
    n, free = len(plan["lacking"]), plan["free"]
    ev = {"members_lacking_kit": names(plan["lacking"]), "free_seats": free,
          "skus": plan["skus"], "seats_to_buy": plan["to_buy"], "source": "/subscribedSkus, /users assignedLicenses"}
    if n == 0:
        yield finding(Status.PASS, "pass", **ev)
    elif plan["to_buy"] == 0:
        yield finding(Status.WARN, "warn", {"n": n, "free": free}, **ev)
    else:
        yield finding(Status.FAIL, "fail", {"n": n, "free": free, "to_buy": plan["to_buy"]}, **ev)


@check(id="licences.members_without_licence", area="licences", severity="high",
       requires=("skus", "users"), fix_playbook="emergency-home-office", effort="hours")
def members_without_licence(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    bare = [p for p in f.members if not p.skus and not p.licence_errors and not p.suspended_skus]
    ev = {"members": len(f.members), "unlicensed": names(bare), "source": "/users assignedLicenses"}
    if bare:
        yield finding(Status.FAIL, "fail", {"n": len(bare), "members": len(f.members)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.usage_location_missing", area="licences", severity="medium",
       requires=("users",), fix_playbook="emergency-home-office", effort="minutes")
def usage_location_missing(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    missing = [p for p in f.members if not p.usage_location]
    blocked = [p for p in missing if not _full_kit(p.capabilities)]
    ev = {"without_usage_location": names(missing), "blocking_licensing": names(blocked), "source": "/users usageLocation"}
    if not missing:
        yield finding(Status.PASS, "pass", **ev)
    else:
        status = Status.FAIL if blocked else Status.WARN
        yield finding(status, "status", {"n": len(missing), "blocked": len(blocked)}, **ev)


@check(id="licences.group_licence_errors", area="licences", severity="high",
       requires=("users",), fix_playbook=None, effort="hours")
def group_licence_errors(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.people if p.licence_errors]
    errors = sorted({e["error"] or e["state"] for p in hit for e in p.licence_errors})
    groups = snapshot.data("licence_error_groups", []) or []
    ev = {"users": names(hit), "errors": errors, "groups": [g.get("displayName") for g in groups][:25],
          "source": "/users licenseAssignmentStates; /groups?$filter=hasMembersWithLicenseErrors eq true"}
    if hit or groups:
        detail = ", ".join(errors) or Message("checks.licences.group_licence_errors.see_groups")
        yield finding(Status.FAIL, "fail", {"n": len(hit), "errors": detail}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.disabled_service_plans", area="licences", severity="medium",
       requires=("skus", "users"), fix_playbook="emergency-home-office", effort="minutes")
def disabled_service_plans(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.members if not _WORK_SERVICES.isdisjoint(p.disabled_capabilities)]
    by_cap = {c: sum(1 for p in hit if c in p.disabled_capabilities) for c in (TEAMS, EXCHANGE, SHAREPOINT)}
    ev = {"people": names(hit), "by_capability": by_cap, "source": "/users assignedLicenses.disabledPlans"}
    if hit:
        yield finding(Status.FAIL, "fail", {"n": len(hit)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.subscription_health", area="licences", severity="high", requires=("skus",), effort="hours")
def subscription_health(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    bad = [s for s in f.sku_by_id.values() if s.get("capabilityStatus") in ("Warning",) + INACTIVE_SKU_STATES
           and int(s.get("consumedUnits") or 0) > 0]
    ev = {"subscriptions": [{"sku": f.sku_name(s["skuId"]), "status": s.get("capabilityStatus"), "consumed": s.get("consumedUnits")} for s in bad],
          "source": "/subscribedSkus capabilityStatus"}
    if bad:
        worst = Status.FAIL if any(s.get("capabilityStatus") != "Warning" for s in bad) else Status.WARN
        yield finding(worst, "worst", {"n": len(bad)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.overassigned", area="licences", severity="medium", requires=("skus",), effort="hours")
def overassigned(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    over = [s for s in f.sku_by_id.values()
            if int(s.get("consumedUnits") or 0) > int((s.get("prepaidUnits") or {}).get("enabled") or 0)
            and s.get("capabilityStatus") == "Enabled"]
    ev = {"subscriptions": [{"sku": f.sku_name(s["skuId"]), "consumed": s.get("consumedUnits"),
                             "enabled": (s.get("prepaidUnits") or {}).get("enabled")} for s in over], "source": "/subscribedSkus"}
    if over:
        yield finding(Status.FAIL, "fail", {"n": len(over)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.disabled_accounts_hold_seats", area="licences", severity="low",
       requires=("users",), effort="minutes")
def disabled_accounts_hold_seats(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    holders = [p for p in f.people if not p.enabled and p.skus]
    ev = {"accounts": names(holders), "seats": sum(len(p.skus) for p in holders), "source": "/users accountEnabled, assignedLicenses"}
    if holders:
        yield finding(Status.WARN, "warn", {"n": len(holders), "seats": ev["seats"]}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="licences.apps_only", area="licences", severity="medium",
       requires=("skus", "users"), fix_playbook="emergency-home-office", effort="hours")
def apps_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    hit = [p for p in f.members if p.skus and WORK_CAPS.isdisjoint(p.capabilities)]
    ev = {"people": names(hit), "source": "/users assignedLicenses + /subscribedSkus servicePlans"}
    if hit:
        yield finding(Status.FAIL, "fail", {"n": len(hit)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)
