"""Which action types fix which checks: the table behind every check's ``fix_playbook``.

A check names a playbook (``@check(fix_playbook=...)``) only when that playbook has a step of an action type
listed for it here (tests/playbook/test_fixes_fix.py asserts it, and walks every shipped playbook on the demo and
an enterprise tenant: plan, apply, re-audit). Two kinds of fix:

* ``FIXED_BY``: a done change of the action type makes the check pass (a setting, a licence, a team).
* ``ASKED_BY``: the action type asks people to act (register MFA, use Teams); the check passes once they have.
  The plan reaches every person the check names; the re-audit right after the apply still fails.

Where a step cannot fix what it names on a tenant, its plan says why with one of ``CANNOT`` (the tenant lacks
the licence, Conditional Access rules out security defaults, seats or a parameter are missing).
"""
from __future__ import annotations

FIXED_BY: dict[str, tuple[str, ...]] = {
    "licences.seats_for_remote_work": ("assign_licence", "enable_service_plans"),
    "licences.members_without_licence": ("assign_licence",),
    "licences.usage_location_missing": ("set_usage_location", "assign_licence"),
    "licences.disabled_service_plans": ("enable_service_plans",),
    "licences.apps_only": ("assign_licence",),
    "teams.members_without_teams": ("assign_licence", "enable_service_plans"),
    "teams.collaboration_space": ("create_team",),
    "sharing.anyone_links": ("sharing_settings",),
    "sharing.external_collaboration": ("sharing_settings",),
    "sharing.guest_resharing": ("sharing_settings",),
    "sharing.invitation_account_match": ("sharing_settings",),
    "sharing.guest_invitations": ("guest_invitation_policy",),
    "sharing.guest_directory_access": ("guest_invitation_policy",),
    "devices.compliance_policies": ("compliance_policy",),
    "identity.mfa_enforced": ("security_defaults",),
    "identity.legacy_auth_blocked": ("security_defaults",),
    "identity.temporary_access_pass": ("tap_policy",),
}

ASKED_BY: dict[str, tuple[str, ...]] = {
    "identity.mfa_registration": ("send_announcement", "registration_campaign"),
    "identity.admin_mfa": ("send_announcement", "registration_campaign"),
    "identity.weak_methods_only": ("registration_campaign", "send_announcement"),
    "teams.usage_last_30_days": ("send_announcement",),
}

# catalogue keys of the reasons a step gives when it cannot fix what it names on this tenant
CANNOT = frozenset({
    "steps.not_applicable",  # the tenant lacks the licence (Intune, Entra ID P1): Graph answered 403
    "steps.security_defaults.ca_on",  # enabled Conditional Access policies rule out security defaults
    "steps.assign_licence.seats_short", "steps.assign_licence.no_location", "steps.set_usage_location.unknown",
    "steps.params_missing",  # an opt-in parameter (a sender, the team's owners) was not given
})


def fixing_actions(check_id: str) -> tuple[str, ...]:
    """Every action type that fixes ``check_id`` or asks people to; () when none does."""
    return FIXED_BY.get(check_id, ()) + ASKED_BY.get(check_id, ())


__all__ = ["ASKED_BY", "CANNOT", "FIXED_BY", "fixing_actions"]
