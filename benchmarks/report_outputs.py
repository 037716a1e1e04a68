"""Write `readiness report` in every format and variant into one folder, to compare two versions byte for byte.

    python benchmarks/report_outputs.py SNAP OUTDIR [--previous PREV] [--prices CSV]
    diff -r OUTDIR-before OUTDIR-after

"now" is fixed (READINESS_NOW) and the data folder (READINESS_HOME, which holds the pseudonym key) is given
per comparison, so two runs of the same code write identical files.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

VARIANTS: dict[str, list[str]] = {
    "json": ["-o", "json"],
    "json-de": ["-o", "json", "--lang", "de"],
    "html": ["-o", "html"],
    "html-de": ["-o", "html", "--lang", "de"],
    "md": ["-o", "md"],
    "md-de": ["-o", "md", "--lang", "de"],
    "table": ["-o", "table"],
    "csv": ["-o", "csv"],
    "csv-people": ["-o", "csv", "--people"],
    "csv-people-de": ["-o", "csv", "--people", "--lang", "de"],
    "csv-people-ids": ["-o", "csv", "--people", "--csv-headers", "ids"],
    "json-pseudo": ["-o", "json", "--pseudonymize"],
    "html-pseudo": ["-o", "html", "--pseudonymize"],
    "csv-people-pseudo": ["-o", "csv", "--people", "--pseudonymize"],
    "json-aggregate": ["-o", "json", "--aggregate-only"],
    "html-aggregate": ["-o", "html", "--aggregate-only"],
    "csv-people-aggregate": ["-o", "csv", "--people", "--aggregate-only", "--min-group-size", "10"],
    "md-aggregate-de": ["-o", "md", "--aggregate-only", "--lang", "de"],
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("snapshot")
    parser.add_argument("outdir")
    parser.add_argument("--previous")
    parser.add_argument("--prices")
    parser.add_argument("--readiness", default=str(Path(sys.executable).with_name("readiness")))
    args = parser.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, READINESS_NOW="2026-12-01T00:00:00Z", READINESS_HOME=str(out.parent / "report-home"))
    variants = dict(VARIANTS)
    if args.previous:
        variants["json-previous"] = ["-o", "json", "--previous", args.previous]
        variants["html-previous-de"] = ["-o", "html", "--previous", args.previous, "--lang", "de"]
    if args.prices:
        variants["json-prices"] = ["-o", "json", "--prices", args.prices]
        variants["csv-prices-de"] = ["-o", "csv", "--prices", args.prices, "--lang", "de"]
    failed = 0
    for name, extra in variants.items():
        target = out / f"{name}.out"
        cmd = [args.readiness, "report", args.snapshot, "-q", *extra, "--out", str(target)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        (out / f"{name}.rc").write_text(f"{done.returncode}\n" + done.stderr.replace(str(out), "OUTDIR"))
        failed += done.returncode != 0
        print(f"{name}: rc {done.returncode}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
