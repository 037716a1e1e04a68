"""The single expanded read (collect/devices.py ``_devices_expanded``, for a server that refuses the filtered expand)
has the owners reads' guards: a device without ``registeredOwners`` or with null is refused, a device twice with
other owners is refused (the same twice is kept once), a nextLink must stay on /devices.

Docs: https://learn.microsoft.com/graph/query-parameters#expand-parameter (the expanded navigation property comes in
each item, an array), https://learn.microsoft.com/graph/paging (``@odata.nextLink`` holds the whole URL of the next
page of the same request).
"""
from __future__ import annotations

import httpx

from tests.collect.test_owner_checks import _failed
from tests.collect.test_owner_rounds import DEVICES, ROOT, WANT, Graph, _owners
from tests.helpers import read_devices

REFUSED = {"error": {"code": "Request_UnsupportedQuery", "message": "Unsupported query."}}


class ExpandGraph(Graph):
    """Refuses the filtered expand (in $batch and as chains); serves /devices?$expand=... two devices a page.
    ``change(n, page)`` may alter the n-th expanded page (0-based) before it is sent."""

    def __init__(self, change=None) -> None:  # noqa: ANN001
        super().__init__(fault=lambda item, n: (400, {}, REFUSED))
        self.change = change
        self.expanded = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = request.url.query.decode().replace("%24", "$")
        if request.url.path == "/v1.0/users":  # another collection, its page read as the devices' last
            return httpx.Response(200, json={"value": []})
        if request.url.path == "/v1.0/devices" and "filter" in query:
            return httpx.Response(400, json=REFUSED)
        if request.url.path == "/v1.0/devices" and "expand" in query:
            start = int(query.split("$skiptoken=")[1]) if "$skiptoken=" in query else 0
            page: dict = {"value": [dict(d) for d in DEVICES[start:start + 2]]}
            if start + 2 < len(DEVICES):
                page["@odata.nextLink"] = f"{ROOT}/devices?{query.split('&$skiptoken=')[0]}&$skiptoken={start + 2}"
            if self.change is not None:
                self.change(self.expanded, page)
            self.expanded += 1
            return httpx.Response(200, json=page)
        return super().__call__(request)


def test_the_expanded_read_gives_every_device_and_its_owners() -> None:
    graph = ExpandGraph()
    sec = read_devices(graph)
    assert sec.status == "complete" and _owners(sec) == WANT, sec.reason
    assert graph.expanded == len(DEVICES) // 2 and any("one chain" in n for n in sec.notes)


def test_a_device_without_owners_or_with_null_is_refused_never_read_as_none() -> None:
    for how in ("drop", "null"):
        def change(n: int, page: dict, how: str = how) -> None:
            if n == 3:
                for d in page["value"]:
                    if how == "drop":
                        d.pop("registeredOwners")
                    else:
                        d["registeredOwners"] = None

        _failed(read_devices(ExpandGraph(change)), "registeredOwners")


def test_a_device_twice_with_other_owners_is_refused_the_same_twice_kept_once() -> None:
    def other(n: int, page: dict) -> None:
        if n == 2:
            page["value"].append(dict(DEVICES[0], registeredOwners=[{"id": "EVIL"}]))

    _failed(read_devices(ExpandGraph(other)), DEVICES[0]["id"], "different owners")

    def same(n: int, page: dict) -> None:
        if n == 2:
            page["value"].append(dict(DEVICES[0]))

    sec = read_devices(ExpandGraph(same))
    assert sec.status == "complete" and _owners(sec) == WANT and len(sec.data) == len(DEVICES)


def test_a_next_link_to_another_resource_is_refused_never_read_as_the_last_page() -> None:
    def elsewhere(n: int, page: dict) -> None:
        if n == 1:
            page["@odata.nextLink"] = f"{ROOT}/users?$select=id&$expand=registeredOwners"

    _failed(read_devices(ExpandGraph(elsewhere)), "/users")
