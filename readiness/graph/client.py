"""GraphClient: SDK request builders and middleware in, raw JSON out, checked before it is trusted.

Requests are built with msgraph-sdk's typed builders (or from a path / nextLink), sent through the
SDK's request adapter and middleware pipeline (redirect, parameter decoding, user agent, and our own
RetryMiddleware), and come back as ``httpx.Response``; bodies are ``json.loads``-ed. No bulk data is
ever parsed into SDK model objects (DESIGN.md section 2: ~12 ms CPU per User object vs ~20 us raw).

Nothing Graph says is trusted unread: a 401 ends the command (TokenRejected, which no collector
catches), a body that is not JSON or a page of the wrong shape is a GraphBadResponse, and
``@odata.nextLink`` is followed only on the endpoint's own origin, never twice, within page and
byte bounds.
"""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urljoin

import httpx

from .. import bulkjson
from ..errors import GraphBadResponse, GraphError, GraphUnavailable, Phrase, TokenRejected, error_phrase
from .auth import origin_of
from .bounds import ACCEPT_ENCODING, ANSWER_BYTES, REPORT_BYTES, answer_limit, collection_too_big
from .clouds import Endpoint
from .retry import IdempotentOption, RetryMiddleware, RetryPolicy
from .paging import Chain, answer_head, drop, head_hint, link_hint, request_sent, until_sent
from .slots import LEAD, NEW, Slot, Slots
from .stats import DEFAULT_MAX_WAIT, RequestStats, ThrottleGate, WaitBudget
from .text import clean

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation
    from msgraph import GraphServiceClient

MAX_PAGES = 20_000  # per collection: 100,000 devices at $top 100 are 1,000 pages
MAX_COLLECTION_BYTES = 1 << 30  # per collection: ~300,000 users with sign-in activity
@dataclass
class GraphResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes
    method: str = "GET"
    path: str = ""

    @property
    def request_id(self) -> str:
        return clean(self.headers.get("request-id", ""), 80)

    def json(self) -> Any:
        """The body as JSON; a GraphBadResponse (never a ValueError) if it is not JSON."""
        if not self.content:
            return None
        try:
            return bulkjson.loads(self.content)  # orjson: pages parse ~1.65x faster (issue 15)
        except RecursionError:
            raise GraphBadResponse(key="graph.too_deep", params={"method": self.method, "path": self.path},
                                   fix_key="graph.bad_answer", status=self.status, path=self.path) from None
        except ValueError:
            kind = clean(self.headers.get("content-type", "") or "no content type", 60)
            raise GraphBadResponse(key="graph.not_json",
                                   params={"method": self.method, "path": self.path, "status": self.status, "kind": kind},
                                   fix_key="graph.bad_answer", status=self.status, path=self.path) from None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def _error_body(resp: GraphResponse) -> tuple[str, str, str]:
    """(code, message, request id) from Graph's error body, whatever shape it has."""
    code, message, request_id = "", "", resp.request_id
    try:
        err = (resp.json() or {}).get("error") or {}
        code = clean(err.get("code") or "", 80)
        message = clean(err.get("message") or "")
        inner = err.get("innerError") or err.get("innererror") or {}
        request_id = request_id or clean(inner.get("request-id") or inner.get("requestId") or "", 80)
    except (GraphBadResponse, AttributeError, TypeError):
        message = clean(resp.content[:200].decode("utf-8", "replace"))
    return code, message, request_id


def graph_error(resp: GraphResponse, method: str, path: str) -> GraphError:
    """Translate an error answer into a GraphError that names what to do."""
    code, message, request_id = _error_body(resp)
    fix = ("graph.fix_401" if resp.status == 401 else "graph.fix_403" if resp.status == 403
           else "graph.fix_busy" if resp.status == 429 or resp.status >= 500 else "graph.fix_other")
    params = {"status": f"{resp.status} {code or ''}".strip(), "method": method, "path": path,
              "message": message.rstrip("."), "request": Phrase("errors.graph.request_id", id=request_id) if request_id else ""}
    return GraphError(key="graph.answered_message" if message else "graph.answered", params=params, fix_key=fix,
                      status=resp.status, graph_code=code, request_id=request_id, path=path)


class RefusedMidway(GraphError):
    """A 403 to a page of a collection after Graph had answered its first pages. Graph checks permissions and licences
    on the first request (errors.md: 403 "Access is denied to the requested resource. The user might not have enough
    permission or might not have a required license"), so a refusal later is no permission missing: the session was
    re-evaluated (Conditional Access), a role was removed during the audit, or a server between refused. The read
    failed (collect/reading.py: "failed" with Graph's answer), never "forbidden" and never complete. The devices' owners
    reads in $batch raise it too (collect/devices.py ``_midway``, key graph.denied_midway)."""

    @property
    def is_forbidden(self) -> bool:
        return False

    def at(self, name: str, page: int) -> "RefusedMidway":
        """The same refusal, said of page ``page`` of ``name`` (a chain whose pages the caller counts)."""
        return RefusedMidway(key=self.key, params=dict(self.params, name=name, page=page), fix_key=self.fix_key,
                             status=self.status, graph_code=self.graph_code, request_id=self.request_id, path=self.path)


def refused_midway(exc: GraphError, name: str, page: int) -> RefusedMidway:
    """``exc`` (a 403 to page ``page`` of ``name``, the first pages answered) as the failed read it is."""
    return RefusedMidway(key="graph.denied_midway_pages", params={"name": name, "page": page, "answer": error_phrase(exc) or exc.what,
                                                                  "request": exc.params.get("request", "")},
                         fix_key="graph.denied_midway", status=exc.status, graph_code=exc.graph_code,
                         request_id=exc.request_id, path=exc.path)


def token_rejected(resp: GraphResponse, hint: str, *, expired: bool = False) -> TokenRejected:
    """Graph's 401 (InvalidAuthenticationToken) as the one error that ends the command.

    Graph words the causes in the message: "Lifetime validation failed, the token is expired." /
    "Access token has expired or is not yet valid.", "Access token validation failure. Invalid audience."
    (microsoft-graph-docs-contrib concepts/resolve-auth-errors.md, concepts/errors.md).
    """
    code, message, request_id = _error_body(resp)
    text = f"{code} {message}".lower()
    if expired or "expired" in text or "lifetime" in text:
        reason = "expired"
    elif "audience" in text or "tenant" in text or "issuer" in text:
        reason = "wrong tenant"
    else:
        reason = "invalid"
    return TokenRejected(key="auth.token_rejected", params={"reason": Phrase(f"errors.auth.token_reasons.{reason.replace(' ', '_')}"),
                                                            "hint": hint}, reason=reason, request_id=request_id)


class GraphClient:
    """One tenant's connection. Create inside ``asyncio.run`` and close with ``aclose()``."""

    def __init__(self, sdk: GraphServiceClient, http: httpx.AsyncClient, endpoint: Endpoint,
                 stats: RequestStats, gate: ThrottleGate, concurrency: int, credential: Any = None,
                 budget: WaitBudget | None = None) -> None:
        self.sdk = sdk
        self._credential = credential
        self.adapter = sdk.request_adapter
        self._http = http
        self.endpoint = endpoint
        self.stats = stats
        self.gate = gate
        self._limit = Slots(concurrency)
        self.concurrency = concurrency
        self.budget = budget or WaitBudget()
        self.origin = origin_of(endpoint.base_url)
        self.max_pages = MAX_PAGES
        self.max_collection_bytes = MAX_COLLECTION_BYTES
        self.networked = False  # set by build_client: requests go over the network, not to an in-process transport
        self.build_options: dict[str, Any] = {}  # build_client's policy and timeout, for a helper process's client

    def lend_concurrency(self, n: int) -> None:
        """``n`` requests at a time fewer (lent to a helper process, collect/helper.py), while requests are under way."""
        self._limit.shrink(n)
        self.concurrency -= n

    def regain_concurrency(self, n: int) -> None:
        """``n`` requests at a time more, while requests are under way (a helper's share, back)."""
        self._limit.grow(n)
        self.concurrency += n

    def limit_waiting(self, seconds: float | None = None, report: Callable[[str], None] | None = None) -> GraphClient:
        """Cap the total time this client waits for Graph (``--max-wait``) and hear of every wait (stderr)."""
        if seconds is not None:
            self.budget.cap = float(seconds)
        if report is not None:
            self.budget.report = report
        return self

    @property
    def sign_in_hint(self) -> str:
        return getattr(self._credential, "sign_in_hint", "") or Phrase("errors.auth.hints.generic")

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

    def literal(self, info: RequestInformation) -> str:
        """The request's URL, expanded from its builder's template once and kept as it is: a typed builder's
        RequestInformation expands its RFC 6570 template (stduritemplate, in Python) on every read of ``url``, ~0.5-1 ms
        each, and a request's URL is read by the client, the auth provider and the adapter on its way out, and its
        chain's first URL again for every page after it (issue 15). The base URL is set first, as the adapter sets it
        before it reads the URL (kiota's set_base_url_for_request_information): the same URL goes out."""
        self.adapter.set_base_url_for_request_information(info)
        url = str(info.url)
        info.url = url  # kiota's setter keeps it as given (and drops the template's parameters, which made it)
        return url

    # -- sending ----------------------------------------------------------------------------
    async def send(self, info: RequestInformation, *, idempotent: bool | None = None, priority: int = NEW,
                   slot: Slot | None = None, keep: bool = False, limit: int | None = None) -> GraphResponse:
        """Send through the SDK adapter and middleware; return status, headers and raw bytes.

        + priority: which waiting request gets the next free slot (slots.py: the lead chain's pages first).
        + slot, keep: a slot already held (not acquired again); ``keep``: still held after a good answer, for the
          caller to hand on or release.
        + limit: the most bytes the answer may have, refused while it is read (bounds.py); by default a usage report's
          bound for a report function (/reports/get...) and an ordinary answer's for everything else.
        """
        from kiota_abstractions.native_response_handler import NativeResponseHandler
        from kiota_http.middleware.options import ResponseHandlerOption

        url = self.literal(info)
        options = [ResponseHandlerOption(NativeResponseHandler())]
        if idempotent is not None:
            options.append(IdempotentOption(idempotent))
        info.add_request_options(options)
        info.headers.try_add("client-request-id", str(uuid.uuid4()))
        if info.content:
            self.stats.bytes_sent += len(info.content)
        self.stats.by_endpoint[_endpoint_key(url, self.endpoint.base_url)] += 1
        slot = slot or self._limit.slot()
        await slot.acquire(priority)
        answered = False
        bound = answer_limit.set(limit or (REPORT_BYTES if "/reports/get" in url else ANSWER_BYTES))
        try:
            self.stats.requests += 1
            response: httpx.Response = await self.adapter.send_primitive_async(info, "bytes", {})
            answered = True
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            detail = f"{type(exc).__name__} {exc}".rstrip(": ")
            there = _failed_origin(exc)
            if there is not None and there != self.origin:  # a redirect's host (a report's download): that read fails
                raise GraphUnavailable(key="graph.download_unreachable", path=_short(url),
                                       params={"host": clean(there[1] + (f":{there[2]}" if there[2] not in (80, 443) else ""), 110), "path": _display(_short(url), self.endpoint.base_url),
                                               "detail": detail[:200]}) from exc
            raise GraphUnavailable(key="graph.unreachable", params={"root": self.endpoint.root, "detail": detail}) from exc
        finally:
            answer_limit.reset(bound)
            if not (keep and answered):
                slot.release()
        content = response.content
        # httpx binds a response's stream to the response (a reference cycle), so a page's bytes would wait for the
        # cyclic collector, which bulk parsing pauses: ~300 MB of read pages at 100k (issue 15). Read, it needs no stream.
        response.stream = httpx.ByteStream(b"")
        self.stats.bytes_received += len(content)
        method, path = str(info.http_method.value if hasattr(info.http_method, "value") else info.http_method), _short(url)
        resp = GraphResponse(response.status_code, response.headers, content, method.upper(), _display(path, self.endpoint.base_url))
        if resp.status == 401 and origin_of(_final_url(response, info)) == self.origin:
            # only the origin the token went to can refuse it; a JWT past its exp is "expired" whatever Graph's words
            expired = getattr(self._credential, "expired", None)
            slot.release()
            raise token_rejected(resp, self.sign_in_hint, expired=bool(expired and expired()))
        return resp

    async def request(self, method: str, path: str, body: Any = None, *,
                      headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
                      check: bool = True, limit: int | None = None) -> GraphResponse:
        resp = await self.send(self.ri(method, path, body, headers), idempotent=idempotent, limit=limit)
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
                         headers: Mapping[str, str] | None = None, *, priority: int = NEW,
                         decode: Callable[[bytes], dict | None] | None = None) -> AsyncIterator[dict]:
        """Yield raw pages, following ``@odata.nextLink`` exactly as given, if it can be trusted.

        Headers of the first request (``ConsistencyLevel: eventual`` and the like) are sent again
        on every page; msgraph-core's PageIterator drops them. Every page must be a JSON object whose
        ``value`` is a list of objects; a nextLink must stay on the endpoint's origin (scheme, host,
        port) and never repeat a page already read; a collection ends after ``max_pages`` pages or
        ``max_collection_bytes`` bytes (microsoft-graph-docs-contrib concepts/paging.md: follow the
        nextLink URL as given, it holds the whole state).

        The next page is asked for as soon as its link is known and checked (read from the bytes as they arrive,
        graph/paging.py, or else after the parse), before this page is handed on: the request is under way while
        the caller works on the page (issue 15). ``decode``: a typed decoder (collect/pages.py) tried first; a page it
        gives None for is parsed and checked as usual. ``priority`` (slots.py): LEAD for the audit's longest chain, whose
        pages go before every other request and hand their slot on; LONG for reads as long as the tenant. A caller
        that stops early cancels what is under way. A 403 to a page after the first is a RefusedMidway: a failed read,
        not a permission missing.

        The reader lets the event loop run what else is ready before it parses a page and again before it hands the
        page on: parsing a page and the caller's work on it are each several milliseconds, and as one step they held
        up every other request's answer, and the requests waiting for a slot, for both (issue 15: collection at 100k
        against the replay server 16.0-16.6 s -> 15.0 s of wall, the same CPU).
        """
        info = self.ri("GET", first, headers=headers) if isinstance(first, str) else first
        carry = {k: v for k, v in _headers_of(info).items() if k.lower() not in ("client-request-id",)}
        url = self.literal(info)
        name = _display(_short(url), self.endpoint.base_url)
        chain = Chain({url}, self._limit.slot() if priority == LEAD else None)
        pages = size = 0
        current: asyncio.Future[GraphResponse] | None = None
        try:
            chain.waiting = True
            resp = await self._fetch(info, chain, carry, priority)
            while True:
                chain.waiting = False
                await asyncio.sleep(0)  # what else is ready runs first: this page's parse and work come in two steps
                early = chain.take()
                if early is not None:  # this page's parse waits until the next page's request has left (below)
                    await until_sent(early[3])
                if not resp.ok:
                    failed = graph_error(resp, "GET", _short(str(info.url)))
                    raise refused_midway(failed, name, pages + 1) if pages and failed.is_forbidden else failed
                pages += 1
                size += len(resp.content)
                too_big = collection_too_big(name, pages, size, self.max_pages, self.max_collection_bytes)
                if too_big is not None:
                    raise too_big
                page = decode(resp.content) if decode is not None else None
                if page is None:
                    page = resp.json()
                    check_page(page, name)
                next_link = page.get("@odata.nextLink")
                if next_link is None:
                    drop(early)
                    await asyncio.sleep(0)
                    yield page
                    return
                try:
                    url = self._next_url(info, next_link, chain.seen, name)
                except GraphBadResponse as bad:
                    drop(early)
                    yield page  # the page is good; what it links to is not: said when the next page is asked for
                    raise bad from None
                chain.seen.add(url)
                if early is not None and early[0] == url:
                    current, info = early[1], early[2]
                else:  # no hint in the bytes (or, in a page with the key twice, not the one that counts)
                    drop(early)
                    info = self.ri("GET", url, headers=carry)
                    current = asyncio.ensure_future(self._fetch(info, chain, carry, priority))
                await asyncio.sleep(0)
                yield page
                chain.wait()
                resp, current = await current, None
        finally:
            drop(current)  # the caller stopped early or failed: the requests for the next pages go too
            drop(chain.take())

    async def _fetch(self, info: RequestInformation, chain: Chain, carry: dict[str, str], priority: int,
                     sent: asyncio.Event | None = None, slot: Slot | None = None) -> GraphResponse:
        """One page of a chain; if the reader is already waiting for it, the next page's request leaves as soon as its
        link is known: from the answer's first bytes where Graph puts it (before ``value``: paging.head_hint, called by
        bounds.read_bounded while the rest of the answer still arrives), else once the whole answer is in.
        ``sent``: set once this request's bytes are written (paging.until_sent). ``slot``: the lead chain's slot this
        request holds (the chain's, handed on by the page before, unless given its own)."""
        slot = slot if slot is not None else chain.slot
        made: list[bool] = []
        deferred: list[Any] = []

        def ahead(url: str, next_slot: Slot | None) -> None:
            nxt = self.ri("GET", url, headers=carry)
            nsent = asyncio.Event()
            task = asyncio.ensure_future(self._fetch(nxt, chain, carry, priority, nsent, next_slot))
            task.add_done_callback(lambda _t, e=nsent: e.set())  # ended before its bytes left: no wait
            if next_slot is not None:  # back to the pool if the request is cancelled before it starts
                task.add_done_callback(lambda t, s=next_slot: s.release() if t.cancelled() else None)
            chain.ahead = (url, task, nxt, nsent)
            made.append(True)

        def on_head(prefix: bytes, size: int) -> None:
            """``size``: the answer's Content-Length, else the bytes in so far (the collection's bound, as below)."""
            if made or chain.pages + 1 >= self.max_pages or chain.size + size > self.max_collection_bytes:
                return
            if not chain.waiting or chain.ahead is not None:  # the reader is still at the page before (this very
                chain.pending = later = lambda: on_head(prefix, size)  # request may not be taken yet): looked at once it
                deferred.append(later)  # waits for this one
                return
            hint = head_hint(prefix)
            if hint is None:
                return
            try:
                url = self._next_url(info, hint, chain.seen, "")
            except GraphBadResponse:
                return  # the reader parses the page and says what is wrong with its link
            # this request still holds its slot until its answer is in: the next one takes a slot of its own (the lead
            # chain's: before every other waiter), never a second request on one slot
            own = self._limit.slot() if slot is not None else None
            if own is not None:
                chain.slot = own
            ahead(url, own)

        marks = (request_sent.set(sent), answer_head.set(on_head))
        try:
            resp = await self.send(info, priority=priority, slot=slot, keep=slot is not None)
        finally:
            answer_head.reset(marks[1])
            request_sent.reset(marks[0])
            if deferred and chain.pending is deferred[-1]:
                chain.pending = None  # the answer is in: the reader parses it (and its link) itself
        passed = False
        try:
            chain.pages += 1
            chain.size += len(resp.content)
            if (not made and chain.waiting and resp.ok and chain.pages <= self.max_pages
                    and chain.size <= self.max_collection_bytes and (hint := link_hint(resp.content)) is not None):
                try:
                    url = self._next_url(info, hint, chain.seen, "")
                except GraphBadResponse:
                    return resp  # the reader parses the page and says what is wrong with its link
                ahead(url, slot)  # the slot handed on
                passed = True
        finally:
            if slot is not None and not passed:
                slot.release()
        return resp

    def _next_url(self, info: RequestInformation, next_link: Any, seen: set[str], name: str) -> str:
        return self.next_url(str(info.url), next_link, seen, name)

    def next_url(self, page_url: str, next_link: Any, seen: set[str], name: str) -> str:
        """A page's ``@odata.nextLink`` as a URL (relative to the page's own URL), once it is known to be one, on
        Graph's origin, and new. Also for the pages read inside a $batch (collect/devices.py)."""
        if not isinstance(next_link, str) or not next_link.strip():
            raise GraphBadResponse(key="graph.next_link_not_link", params={"name": name},
                                   fix_key="graph.bad_answer", path=name)
        url = urljoin(page_url, next_link)
        there = origin_of(url)
        if there != self.origin:
            raise GraphBadResponse(key="graph.next_link_foreign",
                                   params={"name": name, "scheme": clean(there[0], 20), "host": clean(there[1], 100), "port": str(there[2]), "root": self.endpoint.root},
                                   path=name)
        if url in seen:
            raise GraphBadResponse(key="graph.next_link_loop", params={"name": name}, path=name)
        return url

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


def _failed_origin(exc: Exception) -> tuple[str, str, int] | None:
    """The origin of the request a transport error happened on (a redirect's target, for a report's download); None
    where httpx does not say."""
    url = getattr(exc, "readiness_url", None)  # set by RetryMiddleware, which sees the redirected request
    try:
        return origin_of(url if isinstance(url, str) else str(exc.request.url))  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return None


def _final_url(response: httpx.Response, info: Any) -> str:
    """Where the answer came from (after redirects), or where the request went."""
    try:
        return str(response.request.url)
    except RuntimeError:  # a Response built without a request
        return str(info.url)


def check_page(page: Any, name: str) -> None:
    """A collection page is a JSON object whose ``value`` is a list of objects."""
    if not isinstance(page, dict):
        kind = Phrase("errors.words.nothing") if page is None else Phrase("errors.words.a_json", type=type(page).__name__)
        raise GraphBadResponse(key="graph.not_a_page", params={"name": name, "kind": kind}, fix_key="graph.bad_answer",
                               path=name)
    value = page.get("value")
    if not isinstance(value, list):
        what = (Phrase("errors.graph.page.no_value") if "value" not in page else
                Phrase("errors.graph.page.value_kind", kind="null" if value is None else type(value).__name__))
        raise GraphBadResponse(key="graph.page_not_list", params={"name": name, "what": what},
                               fix_key="graph.bad_answer", path=name)
    if set(map(type, value)) <= {dict}:  # the usual page, told in one pass at C speed (issue 15)
        return
    for item in value:
        if not isinstance(item, dict):
            raise GraphBadResponse(key="graph.page_item_not_object",
                                   params={"name": name, "error_type": type(item).__name__}, fix_key="graph.bad_answer",
                                   path=name)


def _display(path: str, base: str) -> str:
    """A path for messages, relative to the version: ``/users``."""
    return clean(path[len(base):] if path.startswith(base) else path, 120)


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


class _NoCookies(httpx.Cookies):
    """No cookie is kept: Graph's REST API is stateless and sets none a client must send back. httpx builds urllib
    request and response stand-ins for every answer to look for cookies (~25 us of CPU a request, issue 15)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _HttpClient(httpx.AsyncClient):
    """httpx's client without a cookie jar (_NoCookies)."""

    _none = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._none

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        if cookies:
            raise ValueError("this client keeps no cookies")


def build_client(endpoint: Endpoint, credential: Any, *, transport: httpx.AsyncBaseTransport | None = None,
                 concurrency: int = 8, policy: RetryPolicy | None = None, timeout: float = 60.0,
                 max_wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> GraphClient:
    """Build a GraphClient: own httpx client, SDK middleware plus RetryMiddleware, token only for Graph.

    + endpoint: where requests go (cloud or --graph-url); ``base_url`` has no trailing slash.
    + credential: anything with an async or sync ``get_token(*scopes)``; see auth.py.
    + transport: an httpx transport to use instead of the network (the in-process simulator).
    + max_wait: the total seconds this client may wait for Graph (default 180, --max-wait); on_wait hears of every wait.
    """
    from kiota_http.middleware import ParametersNameDecodingHandler, UserAgentHandler
    from kiota_http.middleware.options import UserAgentHandlerOption
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    from .. import __version__
    from .auth import BearerAuthProvider
    from .redirect import SafeRedirectHandler

    stats = RequestStats()
    gate = ThrottleGate()
    http = _HttpClient(
        timeout=httpx.Timeout(timeout, connect=15.0),
        limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2),
        transport=transport,
        follow_redirects=False,  # RedirectHandler follows, and drops Authorization on a host change
        headers={"Accept-Encoding": ACCEPT_ENCODING},  # only what bounds.read_bounded undoes, bounded
    )
    budget = WaitBudget(DEFAULT_MAX_WAIT if max_wait is None else max_wait, on_wait)
    # Not kiota's UrlReplaceHandler (it parses every URL again to turn "/users/me-token-to-replace" into "/me", a path
    # only the SDK's `me` builders make, which nothing here uses) nor its HeadersInspectionHandler (it copies every
    # request's and answer's headers into collections nobody reads; GraphResponse keeps the answer's headers): together
    # ~90 us of CPU a request, and a request to Graph is unchanged without them (issue 15).
    middleware = [
        SafeRedirectHandler(),
        RetryMiddleware(stats, gate, policy, budget),
        ParametersNameDecodingHandler(),
        UserAgentHandler(UserAgentHandlerOption(product_name="readiness", product_version=__version__)),
    ]
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
    auth = BearerAuthProvider(credential, scope=endpoint.scope, allowed_origin=endpoint.base_url)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = endpoint.base_url  # no trailing slash: avoids the SDK's "//users"
    sdk = GraphServiceClient(request_adapter=adapter)
    client = GraphClient(sdk, http, endpoint, stats, gate, concurrency, credential, budget)
    client.networked = transport is None
    client.build_options = {"policy": policy, "timeout": timeout}
    return client
