"""A collection ends without a full pass of the cyclic collector (issue 15): what it built (the tables' columns, at
100k about 74,000 containers, some holding 100,000 strings each) goes to the oldest generation at once instead of
through a pass that walked every column (0.11-0.24 s at 100k) to free 20-115 objects (the requests' leftovers: closed
sockets, closures; no page). Nothing is left frozen, so full collections still see it all: a dropped snapshot and
that garbage are freed by the next one, in a process that goes on. Over real HTTP against the simulator."""
from __future__ import annotations

import gc
import weakref

from readiness.collect.run import collect_snapshot
from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, using


def test_a_collection_ends_without_a_full_pass_and_leaves_nothing_frozen() -> None:
    passes: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    async def read(client):  # noqa: ANN001, ANN202 - only the collection itself is watched
        gc.callbacks.append(note)
        try:
            return await collect_snapshot(client, label="t")
        finally:
            gc.callbacks.remove(note)

    gc.collect()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with SimulatorServer(Simulator(generate_tenant("enterprise", seed=5, size=150), Faults())) as srv:
        snap = using(http_client(srv, concurrency=4), read)
    assert snap.sections["users"].status == "complete" and snap.sections["users"].count == 150
    assert 2 not in passes, passes  # no full pass when the collection ended
    assert gc.isenabled() and gc.get_freeze_count() == 0  # the collector on again, nothing frozen
    gone = weakref.ref(snap)
    del snap
    gc.collect()
    assert gone() is None  # a full collection still frees what the collection built
