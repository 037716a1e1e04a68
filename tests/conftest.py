"""Shared fixtures: generated tenants, the simulator in-process and over real HTTP."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the developer's real profiles, keyring or tokens."""
    home = tmp_path / "home"
    monkeypatch.setenv("READINESS_HOME", str(home))
    monkeypatch.delenv("READINESS_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@pytest.fixture
def sme() -> Any:
    return generate_tenant("unprepared-sme", seed=7)


@pytest.fixture
def sim(sme: Any) -> Simulator:
    return Simulator(sme)


@pytest.fixture
def server(sim: Simulator):
    with SimulatorServer(sim) as srv:
        yield srv


@pytest.fixture(scope="session")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo tenant collected once over real HTTP and saved: a snapshot file for commands that read one."""
    import readiness
    from readiness.simulator import generate_tenant

    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7)) as running:
        snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token))
    path = tmp_path_factory.mktemp("saved") / "s.json.gz"
    snap.save(path)
    return path
