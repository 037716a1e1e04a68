"""Action types: one module each (see playbook/contract.py for what a module provides), registered here only."""
from __future__ import annotations

from types import ModuleType

from ..contract import Action
from . import (add_to_group, assign_licence, compliance_policy, conditional_access, create_team, enable_service_plans,
               guest_invitation_policy, invite_guests, registration_campaign, security_defaults, send_announcement,
               set_usage_location, sharing_settings, tap_policy, team_settings, temporary_access_pass)

ACTIONS: dict[str, ModuleType] = {m.NAME: m for m in (
    assign_licence, enable_service_plans, add_to_group, create_team, sharing_settings, guest_invitation_policy,
    compliance_policy, conditional_access, invite_guests, send_announcement, security_defaults, registration_campaign, team_settings,
    tap_policy, temporary_access_pass, set_usage_location)}
SPECS: dict[str, Action] = {name: Action.of(m) for name, m in ACTIONS.items()}


def spec(name: str) -> Action:
    """The action type ``name`` as the engine sees it (contract defaults filled in)."""
    return SPECS[name]
