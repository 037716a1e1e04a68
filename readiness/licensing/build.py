"""Remake service-plan-identifiers.json from service-plan-identifiers.csv after the CSV changed:

    python -m readiness.licensing.build

(tests/licensing/test_compact_table.py fails until the two agree.)"""
from __future__ import annotations

from pathlib import Path

from .catalog import COMPACT_NAME, compact_json, csv_rows


def main() -> None:
    target = Path(__file__).with_name(COMPACT_NAME)
    target.write_text(compact_json(csv_rows()), encoding="utf-8", newline="\n")  # silent: nothing below cli prints


if __name__ == "__main__":
    main()
