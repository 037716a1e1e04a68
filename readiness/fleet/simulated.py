"""A simulated fleet for demos, tests and `simulator serve --fleet`: the files that onboard it, and serving it.

(The fleet simulator itself is in simulator/fleet.py; this side knows profiles and token variables.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.auth import token_env_name
from ..simulator.fleet import FleetSimulator, generate_fleet


@dataclass
class Onboarding:
    csv: str  # profiles CSV for `readiness tenant import`
    env: str  # export lines: one READINESS_ACCESS_TOKEN_<PROFILE> per tenant
    tokens: dict[str, str] = field(default_factory=dict)


def onboarding(fleet: FleetSimulator, base_url: str, *, include_partner: bool = False) -> Onboarding:
    """The profiles CSV and per-profile tokens that onboard the fleet with `tenant import`."""
    lines = ["name,tenant_id,auth,client_id,cert_path,cloud,graph_url,usage_location,tags"]
    env, tokens = [], {}
    for m in sorted(fleet.members.values(), key=lambda x: x.name):
        if m.kind == "partner" and not include_partner:
            continue
        size = sum(1 for u in m.sim.tenant.users if u.get("userType") == "Member")
        tags = ["msp", "small" if size < 100 else "large"] + ([m.kind] if m.kind not in ("ok", "partner") else [])
        lines.append(f"{m.name},{m.tenant_id},token,,,,{base_url},DE,{';'.join(tags)}")
        tokens[m.name] = m.token()
        env.append(f"export {token_env_name(m.name)}={tokens[m.name]}")
    return Onboarding("\n".join(lines) + "\n", "\n".join(env) + "\n", tokens)


@dataclass
class ServedFleet:
    sim: FleetSimulator
    server: Any
    csv_path: Path
    env_path: Path

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def members(self) -> list[tuple[str, str, int, str]]:
        """(name, tenant id, enabled members, kind) of every tenant, by name."""
        return [(m.name, m.tenant_id, sum(1 for u in m.sim.tenant.users if u.get("userType") == "Member"), m.kind)
                for m in sorted(self.sim.members.values(), key=lambda x: x.name)]

    def serve_forever(self) -> None:
        """Answer requests until interrupted (KeyboardInterrupt reaches the caller)."""
        self.server.serve_forever()

    def close(self) -> None:
        """Free the port."""
        self.server._server.server_close()

    def __enter__(self) -> "ServedFleet":
        """Serve in a background thread (a script or a test); leaving the block stops and frees the port."""
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def serve_fleet(count: int, port: int, latency: float, folder: Path) -> ServedFleet:
    """Generate and start (not yet serve) a fleet on 127.0.0.1:port; write fleet.csv and fleet-tokens.env (0600).

    Raises OSError when the port is taken.
    """
    from ..paths import write_private
    from ..simulator.server import SimulatorServer

    sim = generate_fleet(count, latency=latency)
    server = SimulatorServer(sim, port)
    ob = onboarding(sim, server.base_url)
    csv_path, env_path = folder / "fleet.csv", folder / "fleet-tokens.env"
    write_private(csv_path, ob.csv)
    write_private(env_path, ob.env + f"export {token_env_name('partner')}={sim['partner'].token()}\n")
    return ServedFleet(sim, server, csv_path, env_path)
