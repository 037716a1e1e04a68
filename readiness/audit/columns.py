"""Whole columns of a section and days parsed once: what the facts read at 100,000 people (issue 15).

A section's data is a list of dicts or a ``collect.table.Table``; ``column`` gives one property of every row either
way (a Table's own list, no copy). A Table holds every key for every row (Graph writes a selected property without a
value as ``null``), so "absent" and ``None`` are one there; for a list of dicts, ``default`` and ``has_key`` keep the
difference where the facts make one (``accountEnabled`` absent counts as enabled, ``provisionedPlans`` absent is
"not read").
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from ..clock import days_since as clock_days_since
from ..clock import graph_day as _graph_day
from ..clock import graph_days
from ..collect.table import Coded, Table, columns


def column(data: Any, key: str, default: Any = None) -> list:
    """One property of every row; ``default`` where a dict row lacks the key, or a Table the whole column."""
    if isinstance(data, Table):
        return data.column(key) if key in data.keys else [default] * len(data)
    if default is None:
        return columns(data, key)[0]
    return [row.get(key, default) for row in data or ()]


def values_at(data: Any, key: str, rows: Iterable[int]) -> list:
    """``column(data, key)[i]`` for each row number ``i`` of ``rows``, without building the whole column: a check's
    sample of 25 device names out of 105,000 (issue 15)."""
    if isinstance(data, Table):
        if key not in data.keys:
            return [None for _ in rows]
        col = data.cols[data.keys.index(key)]
        return [col[i] for i in rows]
    return [data[i].get(key) for i in rows]


def has_key(data: Any, key: str) -> list[bool]:
    """Per row: whether the key is there (a Table: for every row when the table has it)."""
    if isinstance(data, Table):
        return [key in data.keys] * len(data)
    return [key in row for row in data or ()]


def coded(data: Any, key: str) -> Coded | None:
    """A Table's column held as ``Coded`` (a byte per row, each distinct value once), else None."""
    if isinstance(data, Table) and key in data.keys:
        col = data.cols[data.keys.index(key)]
        if col.__class__ is Coded:
            return col
    return None


def by_value(data: Any, key: str, answer: Any, plain: bool = True) -> list | None:
    """``answer`` of each row's value of a column: for a Coded column (a Table's column of few values) once per
    distinct value, then looked up by each row's code (the same answer object for equal values); else (``plain``)
    per row, or None."""
    col = coded(data, key)
    if col is not None:
        return list(map(list(map(answer, col.palette)).__getitem__, col.codes))
    return list(map(answer, columns(data, key)[0])) if plain else None


def in_order(keys: list, by_id: dict) -> Any:
    """The person of each key, where the keys are some of ``by_id``'s ids in ``by_id``'s order, each once (a report or
    listing of users as Graph lists them: at 100k, the MFA report, Teams accounts and usage rows are); else None (look
    them up by id). One walk along ``by_id`` instead of a dict look-up per row: 100,000 look-ups cost ~35 ms on the
    session-10 machine, the walk ~6 ms where the rows hold the users' own id objects (issue 15)."""
    if len(keys) == len(by_id) and keys == list(by_id):  # every person, in order: a list compare (~1 ms)
        return by_id.values()
    out = []
    items = iter(by_id.items())
    for key in keys:
        for uid, p in items:
            if uid is key or uid == key:
                out.append(p)
                break
        else:  # not found further on: another order, an id twice, or nobody's
            return None
    return out


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

    def learn(self, values: Iterable[Any]) -> dict[Any, date | None]:
        """Every value of ``values`` not seen yet parsed at once (as ``day`` would, one call each); ``of`` returned.
        Values must be hashable (TypeError otherwise)."""
        of = self.of
        fresh = [when for when in values if when not in of]
        texts = [when for when in fresh if when.__class__ is str]
        of.update(zip(texts, graph_days(texts)))  # all at once: a regular expression over them (clock.graph_days)
        if len(texts) < len(fresh):
            for when in fresh:
                if when.__class__ is not str:
                    of[when] = _graph_day(when)
        return of

    def graph_form(self, when: Any) -> bool:
        """Whether ``when`` is in Graph's usual form, the form that compares as text (all UTC, one width)."""
        return self.day(when) is not None

    def __call__(self, when: Any) -> int | None:
        day = self.day(when)
        return (self.today - day).days if day is not None else clock_days_since(when, self.today)


