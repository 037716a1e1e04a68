"""readiness.collect.table: a section's items held as columns read like the list of dicts they replace, each column
held compactly (Coded, Packed, Lists, Records) and read back as the very values put in (issue 15)."""
from __future__ import annotations

import sys

import pytest

from readiness.collect.columns import Builder, for_section
from readiness.collect.table import (CODED_MAX, Coded, Lists, Packed, Records, Table, as_list, as_rows, columns, held,
                                     with_column)

ROWS = [{"id": "a", "upn": "a@x", "n": 1}, {"id": "b", "upn": None, "n": 2}, {"id": "c", "n": 3}]


def test_a_table_reads_like_its_rows_with_absent_keys_as_none() -> None:
    t = Table.from_rows(ROWS)
    assert t.keys == ("id", "upn", "n")
    assert len(t) == 3
    assert t[2] == {"id": "c", "upn": None, "n": 3}
    assert t[-1]["id"] == "c"
    assert [r["id"] for r in t] == ["a", "b", "c"]
    assert t == ROWS  # absent and null are the same to Graph's $select
    assert t != ROWS[:2]
    assert t[1:] == [{"id": "b", "upn": None, "n": 2}, {"id": "c", "upn": None, "n": 3}]
    with pytest.raises(IndexError):
        t[3]


def test_changing_a_materialised_row_leaves_the_table_as_it_was() -> None:
    t = Table.from_rows(ROWS)
    row = t[0]
    row["id"] = "changed"
    assert t[0]["id"] == "a"
    assert as_rows(t)[0] == {"id": "a", "upn": "a@x", "n": 1}


def test_columns_are_the_tables_own_lists_and_are_built_for_plain_lists() -> None:
    t = Table.from_rows(ROWS)
    ids, missing = columns(t, "id", "nope")
    assert ids is t.cols[0]
    assert missing == [None, None, None]
    assert columns(ROWS, "id", "upn") == (["a", "b", "c"], ["a@x", None, None])
    assert columns(None, "id") == ([],)


def test_tables_compare_by_content_not_column_order() -> None:
    assert Table(("a", "b"), [[1, 2], [3, 4]]) == Table(("b", "a"), [[3, 4], [1, 2]])
    assert Table(("a", "b"), [[1, 2], [3, 4]]) != Table(("a", "b"), [[1, 2], [3, 5]])


def test_a_table_refuses_ragged_columns() -> None:
    with pytest.raises(ValueError):
        Table(("a", "b"), [[1, 2], [3]])
    with pytest.raises(ValueError):
        Table(("a",), [[1], [2]])


# -- columns held compactly (issue 15: 1.7 million objects under 1 GB) ----------------------------------------------


def _grown(col: Coded | Packed | Lists | Records, values: list, page: int = 3) -> Coded | Packed | Lists | Records:
    for i in range(0, len(values), page):
        assert col.extend(values[i:i + page])
    return col.finish()


def test_a_coded_column_reads_back_the_very_objects_put_in() -> None:
    lic = [{"skuId": "s1", "disabledPlans": []}]
    values = [True, None, False, "DE", lic, True, lic, "DE", None, 0, 1]
    col = _grown(Coded(), values)
    assert col.tolist() == values and list(col) == values and len(col) == len(values)
    assert all(a is b for a, b in zip(col.tolist(), values))  # True stays True (not 1), the list the same list
    assert col[4] is lic and col[-1] == 1 and col[2:5] == values[2:5]
    assert len(col.palette) == 7 and len(col.codes) == len(values)  # a byte a row, each distinct value once


def test_a_coded_column_refuses_more_distinct_values_than_a_byte_holds() -> None:
    col = Coded()
    assert col.extend([f"v{i}" for i in range(CODED_MAX)])
    assert not col.extend(["one more", "v0"])
    assert len(col) == CODED_MAX  # nothing of the refused rows was added


def test_a_packed_column_keeps_nulls_numbers_and_accented_text_aside() -> None:
    values = ["2026-11-27T15:19:00Z", None, "CI-1", "", "Müller-PC", 7, "db2ffcde-b91a-42bf-94a9-16ad367bec5e", "a\x1fb"]
    col = _grown(Packed(), values)
    assert col.tolist() == values and list(col) == values
    assert [col[i] for i in range(len(values))] == values and col[-1] == values[-1]
    assert col[1:5] == values[1:5] and col[::2] == values[::2] and col[5:2] == []
    assert col.text.isascii() and set(col.other) == {1, 4, 5, 7}
    with pytest.raises(IndexError):
        col[len(values)]


def test_packed_strings_cost_their_characters_and_an_offset_not_a_str_each() -> None:
    ids = [f"{i:08x}-b91a-42bf-94a9-16ad367bec5e" for i in range(5000)]
    col = _grown(Packed(), ids, page=999)
    held_bytes = sys.getsizeof(col.text) + sys.getsizeof(col.offsets)
    as_strs = sys.getsizeof(ids) + sum(map(sys.getsizeof, ids))
    assert held_bytes < 42 * len(ids) < as_strs / 2  # 36 characters, a separator and a 4-byte offset a row; a str: 85
    assert col.tolist() == ids
    assert col[4990:] == ids[4990:] and col[17] == ids[17]


def test_lists_and_records_read_back_equal_and_in_order() -> None:
    owners = [["u1"], [], None, ["u2", "u3"], ["u1"]]
    col = _grown(Lists(), owners)
    assert col.tolist() == owners and col[3] == ["u2", "u3"] and col[1:3] == [[], None] and col[-1] == ["u1"]
    first = col[0]
    first.append("changed")  # a fresh list each read: the column is not changed
    assert col[0] == ["u1"]
    acts = [{"lastSignInDateTime": "2026-11-27T15:19:00Z", "lastNonInteractiveSignInDateTime": "2026-11-26T19:43:00Z"},
            None, {"lastNonInteractiveSignInDateTime": "2026-11-01T08:00:00Z", "lastSignInDateTime": "2026-10-01T08:00:00Z"},
            {}, {"lastSignInDateTime": "2026-11-27T15:19:00Z"}]
    rec = _grown(Records(), acts, page=2)
    assert rec.tolist() == acts and [list(a) for a in rec.tolist() if a] == [list(a) for a in acts if a]  # key order
    assert rec[2] == acts[2] and rec[1] is None and rec[-1] == acts[-1] and rec[1:3] == acts[1:3]
    assert not Records().extend([{"lastSignInDateTime": 5}]) and not Records().extend(["text"])


def test_a_builder_holds_each_column_the_compact_way_and_reads_like_the_rows() -> None:
    rows = [{"id": f"d{i}", "deviceId": f"g{i}", "displayName": f"CI-{i}", "operatingSystem": "Windows" if i % 3 else "iOS",
             "accountEnabled": i % 2 == 0, "approximateLastSignInDateTime": None if i % 5 == 0 else f"2026-11-{i % 28 + 1:02d}T10:00:00Z",
             "owners": [f"u{i}"] if i % 4 else []} for i in range(600)]
    build = Builder("devices")
    build.add_items(rows[:300])
    build.add_items(rows[300:])
    table = build.table()
    kinds = dict(zip(table.keys, map(type, table.cols)))
    assert kinds["deviceId"] is Packed and kinds["operatingSystem"] is Coded and kinds["accountEnabled"] is Coded
    assert kinds["owners"] is Lists
    assert table == rows and table[-1] == rows[-1] and list(table)[7] == rows[7]
    assert table.column("displayName") == [r["displayName"] for r in rows]
    assert all(isinstance(c, list) for c in columns(table, *table.keys))  # readers always get lists


def test_a_column_with_too_many_distinct_values_becomes_a_list_where_it_overflows() -> None:
    users = [{"id": f"u{i}", "accountEnabled": True, "signInActivity": {"lastSignInDateTime": f"2026-11-01T00:{i % 60:02d}:00Z"}}
             for i in range(CODED_MAX + 50)]
    build = for_section("users").builder("users")
    for i in range(0, len(users), 100):
        build.add_items(users[i:i + 100])
    table = build.table()
    kinds = dict(zip(table.keys, map(type, table.cols)))
    assert kinds["id"] is list and kinds["accountEnabled"] is Coded and kinds["signInActivity"] is Records
    assert table.column("id") == [u["id"] for u in users]
    assert table.column("signInActivity") == [u["signInActivity"] for u in users]


def test_with_column_keeps_the_compact_columns_and_holds_the_new_one_compactly() -> None:
    build = Builder("devices")
    build.add_items([{"id": f"d{i}", "operatingSystem": "Windows"} for i in range(400)])
    table = build.table()
    owners = [[f"u{i}"] for i in range(400)]
    t2 = with_column(table, "owners", owners)
    assert t2.cols[0] is table.cols[0] and type(t2.cols[-1]) is Lists and t2.column("owners") == owners
    assert type(held([True, False] * 300)) is Coded and as_list(held([])) == []
    assert as_list(held([f"x{i}" for i in range(300)])) == [f"x{i}" for i in range(300)]


def test_the_usage_report_is_read_a_line_at_a_time_as_string_io_splits_it() -> None:
    """collectors._lines replaces io.StringIO (which held the whole report again at 4 bytes a character)."""
    import io

    from readiness.collect.collectors import _lines
    for text in ["", "a\n", "a", "a\r\nb\r\n", "x\n\n\ny", '"multi\nline",1\n2\n', "lone\rcarriage\n"]:
        assert list(_lines(text)) == list(io.StringIO(text))


# -- the fast paths of a snapshot's load (issue 15): the same columns as the value-by-value ways ----------------------

def _fresh(text: str) -> str:
    return "".join(list(text))  # an equal string, another object (as a JSON parser makes one per occurrence)


def test_coded_shares_equal_strings_through_its_palette() -> None:
    col = Coded()
    assert col.extend_equal([_fresh("Windows"), None, _fresh("iOS"), _fresh("Windows")])
    assert col.extend_equal([_fresh("iOS"), None])
    assert col.tolist() == ["Windows", None, "iOS", "Windows", "iOS", None]
    assert len(col.palette) == 3 and col[0] is col[3] and col[2] is col[4]
    full = Coded()
    assert not full.extend_equal([f"v{i}" for i in range(CODED_MAX + 1)]) and len(full) == 0  # nothing added
    assert full.extend_equal([f"v{i}" for i in range(CODED_MAX)]) and not full.extend_equal(["one more"])
    assert len(full) == CODED_MAX
    by_identity = Coded()
    assert by_identity.extend([True, "x"]) and not by_identity.extend_equal(["x"])  # equal is not identical there
    kept = _fresh("Windows")
    table = {kept: kept}  # a string table: the palette keeps its object (other sections share it), not the row's
    shared = Coded()
    assert shared.extend_equal([_fresh("Windows"), _fresh("iOS"), True], table.setdefault) and shared[0] is kept
    assert shared[1] is table["iOS"] and True not in table and shared.tolist() == ["Windows", "iOS", True]
    nulls_first = Coded()
    assert nulls_first.extend([None, None]) and nulls_first.extend_equal(["a", None])  # a late key: null rows before
    assert nulls_first.tolist() == [None, None, "a", None] and len(nulls_first.palette) == 2


def test_records_grown_a_key_at_a_time_read_back_as_put_in() -> None:
    rec = Records()
    assert rec.extend([None, {"b": "1"}, {}])
    assert rec.extend([{"a": "2", "b": "3"}, {"b": "4", "a": "5"}, None])  # a key first seen later; other key orders
    assert rec.tolist() == [None, {"b": "1"}, {}, {"a": "2", "b": "3"}, {"b": "4", "a": "5"}, None]
    assert [list(r) for r in rec.tolist() if r is not None] == [["b"], [], ["a", "b"], ["b", "a"]]
    assert not rec.extend([{"a": "6"}, {"a": 7}]) and not rec.extend([{"a": "6"}, ["list"]]) and len(rec) == 6


def _table(section: str, items: list[dict]) -> Table:
    from readiness.collect.snapshot_file import _file_builder

    build = _file_builder(section)
    keys = list(dict.fromkeys(k for item in items for k in item))
    for i in range(0, len(items), 4):
        page = items[i:i + 4]
        build.add_columns(keys, [[item.get(k) for item in page] for k in keys], len(page))
    return build.table()


def test_a_files_owners_are_held_flat_with_equal_ids_one_object() -> None:
    from readiness import bulkjson

    owners = [[_fresh("u1")], [], None, [_fresh("u2"), _fresh("u1")], [_fresh("u2")], [_fresh("u1")]]
    with bulkjson.bulk_objects():
        table = _table("devices", [{"id": f"d{i}", "owners": o} for i, o in enumerate(owners)])
    col = table.column("owners")
    assert type(table.cols[table.keys.index("owners")]) is Lists and col == owners
    assert col[0][0] is col[3][1] is col[5][0] and col[3][0] is col[4][0]


def test_a_files_compacted_sign_ins_are_kept_and_others_compacted_as_collected() -> None:
    from readiness.collect.compact import sign_in

    compact = [{"lastSignInDateTime": "2026-11-27T15:19:00Z", "lastNonInteractiveSignInDateTime": "2026-11-26T19:43:00Z"},
               {"lastNonInteractiveSignInDateTime": "2026-11-26T19:43:00Z"}, {}]
    users = [{"id": f"u{i}", "signInActivity": a} for i, a in enumerate(compact * 3)]
    assert _table("users", users).column("signInActivity") == compact * 3
    loose = compact + [{"lastNonInteractiveSignInDateTime": "2026-11-26T19:43:00Z", "lastSignInDateTime": "2026-11-27T15:19:00Z"},
                       {"lastSignInDateTime": ""}, None]  # another key order, an empty value, null
    got = _table("users", [{"id": f"u{i}", "signInActivity": a} for i, a in enumerate(loose)]).column("signInActivity")
    assert got == [sign_in(a) for a in loose]
    assert [list(a) for a in got] == [list(sign_in(a)) for a in loose]  # the compacted key order


def test_fields_of_a_records_column_read_as_from_the_objects() -> None:
    from readiness.collect.table import fields_of

    acts = [{"b": "1"}, None, {}, {"a": "2", "b": "3"}, {"a": "é"}, {"b": ""}]  # accented: kept aside by Packed
    table = Table(("id", "act"), [[str(i) for i in range(len(acts))], _grown(Records(), acts, page=2)])
    expected = ([None, None, None, "2", "é", None], ["1", None, None, "3", None, ""])
    assert fields_of(table, "act", "a", "b") == expected
    assert fields_of(acts_rows := [{"act": a} for a in acts], "act", "a", "b") == expected and len(acts_rows) == 6
    assert fields_of(table, "act", "c") == ([None] * 6,) and fields_of(table, "nope", "a") == ([None] * 6,)


@pytest.mark.parametrize("window", [1, 2, 5, 7, 64, 1 << 20])
def test_packed_offsets_worked_out_window_by_window_find_every_row(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    values = ["", "a", None, "bcd", "", "é", "ef" * 9, "", "ghi", "j"]
    col = _grown(Packed(), values)
    monkeypatch.setattr(Packed, "WINDOW", window)  # rows cross windows, windows end on and inside rows
    assert list(col.offsets) == [0, 1, 3, 4, 8, 9, 10, 29, 30, 34, 36]
    assert [col[i] for i in range(len(values))] == values and col[2:7] == values[2:7] and col.tolist() == values
    assert len(Packed()) == 0 and list(Packed().offsets) == [0] and Packed()[0:5] == []


@pytest.mark.parametrize("window", [1, 3, 8, 1 << 20])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 100])
def test_chunks_of_a_column_are_its_slices(monkeypatch: pytest.MonkeyPatch, window: int, size: int) -> None:
    from readiness.collect.table import chunks_of

    monkeypatch.setattr(Packed, "WINDOW", window)
    values = ["", "a", None, "bcd", "", "é", "ef" * 9, "", "ghi", 7]
    acts = [{"b": "1"}, None, {}, {"a": "2", "b": "3"}, {"a": "é"}, {"b": ""}, None, {"a": "x"}, {}, {"b": "y"}]
    for col in (_grown(Packed(), values), _grown(Records(), acts), _grown(Coded(), values), values):
        assert list(chunks_of(col, size)) == [col[i:i + size] for i in range(0, len(col), size)]
    assert list(chunks_of(Packed(), size)) == [] and list(chunks_of(Records(), size)) == []


def test_equal_lists_of_strings_are_one_object_across_pages_with_and_without_nulls() -> None:
    features = [[_fresh("Teams")], [_fresh("Teams"), _fresh("Calls")], None, [_fresh("Teams")], None, [_fresh("Teams"), _fresh("Calls")],
                [_fresh("Teams")], [], []]
    table = _table("teams_users", [{"id": f"u{i}", "featureTypes": f} for i, f in enumerate(features)])
    col = table.column("featureTypes")
    assert col == features and type(table.cols[table.keys.index("featureTypes")]) is Coded
    assert col[0] is col[3] is col[6] and col[1] is col[5] and col[7] is col[8]
