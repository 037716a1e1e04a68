"""Benchmark apply: assign licences to 10,000 users on the simulator with realistic write throttling.

Run by hand:  python benchmarks/apply.py [--users 10000] [--write-rate 200] [--latency 0.05]
Writes benchmarks/results/apply.json. The simulator enforces a per-tenant token bucket on writes and
answers 429 with Retry-After (per $batch item, as Graph does). Graph's documented identity write limit is
3,000 writes per 2.5 minutes per app and tenant (20/s); the default here is 200/s so a run takes about a
minute; --write-rate 20 gives the real limit (about 9 minutes for 10,000 users).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import readiness  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PLAYBOOK = b"""name: licences
steps:
  - id: licences
    action: assign_licence
    params: {usage_location: DE}
    select: {missing: [teams, mailbox, files]}
"""


def unlicensed_tenant(users: int):  # noqa: ANN201 - a readiness.generate_tenant tenant
    t = readiness.generate_tenant("enterprise", seed=3, size=users)
    for u in t.users:
        u["assignedLicenses"], u["licenseAssignmentStates"] = [], []
    for sku in t.skus:
        sku["prepaidUnits"]["enabled"] = users + 10
    t.recount_consumed()
    return t


def run(sim: readiness.RunningSimulator, playbook: Path) -> dict:
    """Plan from a collected snapshot, then apply through the public API; the apply is measured from the moment it
    is confirmed (after apply's own staleness read of the tenant) to its end, its requests counted by the server."""
    conn = readiness.connect(graph_url=sim.graph_url, token=sim.token, concurrency=8)
    snap = readiness.collect(conn)
    plan = readiness.plan(str(playbook), snap)
    mark: dict = {}

    def confirm(_plan) -> bool:  # noqa: ANN001 - called right before the first change is sent
        sim.conduct.retry_after_violations.clear()
        mark.update(seen=len(sim.conduct.requests), t0=time.perf_counter())
        return True

    result = readiness.apply(plan, conn, confirm=confirm)
    wall = time.perf_counter() - mark["t0"]
    sent = sim.conduct.requests[mark["seen"]:]
    return {"plan": plan, "result": result, "wall": wall, "collect_requests": snap.requests["requests"],
            "requests": sum(1 for r in sent if not r[2].startswith("$batch:")),
            "throttled_items": sum(1 for r in sent if r[2].startswith("$batch:") and r[3] == 429),
            "throttled_requests": sum(1 for r in sent if not r[2].startswith("$batch:") and r[3] == 429)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--write-rate", type=float, default=200.0)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    os.environ.setdefault("READINESS_HOME", tempfile.mkdtemp(prefix="readiness-bench-"))
    print(f"Generating {args.users} unlicensed users ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, \
            readiness.serve_simulator(tenant=unlicensed_tenant(args.users), latency=args.latency, write_rate=args.write_rate,
                                      write_burst=args.burst, fault_seed=4) as sim:
        playbook = Path(tmp) / "licences.yaml"
        playbook.write_bytes(PLAYBOOK)
        out = run(sim, playbook)
        licensed_after = sim.change(lambda t: sum(1 for u in t.users if u["assignedLicenses"]))
        violations = len(sim.conduct.retry_after_violations)
    plan, result = out["plan"], out["result"]
    changes = len(plan.changes)
    requests = out["requests"]
    batches_needed = math.ceil(changes / 20)
    bound = max(0.0, (changes - args.burst) / args.write_rate)
    doc = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "params": vars(args),
        "changes": changes, "done": result.done, "failed": len(result.failed), "status": result.status,
        "requests": requests, "batches_needed": batches_needed,
        "requests_over_batches": round(requests / batches_needed, 3),
        "item_retries": out["throttled_items"],  # each $batch item answered 429 is sent again (server-counted)
        "throttled": out["throttled_items"] + out["throttled_requests"],
        "wall_seconds": round(out["wall"], 2),
        "throttle_bound_seconds": round(bound, 2),
        "wall_over_bound": round(out["wall"] / bound, 3) if bound else None,
        "retry_after_violations": violations,
        "licensed_after": licensed_after,
    }
    # requests target: within 10% of changes/20 batches plus the batches that carried retried items
    retry_batches = math.ceil(doc["item_retries"] / 20)
    doc["targets"] = {"requests_within_10pct": requests <= 1.10 * (batches_needed + retry_batches),
                      "no_conduct_violations": doc["retry_after_violations"] == 0,
                      "all_applied": doc["failed"] == 0 and doc["done"] == changes}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "apply.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
