"""The per-person 'ready' rule, criterion by criterion, with the traps the issue names."""
from __future__ import annotations

from readiness.audit.facts import facts
from readiness.audit.matrix import build_matrix
from tests.checks.caselib import snapshot_for

E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
TEAMS1 = "57ff2da0-773e-42df-b2af-ffb7a2317929"


def rows(patch: list) -> dict:
    snap = snapshot_for(patch)
    return {r["displayName"]: r for r in build_matrix(facts(snap)).rows}


def test_base_everyone_ready_and_guests_excluded() -> None:
    m = rows([])
    assert set(m) == {"Alice", "Bob", "Carol"}
    assert all(r["ready"] is True and r["reasons"] == [] for r in m.values())
    assert {r["device"] for r in m.values()} == {"compliant_managed"}


def test_external_member_counts_disabled_account_does_not() -> None:
    m = rows([["set", "sections.users.data.3.userType", "Member"], ["set", "sections.users.data.2.accountEnabled", False]])
    assert "Gina" in m and "Carol" not in m
    assert m["Gina"]["external"] is True and m["Gina"]["ready"] is False


def test_disabled_plan_and_foundation_only_mailbox() -> None:
    m = rows([["set", "sections.users.data.0.assignedLicenses.0.disabledPlans", [TEAMS1]],
              ["set", "sections.skus.data.0.servicePlans.1.servicePlanName", "EXCHANGE_S_FOUNDATION"]])
    assert m["Alice"]["ready"] is False
    assert "teams_disabled" in m["Alice"]["reasons"] and "no_mailbox" in m["Alice"]["reasons"]
    assert m["Bob"]["reasons"] == ["no_mailbox"]


def test_group_licence_in_error_does_not_count() -> None:
    m = rows([["set", "sections.users.data.1.licenseAssignmentStates",
               [{"skuId": E3, "assignedByGroup": "g1", "state": "Error", "error": "CountViolation"}]]])
    assert m["Bob"]["ready"] is False and "licence_error" in m["Bob"]["reasons"]
    assert m["Bob"]["teams_enabled"] is False


def test_deleted_historic_plan_rows_do_not_count() -> None:
    m = rows([["set", "sections.users.data.1.assignedLicenses", []], ["set", "sections.users.data.1.licenseAssignmentStates", []],
              ["set", "sections.users.data.1.assignedPlans", [{"capabilityStatus": "Deleted", "servicePlanId": TEAMS1}]]])
    assert m["Bob"]["teams_enabled"] is False and "no_licence" in m["Bob"]["reasons"]


def test_mfa_methods_that_do_not_count() -> None:
    for methods in (["email"], ["temporaryAccessPass"], []):
        m = rows([["set", "sections.mfa.status", "fallback"], ["delete", "sections.mfa.data.2.isMfaRegistered"],
                  ["set", "sections.mfa.data.2.methodsRegistered", methods]])
        assert m["Carol"]["mfa_registered"] is False and "no_mfa" in m["Carol"]["reasons"]
    m = rows([["delete", "sections.mfa.data.2.isMfaRegistered"], ["set", "sections.mfa.data.2.methodsRegistered", ["fido2SecurityKey"]]])
    assert m["Carol"]["mfa_registered"] is True


def test_in_grace_period_is_not_compliant_and_join_is_on_user_id() -> None:
    m = rows([["set", "sections.managed_devices.data.0.complianceState", "inGracePeriod"],
              ["set", "sections.managed_devices.data.1.userPrincipalName", "someone.else@contoso.example"],
              ["set", "sections.managed_devices.data.2.userId", "00000000-0000-0000-0000-000000000001"]])
    assert m["Alice"]["device"] == "compliant_managed"  # Carol's old device now belongs to Alice by userId
    assert m["Bob"]["device"] == "compliant_managed"  # stale UPN, right userId
    assert m["Carol"]["device"] == "entra_only" and "device_not_managed" in m["Carol"]["reasons"]


def test_without_intune_an_owned_enabled_entra_device_counts() -> None:
    base = [["set", "sections.skus.data.0.servicePlans.3.servicePlanName", "INTUNE_O365"],
            ["set", "sections.managed_devices.status", "forbidden"], ["set", "sections.managed_devices.data", None]]
    m = rows(base + [["set", "sections.devices.data.1.accountEnabled", False],
                     ["set", "sections.devices.data.0.isManaged", None], ["set", "sections.devices.data.0.isCompliant", None]])
    assert m["Alice"]["ready"] is True and m["Alice"]["device"] == "entra_only"
    assert m["Bob"]["device"] == "none" and m["Bob"]["reasons"] == ["no_device"]
    # isManaged true without Intune: another MDM manages it, isCompliant says whether it is compliant
    m = rows(base + [["set", "sections.devices.data.1.isCompliant", False]])
    assert m["Alice"]["device"] == "compliant_managed" and m["Bob"]["device"] == "managed_not_compliant"
    assert m["Alice"]["ready"] is True and m["Bob"]["ready"] is True


def test_unreadable_sections_make_ready_unknown_not_false() -> None:
    m = rows([["set", "sections.mfa.status", "forbidden"], ["set", "sections.mfa.data", None]])
    assert all(r["ready"] is None and r["reasons"] == ["mfa_not_evaluable"] for r in m.values())
    snap = snapshot_for([["set", "sections.mfa.status", "forbidden"], ["set", "sections.mfa.data", None]])
    s = build_matrix(facts(snap)).summary
    assert (s["ready"], s["not_ready"], s["not_evaluable"]) == (0, 0, 3)


def test_usage_location_is_named_as_a_blocker_only_when_licensing_is_needed() -> None:
    m = rows([["set", "sections.users.data.0.usageLocation", None],
              ["set", "sections.users.data.1.usageLocation", None], ["set", "sections.users.data.1.assignedLicenses", []],
              ["set", "sections.users.data.1.licenseAssignmentStates", []]])
    assert m["Alice"]["ready"] is True
    assert m["Bob"]["reasons"] == ["no_licence", "no_usage_location"]


def test_department_roll_up() -> None:
    snap = snapshot_for([["set", "sections.users.data.1.department", "Vertrieb"], ["set", "sections.mfa.data.1.isMfaRegistered", False]])
    deps = {d["department"]: d for d in build_matrix(facts(snap)).departments}
    assert deps["Vertrieb"]["people"] == 2 and deps["Vertrieb"]["ready"] == 1 and deps["Vertrieb"]["top_reasons"] == ["no_mfa"]
