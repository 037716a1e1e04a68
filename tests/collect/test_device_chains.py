"""Devices read as parallel chains: no device lost or doubled, every owner found, the simulator keeps Graph's rules.

Docs: https://learn.microsoft.com/graph/api/resources/device (deviceId "Supports $filter (eq, ne, not, startsWith)";
trustType has no startsWith), https://learn.microsoft.com/graph/aad-advanced-queries ($expand is not supported with
advanced queries; startsWith is a default query), https://learn.microsoft.com/graph/api/device-list-registeredowners
(the owners of one device), known issue 13635 ($expand pages hold at most 100).
"""
from __future__ import annotations

from urllib.parse import unquote

import httpx

from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, read_devices, using
from tests.simulator.simcall import call


def _tenant_with_odd_device_ids():  # noqa: ANN202
    t = generate_tenant("enterprise", seed=11, size=300)
    owners = [u["id"] for u in t.users[:6]]
    odd = {0: None, 1: "not-a-guid", 2: t.devices[2]["deviceId"].upper(), 3: "{" + t.devices[3]["deviceId"] + "}"}
    for i, value in odd.items():
        t.devices[i]["deviceId"] = value
        t.device_owners[t.devices[i]["id"]] = owners[i: i + 2]
    return t, {t.devices[i]["id"] for i in (0, 1, 3)}  # these three start with no hex digit


def _alive_owners(t) -> dict:  # noqa: ANN001
    return {d["id"]: [o for o in t.device_owners.get(d["id"], []) if o in t.users_by_id] for d in t.devices}


def test_every_device_once_with_its_owners_over_parallel_chains() -> None:
    t, leftovers = _tenant_with_odd_device_ids()
    sim = Simulator(t)
    with SimulatorServer(sim) as server:  # end to end over real HTTP
        snap = using(http_client(server), lambda c: collect_snapshot(c, label="chains"))
    devices = snap.section("devices")
    ids = [d["id"] for d in devices.data]
    assert devices.status == "complete" and len(ids) == len(set(ids)) == len(t.devices)  # none lost, none doubled
    assert set(ids) == {d["id"] for d in t.devices}
    want = _alive_owners(t)
    assert {d["id"]: d["owners"] for d in devices.data} == want and any(want.values())
    asked = [unquote(p) for _, _, p, _ in sim.conduct.requests if p.startswith("/devices")]
    in_batch = [unquote(p) for _, _, p, _ in sim.conduct.requests if p.startswith("$batch:/devices")]
    shards = {p.split("startsWith(deviceId,'", 1)[1][0] for p in in_batch if "startsWith(deviceId," in p}
    assert shards == set("0123456789abcdef")  # 16 reads side by side, their pages in $batch rounds
    assert not any("startsWith(deviceId," in p for p in asked)  # none of them as a request of its own
    assert any("$top=999" in p and "$expand" not in p for p in asked)  # the listing: 999 a page, no $expand
    batched = [p for _, _, p, _ in sim.conduct.requests if p.startswith("$batch:/devices/") and "registeredOwners" in p]
    assert {p.split("/devices/", 1)[1].split("/", 1)[0] for p in batched} == leftovers  # only what no chain returned
    assert any("no filtered owners read returned" in n for n in devices.notes)


def test_simulator_serves_the_filtered_expand_and_refuses_startswith_where_graph_does() -> None:
    t = generate_tenant("enterprise", seed=4, size=200)
    sim = Simulator(t)
    total = 0
    for first in "0123456789abcdef":
        page = call(sim, "GET", f"/devices?$select=id&$expand=registeredOwners($select=id)&$filter=startsWith(deviceId,'{first}')&$top=999")
        assert page.status == 200
        body = page.json()
        assert len(body["value"]) <= 100  # $expand caps the page whatever $top says
        assert all("registeredOwners" in d for d in body["value"])
        assert "@odata.nextLink" not in body  # 200 users: each filtered read fits one page
        total += len(body["value"])
    assert total == len(t.devices)  # the 16 filters cover every (GUID) device exactly once
    refused = call(sim, "GET", "/devices?$select=id&$filter=startsWith(trustType,'Azure')")
    assert refused.status == 400  # device.md: trustType supports eq, ne, not, in; no startsWith
    advanced = call(sim, "GET", "/devices?$select=id&$expand=registeredOwners&$filter=not(startsWith(deviceId,'a'))&$count=true",
                    headers={"ConsistencyLevel": "eventual"})
    assert advanced.status == 400  # not() is advanced, and $expand is not supported with advanced queries


def test_a_server_refusing_the_filtered_expand_gets_the_single_expanded_read() -> None:
    devices = [{"id": f"d{i}", "deviceId": f"{i:x}0000000-0000-0000-0000-000000000000", "displayName": f"PC{i}",
                "registeredOwners": [{"id": f"u{i}"}]} for i in range(5)]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        seen.append(str(request.url))
        if request.url.path != "/v1.0/devices":
            return httpx.Response(404, json={"error": {"code": "Request_ResourceNotFound", "message": "no"}})
        if "$filter" in params:
            return httpx.Response(400, json={"error": {"code": "Request_UnsupportedQuery", "message": "Unsupported query."}})
        rows = [dict(d) if "$expand" in params else {k: v for k, v in d.items() if k != "registeredOwners"} for d in devices]
        return httpx.Response(200, json={"value": rows})

    sec = read_devices(handler)
    assert sec.status == "complete" and [d["owners"] for d in sec.data] == [[f"u{i}"] for i in range(5)]
    assert any("read in one chain" in n for n in sec.notes)
