"""`evaluate` and every renderer at 1k / 10k / 100k users: CPU seconds and peak RSS (issue 15).

Run by hand:  python benchmarks/evaluate.py [--sizes 1000 10000 100000] [--label after] [--snapshots DIR]
Writes (merges into) benchmarks/results/evaluate.json under the label ("before" / "after").

- The tenants are the simulator's "enterprise" profile (seed 7), collected once through the public API over real
  HTTP (readiness.serve_simulator + readiness.collect) with the clock fixed (READINESS_NOW), and kept in --snapshots
  so that "before" and "after" read the very same files.
- Each size is measured in a fresh subprocess (peak RSS is a process-wide high-water mark, and a forked child starts
  from its parent's: this process stays small, the tenants are collected in processes of their own): load the snapshot
  (readiness.load_snapshot), evaluate it (fresh each repeat: the facts cache is cleared), render it in every format
  (json, csv, md, html, table), and the whole `readiness report SNAPSHOT -o json` as its own subprocess (wall, CPU
  user+sys and peak RSS from wait4). CPU seconds (time.process_time), best of --repeat, are the figures to compare:
  the machine is shared, so the load average is recorded with every figure and wall time is only indicative.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"
NOW = "2026-11-20T09:30:00Z"
FORMATS = ("json", "csv", "md", "html", "table")


def make_snapshot(users: int, path: Path) -> None:
    """A generated enterprise tenant, collected over HTTP through the public API, saved to ``path``."""
    import readiness

    with readiness.serve_simulator("enterprise", seed=7, size=users) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    snap.save(path)


def measure_in_process(path: str, repeat: int) -> dict:
    """Run inside the child: load, evaluate (best of ``repeat``), render each format; CPU seconds and peak RSS."""
    import resource

    import readiness

    def rss() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    out: dict = {"rss_start_mb": rss()}
    t = time.process_time()
    snap = readiness.load_snapshot(path)
    out["load_cpu_s"] = round(time.process_time() - t, 3)
    out["rss_after_load_mb"] = rss()
    runs, audit = [], None
    for i in range(repeat):
        audit = None
        if i:  # facts are cached per snapshot: every repeat evaluates a freshly loaded one (the load is not timed)
            snap = None
            snap = readiness.load_snapshot(path)
        t = time.process_time()
        audit = readiness.evaluate(snap)
        runs.append(time.process_time() - t)
    out["evaluate_cpu_s"] = round(min(runs), 3)
    out["evaluate_cpu_runs_s"] = [round(r, 3) for r in runs]
    out["rss_after_evaluate_mb"] = rss()
    out["people"] = len(audit.people)
    render: dict = {}
    for fmt in FORMATS:
        best, size = 1e9, 0
        for _ in range(repeat):
            t = time.process_time()
            text = readiness.render(audit, format=fmt)
            best = min(best, time.process_time() - t)
            size = len(text.encode("utf-8") if isinstance(text, str) else text)
        render[fmt] = {"cpu_s": round(best, 3), "bytes": size}
    out["render"] = render
    out["rss_peak_mb"] = rss()
    return out


def run_child(args: list[str], env: dict) -> tuple[dict, float, float, float, str]:
    """A subprocess: its stdout, wall seconds, CPU seconds (user+sys) and peak RSS (MB), from wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"{args} failed: {stderr.decode(errors='replace')[-2000:]}")
    return stdout, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, stderr.decode(errors="replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--label", default="after")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--snapshots", default="/tmp/readiness-bench-evaluate", help="folder for the generated snapshots")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--make", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        os.environ["READINESS_NOW"] = NOW
        make_snapshot(int(args.make[0]), Path(args.make[1]))
        return
    if args.child:
        print(json.dumps(measure_in_process(args.child, args.repeat)))
        return

    env = dict(os.environ, READINESS_NOW=NOW)
    os.environ["READINESS_NOW"] = NOW
    folder = Path(args.snapshots)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    result = {"when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                    cwd=Path(__file__).parent).stdout.strip(),
              "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
              "repeat": args.repeat, "sizes": {}}
    for users in args.sizes:
        path = folder / f"enterprise-{users}.json.gz"
        if not path.exists():
            print(f"collecting a {users}-user tenant (once) ...", file=sys.stderr)
            # in its own process: a child's peak RSS (ru_maxrss) starts from this process's memory at the fork, so
            # this one must never hold a collected tenant (it did: 100k figures were the collection's, not the load's)
            subprocess.run([sys.executable, __file__, "--make", str(users), str(path)], env=env, check=True)
        load = os.getloadavg()
        stdout, wall, cpu, peak, _ = run_child([sys.executable, __file__, "--child", str(path), "--repeat", str(args.repeat)], env)
        figures = json.loads(stdout)
        figures["child_peak_rss_mb"] = round(peak, 1)
        report = []
        for _ in range(args.repeat):
            load_r = os.getloadavg()
            _, wall_r, cpu_r, peak_r, _ = run_child([sys.executable, "-m", "readiness", "report", str(path), "-o", "json",
                                                     "--out", os.devnull], env)
            report.append({"wall_s": round(wall_r, 2), "cpu_s": round(cpu_r, 2), "peak_rss_mb": round(peak_r, 1),
                           "loadavg_1m": round(load_r[0], 2)})
        best = min(report, key=lambda r: r["cpu_s"])
        result["sizes"][str(users)] = dict(figures, snapshot_gz_bytes=path.stat().st_size, loadavg_1m=round(load[0], 2),
                                           report_json=dict(best, runs=report))
        print(f"{users:>7} users: load {figures['load_cpu_s']:.2f} s, evaluate {figures['evaluate_cpu_s']:.2f} s CPU, "
              + ", ".join(f"{f} {r['cpu_s']:.2f}" for f, r in figures["render"].items())
              + f"; report -o json {best['cpu_s']:.2f} s CPU / {best['wall_s']:.2f} s wall, {best['peak_rss_mb']:.0f} MB;"
              f" load average {load[0]:.1f}", file=sys.stderr)
    target = RESULTS / "evaluate.json"
    doc = json.loads(target.read_text("utf-8")) if target.exists() else {}
    doc[args.label] = result
    target.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    print(f"wrote {target} [{args.label}]", file=sys.stderr)


if __name__ == "__main__":
    main()
