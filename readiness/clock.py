"""The one clock for dates: audits, the simulator's generated data and tests read "now" here.

``READINESS_NOW`` (an ISO date or date-time; UTC if it names no zone) sets the clock for a whole process
(subprocess tests, reproducing a customer's run); ``frozen()`` sets it inside one block (in-process
tests). Token lifetimes and journal timestamps use the real time, never this clock.
"""
from __future__ import annotations

import os
import re
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
    """Whole days from an ISO timestamp to ``today``; None for no value, Graph's "never" (0001-01-01) or junk.
    Graph's usual form (2026-11-20T09:30:00Z) from memoised parts: the audit asks a few hundred thousand times at
    100,000 people (issue 15); anything else is parsed in full."""
    day = graph_day(when)
    if day is not None:
        return (today - day).days
    if not when or when.startswith("0001"):
        return None
    try:
        return (today - datetime.fromisoformat(when.replace("Z", "+00:00")).date()).days
    except ValueError:
        return None


def graph_day(when: object) -> date | None:
    """The day of a timestamp in Graph's usual form (2026-11-20T09:30:00Z, valid), from memoised parts; None for
    anything else (which the slow path then reads exactly as before)."""
    if not isinstance(when, str) or len(when) != 20 or when[19] != "Z" or when[10] != "T" or when.startswith("0001"):
        return None
    day = _DAYS.get(when[:10])
    if day is None:
        day = _DAYS[when[:10]] = _date_or_false(when[:10])
    ok = _TIMES.get(when[11:19])
    if ok is None:
        ok = _TIMES[when[11:19]] = _time_ok(when[11:19])
    return day if day and ok else None


_DAYS: dict[str, date | bool] = {}
_TIMES: dict[str, bool] = {}
# graph_day's form with a valid time of day (what time.fromisoformat takes: hours 00-23, no leap second), one a line
_SHAPE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$", re.M)


def graph_days(whens: list[str]) -> list[date | None]:
    """``graph_day`` of each of many strings (issue 15: 36,000 distinct device sync times at 100k). Where every one is
    in Graph's usual form with a valid time, one regular-expression pass over them all finds each one's day, and each
    distinct day is checked once; otherwise (or for a string holding a line break) one by one."""
    text = "\n".join(whens)
    if text.count("\n") == len(whens) - 1:
        found = _SHAPE.findall(text)
        if len(found) == len(whens):
            days = {}
            for day in set(found):
                got = _DAYS.get(day)
                if got is None:
                    got = _DAYS[day] = _date_or_false(day)
                days[day] = got if got and not day.startswith("0001") else None
            return list(map(days.__getitem__, found))
    return list(map(graph_day, whens))


def _date_or_false(text: str) -> date | bool:
    try:
        return date.fromisoformat(text) if text.isascii() and text[4] == "-" and text[7] == "-" else False
    except ValueError:
        return False


def _time_ok(text: str) -> bool:
    try:
        return text.isascii() and text[2] == ":" and text[5] == ":" and bool(time.fromisoformat(text) or True)
    except ValueError:
        return False
