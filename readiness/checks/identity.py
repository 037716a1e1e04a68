"""Identity basics: MFA registered and enforced, security defaults or Conditional Access."""
from __future__ import annotations

from typing import Iterable

from ..licensing.capabilities import ENTRA_P1, INTUNE
from ..i18n import Message
from .common import finding, names
from ..audit.facts import facts
from .model import Finding, Status
from .registry import check
from .unavailable import describe


def _ca_requiring(policies: list[dict], control: str, *, all_users: bool) -> list[dict]:
    out = []
    for p in policies:
        grant = (p.get("grantControls") or {}).get("builtInControls") or []
        users = ((p.get("conditions") or {}).get("users") or {}).get("includeUsers") or []
        if control in grant and (not all_users or "All" in users):
            out.append(p)
    return out


@check(id="identity.mfa_registration", area="identity", severity="critical",
       requires=("users", "mfa"), fix_playbook="secure-remote-access", effort="days")
def mfa_registration(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    known = [p for p in f.members if p.mfa is not None]
    missing = [p for p in known if not p.mfa]
    ev = {"members": len(f.members), "checked": len(known), "without_mfa": names(missing), "source_kind": f.mfa_source,
          "source": "/reports/authenticationMethods/userRegistrationDetails" if f.mfa_source == "report"
          else "/users/{id}/authentication/methods ($batch)"}
    if not missing:
        yield finding(Status.PASS, "pass", {"n": len(known)}, **ev)
    else:
        yield finding(Status.FAIL, "fail", {"n": len(missing), "known": len(known)}, **ev)


@check(id="identity.mfa_enforced", area="identity", severity="critical",
       requires=("security_defaults",), fix_playbook="secure-remote-access", effort="hours")
def mfa_enforced(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    defaults = bool((snapshot.data("security_defaults") or {}).get("isEnabled"))
    ca_sec = snapshot.section("conditional_access")
    policies = snapshot.data("conditional_access", []) or []
    enforced = [p for p in _ca_requiring(policies, "mfa", all_users=True) if p.get("state") == "enabled"]
    ev = {"security_defaults": defaults, "ca_policies_enforcing_mfa": [p.get("displayName") for p in enforced],
          "ca_status": ca_sec.status, "source": "/policies/identitySecurityDefaultsEnforcementPolicy, /identity/conditionalAccess/policies"}
    if defaults or enforced:
        how = (Message("checks.identity.mfa_enforced.by_security_defaults") if defaults
               else Message("checks.identity.mfa_enforced.by_policy", {"policy": enforced[0].get("displayName")}))
        yield finding(Status.PASS, "pass", {"how": how}, **ev)
    elif not ca_sec.usable and not ca_sec.licence:
        yield finding(Status.NOT_EVALUABLE, Message("engine.not_checked", {"why": describe(ca_sec)}), **ev)
    else:
        yield finding(Status.FAIL, "fail", **ev)


# switching a report-only policy on is a person's decision after reviewing its impact; secure-remote-access
# creates policies report-only and never switches them on
@check(id="identity.ca_report_only", area="identity", severity="medium",
       requires=("conditional_access",), fix_playbook=None, effort="hours")
def ca_report_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    policies = snapshot.data("conditional_access", []) or []
    staged = [p for p in _ca_requiring(policies, "mfa", all_users=False) if p.get("state") == "enabledForReportingButNotEnforced"]
    ev = {"report_only": [p.get("displayName") for p in staged], "policies": len(policies), "source": "/identity/conditionalAccess/policies"}
    if staged:
        yield finding(Status.WARN, "warn", {"n": len(staged)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="identity.ca_compliant_device", area="identity", severity="medium",  # no step enforces a policy: see above
       requires=("conditional_access", "skus"), fix_playbook=None, effort="days")
def ca_compliant_device(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    policies = snapshot.data("conditional_access", []) or []
    enforced = [p for p in _ca_requiring(policies, "compliantDevice", all_users=False) if p.get("state") == "enabled"]
    ev = {"tenant_has_intune": INTUNE in f.tenant_has, "enforced": [p.get("displayName") for p in enforced],
          "source": "/identity/conditionalAccess/policies"}
    if INTUNE not in f.tenant_has:
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", **ev)
    elif enforced:
        yield finding(Status.PASS, "pass", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="identity.admin_mfa", area="identity", severity="critical",
       requires=("mfa",), fix_playbook="secure-remote-access", effort="minutes")
def admin_mfa(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    # who is an administrator: directory role assignments (RoleManagement.Read.Directory, no P1 needed,
    # https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments), else the report's isAdmin (P1)
    f = facts(snapshot)
    roles = snapshot.section("roles")
    if f.mfa_source != "report" and not roles.usable:
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", source_kind=f.mfa_source, roles_status=roles.status)
        return
    admins = [p for p in f.people if p.is_admin and p.enabled]
    bare = [p for p in admins if not p.mfa]
    ev = {"admins": len(admins), "without_mfa": names(bare), "source_kind": f.mfa_source,
          "source": "/roleManagement/directory/roleAssignments" if roles.usable
          else "/reports/authenticationMethods/userRegistrationDetails isAdmin"}
    if bare:
        yield finding(Status.FAIL, "fail", {"n": len(bare), "admins": len(admins)}, **ev)
    elif not admins:  # "All 0 administrators have MFA" was what the report said here
        yield finding(Status.PASS, "pass_none", **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(admins)}, **ev)


@check(id="identity.weak_methods_only", area="identity", severity="medium",
       requires=("users", "mfa"), fix_playbook="secure-remote-access", effort="hours")
def weak_methods_only(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    seen: dict = {}
    weak = [p for p in f.members if p.mfa is False and _weak_only(p.methods, seen)]
    ev = {"people": names(weak), "source": "mfa methodsRegistered"}
    if weak:
        yield finding(Status.WARN, "warn", {"n": len(weak)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="identity.premium_identity", area="identity", severity="low", requires=("skus",), effort="days")
def premium_identity(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    f = facts(snapshot)
    ev = {"tenant_has_p1": ENTRA_P1 in f.tenant_has, "source": "/subscribedSkus servicePlans"}
    if ENTRA_P1 in f.tenant_has:
        yield finding(Status.PASS, "pass", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


WEAK_METHODS = frozenset({"email", "temporaryAccessPass"})


def _weak_only(methods, seen: dict) -> bool:  # noqa: ANN001 - a tuple of method names (a list: judged on its own)
    """Whether the methods hold email or a TAP, each distinct tuple judged once (``seen``; people share a few dozen)."""
    try:
        got = seen.get(methods)
    except TypeError:  # a list (unhashable): judged on its own
        return not WEAK_METHODS.isdisjoint(methods)
    if got is None:
        got = seen[methods] = not WEAK_METHODS.isdisjoint(methods)
    return got
