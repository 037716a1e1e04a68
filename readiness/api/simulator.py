"""The built-in Graph simulator from a script: a generated tenant (or a fleet of them) served on 127.0.0.1.

``serve_simulator`` serves one tenant, ``serve_fleet_simulator`` many behind one host (chosen by the token's
tenant, as Graph does); ``generate_tenant`` makes a tenant to change before serving it; ``SIMULATOR_PROFILES``
names the tenants it can generate. The demo, the benchmarks and ``readiness simulator serve`` use these.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ..simulator.generate import PROFILES

SIMULATOR_PROFILES = tuple(sorted(PROFILES))  # the tenants serve_simulator can generate

if TYPE_CHECKING:
    from ..fleet.simulated import ServedFleet
    from ..simulator.app import Conduct
    from ..simulator.tenant import Tenant

T = TypeVar("T")


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

    @property
    def tenant(self) -> Tenant:
        """The tenant being served (``users``, ``devices``, ``groups``, ``skus``: lists of Graph-shaped dicts)."""
        return self.sim.tenant

    @property
    def conduct(self) -> Conduct:
        """What the simulator saw: ``requests`` (one ``(arrived, method, path?query, status)`` per request answered,
        a ``$batch``'s items as ``$batch:<path>``) and what a well-behaved client must not do
        (``retry_after_violations``, ``next_link_violations``, ``missing_select``, ``token_leaks``, ``unsupported``)."""
        return self.sim.conduct

    def change(self, fn: Callable[[Tenant], T]) -> T:
        """Change the served tenant in place, under its write lock, as happens in a tenant without a Graph write
        (Intune re-evaluating a device's compliance, a sync from on-premises); returns what ``fn`` returns."""
        with self.sim.tenant.lock:
            return fn(self.sim.tenant)

    def stop(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None


def generate_tenant(profile: str = "unprepared-sme", *, seed: int = 7, size: int | None = None) -> Tenant:
    """A generated tenant to change (``users``, ``devices``, ``groups``, ``skus`` are Graph-shaped dicts;
    ``recount_consumed()`` after changing licences) and then serve with ``serve_simulator(tenant=...)``."""
    from ..simulator.generate import generate_tenant as generate

    _check_profile(profile, PROFILES)
    return generate(profile, seed=seed, size=size)


def serve_simulator(profile: str = "unprepared-sme", *, seed: int = 7, size: int | None = None, port: int = 0,
                    roles: list[str] | None = None, latency: float = 0.0, fault_rate: float = 0.0,
                    tenant: Any = None, write_rate: float = 0.0, write_burst: int = 100, fault_seed: int = 1,
                    page_jitter: bool = True) -> RunningSimulator:
    """Generate a tenant and serve it on 127.0.0.1 (a free port by default); use as a context manager.

        with readiness.serve_simulator() as sim:
            conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)

    + tenant: a tenant made with ``readiness.generate_tenant`` (and changed as a test needs);
      profile, seed and size are then ignored.
    + latency: seconds added to every answer; fault_rate: share of requests answered 429, 503 or dropped.
    + write_rate, write_burst: writes per second (a token bucket of ``write_burst``) before writes are answered
      429 with Retry-After, per ``$batch`` item as Graph does; 0 = unlimited. fault_seed: the faults' random seed.
    + page_jitter: False serves every page full (Graph may serve shorter pages; the default imitates that).
    """
    from ..simulator import Faults, Simulator
    from ..simulator.server import SimulatorServer
    from ..simulator.tokens import ALL_ROLES

    if tenant is None:
        _check_profile(profile, PROFILES)
    _check_port(port)
    tenant = tenant if tenant is not None else generate_tenant(profile, seed=seed, size=size)
    share = fault_rate / 3
    faults = Faults(latency=latency, rate_429=share, rate_503=share, rate_drop=share, write_rate=write_rate,
                    write_burst=write_burst, seed=fault_seed)
    sim = Simulator(tenant, faults, page_jitter=page_jitter)
    token = sim.issue_token(roles if roles is not None else ALL_ROLES)
    server = SimulatorServer(sim, port)
    server.__enter__()
    return RunningSimulator(server.base_url, token, tenant.display_name, len(tenant.users), sim, server)


def serve_fleet_simulator(count: int, *, port: int = 0, latency: float = 0.0, folder: Path | str = ".",
                          people: int | None = None, profile: str = "enterprise", seed: int = 5000) -> ServedFleet:
    """Many generated tenants on one host (told apart by the token's ``tid``), started but not yet serving:
    ``members()`` (name, tenant id, people, kind), ``base_url``, and in ``folder`` the profiles CSV
    (``csv_path``, for ``readiness.import_tenants``) and the tokens (``env_path``, 0600). ``serve_forever()``
    serves until interrupted, ``close()`` frees the port; ``with`` serves in the background. Raises OSError
    when the port is taken.

    + people: None makes a varied fleet (10 to 2,000 people, with and without Entra ID P1 and Intune, one without
      admin consent, one that throttles, plus the MSP's partner tenant); a number makes ``count`` alike tenants
      ``t0000``, ``t0001``, ... of ``profile`` with that many people (seeds ``seed + i``: the fleet benchmark).
    """
    from ..fleet.simulated import serve_fleet

    _check_port(port)
    if people is None:
        return serve_fleet(count, port, latency, Path(folder))
    _check_profile(profile, PROFILES)
    return _uniform_fleet(count, people, profile, seed, port, latency, Path(folder))


def _uniform_fleet(count: int, people: int, profile: str, seed: int, port: int, latency: float, folder: Path) -> ServedFleet:
    from ..fleet.simulated import ServedFleet, onboarding
    from ..paths import write_private
    from ..simulator import Faults, Simulator
    from ..simulator.fleet import FleetMember, FleetSimulator
    from ..simulator.generate import generate_tenant as generate
    from ..simulator.server import SimulatorServer

    sim = FleetSimulator([FleetMember(f"t{i:04d}", Simulator(generate(profile, seed=seed + i, size=people), Faults(latency=latency)))
                          for i in range(count)], latency=latency)
    server = SimulatorServer(sim, port)
    ob = onboarding(sim, server.base_url)
    csv_path, env_path = folder / "fleet.csv", folder / "fleet-tokens.env"
    write_private(csv_path, ob.csv)
    write_private(env_path, ob.env)
    return ServedFleet(sim, server, csv_path, env_path)


def _check_profile(profile: str, profiles: Any) -> None:
    from ..errors import UsageError

    if profile not in profiles:
        raise UsageError.keyed("api.unknown_simulator_profile", profile=profile, items=', '.join(profiles))


def _check_port(port: Any) -> None:
    from ..errors import UsageError

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError.keyed("api.bad_port", port=port)
