"""Identity, deeper: getting back in from home (SSPR, Temporary Access Pass), break-glass exclusions, legacy auth."""
from __future__ import annotations

from typing import Iterable

from ..audit.depth_facts import tap_for_everyone
from ..audit.facts import facts
from ..i18n import Message
from .common import finding, names
from .model import Finding, Status
from .registry import check
from .unavailable import describe

LOCKING_CONTROLS = {"mfa", "compliantDevice", "domainJoinedDevice", "block"}
LEGACY_CLIENTS = {"exchangeActiveSync", "other"}
# Without Entra ID P1 the registration report is forbidden and SSPR registration is judged from each member's
# methods (a phone, app or email method, README "What ready means"): the evidence names what was read.
SSPR_SOURCE = {"report": "/reports/authenticationMethods/userRegistrationDetails isSsprRegistered",
               "fallback": "/users/{id}/authentication/methods (phone, app or email method)"}


@check(id="identity.sspr_registration", area="identity", severity="high",
       requires=("users", "mfa"), effort="days")  # the registration campaign only nudges: people must act
def sspr_registration(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Members registered for self-service password reset (userRegistrationDetails isSsprRegistered,
    https://learn.microsoft.com/graph/api/resources/userregistrationdetails)."""
    f = facts(snapshot)
    known = [p for p in f.members if p.sspr is not None]
    if not known:
        yield finding(Status.NOT_EVALUABLE, "not_evaluable", source="/reports/authenticationMethods/userRegistrationDetails")
        return
    missing = [p for p in known if not p.sspr]
    ev = {"members": len(f.members), "checked": len(known), "without_sspr": names(missing),
          "tap_for_everyone": f.members[0].tap if f.members else None,
          "source_kind": f.mfa_source, "source": SSPR_SOURCE.get(f.mfa_source or "", SSPR_SOURCE["report"])}
    if missing:
        yield finding(Status.FAIL, "fail", {"n": len(missing), "known": len(known)}, **ev)
    else:
        yield finding(Status.PASS, "pass", {"n": len(known)}, **ev)


@check(id="identity.temporary_access_pass", area="identity", severity="medium",
       requires=("auth_methods_policy",), fix_playbook="secure-remote-access", effort="minutes")
def temporary_access_pass(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """The Temporary Access Pass method (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration)."""
    policy = snapshot.data("auth_methods_policy") or {}
    tap = tap_for_everyone(policy)
    cfg = next((c for c in policy.get("authenticationMethodConfigurations") or []
                if str(c.get("id", "")).lower() == "temporaryaccesspass"), {})
    ev = {"state": cfg.get("state"), "targets": [t.get("id") for t in cfg.get("includeTargets") or []],
          "source": "/policies/authenticationMethodsPolicy TemporaryAccessPass"}
    if tap:
        yield finding(Status.PASS, "pass", **ev)
    elif cfg.get("state") == "enabled":
        yield finding(Status.WARN, "some", **ev)
    else:
        yield finding(Status.WARN, "warn", **ev)


@check(id="identity.ca_emergency_access", area="identity", severity="high",
       requires=("conditional_access",), effort="minutes")
def ca_emergency_access(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Enforced policies that could lock everyone out must exclude a break-glass account or group
    (https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access)."""
    policies = snapshot.data("conditional_access", []) or []
    risky = []
    for p in policies:
        cond = p.get("conditions") or {}
        users = cond.get("users") or {}
        grant = set((p.get("grantControls") or {}).get("builtInControls") or [])
        if p.get("state") == "enabled" and "All" in (users.get("includeUsers") or []) and grant & LOCKING_CONTROLS:
            if not (users.get("excludeUsers") or users.get("excludeGroups")):
                risky.append(p)
    ev = {"policies": len(policies), "without_exclusion": [p.get("displayName") for p in risky],
          "source": "/identity/conditionalAccess/policies conditions.users.excludeUsers/excludeGroups"}
    if risky:
        yield finding(Status.FAIL, "fail", {"n": len(risky)}, **ev)
    else:
        yield finding(Status.PASS, "pass", **ev)


@check(id="identity.legacy_auth_blocked", area="identity", severity="high",
       requires=("security_defaults",), fix_playbook="secure-remote-access", effort="hours")
def legacy_auth_blocked(snapshot) -> Iterable[Finding]:  # noqa: ANN001
    """Legacy authentication blocked: security defaults, or an enabled policy blocking clientAppTypes
    exchangeActiveSync and other (https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset)."""
    defaults = bool((snapshot.data("security_defaults") or {}).get("isEnabled"))
    ca = snapshot.section("conditional_access")
    blocking = []
    for p in snapshot.data("conditional_access", []) or []:
        cond = p.get("conditions") or {}
        apps = set(cond.get("clientAppTypes") or [])
        grant = set((p.get("grantControls") or {}).get("builtInControls") or [])
        if p.get("state") == "enabled" and "block" in grant and LEGACY_CLIENTS <= apps \
                and "All" in ((cond.get("users") or {}).get("includeUsers") or []):
            blocking.append(p)
    ev = {"security_defaults": defaults, "blocking_policies": [p.get("displayName") for p in blocking], "ca_status": ca.status,
          "source": "/policies/identitySecurityDefaultsEnforcementPolicy, /identity/conditionalAccess/policies clientAppTypes"}
    if defaults:
        yield finding(Status.PASS, "by_security_defaults", **ev)
    elif blocking:
        yield finding(Status.PASS, "pass", {"policy": blocking[0].get("displayName")}, **ev)
    elif not ca.usable and not ca.licence:
        yield finding(Status.NOT_EVALUABLE, Message("engine.not_checked", {"why": describe(ca)}), **ev)
    else:
        yield finding(Status.FAIL, "fail", **ev)
