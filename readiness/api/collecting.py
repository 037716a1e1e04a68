"""Reading one tenant on the running loop: the one body of ``readiness.aio.collect`` (and of the fleet's collect).

Kept apart from ``readiness.aio`` so that the fleet (``fleet/runner.py``) can collect without importing ``aio``,
which holds ``aio.fleet_audit`` and so imports the fleet: one import direction, no cycle.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from . import arguments

if TYPE_CHECKING:
    from ..collect.snapshot import Snapshot


async def collect_async(conn: Any, progress: Callable[[str], None] | None = None, *,
                        previous: Snapshot | None = None, processes: int | None = 1) -> Snapshot:
    """Open a client for ``conn``, read every area into a Snapshot, close the client; a token Graph refused for
    everything is an AuthError, not an empty audit."""
    from ..collect.run import collect_snapshot, refuse_unreadable

    arguments.connection(conn, "collect")
    arguments.processes(processes)
    client = conn.open()
    try:
        snap = await collect_snapshot(client, label=conn.label, progress=progress, previous=previous, processes=processes)
    finally:
        await client.aclose()
    refuse_unreadable(snap, conn.label, profile=conn.profile is not None)
    return snap
