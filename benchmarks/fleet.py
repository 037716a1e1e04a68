"""Benchmark `fleet audit`: many tenants in one process against the fleet simulator over real HTTP.

Run by hand:  python benchmarks/fleet.py [--tenants 200] [--people 200] [--latency 0.05] [--concurrency 16]
Writes benchmarks/results/fleet.json.

- The fleet simulator (uniform tenants of --people, enterprise profile, different seeds) runs in its own
  process; every client measurement runs in a fresh process of its own, so CPU and peak memory are the
  client's alone and peak RSS is not inherited from an earlier measurement.
- wall: one `fleet audit` of all tenants (--concurrency tenants in flight, 8 requests per tenant).
- singles: a sample of tenants audited alone, one after the other (all tenants are the same size, so
  the sum over the fleet is the sample's mean times the fleet size; the slowest alone is the sample's max).
- peak memory is measured for the whole fleet and for a quarter of it at the same concurrency: it should
  grow with tenants in flight, not with fleet size.
Target (issue 13): wall <= 1.5 x max(slowest tenant alone, total client CPU).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"


def serve(tenants: int, people: int, latency: float, info: Path) -> None:
    """Child process: serve a uniform fleet until killed; write the URL, profiles CSV and token variables to ``info``."""
    import readiness

    fleet = readiness.serve_fleet_simulator(tenants, people=people, profile="enterprise", seed=5000, latency=latency,
                                            folder=info.parent)  # fleet.csv and fleet-tokens.env (0600)
    tmp = info.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": fleet.base_url, "csv": str(fleet.csv_path), "env": str(fleet.env_path),
                               "names": [name for name, *_ in fleet.members()]}))
    tmp.replace(info)
    fleet.serve_forever()


def client(info_path: Path, mode: str, names: list[str], concurrency: int) -> dict:
    """Child process: audit ``names`` as a fleet, or one after the other alone; report time, CPU and peak RSS."""
    import readiness

    info = json.loads(info_path.read_text())
    home = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    os.environ["READINESS_HOME"] = str(home)
    header, *rows = Path(info["csv"]).read_text().splitlines()
    wanted = set(names)
    (home / "c.csv").write_text("\n".join([header] + [r for r in rows if r.split(",", 1)[0] in wanted]) + "\n")
    os.environ.update(line.removeprefix("export ").split("=", 1) for line in Path(info["env"]).read_text().splitlines())
    report = readiness.import_tenants(home / "c.csv")  # onboarding as an admin does it, before anything is measured
    assert sorted(r.name for r in report.added) == sorted(names) and not report.invalid
    out = home / "out"
    cpu0, t0 = time.process_time(), time.perf_counter()
    per_tenant = {}
    if mode == "fleet":
        entries = readiness.fleet_audit(names, out, concurrency=concurrency, html=False, previous=None).entries
    else:
        entries = []
        for n in names:
            s = time.perf_counter()
            entries += readiness.fleet_audit([n], out, concurrency=concurrency, html=False, previous=None).entries
            per_tenant[n] = round(time.perf_counter() - s, 3)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    failed = [e["name"] for e in entries if e["status"] == "failed"]
    reqs = sum((e.get("requests") or {}).get("requests", 0) for e in entries)
    return {"tenants": len(names), "wall_s": round(wall, 2), "client_cpu_s": round(cpu, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "failed": failed, "requests": reqs, "per_tenant_s": per_tenant}


def _cpu(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenants", type=int, default=200)
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--sample", type=int, default=8, help="tenants audited alone, one after the other")
    ap.add_argument("--_serve", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--_client", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._serve:
        serve(int(a._serve[0]), int(a._serve[1]), float(a._serve[2]), Path(a._serve[3]))
        return
    if a._client:
        print(json.dumps(client(Path(a._client[0]), a._client[1], a._client[2].split(","), int(a._client[3]))))
        return

    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews every figure: recorded
    info = Path(tempfile.mkdtemp(prefix="fleet-bench-sim-")) / "info.json"
    t0 = time.perf_counter()
    server = subprocess.Popen([sys.executable, __file__, "--_serve", str(a.tenants), str(a.people), str(a.latency), str(info)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not info.exists():
            if server.poll() is not None:
                raise SystemExit("the simulator exited early")
            time.sleep(0.2)
        generated = time.perf_counter() - t0
        names = sorted(json.loads(info.read_text())["names"])
        c = str(a.concurrency)
        print(f"simulator ready ({a.tenants} x {a.people} people) in {generated:.1f} s", file=sys.stderr)
        singles = run_child("--_client", str(info), "single", ",".join(names[: a.sample]), "1")
        print(f"singles: {singles['wall_s']} s for {a.sample}", file=sys.stderr)
        quarter = run_child("--_client", str(info), "fleet", ",".join(names[: max(1, a.tenants // 4)]), c)
        print(f"quarter fleet: {quarter['wall_s']} s, {quarter['peak_rss_mb']} MB", file=sys.stderr)
        sim_cpu0 = _cpu(server.pid)
        fleet = run_child("--_client", str(info), "fleet", ",".join(names), c)
        sim_cpu = _cpu(server.pid) - sim_cpu0
        print(f"fleet: {fleet['wall_s']} s, cpu {fleet['client_cpu_s']} s, {fleet['peak_rss_mb']} MB", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    per = list(singles["per_tenant_s"].values())
    sum_alone = sum(per) / len(per) * a.tenants
    slowest = max(per)
    bound = max(slowest, fleet["client_cpu_s"])
    result = {
        "benchmark": "fleet audit", "tenants": a.tenants, "people_per_tenant": a.people, "latency_s": a.latency,
        "concurrency_tenants": a.concurrency, "requests_per_tenant_bound": 8,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "wall_s": fleet["wall_s"], "failed": fleet["failed"], "requests": fleet["requests"],
        "sum_of_single_audits_s_estimated": round(sum_alone, 1),
        "single_audits_sample": singles["per_tenant_s"],
        "slowest_tenant_alone_s": slowest,
        "client_cpu_s": fleet["client_cpu_s"], "client_cpu_per_tenant_ms": round(fleet["client_cpu_s"] / a.tenants * 1000, 1),
        "bound_s": round(bound, 2), "wall_over_bound": round(fleet["wall_s"] / bound, 2),
        "target_met": fleet["wall_s"] <= 1.5 * bound,
        "speedup_vs_one_after_another": round(sum_alone / fleet["wall_s"], 1),
        "peak_rss_mb": {"fleet": fleet["peak_rss_mb"], f"quarter_fleet_{quarter['tenants']}": quarter["peak_rss_mb"]},
        "quarter_fleet_wall_s": quarter["wall_s"],
        "simulator_cpu_s_during_fleet": round(sim_cpu, 2),
        "note": "client and simulator share the machine's cores; each is one Python process (one GIL)",
        "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fleet.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
