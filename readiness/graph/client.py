"""GraphClient: SDK request builders and middleware in, raw JSON out.

Requests are built with msgraph-sdk's typed builders (or from a path / nextLink), sent through the
SDK's request adapter and middleware pipeline (redirect, parameter decoding, user agent, and our own
RetryMiddleware), and come back as ``httpx.Response``; bodies are ``json.loads``-ed. No bulk data is
ever parsed into SDK model objects (DESIGN.md section 2: ~12 ms CPU per User object vs ~20 us raw).
"""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import GraphError, GraphUnavailable
from .clouds import Endpoint
from .retry import IdempotentOption, RetryMiddleware, RetryPolicy
from .stats import RequestStats, ThrottleGate

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation
    from msgraph import GraphServiceClient

@dataclass
class GraphResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def request_id(self) -> str:
        return self.headers.get("request-id", "")

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def graph_error(resp: GraphResponse, method: str, path: str) -> GraphError:
    """Translate an error answer into a GraphError that names what to do."""
    code, message, request_id = "", "", resp.request_id
    try:
        err = (resp.json() or {}).get("error") or {}
        code = err.get("code") or ""
        message = err.get("message") or ""
        inner = err.get("innerError") or err.get("innererror") or {}
        request_id = request_id or inner.get("request-id") or inner.get("requestId") or ""
    except (ValueError, AttributeError):
        message = resp.content[:200].decode("utf-8", "replace")
    what = f"Graph answered {resp.status} {code or ''} to {method} {path}".replace("  ", " ").strip()
    if message:
        what += f": {message.rstrip('.')}"
    if resp.status in (401,):
        fix = "Sign in again (the token expired or was rejected) and check the tenant profile"
    elif resp.status == 403:
        fix = "Grant the missing permission to the app or account; `readiness tenant test` lists what is missing"
    elif resp.status == 429 or resp.status >= 500:
        fix = "Graph is throttling or unavailable; try again later, or lower the concurrency with --concurrency"
    else:
        fix = "If this persists, report it with the request id"
    if request_id:
        fix += f" (request-id {request_id})"
    return GraphError(what, fix, status=resp.status, graph_code=code, request_id=request_id, path=path)


class GraphClient:
    """One tenant's connection. Create inside ``asyncio.run`` and close with ``aclose()``."""

    def __init__(self, sdk: GraphServiceClient, http: httpx.AsyncClient, endpoint: Endpoint,
                 stats: RequestStats, gate: ThrottleGate, concurrency: int, credential: Any = None) -> None:
        self.sdk = sdk
        self._credential = credential
        self.adapter = sdk.request_adapter
        self._http = http
        self.endpoint = endpoint
        self.stats = stats
        self.gate = gate
        self._limit = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency

    async def access_token(self) -> str:
        """The current bearer token (to read its permissions; never printed or stored)."""
        token = self._credential.get_token(self.endpoint.scope)
        if hasattr(token, "__await__"):
            token = await token
        return token.token

    # -- building requests ------------------------------------------------------------------
    def ri(self, method: str, path_or_url: str, body: Any = None,
           headers: Mapping[str, str] | None = None) -> RequestInformation:
        """A RequestInformation for a path relative to the version (``/users``) or an absolute URL."""
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation

        info = RequestInformation()
        info.http_method = Method[method.upper()]
        info.url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.endpoint.base_url + path_or_url
        for name, value in (headers or {}).items():
            info.headers.try_add(name, value)
        if body is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = json.dumps(body).encode()
        return info

    # -- sending ----------------------------------------------------------------------------
    async def send(self, info: RequestInformation, *, idempotent: bool | None = None) -> GraphResponse:
        """Send through the SDK adapter and middleware; return status, headers and raw bytes."""
        from kiota_abstractions.native_response_handler import NativeResponseHandler
        from kiota_http.middleware.options import ResponseHandlerOption

        options = [ResponseHandlerOption(NativeResponseHandler())]
        if idempotent is not None:
            options.append(IdempotentOption(idempotent))
        info.add_request_options(options)
        info.headers.try_add("client-request-id", str(uuid.uuid4()))
        if info.content:
            self.stats.bytes_sent += len(info.content)
        self.stats.by_endpoint[_endpoint_key(str(info.url), self.endpoint.base_url)] += 1
        async with self._limit:
            self.stats.requests += 1
            try:
                response: httpx.Response = await self.adapter.send_primitive_async(info, "bytes", {})
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                raise GraphUnavailable(
                    f"Could not reach {self.endpoint.root}: {type(exc).__name__} {exc}".rstrip(": "),
                    "Check the network connection and the endpoint (--graph-url or the profile's cloud)",
                ) from exc
        content = response.content
        self.stats.bytes_received += len(content)
        return GraphResponse(response.status_code, response.headers, content)

    async def request(self, method: str, path: str, body: Any = None, *,
                      headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
                      check: bool = True) -> GraphResponse:
        resp = await self.send(self.ri(method, path, body, headers), idempotent=idempotent)
        if check and not resp.ok:
            raise graph_error(resp, method.upper(), _short(path))
        return resp

    async def get_json(self, info_or_path: RequestInformation | str,
                       headers: Mapping[str, str] | None = None) -> Any:
        info = self.ri("GET", info_or_path, headers=headers) if isinstance(info_or_path, str) else info_or_path
        resp = await self.send(info)
        if not resp.ok:
            raise graph_error(resp, "GET", _short(str(info.url)))
        return resp.json()

    async def iter_pages(self, first: RequestInformation | str,
                         headers: Mapping[str, str] | None = None) -> AsyncIterator[dict]:
        """Yield raw pages, following ``@odata.nextLink`` exactly as given.

        Headers of the first request (``ConsistencyLevel: eventual`` and the like) are sent again
        on every page; msgraph-core's PageIterator drops them.
        """
        info = self.ri("GET", first, headers=headers) if isinstance(first, str) else first
        carry = {k: v for k, v in _headers_of(info).items() if k.lower() not in ("client-request-id",)}
        while True:
            page = await self.get_json(info)
            yield page
            next_link = page.get("@odata.nextLink") if isinstance(page, dict) else None
            if not next_link:
                return
            info = self.ri("GET", next_link, headers=carry)

    async def collect(self, first: RequestInformation | str,
                      headers: Mapping[str, str] | None = None) -> list[dict]:
        items: list[dict] = []
        async for page in self.iter_pages(first, headers):
            items.extend(page.get("value", []))
        return items

    async def aclose(self) -> None:
        transport = self._http._transport
        inner = getattr(transport, "transport", None)  # msgraph-core's AsyncGraphTransport has no aclose
        await self._http.aclose()
        if inner is not None:
            await inner.aclose()


def _headers_of(info: RequestInformation) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in info.headers.keys():
        values = info.headers.get(name)
        if values:
            out[name] = ", ".join(sorted(values))
    return out


_ID = re.compile(r"/[0-9a-fA-F-]{36}")


def _endpoint_key(url: str, base: str) -> str:
    path = url.split("?", 1)[0]
    if path.startswith(base):
        path = path[len(base):]
    elif "://" in path:
        path = "/" + path.split("/", 3)[-1]
        path = re.sub(r"^/(v1\.0|beta)", "", path)
    return _ID.sub("/{id}", path)


def _short(path: str) -> str:
    return path.split("?", 1)[0]


def build_client(endpoint: Endpoint, credential: Any, *, transport: httpx.AsyncBaseTransport | None = None,
                 concurrency: int = 8, policy: RetryPolicy | None = None, timeout: float = 60.0) -> GraphClient:
    """Build a GraphClient: own httpx client, SDK middleware plus RetryMiddleware, token only for Graph.

    + endpoint: where requests go (cloud or --graph-url); ``base_url`` has no trailing slash.
    + credential: anything with an async or sync ``get_token(*scopes)``; see auth.py.
    + transport: an httpx transport to use instead of the network (the in-process simulator).
    """
    from kiota_http.middleware import (
        HeadersInspectionHandler,
        ParametersNameDecodingHandler,
        RedirectHandler,
        UrlReplaceHandler,
        UserAgentHandler,
    )
    from kiota_http.middleware.options import UserAgentHandlerOption
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    from .. import __version__
    from .auth import BearerAuthProvider

    stats = RequestStats()
    gate = ThrottleGate()
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=15.0),
        limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2),
        transport=transport,
        follow_redirects=False,  # RedirectHandler follows, and drops Authorization on a host change
    )
    middleware = [
        RedirectHandler(),
        RetryMiddleware(stats, gate, policy),
        ParametersNameDecodingHandler(),
        UrlReplaceHandler(),
        UserAgentHandler(UserAgentHandlerOption(product_name="readiness", product_version=__version__)),
        HeadersInspectionHandler(),
    ]
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
    auth = BearerAuthProvider(credential, scope=endpoint.scope, allowed_host=endpoint.host)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = endpoint.base_url  # no trailing slash: avoids the SDK's "//users"
    sdk = GraphServiceClient(request_adapter=adapter)
    return GraphClient(sdk, http, endpoint, stats, gate, concurrency, credential)
