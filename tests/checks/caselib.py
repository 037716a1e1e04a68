"""Data-file test cases: a base snapshot (every check passes) plus patches -> expected statuses.

A patch is ``[op, path, value]``: op is set, delete or append; path is dot-separated keys and list
indexes into the snapshot document, e.g. ``sections.users.data.0.accountEnabled``.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from readiness.collect.snapshot import Snapshot

HERE = Path(__file__).parent
BASE = json.loads((HERE / "base_snapshot.json").read_text("utf-8"))


def _walk(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def apply_patch(doc: dict, patch: list) -> dict:
    doc = copy.deepcopy(doc)
    for op, path, *rest in patch:
        parts = path.split(".")
        parent = _walk(doc, parts[:-1])
        key: Any = int(parts[-1]) if isinstance(parent, list) else parts[-1]
        if op == "set":
            parent[key] = rest[0]
        elif op == "delete":
            del parent[key]
        elif op == "append":
            parent[key].append(rest[0])
        else:
            raise ValueError(f"unknown patch op {op!r}")
    return doc


def snapshot_for(patch: list | None = None) -> Snapshot:
    return Snapshot.from_dict(apply_patch(BASE, patch or []))


def load_cases() -> list[dict]:
    cases = []
    for f in sorted((HERE / "cases").glob("*.json")):
        for case in json.loads(f.read_text("utf-8")):
            case["file"] = f.name
            cases.append(case)
    return cases
