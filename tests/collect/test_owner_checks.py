"""Device owners are never a wrong "complete" (collect/devices.py): a page without the expanded owners, a device given
twice with other owners, a nextLink to another resource, an owner without id, a second page of one device's owners.

Docs: https://learn.microsoft.com/graph/query-parameters#expand-parameter (the expanded navigation property comes in
each item, an array), https://learn.microsoft.com/graph/api/device-list-registeredowners (a collection of
directoryObject, each with an ``id``; a page of it may carry ``@odata.nextLink``), https://learn.microsoft.com/graph/paging
(``@odata.nextLink`` holds the whole URL of the next page of the same request).
"""
from __future__ import annotations

import json
from urllib.parse import unquote

import httpx

from readiness.collect import pages
from readiness.collect.devices import owners_by_batch
from readiness.errors import GraphError
from tests.collect.test_owner_rounds import DEVICES, ROOT, WANT, Graph, _owners
from tests.helpers import mock_client, read_devices, using

LISTING = {"value": [{"id": d["id"]} for d in DEVICES[:3]]}  # /devices?$select=id&$top=100: no registeredOwners


def _failed(sec, *words: str) -> None:  # noqa: ANN001
    assert sec.status == "failed" and not sec.data, (sec.status, sec.reason)
    for w in words:
        assert w in str(sec.reason), sec.reason


def _changed(round_no: int, read: str, change) -> Graph:  # noqa: ANN001
    """A Graph whose page for read ``read`` (its id in the $batch rounds) in round ``round_no`` is altered by ``change(body)``."""
    def fault(item: dict, n: int):  # noqa: ANN202
        if n == round_no and item["id"] == read:
            body = graph.page(item["url"])
            change(body)
            return 200, {}, body
        return None

    graph = Graph(fault)
    return graph


def test_a_next_link_to_the_device_listing_without_expand_is_refused_never_read_as_no_owners() -> None:
    """The attack: a nextLink inside /v1.0 to /devices without $expand; its pages have no registeredOwners."""
    def fault(item: dict, n: int):  # noqa: ANN202
        if "filter" not in item["url"]:
            return 200, {}, LISTING
        if n == 1 and item["id"] == "3":
            body = graph.page(item["url"])
            body["@odata.nextLink"] = f"{ROOT}/devices?$select=id&$top=100"
            return 200, {}, body
        return None

    graph = Graph(fault)
    _failed(read_devices(graph), "registeredOwners")


def test_an_item_without_registered_owners_or_with_null_is_refused() -> None:
    for how in ("drop", "null"):
        def change(body: dict, how: str = how) -> None:
            for d in body["value"]:
                if how == "drop":
                    d.pop("registeredOwners")
                else:
                    d["registeredOwners"] = None

        _failed(read_devices(_changed(2, "5", change)), "registeredOwners")


def test_the_typed_decoder_leaves_a_page_without_owners_or_an_owner_without_id_to_the_dict_path() -> None:
    typed = pages.owners_decoder()
    assert typed is not None
    good = typed(b'{"value": [{"id": "a", "registeredOwners": [{"id": "u"}]}, {"id": "b", "registeredOwners": []}]}')
    assert good is not None and [[o.id for o in d.owners] for d in good["value"]] == [["u"], []]
    for bad in (b'{"value": [{"id": "a"}]}', b'{"value": [{"id": "a", "registeredOwners": null}]}',
                b'{"value": [{"id": "a", "registeredOwners": [{}]}]}', b'{"value": [{"id": "a", "registeredOwners": [{"id": null}]}]}',
                b'{"value": [{"registeredOwners": []}]}'):
        assert typed(bad) is None, bad


def test_a_device_twice_with_other_owners_is_refused_the_same_twice_passes() -> None:
    d30 = next(d for d in DEVICES if d["id"] == "d30")
    for owners, ok in (([{"id": "EVIL"}], False), (None, True)):
        def change(body: dict, owners=owners) -> None:  # noqa: ANN001
            body["value"].append({"id": "d30", "registeredOwners": owners or d30["registeredOwners"]})

        sec = read_devices(_changed(1, "0", change))  # shard 0's first page also holds d30 (shard 3's)
        if ok:
            assert sec.status == "complete" and _owners(sec) == WANT
        else:
            _failed(sec, "d30", "different owners")


def test_a_device_twice_in_one_page_with_other_owners_is_refused() -> None:
    def change(body: dict) -> None:
        body["value"].append({"id": body["value"][0]["id"], "registeredOwners": []})

    _failed(read_devices(_changed(1, "a", change)), "different owners")


def test_a_next_link_to_another_resource_inside_the_version_is_refused_in_rounds() -> None:
    graph = _changed(1, "3", lambda body: body.update({"@odata.nextLink": f"{ROOT}/users?$select=id&$top=100"}))
    _failed(read_devices(graph), "/users")
    assert len(graph.batches) == 1  # never asked for


def test_a_next_link_in_another_case_of_the_same_resource_is_followed() -> None:
    class Upper(Graph):
        def page(self, url: str) -> dict:
            out = super().page(url)
            if "@odata.nextLink" in out:
                out["@odata.nextLink"] = out["@odata.nextLink"].replace("/v1.0/devices?", "/v1.0/Devices?")
            return out

    sec = read_devices(Upper())
    assert sec.status == "complete" and _owners(sec) == WANT


class ChainGraph(Graph):
    """Refuses $batch: the 16 reads go as chains; ``link`` replaces the nextLink of read 3's first page."""

    def __init__(self, link: str | None = None, extra: dict | None = None) -> None:
        super().__init__(batch_status=404)
        self.link, self.extra = link, extra

    def page(self, url: str) -> dict:
        out = super().page(url)
        if "'3'" in url.replace("%27", "'") and "skiptoken" not in url:
            if self.link is not None:
                out["@odata.nextLink"] = self.link
            if self.extra is not None:
                out["value"].append(self.extra)
        return out

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/users":
            self.plain.append(str(request.url))
            return httpx.Response(200, json={"value": [{"id": "d00", "registeredOwners": []}]})
        return super().__call__(request)


def test_the_chain_fallback_refuses_a_next_link_to_another_resource() -> None:
    graph = ChainGraph(link=f"{ROOT}/users?$select=id")
    _failed(read_devices(graph), "/users")


def test_the_chain_fallback_refuses_a_device_twice_with_other_owners() -> None:
    graph = ChainGraph(extra={"id": "d00", "registeredOwners": [{"id": "EVIL"}]})
    _failed(read_devices(graph), "d00", "different owners")
    same = ChainGraph(extra={"id": "d00", "registeredOwners": [{"id": "u00"}]})
    sec = read_devices(same)
    assert sec.status == "complete" and _owners(sec) == WANT


def test_an_owner_without_an_id_is_refused_at_collection() -> None:
    def change(body: dict) -> None:
        body["value"][0]["registeredOwners"] = [{}]

    _failed(read_devices(_changed(1, "2", change)), "registeredOwners.id")


# owners_by_batch: the devices no filtered read returned, and delta re-audits


def _by_batch(pages_of: dict, ids: list[str]) -> dict:
    """owners_by_batch against a server whose /devices/{id}/registeredOwners pages are ``pages_of[url]``."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/$batch":
            items = json.loads(request.content)["requests"]
            return httpx.Response(200, json={"responses": [
                {"id": i["id"], "status": 200, "headers": {}, "body": pages_of[i["url"]]} for i in items]})
        asked.append(str(request.url))
        return httpx.Response(200, json=pages_of[str(request.url)])

    return using(mock_client(handler), lambda c: owners_by_batch(c, ids))


def _first(i: str) -> str:
    return f"/devices/{i}/registeredOwners?$select=id"


def test_owners_by_batch_follows_the_next_link_of_a_device_with_many_owners() -> None:
    more = f"{ROOT}/devices/x/registeredOwners?$select=id&$skiptoken=2"
    last = f"{ROOT}/devices/x/registeredOwners?$select=id&$skiptoken=4"
    got = _by_batch({_first("x"): {"value": [{"id": "u1"}, {"id": "u2"}], "@odata.nextLink": more},
                     more: {"value": [{"id": "u3"}], "@odata.nextLink": last}, last: {"value": [{"id": "u4"}]},
                     _first("y"): {"value": []}}, ["x", "y"])
    assert got == {"x": ["u1", "u2", "u3", "u4"], "y": []}


def test_owners_by_batch_refuses_a_next_link_to_another_resource() -> None:
    for link in (f"{ROOT}/devices/y/registeredOwners?$skiptoken=2", f"{ROOT}/users?$select=id"):
        try:
            _by_batch({_first("x"): {"value": [{"id": "u1"}], "@odata.nextLink": link}, link: {"value": []}}, ["x"])
        except GraphError as exc:
            assert "next_link_other_path" in exc.key, exc.key
        else:
            raise AssertionError(link)


def test_owners_by_batch_refuses_an_owner_without_an_id() -> None:
    for value in ([{}], [{"id": None}], [{"id": 7}], [42]):
        try:
            got = _by_batch({_first("x"): {"value": value}}, ["x"])
        except GraphError:
            continue
        raise AssertionError((value, got))


def test_a_device_deleted_before_its_owners_are_read_is_left_out_not_the_section_failed() -> None:
    """indep17 #6: the listing names d00, no filtered owners read returns it, and its own registeredOwners read answers
    404 Request_ResourceNotFound (deleted meanwhile: device-list-registeredowners.md). One vanished device of 48 failed
    the whole devices section; now it is left out and said in a note. Another status still fails the section."""
    def fault(status: int):  # noqa: ANN202
        def answer(item: dict, n: int):  # noqa: ANN202
            if item["url"].startswith("/devices/d00/registeredOwners"):
                return status, {}, {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}
            if "startsWith(deviceId,'0')" in unquote(item["url"]):
                body = graph.page(item["url"])
                body["value"] = [d for d in body["value"] if d["id"] != "d00"]
                return 200, {}, body
            return None
        return answer

    graph = Graph(fault(404))
    sec = read_devices(graph)
    assert sec.status == "complete", sec.reason
    assert _owners(sec) == {k: v for k, v in WANT.items() if k != "d00"}
    assert any("1 device(s) deleted while the audit read them" in n for n in sec.notes), sec.notes
    graph = Graph(fault(500))
    assert read_devices(graph).status == "failed"


def test_the_listing_s_ids_are_read_a_chunk_at_a_time_in_order() -> None:
    """devices._id_chunks: the owners column is built from the listing's ids a few thousand at a time (a Packed column
    read window by window, not 400,000 strings at once); the concatenated chunks are exactly the id column."""
    from readiness.collect.columns import Columns
    from readiness.collect.devices import DEVICE_FIELDS, _id_chunks
    from readiness.collect.table import Packed, columns

    builder = Columns(DEVICE_FIELDS).builder("devices", "/devices")
    builder.add_items([{k: (f"id-{n:04d}" if k == "id" else None) for k in DEVICE_FIELDS} for n in range(1000)])
    builder.add_items([{k: (None if k == "id" else None) for k in DEVICE_FIELDS}])  # a device without an id
    table = builder.table()
    chunks = list(_id_chunks(table, size=7))
    assert [i for c in chunks for i in c] == columns(table, "id")[0]
    assert isinstance(table.cols[table._index["id"]], Packed) and len(chunks) == 143  # the Packed path, 1,001 ids
