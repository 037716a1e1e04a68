"""Request accounting and the per-tenant throttle gate shared by every worker."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Callable

from ..errors import Phrase


@dataclass
class RequestStats:
    """Counts every request: logical calls, wire attempts, retries, throttling and bytes."""

    requests: int = 0  # logical requests (one per call, however many attempts)
    attempts: int = 0  # requests on the wire, including retries and redirect hops
    retries: int = 0
    throttled: int = 0  # 429 / 503 answers (including $batch items)
    throttled_seconds: float = 0.0  # time spent waiting because Graph asked us to
    transport_errors: int = 0
    bytes_received: int = 0
    bytes_sent: int = 0
    batch_items: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_endpoint: Counter = field(default_factory=Counter)  # logical requests per path (ids collapsed)
    batch_items_by_endpoint: Counter = field(default_factory=Counter)  # $batch items sent, per path (ids collapsed)

    def add(self, other: "RequestStats") -> None:
        """Count ``other``'s requests too (a helper process's, collect/helper.py): every field, numbers added,
        Counters merged."""
        for f in fields(self):
            mine = getattr(self, f.name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, f.name))
            else:
                setattr(self, f.name, mine + getattr(other, f.name))

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "attempts": self.attempts,
            "retries": self.retries,
            "throttled": self.throttled,
            "throttled_seconds": round(self.throttled_seconds, 3),
            "transport_errors": self.transport_errors,
            "bytes_received": self.bytes_received,
            "bytes_sent": self.bytes_sent,
            "batch_items": self.batch_items,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "by_endpoint": dict(self.by_endpoint.most_common()),
            "batch_items_by_endpoint": dict(self.batch_items_by_endpoint.most_common()),
        }


class ThrottleGate:
    """When Graph throttles one request, every request to that tenant waits.

    Graph's limits are per app and tenant, so retrying other requests in parallel only extends the
    throttling (notes/graph-api.md 9.4); the SDK's RetryHandler sleeps per request.
    """

    def __init__(self, clock=time.monotonic) -> None:
        self._until = 0.0
        self._clock = clock
        self.on_pause: Callable[[float], None] | None = None  # told at once (a killed process cannot tell later)

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, self._clock() + seconds)
        self.heard(seconds)

    def heard(self, seconds: float) -> None:
        """Graph asked this tenant for ``seconds`` of quiet: pass it on before anything else happens."""
        if self.on_pause is not None:
            self.on_pause(seconds)

    def remaining(self) -> float:
        return max(0.0, self._until - self._clock())

    async def wait(self) -> float:
        waited = 0.0
        while (left := self.remaining()) > 0:
            await asyncio.sleep(left)
            waited += left
        return waited


DEFAULT_MAX_WAIT = 180.0  # seconds a command may spend waiting on Graph in total (--max-wait)


def _secs(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


class WaitBudget:
    """The total time one command may spend waiting for Graph (Retry-After, back-off), and who hears of it.

    Waits overlap (every worker of a tenant waits on the same ThrottleGate), so the budget counts wall
    time: the union of the waiting intervals, not their sum. A wait that would go past the cap is not
    started; the caller fails the request instead (the section that asked is ``failed``, never a hang).
    """

    def __init__(self, cap: float = DEFAULT_MAX_WAIT, report: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cap = float(cap)
        self.report = report  # progress callback from the CLI (stderr); nothing below cli/ prints
        self.waited = 0.0
        self._until = 0.0
        self._clock = clock

    def remaining(self) -> float:
        return max(0.0, self.cap - self.waited)

    def claim(self, seconds: float, why: str) -> bool:
        """Account for a wait of ``seconds`` starting now; False (and nothing counted) if it would pass the cap."""
        now = self._clock()
        end = now + max(0.0, seconds)
        extension = max(0.0, end - max(self._until, now))
        if self.waited + extension > self.cap + 1e-6:
            return False
        self.waited += extension
        self._until = max(self._until, end)
        if self.report is not None and extension >= 0.5:
            self.report(Phrase("cli.progress.waiting", why=why, seconds=_secs(seconds), waited=_secs(self.waited),
                               cap=_secs(self.cap)))
        return True

    def refusal_params(self, seconds: float, why: str) -> dict[str, str]:
        """The parameters of the catalogue text ``errors.graph.wait_cap`` (what ``refusal`` says)."""
        return {"why": why, "seconds": _secs(seconds), "cap": _secs(self.cap), "waited": _secs(self.waited)}

    def refusal(self, seconds: float, why: str) -> str:
        return (f"{why}, but waiting {_secs(seconds)} s more would pass the total wait cap of {_secs(self.cap)} s "
                f"({_secs(self.waited)} s waited already)")
