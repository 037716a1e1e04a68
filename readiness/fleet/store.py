"""Where fleet audits are kept: one folder per tenant, one entry file per audit (pure file handling).

``DIR/<profile>/entry-<stamp>.json`` is the tenant's line in the fleet (counts, scores, check statuses,
never a person's name); next to it ``snapshot-<stamp>.json.gz``, ``audit-<stamp>.json`` and ``report.html``.
The data folder's ``history/<profile>/`` keeps a copy of every entry for `readiness history`.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

ENTRY_SCHEMA = 1
ENTRY_RE = re.compile(r"^entry-(\d{8}T\d{6}\.\d{6}Z)\.json$")


def stamp(now: datetime | None = None) -> str:
    """A sortable, file-name-safe UTC time stamp with microseconds (two runs in one second stay apart)."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def stamp_iso(value: str) -> str:
    dt = datetime.strptime(value, "%Y%m%dT%H%M%S.%fZ")
    return dt.replace(microsecond=0).isoformat() + "Z"


def entries_in(folder: Path) -> list[Path]:
    """The entry files of one tenant folder, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if ENTRY_RE.match(p.name))


def read_entry(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("schema") != ENTRY_SCHEMA:
        return None
    doc["_path"] = str(path)
    return doc


def latest_entry(folders: list[Path], *, before: str | None = None,
                 where: Callable[[dict], bool] | None = None) -> dict | None:
    """The newest entry across ``folders`` (older than ``before``, a stamp, and matching ``where``, when given)."""
    found: list[tuple[str, Path]] = []
    for folder in folders:
        for p in entries_in(folder):
            s = ENTRY_RE.match(p.name).group(1)  # type: ignore[union-attr]
            if before is None or s < before:
                found.append((s, p))
    for _s, p in sorted(found, reverse=True):
        doc = read_entry(p)
        if doc is not None and (where is None or where(doc)):
            return doc
    return None


def tenant_folders(root: Path) -> dict[str, list[Path]]:
    """Profile name -> its folders in a fleet output folder.

    ``root`` may be one `fleet audit --out-dir`, or a folder holding several of them (the shards of one
    run, each from its own scheduler job): every folder with entry files counts, named by its own name.
    """
    out: dict[str, list[Path]] = {}
    if not root.is_dir():
        return out
    for child in sorted(root.iterdir()):
        if not child.is_dir():
            continue
        if entries_in(child):
            out.setdefault(child.name, []).append(child)
        else:
            for sub in sorted(child.iterdir()) if child.is_dir() else []:
                if sub.is_dir() and entries_in(sub):
                    out.setdefault(sub.name, []).append(sub)
    return out


def latest_per_tenant(roots: list[Path], *, before: str | None = None) -> dict[str, dict]:
    """The newest entry of every tenant found under any of ``roots`` (shard folders merge here)."""
    folders: dict[str, list[Path]] = {}
    for root in roots:
        for name, fs in tenant_folders(root).items():
            folders.setdefault(name, []).extend(fs)
    out = {}
    for name, fs in sorted(folders.items()):
        entry = latest_entry(fs, before=before)
        if entry is not None:
            out[name] = entry
    return out


def history(folders: list[Path]) -> list[dict]:
    """Every entry of one tenant across ``folders``, oldest first, without duplicates of the same audit."""
    seen, out = set(), []
    for folder in folders:
        for p in entries_in(folder):
            if p.name in seen:
                continue
            seen.add(p.name)
            doc = read_entry(p)
            if doc is not None:
                out.append(doc)
    return sorted(out, key=lambda d: d.get("stamp", ""))
