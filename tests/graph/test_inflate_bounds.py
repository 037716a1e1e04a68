"""A compressed answer is bounded as it is inflated, to a step of its bound (graph/bounds.py ``read_bounded``): httpx
inflates each received chunk whole, so 64 kB of a gzip bomb became 64 MB before its bytes were counted. The client
asks only for the encodings it undoes bounded (gzip, deflate); one that cannot be undone is a bad answer, said so.
Served over real HTTP by a small server.

Docs: https://learn.microsoft.com/graph/best-practices-concept (Graph compresses answers with gzip when the request's
Accept-Encoding allows it), https://learn.microsoft.com/graph/paging.
"""
from __future__ import annotations

import functools
import gzip
import json
import threading
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from readiness.errors import GraphBadResponse, error_phrase
from readiness.graph import bounds
from readiness.graph import client as client_mod
from readiness.graph.auth import StaticTokenCredential
from readiness.graph.client import build_client
from readiness.graph.clouds import custom_endpoint
from tests.helpers import FAST_RETRY, run

MB = 1 << 20
PAGE = json.dumps({"value": [{"id": str(n), "displayName": "x" * 40 + str(n)} for n in range(2000)]}).encode()


def _raw_deflate(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


def _serve(body: bytes, encoding: str, seen: list | None = None):  # noqa: ANN202
    """GET anything: ``body`` as it is, with Content-Encoding ``encoding``; the request's headers go into ``seen``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            if seen is not None:
                seen.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def handle(self) -> None:
            try:
                super().handle()
            except ConnectionResetError:  # the client dropped the connection of an answer it refused
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # shutdown within 0.05 s, not 0.5
    return server


def _get(body: bytes, encoding: str, seen: list | None = None) -> object:
    server = _serve(body, encoding, seen)
    client = build_client(custom_endpoint(f"http://127.0.0.1:{server.server_address[1]}/v1.0"),
                          StaticTokenCredential("t"), policy=FAST_RETRY, timeout=10)

    async def go():  # noqa: ANN202
        try:
            return await client.send(client.ri("GET", "/users"))
        finally:
            await client.aclose()

    try:
        return run(go())
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def small(monkeypatch):  # noqa: ANN001, ANN201 - an ordinary answer's bound at 1 MB
    monkeypatch.setattr(client_mod, "ANSWER_BYTES", MB)


@functools.cache
def _bombs() -> dict[str, bytes]:
    """Made when a test first asks (2 s of CPU), not when the module is imported: every test process imports it."""
    bomb = b" " * (100 * MB)  # 100 MB of one byte: gzip makes ~100 kB of it (about 1000:1, deflate's most)
    made = {"gzip": gzip.compress(bomb, 6), "deflate": zlib.compress(bomb, 6), "raw deflate": _raw_deflate(bomb)}
    made["gzip, gzip"] = gzip.compress(made["gzip"])  # applied twice: undone twice, each stage bounded
    return made


@pytest.mark.parametrize("how", ["deflate", "gzip", "gzip, gzip", "raw deflate"])
def test_a_compressed_bomb_is_refused_within_a_step_of_the_bound(small, how: str) -> None:  # noqa: ANN001
    body = _bombs()[how]
    assert len(body) < MB  # within the bound on the wire
    _get(b"{}", "")  # the SDK's modules imported before memory is counted
    tracemalloc.start()
    try:
        with pytest.raises(GraphBadResponse) as caught:
            _get(body, how.replace("raw ", ""))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.key == "graph.answer_over_bound" and caught.value.params["limit"] == "1", caught.value
    # the bound, the parts kept and a step or two of zlib's: httpx's own inflating took a received chunk's worth
    # (64 kB x 1000 = 64 MB) at once
    assert peak < 12 * MB, peak


@pytest.mark.parametrize("how", ["", "identity", "gzip", "deflate", "raw deflate", "gzip, gzip", "deflate, gzip"])
def test_answers_within_the_bound_read_as_httpx_reads_them(how: str) -> None:
    encode = {"": lambda b: b, "identity": lambda b: b, "gzip": gzip.compress, "deflate": zlib.compress,
              "raw deflate": _raw_deflate, "gzip, gzip": lambda b: gzip.compress(gzip.compress(b)),
              "deflate, gzip": lambda b: gzip.compress(zlib.compress(b))}[how]
    body = encode(PAGE)
    got = _get(body, how.replace("raw ", ""))
    want = httpx.Response(200, headers={"Content-Encoding": how.replace("raw ", "")} if how else {}, content=body)
    assert got.content == PAGE == want.read() and got.json()["value"][1999]["id"] == "1999"


def test_gzip_past_its_end_is_ignored_as_httpx_ignores_it() -> None:
    body = gzip.compress(PAGE) + b"\0" * 5000 + b"more"
    assert _get(body, "gzip").content == PAGE == httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=body).read()


def test_an_answer_that_cannot_be_uncompressed_is_a_bad_answer_said_so() -> None:
    for how, body in (("gzip", b"this is not gzip at all" * 50), ("deflate", b"\xff" * 400),
                      ("gzip", gzip.compress(PAGE)[:20] + b"\xff" * 300)):
        with pytest.raises(GraphBadResponse) as caught:
            _get(body, how)
        assert caught.value.key == "graph.answer_undecodable", caught.value
        en, de = error_phrase(caught.value).text("en"), error_phrase(caught.value).text("de")
        assert "GET /users" in en and how in en and "GET /users" in de and how in de and en != de, (en, de)


def test_the_client_asks_only_for_the_encodings_it_bounds(monkeypatch) -> None:  # noqa: ANN001
    # httpx asks for br and zstd as well when brotli or zstandard are installed, and inflates them unbounded
    monkeypatch.setattr(httpx._client, "ACCEPT_ENCODING", "gzip, deflate, br, zstd")
    seen: list = []
    assert _get(gzip.compress(PAGE), "gzip", seen).content == PAGE
    assert seen and seen[0].get("Accept-Encoding") == bounds.ACCEPT_ENCODING == "gzip, deflate", seen


def test_an_encoding_not_asked_for_is_left_as_it_came_and_is_no_page() -> None:
    got = _get(b"\x1b\x00\x00 not brotli", "br")  # as httpx leaves an encoding it has no decoder for
    assert got.content == b"\x1b\x00\x00 not brotli"
    with pytest.raises(GraphBadResponse):
        got.json()
