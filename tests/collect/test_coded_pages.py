"""A Coded column grown page by page (a page whose values were all seen before is coded in one pass, issue 15) holds
every row in order, each value coded by its first appearance, and a page that would overflow the palette adds
nothing, whichever row of it brings the new value."""
from __future__ import annotations

import random

import pytest

from readiness.collect.table import CODED_MAX, Coded


def _fresh(value: str | None) -> str | None:
    return None if value is None else "".join(list(value))  # an equal string, another object


@pytest.mark.parametrize("seed", range(30))
def test_pages_of_seen_and_new_values_keep_every_row_in_order(seed: int) -> None:
    rnd = random.Random(seed)
    palette = [None, True, False] + [f"v{i}" for i in range(rnd.randint(1, 12))]
    by_value, by_identity = Coded(), Coded()
    objects = [None, "x", "y", "z"]
    rows, identity_rows = [], []
    for _ in range(rnd.randint(1, 8)):
        page = [rnd.choice(palette) for _ in range(rnd.randint(0, 40))]
        page = [_fresh(v) if isinstance(v, str) else v for v in page]
        assert by_value.extend_equal(page)
        rows += page
        same = [rnd.choice(objects) for _ in range(rnd.randint(0, 40))]
        assert by_identity.extend(same)
        identity_rows += same
    assert by_value.tolist() == rows and len(by_value) == len(rows)
    assert by_value.palette == list(dict.fromkeys(rows))  # coded in the order of first appearance
    assert by_identity.tolist() == identity_rows and all(a is b for a, b in zip(by_identity, identity_rows))


@pytest.mark.parametrize("where", [0, 5, 9])
def test_a_page_that_would_overflow_adds_nothing(where: int) -> None:
    col = Coded()
    assert col.extend_equal([f"s{i}" for i in range(CODED_MAX)])
    page = ["s1"] * 10
    page[where] = "new"
    assert not col.extend_equal(page)
    assert len(col) == CODED_MAX and col.tolist() == [f"s{i}" for i in range(CODED_MAX)]
    assert col.extend_equal(["s3", "s0"]) and col.tolist()[-2:] == ["s3", "s0"]
    held = [object() for _ in range(CODED_MAX)]
    ids = Coded()
    assert ids.extend(held)
    mixed = held[:10]
    mixed[where] = object()
    assert not ids.extend(mixed) and len(ids) == CODED_MAX
    assert ids.extend(held[3:5]) and ids[-1] is held[4]
