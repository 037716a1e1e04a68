"""clock.graph_days (issue 15) gives what graph_day gives one string at a time, and Days.learn what Days.day gives:
for a whole list in Graph's usual form (one regular-expression pass) and for lists where any one string is not."""
from __future__ import annotations

import random
from datetime import date

import pytest

from readiness import clock
from readiness.audit.columns import Days

ODD = ["2026-11-20T09:30:00.123Z", "2026-11-19T23:30:00+02:00", "0001-01-01T00:00:00Z", "", "junk",
       "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T23:60:00Z",
       "2026-11-20T23:59:60Z", "2026-11-20", "2026-11-20T09:30:00Z\n2026-11-20T09:30:00Z", "２０２６-11-20T09:30:00Z",
       "2026-11-20T0９:30:00Z", "2026-11-20t09:30:00Z", " 2026-11-20T09:30:00Z", "2026-11-20T09:30:00Z\r"]


def _usual(rnd: random.Random, n: int) -> list[str]:
    return [f"{rnd.choice([1999, 2025, 2026])}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T"
            f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}Z" for _ in range(n)]


@pytest.mark.parametrize("odd", [None, *ODD])
def test_graph_days_is_graph_day_for_each(odd: str | None) -> None:
    rnd = random.Random(15)
    whens = _usual(rnd, 300) + ["0001-01-01T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-20T23:59:59Z"]
    if odd is not None:
        whens.insert(rnd.randrange(len(whens)), odd)
    assert clock.graph_days(whens) == [clock.graph_day(w) for w in whens]
    assert clock.graph_days([]) == [] and clock.graph_days([odd or ""]) == [clock.graph_day(odd or "")]


def test_days_learn_is_days_day() -> None:
    rnd = random.Random(7)
    values = _usual(rnd, 200) + ODD + [None, "", "2026-11-20T09:30:00Z"]
    learned = Days(date(2026, 11, 20))
    of = learned.learn(set(values))
    one_by_one = Days(date(2026, 11, 20))
    assert all(of[v] == one_by_one.day(v) for v in values)
    assert all(learned(v) == clock.days_since(v, date(2026, 11, 20)) for v in values)
