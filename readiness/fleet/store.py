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
MAX_ENTRY_BYTES = 2 * 1024 * 1024
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


STATUSES = ("success", "partial", "failed")
TEXT_FIELDS = ("name", "tenant_id", "tenant_name", "error", "audited_at", "light", "previous_audited_at", "collected_at")
COUNT_FIELDS = ("score", "people", "ready", "not_ready", "not_evaluable", "seats_to_buy", "newly_ready", "newly_not_ready")
ID_LIST_FIELDS = ("new_failing", "fixed", "regressed", "not_evaluated")
FILE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _is_count(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _is_action(a: object) -> bool:
    title = a.get("title") if isinstance(a, dict) else None
    return (isinstance(a, dict) and isinstance(a.get("id"), str)
            and (title is None or (isinstance(title, dict) and all(isinstance(v, str) for v in title.values()))))


def valid_entry(doc: object) -> bool:
    """An entry as `fleet audit` writes it. Output folders come from scheduler jobs, artifacts and older
    versions: a damaged or hand-edited entry is skipped, never rendered (it could crash a report or link
    its summary to any file on the machine)."""
    if not isinstance(doc, dict) or doc.get("schema") != ENTRY_SCHEMA or doc.get("status") not in STATUSES:
        return False
    if not isinstance(doc.get("name"), str) or not isinstance(doc.get("stamp", ""), str):
        return False
    if any(not (doc.get(k) is None or isinstance(doc.get(k), str)) for k in TEXT_FIELDS):
        return False
    if any(not _is_count(doc.get(k)) for k in COUNT_FIELDS):
        return False
    if any(not (doc.get(k) is None or (isinstance(doc[k], list) and all(isinstance(x, str) for x in doc[k])))
           for k in ID_LIST_FIELDS):
        return False
    checks, actions, areas, files = doc.get("checks"), doc.get("top_actions"), doc.get("areas"), doc.get("files")
    if checks is not None and not (isinstance(checks, dict) and all(isinstance(v, dict) for v in checks.values())):
        return False
    if actions is not None and not (isinstance(actions, list) and all(_is_action(a) for a in actions)):
        return False
    if areas is not None and not (isinstance(areas, dict) and all(_is_count(v) for v in areas.values())):
        return False
    if files is not None and not (isinstance(files, dict) and all(isinstance(v, str) and FILE_NAME_RE.match(v)
                                                                  for v in files.values())):
        return False
    if doc["status"] != "failed" and (doc.get("people") is None or doc.get("ready") is None
                                      or doc["ready"] > doc["people"]):  # an audited tenant has its "N of M"
        return False
    if not (doc.get("error_data") is None or isinstance(doc["error_data"], dict)):  # said by its keys, else English
        return False
    return doc.get("snapshot_path") is None or isinstance(doc["snapshot_path"], str)


def read_entry(path: Path) -> dict | None:
    """The entry in ``path``, or None when it is unreadable or not an entry as `fleet audit` writes it."""
    try:
        if path.stat().st_size > MAX_ENTRY_BYTES:  # an entry is counts and check statuses, a few kB
            return None
        doc = json.loads(path.read_text("utf-8"))
        if not valid_entry(doc):
            return None
    except (OSError, ValueError, RecursionError):  # nested past what json (or a check of it) reads: damaged
        return None
    doc["_path"] = str(path)
    return doc


def unreadable(roots: list[Path]) -> list[Path]:
    """Entry files under ``roots`` that were skipped because they are damaged (for a warning)."""
    return [p for root in roots for folders in tenant_folders(root).values() for f in folders
            for p in entries_in(f) if read_entry(p) is None]


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
