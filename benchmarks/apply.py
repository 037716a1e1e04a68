"""Benchmark apply: assign licences to 10,000 users on the simulator with realistic write throttling.

Run by hand:  python benchmarks/apply.py [--users 10000] [--write-rate 200] [--latency 0.05]
Writes benchmarks/results/apply.json. The simulator enforces a per-tenant token bucket on writes and
answers 429 with Retry-After (per $batch item, as Graph does). Graph's documented identity write limit is
3,000 writes per 2.5 minutes per app and tenant (20/s); the default here is 200/s so a run takes about a
minute; --write-rate 20 gives the real limit (about 9 minutes for 10,000 users).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readiness.graph.auth import StaticTokenCredential  # noqa: E402
from readiness.graph.client import build_client  # noqa: E402
from readiness.graph.clouds import custom_endpoint  # noqa: E402
from readiness.simulator import Faults, Simulator, generate_tenant  # noqa: E402
from readiness.simulator.server import SimulatorServer  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PLAYBOOK = b"""name: licences
steps:
  - id: licences
    action: assign_licence
    params: {usage_location: DE}
    select: {missing: [teams, mailbox, files]}
"""


def unlicensed_tenant(users: int):
    t = generate_tenant("enterprise", seed=3, size=users)
    for u in t.users:
        u["assignedLicenses"], u["licenseAssignmentStates"] = [], []
    for sku in t.skus:
        sku["prepaidUnits"]["enabled"] = users + 10
    t.recount_consumed()
    return t


async def run(url: str, token: str, sim: Simulator) -> dict:
    from readiness.collect.run import collect_snapshot
    from readiness.playbook.applier import apply_plan
    from readiness.playbook.planner import make_plan
    from readiness.playbook.loader import parse
    from readiness.playbook.runs import RunStore

    client = build_client(custom_endpoint(url), StaticTokenCredential(token), concurrency=8)
    try:
        snap = await collect_snapshot(client, label="bench")
        plan = make_plan(parse(PLAYBOOK, "bench.yaml"), snap)
        collect_requests = client.stats.requests
        start = dict(client.stats.as_dict())
        sim.conduct.retry_after_violations.clear()
        t0 = time.perf_counter()
        run_ = RunStore().create(plan, {"tenant_key": "bench"})
        result = await apply_plan(client, plan, run_)
        wall = time.perf_counter() - t0
        after = client.stats.as_dict()
    finally:
        await client.aclose()
    return {"plan": plan, "result": result, "wall": wall, "stats_before": start, "stats_after": after,
            "collect_requests": collect_requests}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--write-rate", type=float, default=200.0)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    os.environ.setdefault("READINESS_HOME", tempfile.mkdtemp(prefix="readiness-bench-"))
    print(f"Generating {args.users} unlicensed users ...", file=sys.stderr)
    sim = Simulator(unlicensed_tenant(args.users), Faults(latency=args.latency, write_rate=args.write_rate,
                                                          write_burst=args.burst, seed=4))
    with SimulatorServer(sim) as server:
        out = asyncio.run(run(server.base_url, sim.issue_token(), sim))
    plan, result = out["plan"], out["result"]
    changes = len(plan.changes)
    requests = out["stats_after"]["requests"] - out["stats_before"]["requests"]
    batches_needed = math.ceil(changes / 20)
    bound = max(0.0, (changes - args.burst) / args.write_rate)
    doc = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "params": vars(args),
        "changes": changes, "done": result.done, "failed": len(result.failed),
        "requests": requests, "batches_needed": batches_needed,
        "requests_over_batches": round(requests / batches_needed, 3),
        "item_retries": out["stats_after"]["retries"] - out["stats_before"]["retries"],
        "throttled": out["stats_after"]["throttled"] - out["stats_before"]["throttled"],
        "wall_seconds": round(out["wall"], 2),
        "throttle_bound_seconds": round(bound, 2),
        "wall_over_bound": round(out["wall"] / bound, 3) if bound else None,
        "retry_after_violations": len(sim.conduct.retry_after_violations),
        "licensed_after": sum(1 for u in sim.tenant.users if u["assignedLicenses"]),
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
