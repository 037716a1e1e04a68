"""The writer's pool (snapshot_columns._numbered, Pool) and the usage rows' columns, after issue 15's save work: one
look-up a row (only the rows not found looked at again), the pool's dict filled when a later column first looks, a
column of many distinct strings known to stay a list from its first rows. The file must say what it said before:
each column is checked here against the plain rule (a reader's pool decoding the numbers back to the rows, the
numbering the reader's), and the usage rows' columns against ``held``.
"""
from __future__ import annotations

import random

from readiness.collect import snapshot_columns as sc
from readiness.collect.table import CODED_MAX, Coded, Lists, held


def _reference(values: list, pool_strings: list, plain: str) -> tuple[dict, list]:
    """The rule as the writer had it before (each row looked up twice, every type checked), on a plain list pool."""
    at = {}
    for i, v in enumerate(pool_strings):
        at[v] = i
    if not values or not {str, type(None)}.issuperset(map(type, values)):
        return {plain: values}, pool_strings
    sample = values[:256]
    if sum(v in at for v in sample) * 4 < len(sample):
        return {plain: values}, pool_strings + values
    ids = [at.get(v) for v in values]
    new: list = []
    if None in ids:
        new = list(dict.fromkeys(v for v, i in zip(values, ids) if i is None))
        pool_strings = pool_strings + new
        at.update((v, len(pool_strings) - len(new) + k) for k, v in enumerate(new))
        ids = [at[v] for v in values]
    return {"new": new, "ids": ids}, pool_strings


def _columns(rng: random.Random) -> list[list]:
    words = [f"person{i}@contoso.example" for i in range(400)]
    out = []
    for _ in range(60):
        n = rng.choice([1, 5, 300, 1000])
        kind = rng.random()
        if kind < 0.1:  # a non-string among the rows, early or late
            col = [rng.choice(words) for _ in range(n)]
            col[rng.randrange(n)] = rng.choice([7, True, 1.5, ["x"], {"a": 1}])
        elif kind < 0.5:  # mostly strings seen before, some new, some null
            col = [rng.choice(words[:200]) if rng.random() < 0.8 else
                   (None if rng.random() < 0.3 else f"new{rng.randrange(10**6)}") for _ in range(n)]
        else:
            col = [rng.choice(words) if rng.random() < 0.5 else f"x{rng.randrange(10**6)}" for _ in range(n)]
        out.append(col)
    return out


def test_numbered_says_what_the_plain_rule_says() -> None:
    """60 columns in a row through one pool: the same encoding as the plain rule, and the reader's pool (every row of a
    column written as values, the new strings of a numbered one) decodes every number back to its row."""
    for seed in range(5):
        rng = random.Random(seed)
        pool, expected_pool, reader_pool = sc.Pool(), [], []
        for col in _columns(rng):
            got = sc._numbered(list(col), pool, "values")
            want, expected_pool = _reference(col, expected_pool, "values")
            assert got == want
            if "ids" in got:
                reader_pool += got["new"]
                assert [reader_pool[i] for i in got["ids"]] == col
            elif {str, type(None)}.issuperset(map(type, col)):
                reader_pool += col
            assert pool.n == len(reader_pool) == len(expected_pool)


def test_strings_no_later_column_looks_up_stay_out_of_the_dict() -> None:
    pool = sc.Pool()
    pool.add(["a", "b"])
    pool.add(["c"])
    assert pool.n == 3 and pool._at == {}  # not filled yet: nothing looked
    assert pool.at == {"a": 0, "b": 1, "c": 2}
    pool.add(["a"])  # a later equal value will do as well
    assert pool.at["a"] == 3 and pool.n == 4


def test_new_strings_of_a_column_are_found_at_their_places() -> None:
    """A column's new strings join the pool after its earlier ones, and its rows are numbered to them."""
    pool = sc.Pool()
    assert sc._numbered(["a", "b", "c", "d"], pool, "values") == {"values": ["a", "b", "c", "d"]}
    got = sc._numbered(["a", "x", "b", "x", None, "c", "y"], pool, "values")
    assert got == {"new": ["x", None, "y"], "ids": [0, 4, 1, 4, 5, 2, 6]}


def test_usage_rows_columns_held_as_held_holds_them() -> None:
    many = [f"id-{i}" for i in range(3 * CODED_MAX)]
    days = [f"2026-11-{1 + d:02d}" for d in range(28)]
    few = [days[i % 28] for i in range(3 * CODED_MAX)]  # the same objects: Coded by identity
    many_late = ["a"] * (4 * CODED_MAX) + many  # distinct only after the first rows: held decides
    lists = [[f"a{i}"] if i % 3 else None for i in range(1200)]  # distinct lists: a Lists column
    nulls_first = [None] * 10 + many
    for col in (many, few, many_late, lists, nulls_first, ["one"]):
        got, want = sc._held(list(col)), held(list(col))
        assert got.__class__ is want.__class__
        assert list(got) == list(want)
    assert sc._held(many).__class__ is list and sc._held(few).__class__ is Coded
    assert sc._held(lists).__class__ is Lists


def test_coded_refused_is_left_as_it_was_and_keeps_first_seen_order() -> None:
    values = [f"v{i}" for i in range(CODED_MAX + 1)]
    col = Coded()
    assert col.extend(["b", "a", "b"]) is True
    assert col.extend(values) is False  # one too many: nothing added
    assert col.palette == ["b", "a"] and bytes(col.codes) == b"\x00\x01\x00"
    c = "c" * 2  # a value not interned: by identity
    assert col.extend([c, "a", c, None]) is True
    assert col.palette == ["b", "a", c, None] and bytes(col.codes) == b"\x00\x01\x00\x02\x01\x02\x03"
