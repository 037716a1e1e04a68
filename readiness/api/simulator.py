"""The built-in Graph simulator from a script: a generated tenant served on 127.0.0.1."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..simulator.generate import PROFILES

SIMULATOR_PROFILES = tuple(sorted(PROFILES))  # the tenants serve_simulator can generate


@dataclass
class RunningSimulator:
    """A simulator serving over HTTP: ``graph_url`` and a ``token`` valid only for it."""

    graph_url: str
    token: str
    tenant_name: str
    users: int
    sim: Any  # readiness.simulator.Simulator: the tenant and the requests it saw
    _server: Any = None

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def issue_token(self, roles: list[str] | None = None, *, without: tuple[str, ...] = ()) -> str:
        """Another token for this simulator: the given application permissions (default all) minus ``without``."""
        from ..simulator.tokens import ALL_ROLES

        return self.sim.issue_token([r for r in (roles if roles is not None else ALL_ROLES) if r not in without])

    def stop(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None


def serve_simulator(profile: str = "unprepared-sme", *, seed: int = 7, size: int | None = None, port: int = 0,
                    roles: list[str] | None = None, latency: float = 0.0, fault_rate: float = 0.0,
                    tenant: Any = None) -> RunningSimulator:
    """Generate a tenant and serve it on 127.0.0.1 (a free port by default); use as a context manager.

        with readiness.serve_simulator() as sim:
            conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)

    + tenant: a tenant made with ``readiness.simulator.generate_tenant`` (and changed as a test needs);
      profile, seed and size are then ignored.
    """
    from ..simulator import Faults, Simulator, generate_tenant
    from ..simulator.server import SimulatorServer
    from ..simulator.tokens import ALL_ROLES

    from ..errors import UsageError
    from ..simulator import PROFILES

    if tenant is None and profile not in PROFILES:
        raise UsageError.keyed("api.unknown_simulator_profile", profile=profile, items=', '.join(PROFILES))
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError.keyed("api.bad_port", port=port)
    tenant = tenant if tenant is not None else generate_tenant(profile, seed=seed, size=size)
    share = fault_rate / 3
    faults = Faults(latency=latency, rate_429=share, rate_503=share, rate_drop=share) if latency or fault_rate else Faults()
    sim = Simulator(tenant, faults)
    token = sim.issue_token(roles if roles is not None else ALL_ROLES)
    server = SimulatorServer(sim, port)
    server.__enter__()
    return RunningSimulator(server.base_url, token, tenant.display_name, len(tenant.users), sim, server)


def serve_fleet_simulator(count: int, *, port: int = 0, latency: float = 0.0, folder: Path | str = ".") -> Any:
    """Many generated tenants on one host (told apart by the token's ``tid``), started but not yet serving:
    ``members()`` (name, tenant id, people, kind), ``base_url``, and in ``folder`` the profiles CSV
    (``csv_path``, for ``readiness.import_tenants``) and the tokens (``env_path``, 0600). ``serve_forever()``
    serves until interrupted, ``close()`` frees the port. Raises OSError when the port is taken."""
    from ..errors import UsageError
    from ..fleet.simulated import serve_fleet

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError.keyed("api.bad_port", port=port)
    return serve_fleet(count, port, latency, Path(folder))
