"""Reaching a tenant: connect (profile, URL + token, or credential), collect, snapshots on disk."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..collect.snapshot import Snapshot
from ..errors import UsageError
from . import arguments

if TYPE_CHECKING:
    from ..config.connection import Connection
# aio (asyncio) and the connection (credentials, profiles) are imported where they are used: `readiness report`,
# which only loads a snapshot, starts ~40 ms sooner without them (issue 15)


def connect(tenant: str | None = None, graph_url: str | None = None, token: str | None = None, credential: Any = None, *,
            concurrency: int = 8, usage_location: str = "", writes: bool = False, transport: Any = None,
            policy: Any = None) -> Connection:
    """Name the tenant to talk to. Nothing is sent until collect, plan or apply.

    + tenant: a saved profile (``readiness tenant add``); without tenant and graph_url, the default profile.
    + graph_url: any Graph-compatible endpoint (the simulator, a proxy, a test double); the token comes
      from ``token``, ``credential`` (an azure-identity async credential) or READINESS_ACCESS_TOKEN.
    + writes: refuse the default profile (commands that change a tenant must name it).
    + transport, policy: an httpx transport (tests: the in-process simulator) and a RetryPolicy.
    """
    from ..config.connection import Connection, profile_endpoint, resolve

    arguments.text(tenant, "connect", "tenant")
    arguments.text(graph_url, "connect", "graph_url")
    arguments.text(token, "connect", "token")
    arguments.text(usage_location, "connect", "usage_location", optional=False)
    arguments.concurrency(concurrency)
    if token is not None and credential is not None:
        raise UsageError.keyed("api.token_and_credential")
    options = {"concurrency": concurrency, "transport": transport, "policy": policy}
    if token is None and credential is None:
        conn = resolve(tenant, graph_url, writes=writes)
    else:
        if tenant and graph_url:
            raise UsageError.keyed("config.two_tenants")
        factory: Callable[[], Any]
        if token is not None:
            from ..graph.auth import StaticTokenCredential

            factory = lambda: StaticTokenCredential(token)  # noqa: E731
        else:
            factory = lambda: credential  # noqa: E731
        if graph_url:
            from ..graph.clouds import custom_endpoint

            conn = Connection(graph_url, custom_endpoint(graph_url), None, factory)
        else:
            base = resolve(tenant, None, writes=writes)
            conn = Connection(base.label, profile_endpoint(base.profile), base.profile, factory, base.usage_location)
    conn.client_options = options
    if usage_location:
        conn.usage_location = usage_location.upper()
    return conn


def collect(conn: Connection, progress: Callable[[str], None] | None = None, *, previous: Snapshot | None = None,
            processes: int | None = 1) -> Snapshot:
    """Read every area of the tenant into a Snapshot (one event loop; see readiness.aio.collect).

    + previous: an earlier snapshot of the same tenant: users, groups and devices are read as changes (delta).
    + processes: 2 lets a helper process read part of a full read (collect/helper.py), None decides as the command
      line does, 1 (the default) reads in this process; the snapshot is the same.
    """
    from .. import aio

    arguments.connection(conn, "collect")
    arguments.processes(processes)
    if previous is not None and not isinstance(previous, Snapshot):
        raise UsageError.keyed("api.previous_not_snapshot")
    return aio.run_sync(aio.collect(conn, progress, previous=previous, processes=processes))


def load_snapshot(path: Path | str, *, one_shot: bool = False) -> Snapshot:
    """A snapshot saved with ``Snapshot.save`` (or ``readiness audit --snapshot-out``); .gz is read transparently.

    + one_shot: the process ends soon after (a CLI command): what was read is frozen out of the cyclic collector's
      passes (``gc.freeze()``) instead of walked once more. Leave it False in a process that goes on.
    """
    return Snapshot.load(arguments.path(path, "load_snapshot"), one_shot=one_shot)
