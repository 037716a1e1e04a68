"""Request slots for one tenant: at most ``n`` requests in flight, handed out by priority, not by arrival.

``asyncio.Semaphore`` wakes waiters in arrival order, so with 8 slots shared by two dozen paged reads the longest
chain (``/users`` at 500 a page: 200 pages at 100,000 people) waits for a slot on every page behind requests
that could run at any time, and the whole collection waits for it (issue 15). Here a freed slot goes straight to
the waiter with the smallest priority (then the earliest), and no newcomer takes it in between; the lead chain's
pages hand their slot on to the next page (``Slot``), so that chain never waits for one.

Then the reads as long as the tenant (LONG: registrations, Intune devices, Teams accounts, the Entra devices'
listing), then everything else in arrival order. Served in arrival order alone, all reads progress alike and the
longest end last, a few at a time with slots idle (measured at 200 ms latency: 9 s of 60 with 1-4 requests in
flight); served first, they end while the many shorter reads (the 16 device-owner reads) still fill the slots. The
next pages of reads under way are not put before new work: that starved the reads that can only start late (a
licensing group's members, 54 pages at 100,000 people, start after the groups are read) until the end.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools

LEAD = 0  # the pages of the read marked as the longest chain (its requests hand their slot on)
LONG = 1  # the pages of other reads as long as the tenant (one item per person or device, ~1000 a page)
NEW = 2  # everything else, first come first served: the next page of any other read, a single object, a $batch


class Slots:
    def __init__(self, n: int) -> None:
        self._free = n
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._order = itertools.count()

    async def acquire(self, priority: int = NEW) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # handed a slot in the moment of the cancellation: pass it on
            raise

    def release(self) -> None:
        if self._free < 0:  # fewer slots since (``shrink``): this one is not given out again
            self._free += 1
            return
        while self._waiting:
            _, _, fut = heapq.heappop(self._waiting)
            if not fut.done():  # a waiter cancelled meanwhile is skipped
                fut.set_result(None)
                return
        self._free += 1

    def shrink(self, n: int) -> None:
        """``n`` slots fewer, while requests may be under way: the next ``n`` released are not given out again."""
        self._free -= n

    def grow(self, n: int) -> None:
        """``n`` slots more, at once to the waiters first (the helper's share, back when the main process reads its
        collections after all: collect/helper.py)."""
        for _ in range(n):
            self.release()

    def slot(self) -> Slot:
        return Slot(self)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class Slot:
    """One slot that a request may keep when it ends and hand to the next request of its chain (the lead chain's
    pages: a freed slot would go to another waiter, and the chain would wait for the next one to come free)."""

    __slots__ = ("_slots", "held")

    def __init__(self, slots: Slots) -> None:
        self._slots = slots
        self.held = False

    async def acquire(self, priority: int) -> None:
        if not self.held:
            await self._slots.acquire(priority)
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._slots.release()
