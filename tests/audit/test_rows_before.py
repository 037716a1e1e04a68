"""audit.columns.rows_before (issue 15: devices.stale_sync compares 105,000 sync times as text): where it answers, each
time is in Graph's usual form with a valid day (clock.graph_day gives it one) and the rows are exactly those whose day
is before the cutoff; where any time is not (a day that does not exist, year 0 or 0001, a line break, not a string),
it gives None and the caller reads them one by one."""
from __future__ import annotations

import random
from datetime import date

import pytest

from readiness import clock
from readiness.audit.columns import rows_before

CUTOFF = date(2026, 10, 31)
ODD = [None, "", "junk", "2026-11-20", "2026-11-20T09:30:00.123Z", "2026-11-19T23:30:00+02:00", "0001-01-01T00:00:00Z",
       "0000-06-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-30T00:00:00Z",
       "2026-04-31T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z", "2025-02-29T00:00:00Z",
       "2026-11-20T24:00:00Z", "2026-11-20T23:60:00Z", "2026-11-20T23:59:60Z", "2026-11-20t09:30:00Z",
       "2026-11-20T09:30:00Z\n2026-11-20T09:30:00Z", "２０２６-11-20T09:30:00Z", " 2026-11-20T09:30:00Z",
       "2026-11-20T09:30:00Z\r", "2026-10-31T00:00:00Z ", 20261031]


def _expected(whens: list) -> list[int]:
    return [i for i, w in enumerate(whens) if clock.graph_day(w) < CUTOFF]


def _any_time(rnd: random.Random) -> str:
    return (f"{rnd.choice([0, 1, 2, 999, 1999, 2024, 2025, 2026, 9999]):04d}-{rnd.randint(0, 13):02d}-"
            f"{rnd.randint(0, 32):02d}T{rnd.randint(0, 24):02d}:{rnd.randint(0, 60):02d}:{rnd.randint(0, 60):02d}Z")


def test_every_day_of_two_years_and_the_cutoffs_own() -> None:
    whens = [f"{day.isoformat()}T{h:02d}:00:00Z" for n in range(date(2025, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
             if (day := date.fromordinal(n)) and (day.month, day.day) != (2, 29) for h in (0, 23)]
    got = rows_before(whens, CUTOFF)
    assert got == _expected(whens)
    assert "2026-10-30T23:00:00Z" in [whens[i] for i in got]
    assert "2026-10-31T00:00:00Z" not in [whens[i] for i in got]
    assert rows_before(["2026-10-31T00:00:00Z"], CUTOFF) == [] and rows_before(["2026-10-30T23:59:59Z"], CUTOFF) == [0]


def test_random_times_answered_only_where_each_has_a_day() -> None:
    rnd = random.Random(15)
    answered = refused = 0
    for _ in range(4000):
        whens = [_any_time(rnd) for _ in range(rnd.randint(1, 3))]
        got = rows_before(whens, CUTOFF)
        if got is None:  # some time has no day of Graph's usual form (or is February 29: read one by one)
            assert any(clock.graph_day(w) is None or w[5:10] == "02-29" for w in whens), whens
            refused += 1
        else:
            assert all(clock.graph_day(w) is not None for w in whens), whens
            assert got == _expected(whens), whens
            answered += 1
    assert answered > 100 and refused > 100


@pytest.mark.parametrize("odd", ODD)
def test_one_odd_value_among_usual_ones_refuses_the_whole_list(odd: object) -> None:
    whens = ["2026-09-01T08:00:00Z", "2026-11-20T09:30:00Z", "2024-02-28T23:59:59Z"]
    assert rows_before(whens, CUTOFF) == [0, 2]
    whens.insert(1, odd)
    assert rows_before(whens, CUTOFF) is None


def test_leap_day_and_empty_list_are_left_to_the_caller() -> None:
    assert rows_before(["2024-02-29T12:00:00Z"], CUTOFF) is None  # a real day, but judged one by one
    assert rows_before([], CUTOFF) is None
