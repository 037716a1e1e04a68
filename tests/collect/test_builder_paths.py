"""A page's columns are taken in one pass when every item has the same keys, and key by key otherwise (issue 15):
both give the same table, its columns in the order the keys first appear. The Teams usage report is read a step at a
time, with the same result as read at once."""
from __future__ import annotations

import pytest

from readiness import bulkjson
from readiness.collect import collectors
from readiness.collect.columns import Columns

from .test_typed_pages import _usage_by_dict_reader

PAGES = {
    "same keys": [[{"a": "1", "b": True}, {"a": "2", "b": False}], [{"a": "3", "b": None}]],
    "keys in another order": [[{"a": "1", "b": True}, {"b": False, "a": "2"}]],
    "a key only later": [[{"a": "1"}, {"a": "2", "c": 3}], [{"c": 4, "a": "5"}]],
    "a key gone on the next page": [[{"a": "1", "b": "x"}], [{"a": "2"}, {"a": "3"}]],
    "a key missing in one item": [[{"a": "1", "b": "x"}, {"a": "2"}, {"a": "3", "b": "y"}]],
    "one key": [[{"a": "1"}, {"a": "2"}]],
    "a different key set of the same size": [[{"a": "1", "b": 1}, {"a": "2", "c": 2}]],
}


def _table(pages: list, keys: list[str] | None = None):  # noqa: ANN202
    with bulkjson.bulk_objects():
        build = Columns(keys).builder("elsewhere", "/elsewhere")
        for page in pages:
            build.add_items([dict(item) for item in page])
        return build.table()


def _expected(pages: list, keys: list[str] | None) -> tuple[list[str], list[list]]:
    items = [item for page in pages for item in page]
    order = keys if keys is not None else list(dict.fromkeys(k for item in items for k in item))
    return order, [[item.get(k) for item in items] for k in order]


@pytest.mark.parametrize("case", sorted(PAGES))
def test_columns_are_the_items_values_whichever_way_they_are_taken(case: str) -> None:
    pages = PAGES[case]
    order, columns = _expected(pages, None)
    table = _table(pages)
    assert list(table.keys) == order
    assert [table.column(k) for k in order] == columns


@pytest.mark.parametrize("case", sorted(PAGES))
def test_fixed_keys_take_only_those_whatever_else_the_items_have(case: str) -> None:
    pages = PAGES[case]
    order, columns = _expected(pages, ["b", "a"])
    table = _table(pages, ["b", "a"])
    assert list(table.keys) == order
    assert [table.column(k) for k in order] == columns


REPORT = ("Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted\n"
          + "".join(f"2026-11-28,u{i},p{i}@x,{'2026-11-20' if i % 3 else ''},{'True' if i % 7 == 0 else 'False'}\n"
                    for i in range(1, 40))
          + "\n2026-11-28,u40,\"q,40@x\",2026-11-21,False\n")


def test_the_usage_report_read_in_steps_is_the_report_read_at_once(monkeypatch) -> None:  # noqa: ANN001
    whole = collectors.usage_rows(REPORT, "/r")
    monkeypatch.setattr(collectors, "USAGE_STEP", 4)
    steps = collectors.usage_steps(REPORT, "/r")
    pauses = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result = done.value
            break
        pauses += 1
    assert pauses == 41 // 4  # 41 lines after the header, a pause after every 4th
    assert result == whole == collectors.usage_rows(REPORT, "/r")
    rows, refreshed, total = result
    assert (refreshed, total) == ("2026-11-28", 40 - 5)  # u7, u14, ... u35 deleted
    assert rows[-1]["userPrincipalName"] == "q,40@x"


HEAD = "Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted,Call Count"
PLAIN = {
    "the usual report": HEAD + "\n,u0,p0@x,2026-11-20,False,0\n\n" + "".join(f"2026-11-28,u{i},p{i}@x,{'2026-11-20' if i % 3 else ''},"
                                              f"{'TRUE' if i % 7 == 0 else 'yes' if i % 11 == 0 else 'False'},{i}\n"
                                              for i in range(1, 30)),
    "crlf, empty lines, no end": HEAD + "\r\n\r\n\r\n,u1,a@x,2026-11-20,False,1\r\n\r\n2026-11-28,u2,b@x,,False\r\n"
                                 "2026-11-28,u3,c@x,2026-11-21,False,3,extra,cells",
    "short and long lines": HEAD + "\n2026-11-28,u1\n2026-11-28,u2,b@x,2026-11-20\n2026-11-28,u3,c@x,2026-11-21,No,3,x,y\n",
    "columns the header lacks": "Report Refresh Date,User Principal Name,Last Activity Date\n,a@x,2026-11-20,True,u\n"
                                "2026-11-28,b@x,2026-11-21\n2026-11-28,c@x\n",
    "a name twice": "Last Activity Date,Report Refresh Date,Is Deleted,User Id,User Id,User Principal Name\n"
                    "2026-11-20,2026-11-28,no,u1,u1b,a@x\n",
    "a lone carriage return (csv.reader's)": HEAD + "\n2026-11-28,u1\r,a@x,2026-11-20,False,1\n",
    "no header": "\n\n2026-11-28,u1,a@x\n",
    "empty lines only after the header": HEAD + "\n\n\r\n",
    "empty": "",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
@pytest.mark.parametrize("step", [2, 5000])
def test_a_report_without_quotes_split_at_its_commas_reads_as_csv_reader_reads_it(text: str, step: int,
                                                                                   monkeypatch) -> None:  # noqa: ANN001
    """collectors._plain_lines (issue 15): cells split at C speed, where csv.reader would read them the same."""
    monkeypatch.setattr(collectors, "USAGE_STEP", step)

    def read() -> object:
        try:
            return collectors.usage_rows(text, "/r")
        except Exception as exc:  # noqa: BLE001 - the same refusal either way
            return {"refused": f"{type(exc).__name__} {exc}"}

    assert collectors._plain(text) is ("u1\r," not in text)  # only the lone carriage return takes csv.reader
    split = read()
    if "refused" not in split and text.strip():
        assert split == _usage_by_dict_reader(text)  # the reference: csv.DictReader, as the collector once read it
    monkeypatch.setattr(collectors, "_plain", lambda text: False)
    assert split == read()


def test_a_plain_line_longer_than_csvs_cell_limit_is_refused_as_csv_reader_refuses_it(monkeypatch) -> None:  # noqa: ANN001
    import csv

    text = HEAD + "\n2026-11-28,u1,a@x,2026-11-20,False,1\n2026-11-28," + "u" * 60 + ",b@x,2026-11-21,False,2\n"
    old = csv.field_size_limit(50)
    try:
        monkeypatch.setattr(collectors, "_LIMIT", 50)
        with pytest.raises(csv.Error):
            collectors.usage_rows(text, "/r")
        monkeypatch.setattr(collectors, "_LIMIT", 200)  # the line is longer than 50, none of its cells: read
        assert [r["userId"] for r in collectors.usage_rows(text.replace("u" * 60, "u" * 45), "/r")[0]] == ["u1", "u" * 45]
    finally:
        csv.field_size_limit(old)


MEMBERS = {
    "plain": [{"@odata.type": "#microsoft.graph.user", "id": "u1"}, {"id": "u2", "displayName": "B"}],
    "a null name": [{"id": "u1", "displayName": None}],
    "empty": [],
    "no id": [{"id": "u1"}, {"displayName": "B"}],
    "a null id": [{"id": None}],
    "a number for an id": [{"id": 7}],
    "a bool for a name": [{"id": "u1", "displayName": True}],
    "a list for a name": [{"id": "u1", "displayName": ["B"]}],
    "a member not an object": [{"id": "u1"}, "u2"],
}


@pytest.mark.parametrize("page", MEMBERS.values(), ids=MEMBERS.keys())
def test_a_page_of_members_is_checked_as_check_item_checks_each(page: list) -> None:
    """collectors.member_ids (issue 15): a column at a time, with check_item's result and its refusal."""
    from readiness.collect.shapes import check_item
    from readiness.errors import GraphBadResponse

    def one_by_one() -> object:
        try:
            return [check_item("licence_error_groups", m, "/groups/{id}/members")["id"] for m in page]
        except GraphBadResponse as exc:
            return str(exc)

    try:
        got: object = collectors.member_ids(page)
    except GraphBadResponse as exc:
        got = str(exc)
    assert got == one_by_one()
    assert isinstance(got, list) is (page in (MEMBERS["plain"], MEMBERS["a null name"], []))
