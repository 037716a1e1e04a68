"""Benchmark the audit's collection at 100,000 users over real HTTP with 50 ms latency per request.

Run by hand (takes a few minutes):  python benchmarks/audit.py [--users 100000] [--latency 0.05]
Writes benchmarks/results/audit.json. The simulator runs in its own process, so CPU figures are
the client's alone. In the same run, the naive way (SDK model objects + one licenseDetails call per
user, as common scripts do) is measured on a 5,000-user tenant against our raw way on the same
tenant; that comparison runs without injected latency because neither CPU nor request counts depend
on it (5,000 sequential calls at 50 ms would only add 250 s of waiting).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import readiness  # noqa: E402
from benchmarks.simserver import ServerProcess  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def raw_audit(url: str, token: str, concurrency: int = 8):
    """The audit's collection exactly as a script runs it: the public API's async twin."""
    return await readiness.aio.collect(readiness.connect(graph_url=url, token=token, concurrency=concurrency))


async def naive_users_and_licences(url: str, token: str) -> tuple[int, int]:
    """What common scripts do: typed SDK models for /users, then licenseDetails for every user."""
    client = readiness.connect(graph_url=url, token=token).open(concurrency=1)  # the same client, its SDK used naively
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.users.users_request_builder import UsersRequestBuilder

    sdk = client.sdk
    users, requests = [], 0
    try:
        qp = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=["id", "userPrincipalName", "displayName", "accountEnabled", "userType", "assignedLicenses"], top=999)
        page = await sdk.users.get(RequestConfiguration(query_parameters=qp))
        requests += 1
        while page is not None:
            users.extend(page.value or [])
            if not page.odata_next_link:
                break
            page = await sdk.users.with_url(page.odata_next_link).get()
            requests += 1
        for u in users:
            await sdk.users.by_user_id(u.id).license_details.get()
            requests += 1
    finally:
        await client.aclose()
    return len(users), requests


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--naive-users", type=int, default=5_000)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
                 "params": vars(args)}

    print(f"Starting the simulator with {args.users} users, {args.latency * 1000:.0f} ms latency ...", file=sys.stderr)
    with ServerProcess("--profile", "enterprise", "--size", str(args.users), "--latency", str(args.latency)) as srv:
        rss0, cpu0, t0, server0 = rss_mb(), time.process_time(), time.perf_counter(), srv.cpu_seconds()
        snap = asyncio.run(raw_audit(srv.url, srv.token))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server_cpu = srv.cpu_seconds() - server0
        peak = rss_mb()
    counts = {name: sec.count for name, sec in snap.sections.items()}
    objects = sum(counts.values())
    by_ep = snap.requests["by_endpoint"]
    # the sum of pages: every collection request; the longest chain of sequential pages: paging is
    # sequential per collection, collections run in parallel; teams reads wait for groups
    pages = {k: v for k, v in by_ep.items() if k != "/$batch"}
    batch_rounds = math.ceil(by_ep.get("/$batch", 0) / 8)
    chains = dict(pages)
    chains["/groups -> /$batch (teams)"] = pages.get("/groups", 0) + batch_rounds
    longest_name, longest = max(chains.items(), key=lambda kv: kv[1])
    bound = longest * args.latency
    with tempfile.TemporaryDirectory() as tmp:
        raw_path, gz_path = Path(tmp) / "s.json", Path(tmp) / "s.json.gz"
        snap.save(raw_path)
        snap.save(gz_path)
        size_raw, size_gz = raw_path.stat().st_size, gz_path.stat().st_size
    sum_pages = sum(pages.values()) + by_ep.get("/$batch", 0)
    out["audit"] = {
        "users": args.users, "objects_collected": objects, "sections": counts,
        "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "simulator_cpu_seconds": round(server_cpu, 2),
        "cpu_us_per_object": round(cpu / objects * 1e6, 1),
        "requests": snap.requests["requests"], "attempts": snap.requests["attempts"], "retries": snap.requests["retries"],
        "sum_of_pages": sum_pages, "requests_over_pages": round(snap.requests["requests"] / sum_pages, 3),
        "longest_chain": {"name": longest_name, "pages": longest, "bound_seconds": round(bound, 2),
                          "wall_over_bound": round(wall / bound, 3)},
        "peak_rss_mb": round(peak, 1), "rss_before_mb": round(rss0, 1),
        "snapshot_bytes": size_raw, "snapshot_gz_bytes": size_gz, "requests_by_endpoint": by_ep,
    }
    a = out["audit"]
    out["targets"] = {
        "requests_within_10pct_of_pages": a["requests_over_pages"] <= 1.10,
        "cpu_per_object_at_most_50us": a["cpu_us_per_object"] <= 50,
        "wall_within_1_25x_longest_chain": a["longest_chain"]["wall_over_bound"] <= 1.25,
        "peak_rss_under_500mb": a["peak_rss_mb"] < 500,
    }
    print(json.dumps(out["audit"], indent=1), file=sys.stderr)

    previous = RESULTS / "audit.json"
    if args.skip_naive and previous.exists():  # keep the last measured comparison
        out["naive_comparison"] = json.loads(previous.read_text()).get("naive_comparison")
    if not args.skip_naive:
        print(f"Naive vs raw on {args.naive_users} users (no latency) ...", file=sys.stderr)
        with ServerProcess("--profile", "enterprise", "--size", str(args.naive_users)) as srv:
            c0, t0 = time.process_time(), time.perf_counter()
            raw_snap = asyncio.run(raw_audit(srv.url, srv.token))
            raw_cpu, raw_wall = time.process_time() - c0, time.perf_counter() - t0
            c0, t0 = time.process_time(), time.perf_counter()
            n_users, naive_requests = asyncio.run(naive_users_and_licences(srv.url, srv.token))
            naive_cpu, naive_wall = time.process_time() - c0, time.perf_counter() - t0
        raw_users_requests = raw_snap.requests["by_endpoint"].get("/users", 0)
        out["naive_comparison"] = {
            "users": n_users,
            "naive": {"what": "SDK models for /users + GET /users/{id}/licenseDetails per user",
                      "cpu_seconds": round(naive_cpu, 2), "wall_seconds": round(naive_wall, 2), "requests": naive_requests,
                      "cpu_ms_per_user": round(naive_cpu / n_users * 1000, 3), "requests_per_user": round(naive_requests / n_users, 4)},
            "raw_full_audit": {"what": "readiness: all five areas, raw JSON, $batch",
                               "cpu_seconds": round(raw_cpu, 2), "wall_seconds": round(raw_wall, 2),
                               "requests": raw_snap.requests["requests"], "users_requests": raw_users_requests,
                               "cpu_ms_per_user": round(raw_cpu / n_users * 1000, 3),
                               "requests_per_user": round(raw_snap.requests["requests"] / n_users, 4)},
        }
        nv, rw = out["naive_comparison"]["naive"], out["naive_comparison"]["raw_full_audit"]
        out["naive_comparison"]["cpu_ratio_naive_over_raw"] = round(nv["cpu_ms_per_user"] / rw["cpu_ms_per_user"], 1)
        out["naive_comparison"]["requests_ratio_naive_over_raw"] = round(nv["requests"] / rw["requests"], 1)
        print(json.dumps(out["naive_comparison"], indent=1), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"Wrote {RESULTS / 'audit.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
