"""The demo tenant collected once over real HTTP, shared by the crisis tests (each test gets its own copy)."""
from __future__ import annotations

import copy
from typing import Any

import pytest

import readiness
from readiness.collect.snapshot import Snapshot
from readiness.simulator import generate_tenant
from readiness.simulator.generate import MFA_METHODS


def collect_over_http(tenant: Any) -> Snapshot:
    with readiness.serve_simulator(tenant=tenant) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


@pytest.fixture(scope="session")
def _demo_snapshot_doc() -> dict:
    tenant = generate_tenant("unprepared-sme", seed=7)
    # a tenant-controlled name that must stay inert in every output format
    # (on a member without MFA: not ready, so she gets a letter)
    eve = next(u for u in tenant.users if u["userType"] == "Member" and u["accountEnabled"]
               and not set(tenant.auth_methods.get(u["id"], [])) & set(MFA_METHODS))
    eve["displayName"] = "Eve <script>alert(1)</script> *bold* [x](y)"
    tenant.reindex()
    return collect_over_http(tenant).to_dict()


@pytest.fixture
def demo_snapshot(_demo_snapshot_doc: dict) -> Snapshot:
    return Snapshot.from_dict(copy.deepcopy(_demo_snapshot_doc))
