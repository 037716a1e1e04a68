"""A tenant's lock: many readers at once, one writer alone (re-entrant for the writing thread).

``with tenant.lock:`` takes it for writing, as before; the simulator serves GETs under ``tenant.lock.read()``
so that reads no longer queue behind one another (issue 15: one slow read used to hold up every request).
``writes`` counts the writers' entries and exits: answers derived from the tenant (simulator/prepared.py) key on it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer: int | None = None  # thread id of the writer
        self._depth = 0  # the writer's re-entries
        # bumped when a writer takes the lock and when it lets go: a reader never sees the same count on both sides
        # of a write, and the writing thread's own reads (nested) do not share a count with the state before it
        self.writes = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:  # the writing thread may read what it writes
                self._depth += 1
                nested = True
            else:
                nested = False
                while self._writer is not None:
                    self._cond.wait()
                self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                if nested:
                    self._depth -= 1
                else:
                    self._readers -= 1
                    if not self._readers:
                        self._cond.notify_all()

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._depth += 1
                return
            while self._writer is not None or self._readers:
                self._cond.wait()
            self._writer, self._depth = me, 1
            self.writes += 1

    def release(self) -> None:
        with self._cond:
            if self._writer != threading.get_ident():
                raise RuntimeError("release of a tenant lock this thread does not hold")
            self._depth -= 1
            if not self._depth:
                self._writer = None
                self.writes += 1
                self._cond.notify_all()

    def __enter__(self) -> "ReadWriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
