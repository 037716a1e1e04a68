"""The device owners' pages read in $batch rounds (collect/devices.py): no owner lost, every failure said, chains where
the server refuses $batch.

Docs: https://learn.microsoft.com/graph/json-batching (a request's ``url`` is relative to the version: "while the
absolute URL is https://graph.microsoft.com/v1.0/users, this url is /users"; each request in a batch has its own
status and is throttled on its own, a throttled one answers 429 with Retry-After),
https://learn.microsoft.com/graph/paging (``@odata.nextLink`` holds the whole URL of the next page: follow it as given).
"""
from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

import httpx

from readiness.collect.snapshot import Section
from readiness.simulator import Simulator, generate_tenant
from tests.helpers import read_devices
from tests.simulator.simcall import call

ROOT = "http://127.0.0.1:9/v1.0"
# three devices in each of the 16 reads: at $top 2 (this server's page), two pages each
DEVICES = [{"id": f"d{s}{n}", "deviceId": f"{s}{n}000000-0000-0000-0000-000000000000", "displayName": f"PC{s}{n}",
            "registeredOwners": [{"id": f"u{s}{n}"}]} for s in "0123456789abcdef" for n in range(3)]


class Graph:
    """A small Graph: /devices (the listing) and /$batch of the filtered expands, two devices a page.

    ``fault(item, round)`` may answer an item instead: (status, headers, body) or None for the page."""

    def __init__(self, fault=None, batch_status: int = 200, link_origin: str = "http://127.0.0.1:9/v1.0") -> None:  # noqa: ANN001
        self.fault, self.batch_status, self.link_origin = fault, batch_status, link_origin
        self.batches: list[list[dict]] = []
        self.plain: list[str] = []

    def page(self, url: str) -> dict:
        u = urlsplit(url)
        q = {k: unquote(v) for k, v in (p.split("=", 1) for p in u.query.split("&") if "=" in p)}
        q = {k.replace("%24", "$"): v for k, v in q.items()}
        first = q["$filter"].split("'")[1]
        start = int(q.get("$skiptoken", "0"))
        rows = [d for d in DEVICES if d["deviceId"].lower().startswith(first)]
        out: dict = {"value": [{"id": d["id"], "registeredOwners": d["registeredOwners"]} for d in rows[start:start + 2]]}
        if start + 2 < len(rows):
            out["@odata.nextLink"] = f"{self.link_origin}/devices?{u.query.split('&$skiptoken=')[0]}&$skiptoken={start + 2}"
        return out

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1.0/$batch":
            if self.batch_status != 200:
                return httpx.Response(self.batch_status, json={"error": {"code": "BadRequest", "message": "No batch here."}})
            items = json.loads(request.content)["requests"]
            self.batches.append(items)
            answers = []
            for item in items:
                assert not item["url"].startswith(("http", "/v1.0"))  # relative to the version (json-batching.md)
                got = self.fault(item, len(self.batches)) if self.fault else None
                if got is None:
                    answers.append({"id": item["id"], "status": 200, "headers": {}, "body": self.page(item["url"])})
                else:
                    status, headers, body = got
                    answers.append({"id": item["id"], "status": status, "headers": headers, "body": body})
            return httpx.Response(200, json={"responses": answers})
        self.plain.append(str(request.url))
        if path != "/v1.0/devices":
            return httpx.Response(404, json={"error": {"code": "Request_ResourceNotFound", "message": "no"}})
        if "filter" in request.url.query.decode():
            return httpx.Response(200, json=self.page(str(request.url)))
        return httpx.Response(200, json={"value": [{k: v for k, v in d.items() if k != "registeredOwners"} for d in DEVICES]})


def _owners(sec: Section) -> dict:
    return {d["id"]: d["owners"] for d in sec.data}


WANT = {d["id"]: [d["registeredOwners"][0]["id"]] for d in DEVICES}


def test_the_owner_reads_go_in_batch_rounds_one_page_of_each_read_a_round() -> None:
    graph = Graph()
    sec = read_devices(graph)
    assert sec.status == "complete" and _owners(sec) == WANT
    assert [len(b) for b in graph.batches] == [16, 16]  # round 1: every read's first page; round 2: its second
    assert not [u for u in graph.plain if "filter" in u]  # no owners page asked on its own
    second = {i["id"]: unquote(i["url"]) for i in graph.batches[1]}
    assert all(u.startswith("/devices?") and u.endswith("$skiptoken=2") for u in second.values())  # the nextLink, relative


def test_a_throttled_item_is_sent_again_after_its_retry_after_and_nothing_is_lost() -> None:
    def fault(item: dict, n: int):  # noqa: ANN202
        if n == 2 and item["id"] in ("3", "c"):  # two reads' second pages throttled once
            return 429, {"Retry-After": "0"}, {"error": {"code": "TooManyRequests", "message": "Slow down."}}
        return None

    graph = Graph(fault)
    sec = read_devices(graph)
    assert sec.status == "complete" and _owners(sec) == WANT
    assert [sorted(i["id"] for i in b) for b in graph.batches][2] == ["3", "c"]  # only the throttled ones again


def test_an_item_that_keeps_failing_fails_the_section_with_graphs_answer_never_a_short_list() -> None:
    for status in (503, 404, 403):
        def fault(item: dict, n: int, status: int = status):  # noqa: ANN202
            if n >= 2 and item["id"] == "7":
                return status, {"Retry-After": "0"}, {"error": {"code": "Oops", "message": f"Answered {status}."}}
            return None

        sec = read_devices(Graph(fault))
        assert sec.status == "failed" and not sec.data, status  # a 403 after the first round: a failed read (test_owner_midway)
        if status != 403:
            assert str(status) in str(sec.reason) and "Answered" in str(sec.reason), sec.reason


def test_a_next_link_to_another_host_inside_a_batch_is_refused() -> None:
    sec = read_devices(Graph(link_origin="http://evil.example:9/v1.0"))
    assert sec.status == "failed" and not sec.data
    assert "evil.example" in str(sec.reason)


def test_a_next_link_outside_the_version_cannot_go_in_a_batch_and_is_refused() -> None:
    sec = read_devices(Graph(link_origin="http://127.0.0.1:9/beta"))  # Graph's origin, another version: no relative URL for it
    assert sec.status == "failed" and not sec.data
    assert "leads outside http://127.0.0.1:9/v1.0" in str(sec.reason), sec.reason


def test_a_server_that_refuses_batch_gets_the_sixteen_chains() -> None:
    for graph in (Graph(batch_status=404), Graph(batch_status=400),
                  Graph(lambda item, n: (400, {}, {"error": {"code": "Request_UnsupportedQuery", "message": "No."}}))):
        sec = read_devices(graph)
        assert sec.status == "complete" and _owners(sec) == WANT
        assert {unquote(u).split("startsWith(deviceId,'")[1][0] for u in graph.plain if "filter" in u} == set("0123456789abcdef")
        assert any("16 chains" in n for n in sec.notes)


def test_simulator_answers_a_page_inside_batch_with_the_whole_next_link_as_graph_does() -> None:
    """json-batching.md: the inner url is relative to the version; paging.md: the nextLink is the whole URL, on Graph's
    own origin and version, followed as given (here: made relative again for the next round)."""
    t = generate_tenant("enterprise", seed=3, size=2000)
    sim = Simulator(t)
    first = "/devices?$select=id&$expand=registeredOwners($select=id)&$filter=startsWith(deviceId,'a')&$top=100"
    alone = call(sim, "GET", first).json()
    got = call(sim, "POST", "/$batch", {"requests": [{"id": "a", "method": "GET", "url": first}]}).json()
    (answer,) = got["responses"]
    assert answer["status"] == 200 and answer["body"]["value"] == alone["value"]
    link = answer["body"]["@odata.nextLink"]
    assert link.split("skiptoken=")[0] == alone["@odata.nextLink"].split("skiptoken=")[0] and link.startswith("http://127.0.0.1:9/v1.0/devices?")  # the origin the request came to
    again = call(sim, "POST", "/$batch", {"requests": [{"id": "a", "method": "GET", "url": link}]}).json()
    assert again["responses"][0]["status"] == 400  # an absolute URL inside a batch is refused, as Graph does
    nxt = link.split("/v1.0", 1)[1]
    page2 = call(sim, "POST", "/$batch", {"requests": [{"id": "a", "method": "GET", "url": nxt}]}).json()["responses"][0]
    assert page2["status"] == 200 and page2["body"]["value"] == call(sim, "GET", nxt).json()["value"]
