"""The scale curve: the whole command and the offline report at several tenant sizes, and how each figure grows.

Run by hand:  python benchmarks/scale.py [--sizes 1000 10000 100000 400000] [--latency 0]
Writes benchmarks/results/scale.json or --out FILE (a size already there is replaced; the others are kept, so a long size can be
run on its own: --sizes 400000).

Per size (the enterprise profile: users, ~1.06 Entra devices and ~1 Intune device per member, a group per 20 users):
- `readiness audit --snapshot-out x.json.gz -o json` as a subprocess against the simulator (its own process): wall,
  client CPU (user+sys from wait4), peak RSS (the kernel's high-water mark) - benchmarks/whole.py's run_measured;
- `readiness load + evaluate + render` of that snapshot: `readiness report x.json.gz -o json`, the same figures.
The simulator answers directly (no replay server: this curve is about the client's CPU and memory; wall includes the
simulator's time and the machine's load, recorded with every figure). Latency 0 by default: at 50 ms a 400k tenant's
longest chain alone is 800 requests (40 s) and the curve would mostly show waiting.
Growth between two sizes is reported as the exponent k in figure ~ size^k (1.0: linear).
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.machine import describe as describe_machine  # noqa: E402
from benchmarks.simserver import ServerProcess  # noqa: E402
from benchmarks.whole import run_measured  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
FIGURES = ("wall_seconds", "cpu_seconds", "peak_rss_mb")


def objects_in(path: Path) -> int:
    """Items in the snapshot (a list section's count, an object section one), from its section lines alone."""
    n = 0
    with gzip.open(path, "rb") as fh:
        for line in fh:
            body = line.rstrip(b"\n").removeprefix(b",")
            if not body.startswith(b'"'):
                continue  # the header, chunks of items, the ends of sections and of the document
            opens = body.endswith(b',"data":[')
            columns = body.endswith((b',"data":{"layout":"columns","chunks":[', b',"columns":['))  # held as columns (lines/1, 2)
            ((_, sec),) = json.loads(b"{" + body + (b"]}}" if opens else b"]}}}" if columns else b"}")).items()
            n += sec.get("count") or 0 if opens or columns or isinstance(sec.get("data"), list) else 1
    return n


def one_size(size: int, latency: float, concurrency: int, keep: Path | None = None) -> dict:
    print(f"size {size}: starting the simulator ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp, \
            ServerProcess("--profile", "enterprise", "--size", str(size), "--latency", str(latency)) as srv:
        snap = Path(tmp) / "x.json.gz"
        # a 400,000-person snapshot holds more than the 512 MB (uncompressed) a snapshot may hold by default
        env = dict(os.environ, READINESS_ACCESS_TOKEN=srv.token, READINESS_HOME=str(Path(tmp) / "home"),
                   READINESS_MAX_SNAPSHOT_BYTES=str(8 * 2**30))
        audit = run_measured([sys.executable, "-m", "readiness", "audit", "--graph-url", srv.url, "--concurrency",
                              str(concurrency), "--snapshot-out", str(snap), "-o", "json"], env)
        print(f"size {size}: audit {json.dumps(audit)}", file=sys.stderr)
        report = run_measured([sys.executable, "-m", "readiness", "report", str(snap), "-o", "json",
                               "--out", str(Path(tmp) / "r.json")], env)
        print(f"size {size}: report {json.dumps(report)}", file=sys.stderr)
        if keep is not None and snap.exists():
            shutil.copyfile(snap, keep)  # the snapshot for later report runs (it lives in the temporary folder)
        objects = objects_in(snap) if snap.exists() else 0
        return {"users": size, "objects_in_snapshot": objects, "snapshot_gz_bytes": snap.stat().st_size if snap.exists() else 0,
                "audit": audit, "report": report,
                "per_object": {f"{what}_{k}": round(run[k] / objects * (1e6 if k == "cpu_seconds" else 1e3), 2)
                               for what, run in (("audit", audit), ("report", report)) for k in ("cpu_seconds", "peak_rss_mb")}
                if objects else {}}


def growth(points: list[dict]) -> list[dict]:
    """The exponent k of figure ~ size^k between consecutive sizes."""
    out = []
    for a, b in zip(points, points[1:]):
        row: dict = {"from": a["users"], "to": b["users"]}
        for what in ("audit", "report"):
            for k in FIGURES:
                x, y = a[what][k], b[what][k]
                row[f"{what}_{k}"] = round(math.log(y / x) / math.log(b["users"] / a["users"]), 2) if x > 0 and y > 0 else None
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 400_000])
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json",
                    help="the result file (default benchmarks/results/scale.json); its other sizes are kept")
    ap.add_argument("--keep-snapshot", type=Path, default=None,
                    help="copy each size's snapshot here (a folder) as snap<size>.json.gz")
    args = ap.parse_args()
    path = args.out
    doc = json.loads(path.read_text()) if path.exists() else {}
    points = {p["users"]: p for p in doc.get("points", [])}
    machine = describe_machine()  # measured before the runs, on a quiet machine
    for size in args.sizes:
        keep = args.keep_snapshot / f"snap{size}.json.gz" if args.keep_snapshot else None
        p = one_size(size, args.latency, args.concurrency, keep)
        p.update(latency=args.latency, concurrency=args.concurrency, when_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        points[size] = p
        ordered = [points[k] for k in sorted(points)]
        doc = {"machine": machine,
               "note": "whole command (audit --snapshot-out -o json) and report -o json per size, against the simulator "
                       "in its own process; wall depends on the machine's load (load_avg_* with every run), CPU and peak "
                       "RSS do not; growth: figure ~ users^k between consecutive sizes",
               "points": ordered, "growth": growth(ordered)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2) + "\n")  # after every size: a long run keeps what it measured
    print(f"Wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
