"""Whole columns of a section and days parsed once: what the facts read at 100,000 people (issue 15).

A section's data is a list of dicts or a ``collect.table.Table``; ``column`` gives one property of every row either
way (a Table's own list, no copy). A Table holds every key for every row (Graph writes a selected property without a
value as ``null``), so "absent" and ``None`` are one there; for a list of dicts, ``default`` and ``has_key`` keep the
difference where the facts make one (``accountEnabled`` absent counts as enabled, ``provisionedPlans`` absent is
"not read").
"""
from __future__ import annotations

from datetime import date
from datetime import time as dtime
from typing import Any

from ..clock import days_since as clock_days_since
from ..collect.table import Table, columns


def column(data: Any, key: str, default: Any = None) -> list:
    """One property of every row; ``default`` where a dict row lacks the key, or a Table the whole column."""
    if isinstance(data, Table):
        return data.column(key) if key in data.keys else [default] * len(data)
    if default is None:
        return columns(data, key)[0]
    return [row.get(key, default) for row in data or ()]


def has_key(data: Any, key: str) -> list[bool]:
    """Per row: whether the key is there (a Table: for every row when the table has it)."""
    if isinstance(data, Table):
        return [key in data.keys] * len(data)
    return [key in row for row in data or ()]


def _graph_day(when: object) -> date | None:
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


def _date_or_false(text: str) -> date | bool:
    try:
        return date.fromisoformat(text) if text.isascii() and text[4] == "-" and text[7] == "-" else False
    except ValueError:
        return False


def _time_ok(text: str) -> bool:
    try:
        return text.isascii() and text[2] == ":" and text[5] == ":" and bool(dtime.fromisoformat(text) or True)
    except ValueError:
        return False


_UNSEEN: Any = object()


class Days:
    """``days_since(when, today)`` for many timestamps against one day, each distinct string parsed once (sign-in
    and sync times repeat: 100,000 people signed in at about 19,000 distinct minutes)."""

    __slots__ = ("today", "of", "_day")

    def __init__(self, today: date) -> None:
        self.today = today
        self.of: dict[Any, date | None] = {}  # timestamp -> its day; None: not in Graph's usual form (read, never changed)
        self._day = _graph_day

    def day(self, when: Any) -> date | None:
        """The day of a timestamp in Graph's usual form (2026-11-20T09:30:00Z), else None."""
        try:
            day = self.of.get(when, _UNSEEN)  # not KeyError: most strings are seen once (raising costs ~1 us each)
        except TypeError:  # not hashable: not a timestamp
            return None
        if day is _UNSEEN:
            day = self.of[when] = self._day(when)
        return day

    def graph_form(self, when: Any) -> bool:
        """Whether ``when`` is in Graph's usual form, the form that compares as text (all UTC, one width)."""
        return self.day(when) is not None

    def __call__(self, when: Any) -> int | None:
        day = self.day(when)
        return (self.today - day).days if day is not None else clock_days_since(when, self.today)
