"""checks.devices.stale_rows (devices.stale_sync at 105,000 sync times, issue 15): the rows it finds at once (one
regular-expression pass, each distinct day judged once) are exactly those the one-by-one rule finds (``Days``: a sync
time more than 30 days ago, or one with no day it can read), whatever the column holds: every day of two years, 4,000
random lists, and odd values (a day that does not exist, year 0 or 0001, a line break, not a string) among usual ones.
(Until session 16 a second rule, audit.columns.rows_before, compared the times as text first; this file held the two
equal. It went: one rule, 0.02-0.04 s slower at 100k.)"""
from __future__ import annotations

import random
from datetime import date

import pytest

from readiness.audit.columns import Days
from readiness.checks.devices import stale_rows

TODAY = date(2026, 11, 30)
CUTOFF = date(2026, 10, 31)  # TODAY - 30 days: a sync on a day before this one is stale
ODD = [None, "", "junk", "2026-11-20", "2026-11-20T09:30:00.123Z", "2026-11-19T23:30:00+02:00", "0001-01-01T00:00:00Z",
       "0000-06-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-30T00:00:00Z",
       "2026-04-31T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z", "2025-02-29T00:00:00Z",
       "2026-11-20T24:00:00Z", "2026-11-20T23:60:00Z", "2026-11-20T23:59:60Z", "2026-11-20t09:30:00Z",
       "2026-11-20T09:30:00Z\n2026-11-20T09:30:00Z", "２０２６-11-20T09:30:00Z", " 2026-11-20T09:30:00Z",
       "2026-11-20T09:30:00Z\r", "2026-10-31T00:00:00Z "]  # (a value not a string or null: refused by the snapshot's shapes before any check)


def _expected(whens: list) -> list[int]:
    days = Days(TODAY)
    return [i for i, w in enumerate(whens) if (age := days(w)) is None or age > 30]


def _any_time(rnd: random.Random) -> str:
    return (f"{rnd.choice([0, 1, 2, 999, 1999, 2024, 2025, 2026, 9999]):04d}-{rnd.randint(0, 13):02d}-"
            f"{rnd.randint(0, 32):02d}T{rnd.randint(0, 24):02d}:{rnd.randint(0, 60):02d}:{rnd.randint(0, 60):02d}Z")


def test_every_day_of_two_years_and_the_cutoffs_own() -> None:
    whens = [f"{day.isoformat()}T{h:02d}:00:00Z" for n in range(date(2025, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
             if (day := date.fromordinal(n)) and (day.month, day.day) != (2, 29) for h in (0, 23)]
    got = stale_rows(whens, TODAY)
    assert got == _expected(whens)
    assert "2026-10-30T23:00:00Z" in [whens[i] for i in got]
    assert "2026-10-31T00:00:00Z" not in [whens[i] for i in got]
    assert stale_rows(["2026-10-31T00:00:00Z"], TODAY) == [] and stale_rows(["2026-10-30T23:59:59Z"], TODAY) == [0]


def test_random_times_give_the_one_by_one_rows() -> None:
    rnd = random.Random(15)
    stale = 0
    for _ in range(4000):
        whens = [_any_time(rnd) for _ in range(rnd.randint(1, 3))]
        got = stale_rows(whens, TODAY)
        assert got == _expected(whens), whens
        stale += bool(got)
    assert stale > 100


@pytest.mark.parametrize("odd", ODD)
def test_one_odd_value_among_usual_ones(odd: object) -> None:
    whens = ["2026-09-01T08:00:00Z", "2026-11-20T09:30:00Z", "2024-02-28T23:59:59Z"]
    assert stale_rows(whens, TODAY) == [0, 2]
    whens.insert(1, odd)
    assert stale_rows(whens, TODAY) == _expected(whens)


def test_leap_day_and_empty_list() -> None:
    assert stale_rows(["2024-02-29T12:00:00Z", "2026-11-29T12:00:00Z"], TODAY) == [0]  # a real day, judged as one
    assert stale_rows([], TODAY) == []
