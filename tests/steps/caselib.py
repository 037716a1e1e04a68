"""Step cases: the checks' base snapshot patched by object id, never by list position (tests/patchlib.py).

A list element is named by a field, ``sections.users.data[id=3f0c...].usageLocation`` (or ``[skuId=...]``), so that
a case still means the same person when the base snapshot gains or reorders objects.
"""
from __future__ import annotations

from pathlib import Path

from readiness.collect.snapshot import Snapshot
from tests import patchlib
from tests.checks.caselib import BASE

HERE = Path(__file__).parent


def apply_patch(doc: dict, patch: list) -> dict:
    return patchlib.apply_patch(doc, patch, positions=False)


def snapshot_for(patch: list | None = None) -> Snapshot:
    return Snapshot.from_dict(apply_patch(BASE, patch or []))


def load_cases() -> list[dict]:
    return patchlib.load_cases(HERE / "cases", "action")
