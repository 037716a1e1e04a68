"""Licences, deeper: services actually provisioned, licences nobody uses, and what idle seats cost."""
from __future__ import annotations

from typing import Iterable

from ..audit.depth_facts import IDLE_DAYS
from ..audit.facts import facts
from ..audit.seat_costs import seat_costs
from ..i18n import Message
from .common import finding, names
from .model import Finding, Status
from .registry import check
from .unavailable import describe


@check(id="licences.service_provisioning", area="licences", severity="high", requires=("users",), effort="hours")
def service_provisioning(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Mailbox and OneDrive provisioned: users' provisionedPlans (https://learn.microsoft.com/graph/api/resources/provisionedplan)."""
    f = facts(snapshot)
    known = [p for p in f.members if p.provisioning is not None]
    if not known:
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", source="/users provisionedPlans")
        return
    stuck = [p for p in known if p.provisioning]
    ev = {"members": len(f.members), "checked": len(known), "not_provisioned": names(stuck),
          "states": sorted({state for p in stuck for state in p.provisioning or []}), "source": "/users provisionedPlans"}
    if stuck:
        yield finding(Status.FAIL, "fail", {"n": len(stuck)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(known)}, **ev)


@check(id="licences.inactive_licensed", area="licences", severity="medium", requires=("users", "skus"), effort="hours")
def inactive_licensed(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Licensed members nobody signed in to for IDLE_DAYS (interactive and non-interactive sign-ins,
    https://learn.microsoft.com/graph/api/resources/signinactivity), or, without Entra ID P1, without activity in
    the Microsoft 365 active user report (https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail)."""
    f = facts(snapshot)
    licensed = [p for p in f.members if p.skus]
    known = [p for p in licensed if p.idle is not None]
    source = ("/users signInActivity" if any(p.last_sign_in for p in f.people)
              else "/reports/getOffice365ActiveUserDetail(period='D90')")
    if not known:
        sec = snapshot.section("office_activity")
        why = (Message("unavailable.report_matches_nobody") if sec.usable and licensed
               else describe(sec) if not sec.reason or sec.reason.startswith("section ") else sec.reason)
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", {"why": why}, source=source)
        return
    idle = [p for p in known if p.idle]
    ev = {"licensed": len(licensed), "idle": names(idle), "idle_days": IDLE_DAYS, "source": source}
    if idle:
        yield finding(Status.WARN, "warn", {"n": len(idle), "days": IDLE_DAYS}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(known), "days": IDLE_DAYS}, **ev)


@check(id="licences.idle_seat_cost", area="licences", severity="low", requires=("users", "skus"), effort="hours")
def idle_seat_cost(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Idle seats in money, only with a prices file (Graph has no prices)."""
    f = facts(snapshot)
    prices = snapshot.data("prices") if snapshot.section("prices").usable else None
    costs = seat_costs(f, prices)
    if costs is None:
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", source="--prices FILE.csv")
        return
    total = ", ".join(f"{amount} {cur}" for cur, amount in costs["idle_total"].items())
    ev = {"idle": costs["idle"], "idle_total": [f"{amount} {cur}" for cur, amount in costs["idle_total"].items()],
          "unpriced": costs["unpriced"], "buy": costs["buy"],
          "source": "--prices, /subscribedSkus, /users"}
    seats = sum(r["idle"] for r in costs["idle"])
    if costs.get("idle_unknown") and not seats:  # nobody known to be idle, and for the enabled it is not known
        yield finding(Status.NOT_EVALUABLE, "idle_unknown", **ev)
    elif not seats:
        yield finding(Status.PASS, "pass", **ev)
    elif total and costs.get("idle_unknown"):  # a lower bound: the disabled accounts' seats only
        yield finding(Status.WARN, "warn_disabled_only", {"n": seats, "total": total}, **ev)
    elif total:
        yield finding(Status.WARN, "warn", {"n": seats, "total": total}, **ev)
    else:
        yield finding(Status.WARN, "unpriced", {"n": seats}, **ev)
