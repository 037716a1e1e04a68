"""Pages read ahead (issue 15): the next page's request leaves before the caller has worked on this one; the
longest chain goes first and keeps its slot; a caller that stops early leaves nothing running.

Graph's paging: "the URL value of the @odata.nextLink property" is the next request, as given
(microsoft-graph-docs-contrib concepts/paging.md); Graph writes it among the first members of the page, the
simulator writes it last: both places are read from the bytes (graph/paging.py).
"""
from __future__ import annotations

import asyncio
import json
import warnings

import httpx
import pytest

from readiness.graph.auth import StaticTokenCredential
from readiness.graph.client import build_client
from readiness.graph.clouds import custom_endpoint
from readiness.graph.paging import link_hint
from readiness.graph.slots import LEAD, LONG, NEW, Slots
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, using

BASE = "https://graph.example.test/v1.0"


def _client(handler, **kw):  # noqa: ANN001, ANN202
    return build_client(custom_endpoint(BASE), StaticTokenCredential("t"), transport=httpx.MockTransport(handler), **kw)


def _page(n: int, last: int, *, head: bool = False) -> bytes:
    """Page n of a collection of `last` pages, its link written where Graph (head) or the simulator (tail) puts it."""
    link = {"@odata.nextLink": f"{BASE}/users?$skiptoken={n + 1}"} if n < last else {}
    body = {"@odata.context": f"{BASE}/$metadata#users", **(link if head else {}), "value": [{"id": str(n)}],
            **({} if head else link)}
    return json.dumps(body).encode()


def test_the_link_is_read_from_the_bytes_only_where_it_is_the_pages_own() -> None:
    assert link_hint(_page(1, 3)) == f"{BASE}/users?$skiptoken=2"  # last member (the simulator's layout)
    assert link_hint(_page(1, 3, head=True)) == f"{BASE}/users?$skiptoken=2"  # among the first (Graph's layout)
    assert link_hint(b'{"@odata.count": 5, "@odata.nextLink": "https://h/x", "value": []}') == "https://h/x"
    assert link_hint(_page(3, 3)) is None and link_hint(_page(3, 3, head=True)) is None
    # an item's own link, a link inside a string, an escaped link: not the page's, so nothing is read ahead
    assert link_hint(b'{"value": [{"id": "1", "@odata.nextLink": "https://h/x"}]}') is None
    assert link_hint(b'{"value": [], "note": "\\"@odata.nextLink\\": \\"https://h/x"}') is None
    assert link_hint(b'{"value": [], "@odata.nextLink": "https://h/x\\u0041"}') is None
    assert link_hint(b'{"value": [{"a": 1}], "@odata.nextLink": "https://h/x"}') == "https://h/x"


@pytest.mark.parametrize("head", [False, True])
def test_the_next_page_is_asked_for_before_the_caller_has_worked_on_this_one(head: bool) -> None:
    asked: dict[int, asyncio.Event] = {}

    def event(n: int) -> asyncio.Event:
        return asked.setdefault(n, asyncio.Event())

    async def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("$skiptoken") or 1)
        event(n).set()
        return httpx.Response(200, content=_page(n, 4, head=head), headers={"Content-Type": "application/json"})

    async def go(c):  # noqa: ANN001, ANN202
        seen = []
        async for page in c.iter_pages("/users"):
            n = int(page["value"][0]["id"])
            seen.append(n)
            if n < 4:  # still working on page n: the request for n + 1 must already have reached the server
                await asyncio.wait_for(event(n + 1).wait(), 30)  # a guard against hanging, not a timing
        return seen

    assert using(_client(handler), go) == [1, 2, 3, 4]


def test_over_http_the_simulator_sees_the_next_page_asked_for_while_the_caller_holds_this_one() -> None:
    sim = Simulator(generate_tenant("unprepared-sme", seed=3))
    with SimulatorServer(sim) as srv:
        def users_asked() -> int:
            return sum(1 for _, m, p, _ in list(sim.conduct.requests) if m == "GET" and "/users" in p)

        async def go(c):  # noqa: ANN001, ANN202
            pages, early = 0, 0
            async for _page in c.iter_pages("/users?$top=5&$select=id"):
                pages += 1
                if _page.get("@odata.nextLink"):
                    for _ in range(3000):  # a guard against hanging (30 s), not a timing
                        if users_asked() > pages:
                            early += 1
                            break
                        await asyncio.sleep(0.01)
            return pages, early

        pages, early = using(http_client(srv), go)
    assert pages > 2
    assert early == pages - 1  # every next page was on its way while the caller held the one before
    assert users_asked() == pages  # and none more than the pages there are
    assert sim.conduct.next_link_violations == []


def test_a_caller_that_stops_early_leaves_no_request_running() -> None:
    started: list[int] = []
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("$skiptoken") or 1)
        started.append(n)
        if n > 1:
            await release.wait()  # the read-ahead request hangs until cancelled
        return httpx.Response(200, content=_page(n, 10), headers={"Content-Type": "application/json"})

    async def go(c):  # noqa: ANN001, ANN202
        pages = c.iter_pages("/users")
        async for _page in pages:
            while 2 not in started:
                await asyncio.sleep(0.01)
            break
        await pages.aclose()
        await asyncio.sleep(0)
        return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        running = using(_client(handler), go)
    assert running == []
    assert started == [1, 2]


def test_a_page_whose_link_appears_twice_follows_the_one_the_parse_keeps() -> None:
    # duplicate keys: the bytes' first link is not what the JSON parser keeps (the last); the page's own link wins
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("$skiptoken")
        asked.append(token or "first")
        if token is None:
            body = (b'{"@odata.nextLink": "' + f"{BASE}/users?$skiptoken=decoy".encode() + b'", "value": [{"id": "1"}], '
                    b'"@odata.nextLink": "' + f"{BASE}/users?$skiptoken=real".encode() + b'"}')
            return httpx.Response(200, content=body)
        return httpx.Response(200, json={"value": [{"id": token}]})

    items = using(_client(handler), lambda c: c.collect("/users"))
    assert [i["id"] for i in items] == ["1", "real"]
    assert "real" in asked and asked[0] == "first"


def test_slots_go_to_the_lead_chain_then_the_long_reads_then_in_arrival_order() -> None:
    async def go() -> list[str]:
        slots = Slots(1)
        await slots.acquire(NEW)  # the one slot is taken
        order: list[str] = []

        async def wait(name: str, priority: int) -> None:
            await slots.acquire(priority)
            order.append(name)
            slots.release()

        tasks = [asyncio.ensure_future(wait(n, p)) for n, p in (("a", NEW), ("long", LONG), ("b", NEW), ("lead", LEAD), ("c", NEW))]
        gone = asyncio.ensure_future(wait("cancelled", LEAD))
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
        slots.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(go()) == ["lead", "long", "a", "b", "c"]


def test_the_lead_chain_keeps_its_slot_from_page_to_page() -> None:
    # one slot: the lead read's next page is asked for with the slot of the page before, so a request waiting
    # meanwhile only gets it when the lead read is done
    order: list[str] = []
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/organization"):
            order.append("organization")
            return httpx.Response(200, json={"value": []})
        n = int(request.url.params.get("$skiptoken") or 1)
        order.append(f"users {n}")
        if n == 2:
            await gate.wait()  # page 2 holds the slot until the other request is surely waiting for it
        return httpx.Response(200, content=_page(n, 3), headers={"Content-Type": "application/json"})

    async def go(c):  # noqa: ANN001, ANN202
        async def lead() -> int:
            count = 0
            async for _page in c.iter_pages("/users", priority=LEAD):
                count += 1
                if count == 1:
                    other.append(asyncio.ensure_future(c.get_json("/organization")))
                    await asyncio.sleep(0.05)  # the other request is waiting for the slot now
                    gate.set()
            return count

        other: list[asyncio.Future] = []
        count = await lead()
        await other[0]
        return count

    assert using(_client(handler, concurrency=1), go) == 3
    assert order == ["users 1", "users 2", "users 3", "organization"]
