"""A page's signInActivity column compacted a column at a time (columns._sign_ins, issue 15) is what compact.sign_in
makes of each row: the same keys in the same order, the same values, rows without both sign-ins left to sign_in."""
from __future__ import annotations

from readiness.collect.columns import _sign_ins, for_section
from readiness.collect.compact import SIGN_IN_FIELDS, sign_in

FIRST, SECOND = SIGN_IN_FIELDS
# Graph's signInActivity carries more than the two sign-ins the audit keeps (resources/signinactivity.md:
# lastSuccessfulSignInDateTime and the request ids)
FULL = {FIRST: "2026-11-28T15:19:00Z", "lastSignInRequestId": "r1", SECOND: "2026-11-27T19:43:00Z",
        "lastNonInteractiveSignInRequestId": "r2", "lastSuccessfulSignInDateTime": "2026-11-26T07:37:00Z"}
ROWS = [
    FULL,
    None,  # never signed in: sign_in gives {}
    {},
    dict(FULL, **{FIRST: None}),  # only the non-interactive one
    dict(FULL, **{SECOND: ""}),  # an empty string is no sign-in
    {SECOND: "2026-11-01T00:00:00Z", FIRST: "2026-10-01T00:00:00Z", "x": 1},  # Graph's order is not the kept order
    {FIRST: "2026-11-02T00:00:00Z"},
]


def _same(got: list, want: list) -> None:
    assert got == want
    assert [list(g) for g in got] == [list(w) for w in want]  # the keys' order too: the snapshot writes it


def test_a_column_of_graphs_sign_ins_is_what_sign_in_makes_of_each_row() -> None:
    for rows in (ROWS, [FULL] * 5, [FULL, None], [None, FULL], [dict(FULL, **{SECOND: 0})]):
        _same(_sign_ins(list(rows)), list(map(sign_in, rows)))


def test_compact_sign_ins_are_kept_as_they_are() -> None:
    rows = [{FIRST: "a", SECOND: "b"}, {SECOND: "c"}]  # as a snapshot file holds them
    got = _sign_ins(rows)
    assert got is rows


def test_the_users_columns_hold_the_compacted_sign_ins() -> None:
    build = for_section("users").builder("users", "/users")
    items = [{"id": f"u{i}", "signInActivity": row} for i, row in enumerate(ROWS)]
    build.add_items(items)
    table = build.table()
    _same(table.column("signInActivity"), list(map(sign_in, ROWS)))
