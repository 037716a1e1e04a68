"""A typed builder's request URL is expanded from its template once per request (issue 15: kiota's RequestInformation
expands its RFC 6570 template in Python on every read of ``url``, ~0.3-0.5 ms each, and a request's URL was read by the
client, the auth provider and the adapter, and a chain's first URL again for every page), and the URL that goes out is
the one the template makes."""
from __future__ import annotations

import json

import httpx
import stduritemplate

from readiness.collect.queries import build
from readiness.graph.auth import StaticTokenCredential
from readiness.graph.client import build_client
from readiness.graph.clouds import custom_endpoint
from tests.helpers import using

BASE = "https://graph.example.test/v1.0"


def _counting(monkeypatch) -> list[int]:  # noqa: ANN001
    expanded = [0]
    real = stduritemplate.StdUriTemplate.expand

    def expand(template, substitutions):  # noqa: ANN001, ANN202
        expanded[0] += 1
        return real(template, substitutions)

    monkeypatch.setattr(stduritemplate.StdUriTemplate, "expand", staticmethod(expand))
    return expanded


def test_a_builders_request_expands_its_template_once_and_sends_what_it_makes(monkeypatch) -> None:  # noqa: ANN001
    expanded = _counting(monkeypatch)
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": "org"})

    async def go(c):  # noqa: ANN001, ANN202
        return await c.get_json(build(c.sdk.organization, select=["id", "displayName"]))

    client = build_client(custom_endpoint(BASE), StaticTokenCredential("t"), transport=httpx.MockTransport(handler))
    assert using(client, go) == {"id": "org"}
    (request,) = sent
    assert str(request.url) == f"{BASE}/organization?$select=id,displayName"
    assert expanded[0] == 1


def test_a_chains_pages_expand_the_first_pages_template_once(monkeypatch) -> None:  # noqa: ANN001
    expanded = _counting(monkeypatch)
    sent: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        n = int(request.url.params.get("$skiptoken") or 1)
        link = {"@odata.nextLink": f"{BASE}/users?$skiptoken={n + 1}"} if n < 5 else {}
        return httpx.Response(200, content=json.dumps({"value": [{"id": str(n)}], **link}).encode())

    async def go(c):  # noqa: ANN001, ANN202
        return [p["value"][0]["id"] async for p in c.iter_pages(build(c.sdk.users, select=["id"], top=999))]

    client = build_client(custom_endpoint(BASE), StaticTokenCredential("t"), transport=httpx.MockTransport(handler))
    assert using(client, go) == ["1", "2", "3", "4", "5"]
    assert sent[0] == f"{BASE}/users?$select=id&$top=999"
    assert sent[1:] == [f"{BASE}/users?$skiptoken={n}" for n in range(2, 6)]
    assert expanded[0] == 1
