"""Step cases: the checks' base snapshot patched by object id, never by list position.

A patch is ``[op, path, value]``; op is set, delete or append. The path is dot-separated keys; a list element
is named by a field, ``sections.users.data[id=3f0c...].usageLocation`` (or ``[skuId=...]``), so that a case
still means the same person when the base snapshot gains or reorders objects.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from readiness.collect.snapshot import Snapshot
from tests.checks.caselib import BASE

HERE = Path(__file__).parent
_PART = re.compile(r"^(?P<key>[^\[]*)(?:\[(?P<field>\w+)=(?P<value>[^\]]+)\])?$")


def _split(path: str) -> list[Any]:
    """``a.b[id=x].c`` -> ["a", "b", ("id", "x"), "c"]."""
    out: list[Any] = []
    for part in re.split(r"\.(?![^\[]*\])", path):
        m = _PART.match(part)
        if not m:
            raise ValueError(f"bad patch path part {part!r}")
        if m.group("key"):
            out.append(m.group("key"))
        if m.group("field"):
            out.append((m.group("field"), m.group("value")))
    return out


def _step(doc: Any, part: Any) -> Any:
    if isinstance(part, tuple):
        field, value = part
        hits = [x for x in doc if isinstance(x, dict) and str(x.get(field)) == value]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} objects with {field}={value}")
        return hits[0]
    if isinstance(doc, list):
        raise KeyError(f"list element addressed by position ({part}); name it by id: [id=...]")
    return doc[part]


def apply_patch(doc: dict, patch: list) -> dict:
    doc = copy.deepcopy(doc)
    for op, path, *rest in patch:
        parts = _split(path)
        parent = doc
        for part in parts[:-1]:
            parent = _step(parent, part)
        last = parts[-1]
        if op == "set":
            parent[last] = rest[0]
        elif op == "delete":
            del parent[last]
        elif op == "append":
            parent[last].append(rest[0])
        else:
            raise ValueError(f"unknown patch op {op!r}")
    return doc


def snapshot_for(patch: list | None = None) -> Snapshot:
    return Snapshot.from_dict(apply_patch(BASE, patch or []))


def load_cases() -> list[dict]:
    cases = []
    for f in sorted((HERE / "cases").glob("*.json")):
        for case in json.loads(f.read_text("utf-8")):
            case["action"] = f.stem
            cases.append(case)
    return cases
