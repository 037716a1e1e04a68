"""Runs on disk: the plan, an append-only journal (fsync per entry), metadata; a lock per tenant (filelock)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import Phrase, ReadinessError, UsageError
from ..paths import data_dir, private_dir, write_private
from .model import Plan


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _key() -> bytes:
    """Local key that signs plan files, so a tampered plan is refused."""
    path = data_dir() / "plan-signing.key"
    if not path.exists():
        write_private(path, base64.b64encode(secrets.token_bytes(32)).decode())
    return base64.b64decode(path.read_text())


def sign(doc: dict) -> str:
    canon = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(_key(), canon, hashlib.sha256).hexdigest()


PLAN_KIND = "readiness.plan"  # a plan file says what it is: apply recognises it by this, not by its name
PLAN_FILE_VERSION = 1


def save_plan_file(plan: Plan, path: Path, meta: dict) -> None:
    doc = {"kind": PLAN_KIND, "version": PLAN_FILE_VERSION, "plan": plan.to_dict(), "meta": meta}
    doc["signature"] = sign(doc)
    write_private(path, json.dumps(doc, indent=1, ensure_ascii=False))


def load_plan_file(path: Path) -> tuple[Plan, dict]:
    try:
        doc = json.loads(path.read_text("utf-8"))
        signature = doc.pop("signature")
        plan = Plan.from_dict(doc["plan"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError.keyed("plan.not_plan_file", path=path, error_type=type(exc).__name__) from exc
    if not hmac.compare_digest(signature, sign(doc)):
        raise UsageError.keyed("plan.file_changed", path=path)
    return plan, doc.get("meta") or {}


class LockHeld(ReadinessError):
    code = "locked"


class TenantLock:
    """One apply per tenant at a time: an OS file lock through filelock (flock on POSIX, msvcrt on Windows),
    released when the process ends, even by a crash. Taken before the staleness check, held through the prompt."""

    def __init__(self, tenant_key: str) -> None:
        from filelock import FileLock

        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in tenant_key)[:100]
        self.path = private_dir(data_dir() / "locks") / f"{safe}.lock"
        self._lock: Any = FileLock(str(self.path), timeout=0, mode=0o600, thread_local=False, is_singleton=False)

    def __enter__(self) -> "TenantLock":
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise LockHeld.keyed("plan.lock_held") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


@dataclass
class Run:
    id: str
    dir: Path

    @property
    def journal_path(self) -> Path:
        return self.dir / "journal.jsonl"

    def meta(self) -> dict:
        return json.loads((self.dir / "meta.json").read_text("utf-8"))

    def plan(self) -> Plan:
        return Plan.from_dict(json.loads((self.dir / "plan.json").read_text("utf-8")))

    def write(self, entry: dict) -> None:
        """Append one journal entry and fsync it before anything else happens."""
        self.write_many([entry])

    def write_many(self, entries: list[dict]) -> None:
        """Group commit: append entries in one write and fsync once; all are durable before we act on them."""
        ts = now()
        data = "".join(json.dumps({"ts": ts, **e}, ensure_ascii=False, default=str) + "\n" for e in entries).encode()
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> Iterator[dict]:
        if not self.journal_path.exists():
            return
        with open(self.journal_path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError:  # a torn last line after a crash: ignore it
                        continue

    def state(self) -> dict[str, dict]:
        """The last entry per change (start, created, accepted, part, done, failed, unknown), with its results
        merged and the parts done so far (``parts``: indices into ``Change.requests``)."""
        out: dict[str, dict] = {}
        for e in self.entries():
            if "change" in e:
                prev = out.get(e["change"], {})
                parts = list(prev.get("parts") or [])
                if e.get("phase") == "part" and e.get("part") not in parts:
                    parts.append(e.get("part"))
                out[e["change"]] = {**prev, **e, "result": {**(prev.get("result") or {}), **(e.get("result") or {})},
                                    "parts": parts}
        return out


class RunStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = private_dir(root or (data_dir() / "runs"))

    def create(self, plan: Plan, meta: dict) -> Run:
        run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
        d = private_dir(self.root / run_id)
        write_private(d / "plan.json", json.dumps(plan.to_dict(), ensure_ascii=False))
        write_private(d / "meta.json", json.dumps({**meta, "run": run_id, "created": now()}, ensure_ascii=False))
        return Run(run_id, d)

    def get(self, run_id: str) -> Run:
        d = self.root / run_id
        if not (d / "meta.json").exists():
            known = ", ".join(r.id for r in self.all()[-5:]) or Phrase("errors.words.none_yet")
            raise UsageError.keyed("plan.no_run", run_id=run_id, known=known)
        return Run(run_id, d)

    def all(self) -> list[Run]:
        return [Run(d.name, d) for d in sorted(self.root.iterdir()) if (d / "meta.json").exists()]

    def history(self, tenant_key: str) -> dict[str, dict]:
        """Changes done in earlier runs for this tenant (change id -> data), so nothing is sent twice."""
        out: dict[str, dict] = {}
        for run in self.all():
            try:
                if run.meta().get("tenant_key") != tenant_key:
                    continue
                plan = run.plan()
            except (OSError, ValueError):
                continue
            done = {cid for cid, st in run.state().items() if st.get("phase") == "done"}
            for c in plan.changes:
                if c.id in done:
                    out[c.id] = c.data
        return out
