"""With 20% of requests throttled (429), unavailable (503) or dropped, the collected data equals the fault-free run."""
from __future__ import annotations

import pytest

from readiness.collect.run import collect_snapshot
from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, using


def _collect(faults: Faults, profile: str, size: int | None = None):
    sim = Simulator(generate_tenant(profile, seed=5, size=size), faults)
    with SimulatorServer(sim) as srv:
        client = http_client(srv, concurrency=4)
        snap = using(client, lambda c: collect_snapshot(c, label="t"))
    return sim, client, snap


def _data(snap):
    return {name: (s.status, s.data) for name, s in snap.sections.items()}


@pytest.mark.slow
@pytest.mark.parametrize("profile,size", [("unprepared-sme", None), ("enterprise", 300)])
def test_faults_do_not_change_what_is_collected(profile: str, size: int | None) -> None:
    _, _, clean = _collect(Faults(), profile, size)
    faults = Faults(rate_429=0.12, rate_503=0.05, rate_drop=0.03, retry_after=1, seed=13, first=("429", "503", "drop"))
    sim, client, noisy = _collect(faults, profile, size)
    assert _data(noisy) == _data(clean)
    assert client.stats.throttled > 0 and client.stats.transport_errors > 0
    assert sim.conduct.retry_after_violations == []
    assert sim.conduct.next_link_violations == []
    assert sim.conduct.missing_select == []
    assert sim.conduct.token_leaks == []
