"""The simulator's write throttle: a per-tenant bucket, 429 with Retry-After per $batch item."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from readiness.graph.batch import BatchRequest, run_batch
from readiness.simulator import Faults, Simulator, generate_tenant
from tests.helpers import inproc_client, using


def test_writes_beyond_the_bucket_are_throttled_per_item_and_all_land() -> None:
    t = generate_tenant("unprepared-sme")
    sim = Simulator(t, Faults(write_rate=20, write_burst=5))
    members = [u for u in t.users if u["userType"] == "Member" and u["usageLocation"]]
    reqs = [BatchRequest(u["id"], "PATCH", f"/users/{u['id']}", {"department": "Krisenstab"}) for u in members[:30]]
    client = inproc_client(sim)
    results = using(client, lambda c: run_batch(c, reqs))
    assert all(r.status == 204 for r in results.values())
    assert all(u["department"] == "Krisenstab" for u in members[:30])
    throttled = [s for _, m, p, s in sim.conduct.requests if p.startswith("$batch:") and s == 429]
    assert throttled and client.stats.throttled == len(throttled)
    assert sim.conduct.retry_after_violations == []


def test_reads_are_not_charged_to_the_write_bucket() -> None:
    sim = Simulator(generate_tenant("unprepared-sme"), Faults(write_rate=1, write_burst=1))
    for _ in range(5):
        assert using(inproc_client(sim), lambda c: c.request("GET", "/users?$select=id", check=False)).status == 200


def test_a_bucket_spent_before_the_first_write_throttles_it_however_late_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Graph answers a request over its limit with 429 Too Many Requests and a Retry-After header in whole seconds
    # (https://learn.microsoft.com/graph/throttling). A bucket that starts spent (write_start=0) refills from the first
    # write on, not from the simulator's start: a slow client is throttled as surely as a fast one.
    from readiness.simulator import app

    now = [1000.0]
    monkeypatch.setattr(app, "time", SimpleNamespace(monotonic=lambda: now[0]))
    full = Simulator(generate_tenant("unprepared-sme"), Faults(write_rate=20, write_burst=5))
    spent = Simulator(full.tenant, Faults(write_rate=20, write_burst=5, write_start=0))
    now[0] += 3600  # an hour before the first write: a bucket refilling from the start would be full again
    assert [full.take_write() for _ in range(5)] == [None] * 5 and full.take_write() == pytest.approx(1 / 20)
    assert spent.take_write() == pytest.approx(1 / 20)
    assert spent.throttled(spent.take_write()).headers["Retry-After"] == "1"
    now[0] += 0.05  # one write's worth of refill
    assert spent.take_write() is None and spent.take_write() == pytest.approx(1 / 20)
    now[0] += 3600
    assert [spent.take_write() for _ in range(5)] == [None] * 5 and spent.take_write() is not None  # never over the bucket
