"""Request accounting and the per-tenant throttle gate shared by every worker."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field


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
        }


class ThrottleGate:
    """When Graph throttles one request, every request to that tenant waits.

    Graph's limits are per app and tenant, so retrying other requests in parallel only extends the
    throttling (notes/graph-api.md 9.4); the SDK's RetryHandler sleeps per request.
    """

    def __init__(self, clock=time.monotonic) -> None:
        self._until = 0.0
        self._clock = clock

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, self._clock() + seconds)

    def remaining(self) -> float:
        return max(0.0, self._until - self._clock())

    async def wait(self) -> float:
        waited = 0.0
        while (left := self.remaining()) > 0:
            await asyncio.sleep(left)
            waited += left
        return waited
