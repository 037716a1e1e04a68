"""Answers prepared once per tenant state: a usage report's bytes are built once, and a retry or a second client gets them.

Graph prepares a report and answers with a 302 to the download
(https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail). Building a 400,000-person report
took the simulator longer than a client's read timeout, and the client's retry started the same build again.
``Prepared.get(key, build)`` builds once per key; a request for a key being built waits for that build (its own
event, no lock that other requests queue behind); the key carries the tenant's state (``ReadWriteLock.writes``),
so a write makes the next request build afresh, and older states are dropped as soon as a newer one is kept.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

KEEP = 8  # prepared answers kept at most (a client reads two reports; every period and format of both is eight)


class Prepared:
    def __init__(self, keep: int = KEEP) -> None:
        self._lock = threading.Lock()  # held only to look up and store, never while building
        self._done: OrderedDict[tuple, Any] = OrderedDict()
        self._building: dict[tuple, threading.Event] = {}
        self._keep = keep
        self.builds = 0  # how many times an answer was built (tests count them)
        self.waiting = 0  # requests waiting for another request's build

    def get(self, state: Hashable, key: Hashable, build: Callable[[], Any]) -> Any:
        """The answer for ``key`` in tenant state ``state``, built by ``build()`` unless it is kept or being built."""
        full = (state, key)
        while True:
            with self._lock:
                if full in self._done:
                    self._done.move_to_end(full)
                    return self._done[full]
                running = self._building.get(full)
                if running is None:
                    running = self._building[full] = threading.Event()
                    self.builds += 1
                    break
            with self._lock:
                self.waiting += 1
            running.wait()  # another request builds it; if that build failed, the loop builds it here
            with self._lock:
                self.waiting -= 1
        value, built = None, False
        try:
            value, built = build(), True
        finally:
            with self._lock:
                del self._building[full]
                if built:
                    for old in [k for k in self._done if k[0] != state]:  # a write made them stale
                        del self._done[old]
                    self._done[full] = value
                    while len(self._done) > self._keep:
                        self._done.popitem(last=False)
            running.set()
        return value
