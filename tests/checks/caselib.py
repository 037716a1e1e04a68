"""Data-file test cases: a base snapshot (every check passes) plus patches -> expected statuses.

Patches are described in tests/patchlib.py; check cases may address list elements by position
(``sections.users.data.0.accountEnabled``) or by a field (``sections.users.data[id=...].accountEnabled``).
"""
from __future__ import annotations

import json
from pathlib import Path

from readiness.collect.snapshot import Snapshot
from tests import patchlib

HERE = Path(__file__).parent
BASE = json.loads((HERE / "base_snapshot.json").read_text("utf-8"))


def apply_patch(doc: dict, patch: list) -> dict:
    return patchlib.apply_patch(doc, patch, positions=True)


def snapshot_for(patch: list | None = None) -> Snapshot:
    return Snapshot.from_dict(apply_patch(BASE, patch or []))


def load_cases() -> list[dict]:
    return patchlib.load_cases(HERE / "cases", "file")
