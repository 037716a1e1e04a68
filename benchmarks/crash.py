"""Benchmark the promise: kill a real `playbook apply` at every journal line and at random moments, with and
without heavy faults, resume, and compare with a fault-free run. Prints trials, lost and duplicated counts.

Run by hand:  python benchmarks/crash.py [--moments 12] [--faulty 6] [--workers 2]
Writes benchmarks/results/crash.json. A trial (tests/playbook/crashlib.py): the all-actions playbook on an
80-person simulated tenant with 20 ms latency; the apply process is SIGKILLed at the point, then resumed
in-process until it completes; "lost" counts parts of the final state that differ from a fault-free run
(a team missing a member counts as one), "duplicated" counts objects or mails made more than once (mails
counted in the simulator's Sent Items). "No resume" runs apply under faults without a kill: how often it
completes on its own.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"


def _one(job: dict) -> dict:
    from tests.playbook.crashlib import as_dict, heavy, trial

    with tempfile.TemporaryDirectory(prefix="readiness-crash-") as d:
        os.environ["READINESS_HOME"] = str(Path(d) / "home")
        faults = heavy(job["rate"], job["seed"]) if job.get("rate") else None
        tr = trial(Path(d), after_lines=job.get("line"), after_seconds=job.get("seconds"), faults=faults)
    return {**job, **as_dict(tr)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moments", type=int, default=12, help="random kill moments without faults")
    ap.add_argument("--faulty", type=int, default=6, help="kills per fault rate (20%% and 50%%)")
    ap.add_argument("--no-resume", type=int, default=6, help="applies at 50%% faults without a kill")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    from tests.playbook.crashlib import expected
    from tests.playbook.helpers import write_playbook

    with tempfile.TemporaryDirectory() as d:
        lines = expected(write_playbook(Path(d)))["lines"]
    rng = random.Random(args.seed)
    jobs = [{"kind": "line", "line": n} for n in range(1, lines)]
    jobs += [{"kind": "moment", "seconds": round(rng.uniform(0.02, 1.5), 3)} for _ in range(args.moments)]
    for rate in (0.2, 0.5):
        jobs += [{"kind": f"faults {int(rate * 100)}%", "rate": rate, "seed": rng.randrange(10**6),
                  "line": rng.randrange(1, lines)} for _ in range(args.faulty)]
    jobs += [{"kind": "no kill, faults 50%", "rate": 0.5, "seed": rng.randrange(10**6), "line": 10**9}
             for _ in range(args.no_resume)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        trials = list(pool.map(_one, jobs))
    by_kind: dict[str, dict] = {}
    for tr in trials:
        k = by_kind.setdefault(tr["kind"], {"trials": 0, "lost": 0, "duplicated": 0, "incomplete": 0, "needed_resume": 0})
        k["trials"] += 1
        k["lost"] += tr["lost"]
        k["duplicated"] += tr["duplicated"]
        k["incomplete"] += tr["exit_code"] != 0
        k["needed_resume"] += tr["resumes"] > 0
    doc = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, "params": vars(args),
           "journal_lines_of_a_full_run": lines, "trials": len(trials),
           "lost": sum(t["lost"] for t in trials), "duplicated": sum(t["duplicated"] for t in trials),
           "by_kind": by_kind, "wall_seconds": round(time.perf_counter() - t0, 1),
           "failures": [t for t in trials if t["lost"] or t["duplicated"] or t["exit_code"]]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "crash.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"trials {doc['trials']}, lost {doc['lost']}, duplicated {doc['duplicated']}")
    for kind, k in by_kind.items():
        print(f"  {kind:<20} trials {k['trials']:>3}  lost {k['lost']}  duplicated {k['duplicated']}  "
              f"incomplete {k['incomplete']}  needed a resume {k['needed_resume']}")


if __name__ == "__main__":
    main()
