"""A "not before" time per tenant, kept in the data folder after Graph said 429/503 with Retry-After.

A process that stops right after a throttled answer (apply exits 5) would otherwise let the next one (an
immediate resume) hit the tenant before Retry-After elapsed. Every apply, resume and undo reads the file
first and waits until that time.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from ..paths import data_dir, private_dir, write_private

MAX_WAIT = 600.0  # never wait longer than this for a stale or hostile file


def _path(tenant_key: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in tenant_key)[:100] or "tenant"
    return private_dir(data_dir() / "throttle") / f"{safe}.json"


def not_before(tenant_key: str) -> float:
    """The wall-clock time (epoch seconds) before which nothing may be sent to the tenant; 0 when none."""
    try:
        doc = json.loads(_path(tenant_key).read_text("utf-8"))
        return float(doc.get("not_before") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def remaining(tenant_key: str, now: float | None = None) -> float:
    return min(MAX_WAIT, max(0.0, not_before(tenant_key) - (time.time() if now is None else now)))


def record(tenant_key: str, seconds: float) -> None:
    """Graph asked for ``seconds`` of quiet from now on; keep the later of that and what is recorded."""
    if seconds <= 0:
        return
    until = time.time() + seconds
    if until > not_before(tenant_key):
        write_private(_path(tenant_key), json.dumps({"not_before": until}))


class Deadline:
    """Collects Retry-After answers during one process (the engine reports them here)."""

    def __init__(self) -> None:
        self.until = 0.0

    def saw(self, seconds: float | None) -> None:
        if seconds:
            self.until = max(self.until, time.time() + seconds)

    def left(self) -> float:
        return max(0.0, self.until - time.time())


__all__ = ["Deadline", "not_before", "record", "remaining"]
