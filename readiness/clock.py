"""The one clock for dates: audits, the simulator's generated data and tests read "now" here.

``READINESS_NOW`` (an ISO date or date-time; UTC if it names no zone) sets the clock for a whole process
(subprocess tests, reproducing a customer's run); ``frozen()`` sets it inside one block (in-process
tests). Token lifetimes and journal timestamps use the real time, never this clock.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, time, timezone
from typing import Iterator

from .errors import UsageError

ENV = "READINESS_NOW"
_frozen: list[datetime] = []


def parse(value: str | date | datetime) -> datetime:
    """An aware UTC datetime from an ISO date, an ISO date-time (``Z`` allowed), a date or a datetime."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime.combine(value, time(12, 0))
    else:
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError.keyed("config.bad_now", value=value, env=ENV) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def now() -> datetime:
    """The current time, aware, in UTC, without microseconds."""
    if _frozen:
        return _frozen[-1]
    env = os.environ.get(ENV, "").strip()
    if env:
        return parse(env)
    return datetime.now(timezone.utc).replace(microsecond=0)


def today() -> date:
    return now().date()


def iso_now() -> str:
    """``now()`` as Graph writes times: ``2026-11-20T09:30:00Z``."""
    return now().isoformat().replace("+00:00", "Z")


@contextmanager
def frozen(at: str | date | datetime) -> Iterator[datetime]:
    """Inside this block ``now()`` is ``at`` (nestable)."""
    _frozen.append(parse(at))
    try:
        yield _frozen[-1]
    finally:
        _frozen.pop()


def days_since(when: str | None, today: date) -> int | None:
    """Whole days from an ISO timestamp to ``today``; None for no value, Graph's "never" (0001-01-01) or junk."""
    if not when or when.startswith("0001"):
        return None
    try:
        return (today - datetime.fromisoformat(when.replace("Z", "+00:00")).date()).days
    except ValueError:
        return None
