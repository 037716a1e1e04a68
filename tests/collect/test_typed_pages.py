"""Typed page decoding (collect/pages.py, issue 15): the big sections' pages after the first are decoded into Structs
of the first page's keys; a page that does not fit exactly is read the usual way, so the snapshot and every error are
what the dict path gives.

Graph serialises every selected property, null included, in every item of a page
(https://learn.microsoft.com/graph/query-parameters#select-parameter: "the properties specified", and
https://learn.microsoft.com/graph/paging: every page of a collection has the same shape), which is what makes the
first page's keys a good guess for the next ones; a server that varies them only costs the typed path.
"""
from __future__ import annotations

import json

import msgspec
import pytest

import readiness
from readiness import bulkjson
from readiness.collect import pages
from readiness.collect.columns import for_section
from readiness.collect.shapes import check_item
from readiness.collect.table import Table
from readiness.errors import GraphBadResponse

SIZE = 1400  # users: three /users pages of 500, two registration pages of 1,000, device shards of several pages


def _collect(tenant, monkeypatch, typed: bool) -> tuple[readiness.Snapshot, dict]:  # noqa: ANN001
    """Collect over HTTP from the simulator; how many pages each section took the typed path for."""
    used: dict[str, int] = {}
    with monkeypatch.context() as m:
        if not typed:
            m.setattr(pages, "msgspec", None)
        real = pages.Typed.decode

        def counting(self, content: bytes):  # noqa: ANN001, ANN202
            got = real(self, content)
            if got is not None:
                used[self.section] = used.get(self.section, 0) + 1
            return got

        m.setattr(pages.Typed, "decode", counting)
        real_owners = pages.owners_decoder

        def owners():  # noqa: ANN202
            decode = real_owners()
            if decode is None:
                return None

            def counted(content: bytes):  # noqa: ANN202
                got = decode(content)
                if got is not None:
                    used["owners"] = used.get("owners", 0) + 1
                return got

            counted.item = decode.item
            return counted

        m.setattr(pages, "owners_decoder", owners)
        with readiness.serve_simulator(tenant=tenant) as sim:
            snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    return snap, used


@pytest.fixture(scope="module")
def tenant():  # noqa: ANN201
    return readiness.generate_tenant("enterprise", seed=5, size=SIZE)


@pytest.mark.slow
def test_the_typed_path_gives_the_snapshot_the_dict_path_gives(tenant, monkeypatch) -> None:  # noqa: ANN001
    typed, used = _collect(tenant, monkeypatch, typed=True)  # each collection undoes its patches (a context)
    plain, unused = _collect(tenant, monkeypatch, typed=False)
    assert typed.completeness() == plain.completeness() == "complete"
    assert unused == {}
    # every big section read in more than one page took the typed path from its second page on
    assert used.get("users", 0) >= 2 and used.get("mfa", 0) >= 1 and used.get("owners", 0) >= 1, used
    assert typed.sections.keys() == plain.sections.keys()
    for name, sec in plain.sections.items():
        want, got = sec.to_dict(tables=True), typed.sections[name].to_dict(tables=True)
        want.pop("delta_link", None), got.pop("delta_link", None)  # a new delta token from the simulator every read
        assert got == want, name
        if isinstance(sec.data, Table):
            assert list(sec.data.keys) == list(typed.sections[name].data.keys), name  # the same columns, same order
    assert len(typed.data("users")) == SIZE


@pytest.mark.slow
def test_a_wrong_type_in_a_later_page_fails_the_section_as_before(tenant, monkeypatch) -> None:  # noqa: ANN001
    bad = readiness.generate_tenant("enterprise", seed=5, size=SIZE)
    bad.users[SIZE - 3]["department"] = 5  # on the last /users page: the typed decoder refuses it, the dict path names it
    typed, _ = _collect(bad, monkeypatch, typed=True)
    plain, _ = _collect(bad, monkeypatch, typed=False)
    users = typed.section("users")
    assert users.status == "failed"
    assert "department" in users.reason and "/users" in users.reason
    assert users.reason == plain.section("users").reason
    assert typed.section("mfa").usable


def _builder_of(page_bodies: list[bytes], typed: bool = True) -> tuple[Table, int]:
    """Pages as reading._collection takes them: a typed decode first, else orjson and the dict path."""
    learn, took = pages.Typed("users"), 0
    with bulkjson.bulk_objects():
        build = for_section("users").builder("users", "/users")
        for body in page_bodies:
            page = learn.decode(body) if typed else None
            if page is None:
                page = bulkjson.loads(body)
            else:
                took += 1
            items = page["value"]
            build.add_items(items)
            if not pages.is_typed(items):
                learn.learn(items)
        return build.table(), took


def _body(items: list[dict], link: str | None = None) -> bytes:
    page: dict = {"@odata.context": "x", "value": items}
    if link:
        page["@odata.nextLink"] = link
    return json.dumps(page).encode()


U = {"id": "u-1", "userPrincipalName": "a@x", "department": "Sales", "assignedLicenses": [{"skuId": "s", "disabledPlans": []}],
     "signInActivity": {"lastSignInDateTime": "2026-01-01T00:00:00Z"}}


@pytest.mark.parametrize("later", [
    [dict(U, id="u-2")],  # the same keys: typed
    [dict(U, id="u-2", mail="b@x")],  # a key more: read the usual way, the column null before
    [{k: v for k, v in U.items() if k != "department"} | {"id": "u-2"}],  # a key less: null in that row
    [dict(U, id="u-2"), dict(U, id="u-3", extra=None)],  # one item differs
    [{"userPrincipalName": "a@x", "id": "u-2", "department": "Sales", "assignedLicenses": [], "signInActivity": None}],  # another order
    [],
])
def test_pages_that_differ_from_the_first_are_read_as_the_dict_path_reads_them(later: list) -> None:
    bodies = [_body([U], "next"), _body(later, "next2"), _body([dict(U, id="u-9")])]
    typed, took = _builder_of(bodies)
    plain, none = _builder_of(bodies, typed=False)
    assert none == 0 and took >= 1  # the last page (the first page's keys) always decodes typed
    assert list(typed.keys) == list(plain.keys) and typed == plain
    assert [r["id"] for r in typed] == ["u-1"] + [i["id"] for i in later] + ["u-9"]


def test_the_typed_decoder_keeps_the_link_and_refuses_what_the_dict_path_must_judge() -> None:
    learn = pages.Typed("users")
    assert learn.decode(_body([U])) is None  # nothing learnt yet
    learn.learn([json.loads(json.dumps(U))])
    got = learn.decode(_body([dict(U, id="u-2")], "https://graph.microsoft.com/v1.0/users?$skiptoken=x"))
    assert got["@odata.nextLink"] == "https://graph.microsoft.com/v1.0/users?$skiptoken=x"
    assert isinstance(got["value"][0], msgspec.Struct) and pages.columns_of(got["value"])[0] == list(U)
    assert "@odata.nextLink" not in learn.decode(_body([U]))
    for spoiled in (dict(U, department=5), dict(U, id=None), dict(U, signInActivity=[]),
                    [1, 2], "text"):
        assert learn.decode(_body([U, spoiled])) is None, spoiled
    assert learn.decode(b'{"value": [' + json.dumps(U).encode() + b', NaN]}') is None
    assert learn.decode(b"not json") is None


@pytest.mark.parametrize("field,value", [("department", 5), ("id", None), ("assignedLicenses", "x"), ("signInActivity", [1]),
                                         ("assignedLicenses", [1]), ("assignedLicenses", [{"skuId": 5}]),
                                         ("licenseAssignmentStates", {"a": 1}), ("provisionedPlans", [{"service": []}])])
def test_a_wrong_type_after_the_first_page_gives_check_items_words(field: str, value: object) -> None:
    spoiled = {**U, "id": "u-2", field: value}
    with pytest.raises(GraphBadResponse) as caught:
        check_item("users", dict(spoiled), "/users")
    with pytest.raises(GraphBadResponse) as got:
        _builder_of([_body([U], "n"), _body([spoiled])])
    assert got.value.what == caught.value.what and field in got.value.what


def test_device_owner_pages_typed_as_the_shards_read_them() -> None:
    decode = pages.owners_decoder()
    body = _body([{"id": "d-1", "registeredOwners": [{"@odata.type": "#microsoft.graph.user", "id": "u-1", "x": 1}]},
                  {"id": "d-2", "registeredOwners": []}], "next")
    got = decode(body)
    assert got["@odata.nextLink"] == "next"
    assert [(d.id, [o.id for o in d.owners]) for d in got["value"]] == [("d-1", ["u-1"]), ("d-2", [])]
    # the expanded owners always come as an array, every owner with an id (query-parameters.md#expand-parameter):
    # anything else goes to the dict path, which refuses it (tests/collect/test_owner_checks.py)
    for spoiled in ({"id": 5}, {"id": "d", "registeredOwners": ["u-1"]}, {"id": "d", "registeredOwners": [{"id": 7}]}, 3,
                    {"id": "d", "registeredOwners": None}, {"id": "d"}, {"id": "d", "registeredOwners": [{}]}):
        assert decode(_body([spoiled])) is None, spoiled  # the dict path's checks name what is wrong


def test_lists_of_objects_stay_text_until_their_distinct_values_are_parsed() -> None:
    """A typed page's licences come as JSON text (msgspec.Raw); equal ones, however written, are one kept value."""
    learn = pages.Typed("users")
    learn.learn([json.loads(json.dumps(U))])
    got = learn.decode(_body([U]))["value"]
    assert isinstance(getattr(got[0], f"f{list(U).index('assignedLicenses')}"), msgspec.Raw)
    spaced = json.dumps({"@odata.context": "x", "value": [dict(U, id="u-2")]}, indent=2).encode()  # other spacing
    bodies = [_body([U], "n"), _body([dict(U, id="u-3"), dict(U, id="u-4", assignedLicenses=None)], "n2"), spaced]
    typed, took = _builder_of(bodies)
    plain, _ = _builder_of(bodies, typed=False)
    assert took == 2 and typed == plain
    licences = typed.column("assignedLicenses")
    assert licences[0] == [{"skuId": "s", "disabledPlans": []}] and licences[2] == []
    assert licences[0] is licences[1] is licences[3]  # equal values are one object, as the dict path keeps them


def _usage_by_dict_reader(text: str) -> tuple[list[dict], str, int]:
    """The Teams usage report read with csv.DictReader, as the collector read it before (the reference)."""
    import csv
    import io

    rows, refreshed, total = [], "", 0
    for line in csv.DictReader(io.StringIO(text)):
        cell = {k: v or "" for k, v in line.items() if k is not None}
        refreshed = refreshed or cell.get("Report Refresh Date", "")
        if cell.get("Is Deleted", "").lower() in ("true", "yes"):
            continue
        total += 1
        if cell.get("Last Activity Date", ""):
            rows.append({"userId": cell.get("User Id", ""), "userPrincipalName": cell.get("User Principal Name", ""),
                         "lastActivityDate": cell["Last Activity Date"]})
    return rows, refreshed, total


@pytest.mark.parametrize("text", [
    "Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted\n"
    "2026-11-28,u1,a@x,2026-11-20,False\n2026-11-28,u2,b@x\n2026-11-28,u3,c@x,2026-11-21,True,extra,cells\n"
    ",u4,d@x,2026-11-22,\n\n2026-11-28,u5,e@x,2026-11-23,false,x\n",
    # columns the header lacks (no Is Deleted, no User Id), lines longer and shorter than the header
    "Report Refresh Date,User Principal Name,Last Activity Date\n"
    ",a@x,2026-11-20,True,u-x\n2026-11-28,b@x,2026-11-21,extra\n2026-11-28,c@x\n2026-11-28,d@x,2026-11-22\n",
    "Last Activity Date,Report Refresh Date,Is Deleted,User Id,User Id,User Principal Name\n"  # a name twice: the last
    "2026-11-20,2026-11-28,no,u1,u1b,a@x\n",
])
def test_the_usage_report_reads_cells_as_dict_reader_does(text: str) -> None:
    from readiness.collect import collectors

    assert collectors.usage_rows(text, "/r") == _usage_by_dict_reader(text)


@pytest.mark.parametrize("value", [2 ** 64, 2 ** 63, -(2 ** 63) - 1, 10 ** 30, 1e400, [[1]], {"a": {"b": 1}}, ["x", [2]]])
def test_values_msgspec_reads_otherwise_than_orjson_take_the_dict_path(value: object) -> None:
    """orjson reads an integer beyond 64 bits as a float (msgspec: an int); deeper values are checked by the dict path."""
    item = {**U, "department": "Sales", "createdDateTime": "2024-01-01T00:00:00Z"}
    learn = pages.Typed("users")
    learn.learn([json.loads(json.dumps(item))])
    assert learn.decode(_body([item])) is not None
    text = json.dumps({"value": [dict(item, createdDateTime=0)]}).replace(": 0}", f": {json.dumps(value)}}}")
    assert learn.decode(text.encode()) is None
    within = json.dumps({"value": [dict(item, createdDateTime=2 ** 63 - 1)]}).encode()
    assert learn.decode(within)["value"][0].__class__.getter(learn.decode(within)["value"][0])[-1] == 2 ** 63 - 1


def test_a_decoder_msgspec_cannot_build_leaves_every_page_to_the_dict_path(monkeypatch) -> None:  # noqa: ANN001
    def refuse(section: str, keys: tuple) -> None:
        raise ValueError("not supported")

    monkeypatch.setattr(pages, "_page_decoder", refuse)
    bodies = [_body([U], "n"), _body([dict(U, id="u-2")])]
    typed, took = _builder_of(bodies)
    assert took == 0 and typed == _builder_of(bodies, typed=False)[0]


def test_a_page_too_deep_for_the_typed_decoder_goes_to_the_dict_path() -> None:
    """msgspec raises RecursionError on deep nesting, even in a field it skips: the page is left to the dict path,
    which fails the section with its own words ("nested too deeply"), never the audit (found by attacking)."""
    typed = pages.Typed("users")
    typed.learn([{"id": "a", "displayName": "x"}])
    item = b'{"id":"a","displayName":"x"}'
    assert typed.decode(b'{"value":[' + item + b']}')["value"][0].f0 == "a"
    deep = b"[" * 3000 + b"]" * 3000
    assert typed.decode(b'{"@odata.context":' + deep + b',"value":[' + item + b']}') is None
    owners = pages.owners_decoder()
    assert owners(b'{"value":[{"id":"d","registeredOwners":[{"id":"u","x":' + deep + b'}]}]}') is None


def test_a_page_key_the_dict_path_would_refuse_is_not_skipped_by_the_typed_path() -> None:
    """The page's own keys are decoded too: bytes that are not UTF-8, or a number orjson refuses, in @odata.context
    (or a key no Graph page has) leave the page to the dict path, which judges it (found by attacking)."""
    typed = pages.Typed("users")
    typed.learn([{"id": "a"}])
    item = b'{"id":"a"}'
    assert typed.decode(b'{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[' + item + b']}')
    for bad in (b'"\xff"', b"1" * 5000, b"[1]"):
        assert typed.decode(b'{"@odata.context":' + bad + b',"value":[' + item + b']}') is None, bad
    assert typed.decode(b'{"@odata.other":"x","value":[' + item + b']}') is None
    owners = pages.owners_decoder()
    assert owners(b'{"@odata.context":"\xff","value":[]}') is None
