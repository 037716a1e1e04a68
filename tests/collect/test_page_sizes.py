"""Collections are read at their largest documented page: no more requests than the tenant's size needs.

cloudPCs: api-reference/v1.0/api/virtualendpoint-list-cloudpcs.md supports $top (the default page is smaller).
"""
from __future__ import annotations

import math
import uuid

from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, using


def test_cloud_pcs_in_the_fewest_pages() -> None:
    t = generate_tenant("enterprise", seed=2, size=600)
    t.cloud_pcs.extend(dict(pc, id=str(uuid.uuid4())) for pc in t.cloud_pcs * (150 // max(1, len(t.cloud_pcs))))
    assert len(t.cloud_pcs) > 100  # more than the default page
    sim = Simulator(t)
    with SimulatorServer(sim) as server:
        snap = using(http_client(server), lambda c: collect_snapshot(c, label="pages"))
    asked = [p for _, _, p, _ in sim.conduct.requests if p.startswith("/deviceManagement/virtualEndpoint/cloudPCs")]
    assert snap.section("cloud_pcs").count == len(t.cloud_pcs)
    assert len(asked) == math.ceil(len(t.cloud_pcs) / 999) and "$top=999" in asked[0]


def test_teams_user_configurations_in_the_fewest_pages() -> None:
    # api-reference/v1.0/api/teamsadministration-teamsadminroot-list-userconfigurations.md: $top is supported
    t = generate_tenant("enterprise", seed=2, size=600)
    sim = Simulator(t)
    with SimulatorServer(sim) as server:
        snap = using(http_client(server), lambda c: collect_snapshot(c, label="pages"))
    asked = [p for _, _, p, _ in sim.conduct.requests if p.startswith("/admin/teams/userConfigurations")]
    sec = snap.section("teams_users")
    assert sec.status == "complete" and sec.count > 100  # more than the default page
    assert len(asked) == math.ceil(sec.count / 999) and "$top=999" in asked[0]
