"""The whole command, measured honestly: `readiness audit --snapshot-out x.json.gz -o json` and `readiness report`.

Run by hand:  python benchmarks/whole.py [--users 100000] [--latency 0.05] [--repeat 2]
Writes benchmarks/results/whole-<users>.json.

- Pass 1 runs the command against a recording proxy in front of the simulator (its own process); pass 2 (and the
  repeats) against a replay server that answers the recorded bytes after the same latency. The replay figure is the
  one compared with the goals: the simulator's own cost cannot decide it.
- Pages are counted by the server (the proxy / replay server answers them), not by the client.
- The pages necessary are computed from the tenant's sizes (the items the server held per collection, as it served
  them) and Graph's page limits per endpoint and query (PAGE_LIMITS); fetched / necessary is the over-fetch ratio.
- The chain bound is the longest sequence of requests that must follow one another (a collection's pages; the
  report's 302 and then its download; the groups pages and then the teams' $batch rounds), times the latency, and
  at least (all necessary requests / concurrency) x latency.
- The command runs as a subprocess: wall, CPU (user+sys from wait4), peak RSS (the kernel's high-water mark from
  wait4, and /proc/<pid>/status VmRSS polled every 20 ms as a check). The machine's load average is recorded with
  every figure: on a shared machine prefer CPU seconds and request counts to wall time.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.replay import Recorder, Replayer  # noqa: E402
from benchmarks.simserver import ServerProcess  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

# Graph's largest page per endpoint (and query). Sources: learn.microsoft.com/graph/api/user-list (signInActivity:
# "$top ... up to 500" when selected, else 999 for directory objects, learn.microsoft.com/graph/paging);
# managedDevices and userRegistrationDetails as ../shared/notes/graph-api.md records them; JSON batches hold 20.
def page_limit(ep: str, query: str) -> int:
    from urllib.parse import unquote

    query = unquote(query)
    if ep == "/users":
        return 500 if "signInActivity" in query else 999
    if ep == "/devices" and "$expand=" in query:
        return 100  # $expand on directory objects: at most 100 per page (../shared/notes/graph-api.md)
    if ep in ("/deviceManagement/managedDevices", "/reports/authenticationMethods/userRegistrationDetails",
              "/deviceManagement/deviceCompliancePolicies"):
        return 1000
    return 999


def run_measured(cmd: list[str], env: dict) -> dict:
    """Run a subprocess; wall, CPU and peak RSS of that process alone."""
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_polled = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                for line in open(f"/proc/{proc.pid}/status"):
                    if line.startswith("VmRSS:"):
                        peak_polled[0] = max(peak_polled[0], int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return {"exit_code": code, "wall_seconds": round(wall, 2), "cpu_seconds": round(ru.ru_utime + ru.ru_stime, 2),
            "user_seconds": round(ru.ru_utime, 2), "sys_seconds": round(ru.ru_stime, 2),
            "peak_rss_mb": round(ru.ru_maxrss / 1024, 1), "peak_rss_polled_mb": round(peak_polled[0] / 1024, 1),
            "load_avg_before": [round(x, 2) for x in load0], "load_avg_after": [round(x, 2) for x in os.getloadavg()],
            "stderr_tail": err[-400:] if code not in (0, 3) else ""}


def necessary_pages(server: Recorder, concurrency: int) -> dict:
    """Pages a perfect client needs, from the sizes the server held and the page limits."""
    need: dict[str, int] = {}
    for ep in server.pages:
        if ep not in ("/$batch", "/_download"):
            need[ep] = 1  # a single object, or a report's 302; collections are counted per read below
    per_read: dict[str, int] = {}
    for (ep, query), n in server.reads.items():
        per_read[ep] = per_read.get(ep, 0) + max(1, math.ceil(n / page_limit(ep, query)))
    need.update(per_read)
    if "/_download" in server.pages:
        need["/_download"] = server.pages["/_download"]  # one download per report: part of the report's chain
    if "/$batch" in server.pages:
        need["/$batch"] = server.batch_items_needed
    # a read's pages follow one another; reads run side by side
    chains = {f"{ep}?{query}"[:90]: max(1, math.ceil(n / page_limit(ep, query))) for (ep, query), n in server.reads.items()
              if ep != "/groups/{id}/members"}
    for ep in need:
        if ep.startswith("/reports/get"):
            chains[f"{ep} -> 302 -> download"] = 2
    if "/$batch" in need:
        groups = max((v for k, v in chains.items() if k.startswith("/groups?")), default=0)
        chains["/groups -> $batch rounds (teams)"] = groups + math.ceil(need["/$batch"] / concurrency)
    longest = max(chains.items(), key=lambda kv: kv[1])
    total = sum(need.values())
    return {"by_endpoint": need, "total": total, "longest_chain": {"name": longest[0], "requests": longest[1]},
            "chain_requests": max(longest[1], math.ceil(total / concurrency)), "chains": chains}


def batch_items(tape: dict) -> int:
    """$batch requests necessary: the per-team items the client asked for, 20 to a batch."""
    n = 0
    for (method, path, body), _ in tape.items():
        if method == "POST" and path.endswith("/$batch"):
            n += len(json.loads(body).get("requests") or [])
    return math.ceil(n / 20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=2, help="replay runs (the machine may be shared)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--label", default="", help="a note stored with the figures (for example: before/after)")
    ap.add_argument("--keep-snapshot", type=Path, default=None, help="copy the snapshot here (for profiling)")
    args = ap.parse_args()
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
                 "params": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}, "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(f"Starting the simulator: {args.users} users, {args.latency * 1000:.0f} ms latency ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, \
            ServerProcess("--profile", "enterprise", "--size", str(args.users), "--latency", str(args.latency)) as srv:
        snap_path = Path(tmp) / "x.json.gz"
        env = dict(os.environ, READINESS_ACCESS_TOKEN=srv.token, READINESS_HOME=str(Path(tmp) / "home"))
        rec = Recorder(srv.url.rsplit("/v1.0", 1)[0])
        url = rec.start()
        cmd = [sys.executable, "-m", "readiness", "audit", "--graph-url", f"{url}/v1.0",
               "--concurrency", str(args.concurrency), "--snapshot-out", str(snap_path), "-o", "json"]
        sim_cpu0 = srv.cpu_seconds()
        live = run_measured(cmd, env)
        live["simulator_cpu_seconds"] = round(srv.cpu_seconds() - sim_cpu0, 2)
        print("live simulator:", json.dumps(live), file=sys.stderr)
        rec.stop()
        rec.batch_items_needed = batch_items(rec.tape)
        need = necessary_pages(rec, args.concurrency)
        fetched = dict(rec.pages)
        replays = []
        for i in range(args.repeat):
            rep = Replayer(rec.tape, args.latency)
            rep.start(rec.port)
            snap_path.unlink(missing_ok=True)
            r = run_measured(cmd, env)
            r["pages_fetched"], r["not_recorded"] = sum(rep.pages.values()), rep.misses
            rep.stop()
            print(f"replay {i + 1}:", json.dumps(r), file=sys.stderr)
            replays.append(r)
        doc = json.loads(gzip.decompress(snap_path.read_bytes()))
        collect_seconds = (doc.get("requests") or {}).get("seconds")
        objects = sum(len(s.get("data") or []) if isinstance(s.get("data"), list) else 1
                      for s in (doc.get("sections") or {}).values())
        snap_bytes = snap_path.stat().st_size
        if args.keep_snapshot:
            args.keep_snapshot.write_bytes(snap_path.read_bytes())
        report = [run_measured([sys.executable, "-m", "readiness", "report", str(snap_path), "-o", "json",
                                "--out", str(Path(tmp) / "r.json")], env) for _ in range(args.repeat)]
        print("report:", json.dumps(report), file=sys.stderr)
    best = min(replays, key=lambda r: r["wall_seconds"])
    bound = need["chain_requests"] * args.latency
    total_fetched = sum(fetched.values())
    out["tenant"] = {"users": args.users, "objects_in_snapshot": objects, "snapshot_gz_bytes": snap_bytes}
    out["pages"] = {"asked_again": sum(n - 1 for n in rec.requested.values() if n > 1),"fetched_by_endpoint_server_counted": fetched, "fetched": total_fetched,
                    "necessary_by_endpoint": need["by_endpoint"], "necessary": need["total"],
                    "over_fetch": round(total_fetched / need["total"], 3), "chains": need["chains"],
                    "longest_chain": need["longest_chain"], "chain_requests": need["chain_requests"],
                    "chain_bound_seconds": round(bound, 2)}
    out["live_simulator"] = live
    out["replay"] = replays
    out["report"] = report
    out["figures"] = {
        "collection_seconds_last_replay": collect_seconds,
        "collection_over_bound_last_replay": round(collect_seconds / bound, 2) if collect_seconds else None,
        "whole_over_bound_best_replay": round(best["wall_seconds"] / bound, 2),
        "whole_cpu_us_per_object_best_replay": round(best["cpu_seconds"] / objects * 1e6, 1),
        "peak_rss_mb_max_replay": max(r["peak_rss_mb"] for r in replays),
        "report_seconds_best": min(r["wall_seconds"] for r in report),
        "report_cpu_seconds_best": min(r["cpu_seconds"] for r in report),
        "report_peak_rss_mb": max(r["peak_rss_mb"] for r in report),
        "pages_fetched_over_necessary": round(total_fetched / need["total"], 3),
    }
    print(json.dumps(out["figures"], indent=1), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    name = RESULTS / f"whole-{args.users}{'-' + args.label if args.label else ''}.json"
    name.write_text(json.dumps(out, indent=2) + "\n")
    print(f"Wrote {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
