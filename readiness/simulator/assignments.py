"""Reads of what a playbook assigned: a compliance policy's assignments.

Graph: api-reference/v1.0/api/intune-deviceconfig-devicecompliancepolicyassignment-list.md
(``GET /deviceManagement/deviceCompliancePolicies/{id}/assignments``, DeviceManagementConfiguration.Read.All).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .tenant import SimError
from .wire import Route, SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

INTUNE_CFG = ("DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All")


def compliance_assignments(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    pol = next((p for p in sim.tenant.compliance_policies if p["id"] == m.group("pid")), None)
    if pol is None:
        raise SimError(404, "ResourceNotFound", "The compliance policy does not exist.")
    return SimResponse.json(200, {"@odata.context": sim.context(req, "deviceManagement/deviceCompliancePolicies/assignments"),
                                  "value": list(pol.get("_assignments") or [])})


ROUTES = [Route("GET", re.compile(r"/deviceManagement/deviceCompliancePolicies/(?P<pid>[0-9a-fA-F-]{36})/assignments"),
                compliance_assignments, INTUNE_CFG, ("v1.0", "beta"))]
