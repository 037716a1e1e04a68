"""A chain's next page is asked for as soon as its link is known, over real HTTP:

+ Graph puts ``@odata.nextLink`` before ``value`` (https://learn.microsoft.com/graph/paging; the simulator does too):
  the next request leaves while the rest of the page still arrives (bounds.read_bounded tells GraphClient._fetch the
  first bytes), here proven by a server that holds back the end of each page until the next request has come;
+ its bytes are written before the page just read is parsed (paging.until_sent): a parse that looks for the next
  request at the server finds it there;
+ never more requests in flight than the client's concurrency: with one slot the next request waits for it (the
  server sees one request at a time and no page early), and the pages are still all read.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from readiness.graph.slots import LEAD
from tests.helpers import url_client, using

PAGES = 4
HEAD = 6000  # the part of each page sent at once: more than bounds.HEAD_BYTES
HOLD = 1.0  # how long the server holds back the end of a page for the next page's request


class _Pages(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tail: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tail = tail  # the link after "value" (not Graph's order): nothing to read early, nothing held back
        self.asked = [threading.Event() for _ in range(PAGES + 1)]
        self.early: list[int] = []  # pages whose next page was asked for before their end was sent
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1.0"

    def body(self, n: int) -> bytes:
        doc: dict[str, Any] = {"@odata.context": f"{self.root}/$metadata#items"}
        value = [{"id": f"{n}-{i}", "displayName": "x" * 40} for i in range(400)]
        if self.tail:
            doc["value"] = value
        if n + 1 < PAGES:
            doc["@odata.nextLink"] = f"{self.root}/items?page={n + 1}"
        doc["value"] = value
        return json.dumps(doc).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Pages

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        n = int(self.path.rsplit("=", 1)[1]) if "page=" in self.path else 0
        with srv.lock:
            srv.in_flight += 1
            srv.most_in_flight = max(srv.most_in_flight, srv.in_flight)
        srv.asked[n].set()
        body = srv.body(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:HEAD])
        self.wfile.flush()
        if not srv.tail and n + 1 < PAGES and srv.asked[n + 1].wait(HOLD):  # the rest once the next page is asked
            srv.early.append(n)
        with srv.lock:
            srv.in_flight -= 1
        self.wfile.write(body[HEAD:])


def _serve(tail: bool = False) -> Any:
    srv = _Pages(tail)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def pages() -> Any:
    yield from _serve()


@pytest.fixture
def tail_pages() -> Any:
    yield from _serve(tail=True)


def _read(srv: _Pages, concurrency: int, parsed: list | None = None) -> list[str]:
    from readiness.collect import pages as typed_pages

    def decode(content: bytes) -> Any:
        if parsed is not None:  # is the next page's request at the server while this page is parsed?
            doc = json.loads(content)
            n = int(doc["value"][0]["id"].split("-")[0])
            if n + 1 < PAGES:
                parsed.append(srv.asked[n + 1].wait(2.0))
        return None  # parsed and checked as usual

    assert typed_pages  # the reader's own decoder is not needed here

    async def go(client: Any) -> list[str]:
        ids: list[str] = []
        async for page in client.iter_pages("/items?page=0", priority=LEAD, decode=decode):
            ids += [v["id"] for v in page["value"]]
        return ids

    return using(url_client(srv.root, concurrency=concurrency), go)


def test_next_page_asked_for_from_the_first_bytes_of_a_page(pages: _Pages) -> None:
    started = time.monotonic()
    ids = _read(pages, concurrency=4)
    assert len(ids) == PAGES * 400 and len(set(ids)) == PAGES * 400
    assert pages.early == list(range(PAGES - 1))  # every page but the last: the next one asked before its end
    assert time.monotonic() - started < HOLD  # nobody waited for the server's fallback


def test_next_request_written_before_the_page_is_parsed(tail_pages: _Pages) -> None:
    """The link only at a page's end: the next request is made once the page is in, and its bytes leave before the
    parse (which here blocks the event loop while it looks for that request at the server)."""
    parsed: list[bool] = []
    ids = _read(tail_pages, concurrency=4, parsed=parsed)
    assert len(ids) == PAGES * 400
    assert parsed == [True] * (PAGES - 1)
    assert tail_pages.early == []


def test_one_slot_means_one_request_in_flight(pages: _Pages) -> None:
    ids = _read(pages, concurrency=1)
    assert len(ids) == PAGES * 400
    assert pages.most_in_flight == 1
    assert pages.early == []  # the next request waited for the slot: never early, never two at once
