"""What every request goes through (issue 15: CPU per request), and that a page's parse and its use are two steps of
the event loop, so the answers of other requests are not held up for both."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from readiness.collect.queries import build
from readiness.graph.auth import StaticTokenCredential
from readiness.graph.client import GraphResponse, build_client
from readiness.graph.clouds import custom_endpoint
from tests.helpers import using

BASE = "https://graph.example.test/v1.0"


def _client(handler):  # noqa: ANN001, ANN202
    return build_client(custom_endpoint(BASE), StaticTokenCredential("t"), transport=httpx.MockTransport(handler))


def _middleware(client) -> list[str]:  # noqa: ANN001
    pipeline = client._http._transport.pipeline
    names, m = [], pipeline._first_middleware
    while m is not None:
        names.append(type(m).__name__)
        m = m.next
    return names


def test_requests_pass_only_the_middleware_that_does_something_here() -> None:
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"value": []})

    async def go(c):  # noqa: ANN001, ANN202
        await c.get_json(build(c.sdk.users, select=["id", "displayName"], top=999))
        return _middleware(c)

    names = using(_client(handler), go)
    # kiota's UrlReplaceHandler (only the SDK's `me` builders need it) and HeadersInspectionHandler (copies headers
    # nobody reads) are left out; redirect, retry, parameter-name decoding and the user agent stay
    assert names == ["SafeRedirectHandler", "RetryMiddleware", "ParametersNameDecodingHandler", "UserAgentHandler"]
    (request,) = sent
    # the SDK builder's "%24select" goes out as "$select", as Graph documents the options (concepts/query-parameters.md)
    assert request.url.query.decode() == "$select=id,displayName&$top=999"
    assert "readiness" in request.headers["user-agent"]
    assert request.headers["authorization"] == "Bearer t"


def test_a_page_is_parsed_in_one_step_of_the_event_loop_and_handed_on_in_another(monkeypatch) -> None:  # noqa: ANN001
    ticks = [0]
    parsed_at: list[int] = []
    real_json = GraphResponse.json

    def json_(self):  # noqa: ANN001, ANN202
        parsed_at.append(ticks[0])
        return real_json(self)

    monkeypatch.setattr(GraphResponse, "json", json_)

    async def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("$skiptoken") or 1)
        link = {"@odata.nextLink": f"{BASE}/users?$skiptoken={n + 1}"} if n < 3 else {}
        return httpx.Response(200, content=json.dumps({"value": [{"id": str(n)}], **link}).encode())

    async def go(c):  # noqa: ANN001, ANN202
        async def ticker() -> None:  # one tick per turn of the event loop in which it runs
            while True:
                ticks[0] += 1
                await asyncio.sleep(0)

        tick = asyncio.ensure_future(ticker())
        handed_at = []
        try:
            async for _page in c.iter_pages("/users"):
                handed_at.append(ticks[0])
        finally:
            tick.cancel()
        return handed_at

    handed_at = using(_client(handler), go)
    assert len(handed_at) == len(parsed_at) == 3
    # other ready work ran between each page's parse and its handing on
    assert all(h > p for p, h in zip(parsed_at, handed_at))


def test_a_page_with_an_item_that_is_no_object_is_refused_by_name() -> None:
    from readiness.errors import GraphBadResponse

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"value": [{"id": "1"}, {"id": "2"}, "3"]}')

    async def go(c):  # noqa: ANN001, ANN202
        with pytest.raises(GraphBadResponse) as err:
            async for _page in c.iter_pages("/users"):
                pass
        return err.value

    err = using(_client(handler), go)
    assert err.key == "graph.page_item_not_object" and err.params["error_type"] == "str"


def test_no_cookie_is_kept_or_sent() -> None:
    """Graph's REST API is stateless (https://learn.microsoft.com/graph/use-the-api: a request is the method, the URL,
    the headers with the token, and a body); httpx's cookie handling cost ~25 us of CPU an answer and is left out."""
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(200, json={"value": []}, headers={"Set-Cookie": "ARRAffinity=abc; Path=/"})

    async def go(client) -> None:  # noqa: ANN001
        for _ in range(2):
            assert (await client.request("GET", "/users")).ok
        assert len(client._http.cookies) == 0

    using(_client(handler), go)
    assert sent == [None, None]


def test_a_foreign_next_link_names_its_port_as_written() -> None:
    """The origin of a nextLink that is not followed reads as a URL would (port 40243, not a number formatted 40,243)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"value": [{"id": "1"}], "@odata.nextLink": "https://graph.example.test:40243/v1.0/users?$skiptoken=2"})

    async def go(client) -> None:  # noqa: ANN001
        with pytest.raises(Exception) as caught:
            async for _ in client.iter_pages("/users"):
                pass
        text = str(getattr(caught.value, "what", caught.value))
        assert "graph.example.test:40243" in text and "40,243" not in text

    using(_client(handler), go)
