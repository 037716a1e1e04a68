"""Drills: a playbook applied to a replica of the tenant, never to the tenant itself.

The replica is built from a snapshot (readiness/simulator/replica.py) and served on 127.0.0.1 with Graph's
documented write limit and the latency asked for. The playbook is planned and applied through the public API
(readiness.plan / readiness.apply), the replica is audited again, and the drill is recorded in the data folder
per tenant (0600): duration and requests against the plan's estimate, throttled seconds, changes made, steps
blocked and why, seats to buy, people still not ready and why, "N of M ready after the playbook".

Every request of a drill goes through a transport that refuses any URL but the replica's own.
"""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__, clock
from ..errors import Phrase, ReadinessError, UsageError
from ..i18n import resolve
from ..paths import data_dir, home, private_dir, write_private

# Graph's write limit for identity and access: 3,000 writes per 2.5 minutes per app and tenant, that is 20 per
# second with a bucket of 3,000 (https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits).
WRITE_RATE = 3000 / 150
WRITE_BURST = 3000


class ForeignURL(ReadinessError):
    code = "drill_foreign_url"


@dataclass
class DrillRecord:
    """One drill, as kept in ``<data>/drills/<tenant>/<drill id>.json``."""

    drill_id: str
    tenant: str
    tenant_id: str
    playbook: str
    params: dict
    snapshot_collected_at: str
    started_at: str
    tool_version: str = __version__
    latency_ms: int = 0
    pseudonymized: bool = False
    estimate: dict = field(default_factory=dict)  # changes, requests, seconds
    seconds: float = 0.0  # plan + apply, measured
    apply_seconds: float = 0.0
    requests: int = 0  # answered by the replica during plan + apply
    writes: int = 0
    throttled: int = 0  # 429 answers
    throttled_seconds: float = 0.0  # the Retry-After the replica asked for, summed
    status: str = ""  # the run's status, or "blocked"
    run_id: str | None = None
    changes: dict = field(default_factory=dict)  # planned, done, adopted, failed
    by_action: dict = field(default_factory=dict)
    failed: list = field(default_factory=list)  # [change id, error]
    blocked: list = field(default_factory=list)  # [step, why]
    seats_to_buy: list = field(default_factory=list)  # per subscription the plan needs more of: {sku, needed, free, buy}
    licences_to_buy: int = 0  # after the playbook: people who still need a licence with Teams, mail and files (audit)
    people: int = 0
    ready_before: int = 0
    ready_after: int = 0
    not_ready_after: list = field(default_factory=list)  # {name, department, reasons}
    reasons_after: dict = field(default_factory=dict)
    previous: dict | None = None  # the last drill's figures, with --previous

    def to_dict(self) -> dict:
        return asdict(self)


def _guard_transport(base_url: str, *also: str | None) -> Any:
    """An httpx transport that sends only to the replica (scheme, host and port) and refuses everything else.

    + also: the replica's other origins (its report downloads redirect to another host name for the same
      server, as Graph's do: readiness/simulator/server.py)."""
    import httpx

    origins = {(u.scheme, u.hostname, u.port) for u in map(urlsplit, (base_url, *filter(None, also)))}

    class ReplicaOnly(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            url = request.url
            if (url.scheme, url.host, url.port) not in origins:
                raise ForeignURL.keyed("crisis.foreign_url", scheme=url.scheme, host=url.host, port=url.port)
            return await super().handle_async_request(request)

    return ReplicaOnly()


def _private_home(folder: Path) -> Any:
    """The drill's runs, journals and locks live in the drill's own folder: a drill never shows up among the
    tenant's real runs, and a real run never sees a drill's (an announcement "sent" in a drill is not sent)."""
    return home(private_dir(folder))


def drills_dir(tenant: str) -> Path:
    return data_dir() / "drills" / re.sub(r"[^A-Za-z0-9._-]+", "_", tenant or "tenant").strip("._")[:80]


def list_drills(tenant: str) -> list[dict]:
    """The drills of a tenant (its tenant id), oldest first."""
    folder = drills_dir(tenant)
    found = []
    for path in folder.glob("*.json") if folder.exists() else []:
        try:
            doc = json.loads(path.read_text("utf-8"))
            written = path.stat().st_mtime_ns
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("drill_id"), str):  # a damaged record is skipped, not fatal
            started = doc.get("started_at")
            found.append((started if isinstance(started, str) else "", written, path.name, doc))
    # by when each started, then when its record was written: two drills in one second have ids that sort the other
    # way round (the second one's name gets a suffix: "<id>-3f2a.json" sorts before "<id>.json")
    return [doc for *_, doc in sorted(found, key=lambda f: f[:3])]


def _figures(doc: dict) -> dict:
    return {"drill_id": doc.get("drill_id"), "ready_after": doc.get("ready_after"), "people": doc.get("people"),
            "ready_before": doc.get("ready_before"), "apply_seconds": doc.get("apply_seconds"),
            "seconds": doc.get("seconds"), "requests": doc.get("requests")}


def drill(playbook: str, snapshot: Any, *, params: dict | None = None, latency_ms: int = 0, previous: str | None = None,
          usage_location: str = "", progress: Any = None) -> DrillRecord:
    """Plan and apply ``playbook`` on a replica of the snapshot's tenant; record and return the drill.

    + previous: "auto" compares with the tenant's last drill, a drill id with that one, None with none.
    """
    import readiness

    from ..simulator import Faults, Simulator
    from ..simulator.replica import replica_tenant
    from ..simulator.server import SimulatorServer
    from .letters import is_pseudonymized

    say = progress or (lambda _msg: None)
    if latency_ms < 0:
        raise UsageError.keyed("crisis.negative_latency")
    tenant_name = snapshot.tenant_name or snapshot.tenant_id
    key = snapshot.tenant_id or tenant_name  # drills are kept per tenant id (the same for a pseudonymised snapshot)
    earlier = list_drills(key)
    prev_doc = None
    if previous == "auto":
        prev_doc = earlier[-1] if earlier else None
    elif previous:
        prev_doc = next((d for d in earlier if d.get("drill_id") == previous), None)
        if prev_doc is None:
            raise UsageError.keyed("crisis.no_drill", previous=previous, tenant_name=tenant_name)
    before = readiness.evaluate(snapshot)
    started = clock.iso_now()
    record = DrillRecord(f"{started[:19].replace(':', '').replace('-', '')}-{re.sub(r'[^A-Za-z0-9_-]+', '_', Path(playbook).stem)}"[:60], tenant_name, snapshot.tenant_id,
                         playbook, dict(params or {}), snapshot.collected_at, started, latency_ms=latency_ms,
                         pseudonymized=is_pseudonymized(snapshot), people=before.summary["people"],
                         ready_before=before.summary["ready"])
    waits: list[float] = []

    class Replica(Simulator):
        def throttled(self, wait: float | None = None):  # noqa: ANN202
            resp = super().throttled(wait)
            waits.append(float(resp.headers.get("Retry-After", 0)))
            return resp

    sim = Replica(replica_tenant(snapshot), Faults(latency=latency_ms / 1000, write_rate=WRITE_RATE, write_burst=WRITE_BURST))
    say(Phrase("cli.progress.drill_replica", tenant=tenant_name, n=len(sim.tenant.users)))
    folder = private_dir(drills_dir(key))
    while (folder / f"{record.drill_id}.json").exists() or (folder / record.drill_id).exists():
        record.drill_id = f"{record.drill_id}-{os.urandom(2).hex()}"
    with SimulatorServer(sim) as server, _private_home(folder / record.drill_id):
        conn = readiness.connect(graph_url=server.base_url, token=sim.issue_token(), transport=_guard_transport(server.base_url, sim.download_host))
        t0 = time.monotonic()
        plan = readiness.plan(playbook, conn, params=record.params, usage_location=usage_location)
        record.estimate = plan.estimate  # from the requests the apply will send (planner.estimate)
        record.blocked = [[s.step, resolve(s.blocked, "en")] for s in plan.blocked]  # the drill record is written in English
        seats: dict[str, dict] = {}
        for step in plan.plan.steps:
            for sku, s in (step.seats or {}).items():
                need = seats.setdefault(sku, {"sku": s.get("name", sku), "needed": 0, "free": s.get("free", 0)})
                need["needed"] += int(s.get("needed", 0))
        record.seats_to_buy = [dict(s, buy=max(0, s["needed"] - s["free"])) for s in seats.values() if s["needed"] > s["free"]]
        record.by_action = dict(Counter(c.action for c in plan.changes))
        record.changes = {"planned": len(plan.changes), "done": 0, "adopted": 0, "failed": 0}
        if plan.blocked:
            record.status = "blocked"
            say(Phrase("cli.progress.drill_blocked", steps="; ".join(f"{s}: {why}" for s, why in record.blocked)))
        else:
            t1 = time.monotonic()
            run = readiness.apply(plan, conn, confirm=True, progress=progress)
            record.apply_seconds = round(time.monotonic() - t1, 2)
            record.status, record.run_id = run.status, run.run_id
            record.changes.update(done=run.done, adopted=run.adopted, failed=len(run.failed))
            record.failed = [[cid, err] for cid, err in run.failed]
        record.seconds = round(time.monotonic() - t0, 2)
        record.requests = len(sim.conduct.requests)
        record.writes = sum(1 for _, m, _, _ in sim.conduct.requests if m != "GET")
        record.throttled = sum(1 for *_, status in sim.conduct.requests if status == 429)
        record.throttled_seconds = float(sum(waits))
        after = readiness.evaluate(readiness.collect(conn))
    record.ready_after = after.summary["ready"]
    record.licences_to_buy = int(after.seats_to_buy or 0)
    record.reasons_after = dict(after.summary["reasons"])
    record.not_ready_after = [{"name": p["displayName"], "department": p["department"], "reasons": p["reasons"]}
                              for p in after.people if p["ready"] is not True]
    record.previous = _figures(prev_doc) if prev_doc else None
    write_private(folder / f"{record.drill_id}.json", json.dumps(record.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return record
