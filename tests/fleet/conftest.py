"""A fleet of independent Graph doubles on one host, onboarded through `tenant import`."""
from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.graph.auth import token_env_name
from readiness.fleet.simulated import onboarding
from readiness.simulator.fleet import generate_fleet
from readiness.simulator.server import SimulatorServer


def invoke(*args: str, env: dict | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def envelope(result: Any) -> dict:
    return json.loads(result.stdout)


_HELD: list[socket.socket] = []


def closed_port() -> int:
    """A loopback port where nothing listens, for as long as the test process lives.

    The socket stays bound but never listens (connections are refused), so no server started later by
    this or another process on the machine can take the port: a port merely closed again was reused
    by a throttling simulator under parallel load, and the "unreachable" tenant answered 429.
    """
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD.append(s)
    return s.getsockname()[1]


class Fleet:
    def __init__(self, sim: Any, server: SimulatorServer) -> None:
        self.sim, self.server = sim, server

    def onboard(self, tmp: Path, monkeypatch: pytest.MonkeyPatch, *, broken: bool = True) -> Path:
        """Import every client tenant (plus, when ``broken``, one with a rejected token and one unreachable)."""
        ob = onboarding(self.sim, self.server.base_url)
        lines = ob.csv.splitlines()
        for name, token in ob.tokens.items():
            monkeypatch.setenv(token_env_name(name), token)
        if broken:
            other = generate_fleet(1).members["baeckerei-schmidt"]  # same tid scheme, another simulator's key
            lines.append(f"rejected-token,{self.sim['mueller-soehne'].tenant_id},token,,,,{self.server.base_url},DE,msp;broken")
            monkeypatch.setenv(token_env_name("rejected-token"), other.token())
            lines.append(f"unreachable,unreachable.example.com,token,,,,http://127.0.0.1:{closed_port()}/v1.0,DE,msp;broken")
            monkeypatch.setenv(token_env_name("unreachable"), other.token())
        path = tmp / "clients.csv"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        result = invoke("tenant", "import", str(path))
        assert result.exit_code == 0, result.stderr
        return path


@pytest.fixture(scope="module")
def fleet_server() -> Any:
    sim = generate_fleet(9, max_size=60, throttle_retry_after=30)
    with SimulatorServer(sim) as srv:
        yield Fleet(sim, srv)
