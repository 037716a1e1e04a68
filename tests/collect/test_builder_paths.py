"""A page's columns are taken in one pass when every item has the same keys, and key by key otherwise (issue 15):
both give the same table, its columns in the order the keys first appear. The Teams usage report is read a step at a
time, with the same result as read at once."""
from __future__ import annotations

import pytest

from readiness import bulkjson
from readiness.collect import collectors
from readiness.collect.columns import Columns

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
