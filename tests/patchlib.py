"""Patching a snapshot document for data-file cases (tests/checks/cases, tests/steps/cases).

A patch is ``[op, path, value]``; op is set, delete or append. The path is dot-separated keys. A list element is
named by a field, ``sections.users.data[id=3f0c...].usageLocation`` (or ``[skuId=...]``), so that a case still means
the same object when the base snapshot gains or reorders objects. Check cases may also address list elements by
position (``sections.users.data.0.accountEnabled``); step cases may not (``positions=False``).
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

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


def _key(doc: Any, part: Any, positions: bool) -> Any:
    """The key or index ``part`` names in ``doc``."""
    if isinstance(part, tuple):
        field, value = part
        hits = [i for i, x in enumerate(doc) if isinstance(x, dict) and str(x.get(field)) == value]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} objects with {field}={value}")
        return hits[0]
    if isinstance(doc, list):
        if not positions:
            raise KeyError(f"list element addressed by position ({part}); name it by id: [id=...]")
        return int(part)
    return part


def apply_patch(doc: dict, patch: list, *, positions: bool) -> dict:
    doc = copy.deepcopy(doc)
    for op, path, *rest in patch:
        parts = _split(path)
        parent = doc
        for part in parts[:-1]:
            parent = parent[_key(parent, part, positions)]
        last = _key(parent, parts[-1], positions)
        if op == "set":
            parent[last] = rest[0]
        elif op == "delete":
            del parent[last]
        elif op == "append":
            parent[last].append(rest[0])
        else:
            raise ValueError(f"unknown patch op {op!r}")
    return doc


def load_cases(folder: Path, tag: str) -> list[dict]:
    """Every case of every ``*.json`` file in ``folder``; ``case[tag]`` names the file it came from."""
    cases = []
    for f in sorted(folder.glob("*.json")):
        for case in json.loads(f.read_text("utf-8")):
            case[tag] = f.name if tag == "file" else f.stem
            cases.append(case)
    return cases
