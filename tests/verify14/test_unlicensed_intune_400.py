"""Found by the issue-14 check against an independent Graph double: Graph answers Intune and Windows 365
reads of a tenant without the licence with 400 BadRequest "Request not applicable to target tenant."
(not 403). That is a missing licence (not evaluable, with the licence named), not a failed read that
makes the audit "incomplete, try again later" (exit 6).
"""
from __future__ import annotations

from readiness.collect.collectors import classify
from readiness.collect.snapshot import FAILED, FORBIDDEN
from readiness.errors import GraphError


def _err(status: int, code: str, message: str) -> GraphError:
    return GraphError(message, status=status, graph_code=code)


def test_400_not_applicable_to_target_tenant_is_a_missing_licence() -> None:
    sec = classify("managed_devices", "/deviceManagement/managedDevices",
                   _err(400, "BadRequest", "Request not applicable to target tenant."),
                   permission="DeviceManagementManagedDevices.Read.All", licence="Microsoft Intune")
    assert sec.status == FORBIDDEN
    assert sec.licence == "Microsoft Intune"
    assert "Intune" in sec.reason


def test_another_400_is_still_a_failed_read() -> None:
    sec = classify("managed_devices", "/deviceManagement/managedDevices",
                   _err(400, "BadRequest", "Invalid filter clause"),
                   permission="DeviceManagementManagedDevices.Read.All", licence="Microsoft Intune")
    assert sec.status == FAILED
