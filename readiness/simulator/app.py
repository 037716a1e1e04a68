"""The simulator's request handler: authentication, permissions, faults, paging and the conduct log.

``Simulator.handle(SimRequest) -> SimResponse`` is pure request/response; server.py serves it over
HTTP on 127.0.0.1 and transport.py serves it in-process through httpx.
"""
from __future__ import annotations

import math
import random
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import quote

from . import tokens
from .prepared import Prepared
from .odata import QueryError, parse_filter, parse_orderby, parse_search, parse_select, parse_top, project, sort_rows
from .tenant import SimError, Tenant
from .wire import Collection, Route, SimRequest, SimResponse  # noqa: F401 - also imported from here


@dataclass
class Faults:
    """Faults on demand. Rates are probabilities per request (and per $batch item)."""

    latency: float = 0.0  # seconds added to every answer
    rate_429: float = 0.0
    rate_503: float = 0.0
    rate_504: float = 0.0
    rate_drop: float = 0.0  # connection closed without an answer
    retry_after: float = 1.0  # seconds sent in Retry-After (Graph sends whole seconds)
    consistency_delay: float = 0.0  # a created team answers 404 this long after creation
    write_rate: float = 0.0  # writes per second per tenant (token bucket; 0 = unlimited), like Graph's write limits
    write_burst: int = 100
    write_start: float | None = None  # writes left in the bucket when the first write arrives (None: full; 0: just spent)
    first: tuple[str, ...] = ()  # faults for the first requests, in order ("429", "503", "504", "drop"), then random
    seed: int = 1

    @property
    def any(self) -> bool:
        return bool(self.rate_429 or self.rate_503 or self.rate_504 or self.rate_drop or self.first)


@dataclass
class Conduct:
    """What the client did that a well-behaved Graph client must not do (tests assert none)."""

    requests: list[tuple[float, str, str, int]] = field(default_factory=list)
    retry_after_violations: list[str] = field(default_factory=list)
    next_link_violations: list[str] = field(default_factory=list)
    missing_select: list[str] = field(default_factory=list)
    token_leaks: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def violations(self) -> dict[str, list[str]]:
        return {"retry_after": self.retry_after_violations, "next_link": self.next_link_violations,
                "missing_select": self.missing_select, "token_leak": self.token_leaks}

    def summary(self) -> dict[str, Any]:
        """The conduct log as data: what GET /_conduct answers and `simulator serve` prints when it stops."""
        statuses: dict[str, int] = {}
        for _, _, _, status in list(self.requests):
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        found = {k: list(v) for k, v in self.violations.items()}
        return {"requests": len(self.requests), "by_status": dict(sorted(statuses.items())),
                "violations": {k: len(v) for k, v in found.items()}, "violation_details": found,
                "unsupported_queries": list(self.unsupported),
                "clean": not any(found.values())}

    def summary_lines(self) -> list[str]:
        """For a terminal: request paths are the client's, so control characters are shown as '?'."""
        s = self.summary()
        lines = [f"Conduct: {s['requests']} requests ({', '.join(f'{k}: {v}' for k, v in s['by_status'].items()) or 'none'})"]
        for kind, items in s["violation_details"].items():
            lines.append(f"  {kind}: {len(items)}" + (f" (first: {items[0]})" if items else ""))
        if s["unsupported_queries"]:
            lines.append(f"  refused queries: {len(s['unsupported_queries'])} (first: {s['unsupported_queries'][0]})")
        lines.append("  no misconduct" if s["clean"] else "  MISCONDUCT found")
        return ["".join(ch if ch.isprintable() else "?" for ch in line) for line in lines]

    def count(self, method: str | None = None, path_prefix: str = "") -> int:
        return sum(1 for _, m, p, _ in self.requests if (method is None or m == method) and p.startswith(path_prefix))


class Simulator:
    def __init__(self, tenant: Tenant, faults: Faults | None = None, *, page_jitter: bool = True) -> None:
        from .routes import ROUTES

        self.tenant = tenant
        self.faults = faults or Faults()
        self.conduct = Conduct()
        self.page_jitter = page_jitter
        self._secret = secrets.token_bytes(32)
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self._links: dict[str, dict] = {}  # skiptoken -> paging state
        self._downloads: dict[str, tuple[bytes, float]] = {}
        self.prepared = Prepared()  # usage reports built once per tenant state (simulator/prepared.py)
        self._throttle: list[tuple[float, float]] = []  # (answered at, until)
        self.routes = ROUTES
        self.download_host: str | None = None  # set by the server: another host name for report downloads
        # requests already in flight when a 429 left; the HTTP server adds the time a thread may wait for the GIL
        self.grace = 0.05
        self._scripted = 0
        self._tokens = float(self.faults.write_burst if self.faults.write_start is None else self.faults.write_start)
        self._refilled: float | None = None  # the bucket refills from the first write on (a full one cannot grow anyway)

    def take_write(self) -> float | None:
        """Spend one write from the tenant's bucket; None if allowed, else seconds until one is free."""
        rate = self.faults.write_rate
        if not rate:
            return None
        with self._lock:
            now = time.monotonic()
            if self._refilled is None:
                self._refilled = now
            self._tokens = min(self.faults.write_burst, self._tokens + (now - self._refilled) * rate)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                return None
            return (1 - self._tokens) / rate

    # -- tokens ------------------------------------------------------------------------------
    def issue_token(self, roles: tuple[str, ...] | list[str] = tokens.ALL_ROLES, ttl: int = 8 * 3600,
                    tenant_id: str | None = None, audience: str = tokens.AUDIENCE) -> str:
        return tokens.issue(self._secret, tenant_id or self.tenant.tenant_id, roles, ttl, audience)

    # -- entry point -------------------------------------------------------------------------
    def handle(self, req: SimRequest) -> SimResponse:
        if req.raw_path == "/_conduct":  # the conduct log, for any client run against the simulator; not itself conduct
            try:
                self._authenticate(req)
            except SimError as exc:
                return self.error(exc.status, exc.code, exc.message)
            if req.method != "GET":
                return self.error(405, "Request_BadRequest", "Only GET is supported on /_conduct.")
            with self._lock:
                return SimResponse.json(200, self.conduct.summary())
        arrived = req.arrived
        self._check_retry_after(req, arrived)
        fault = self._fault(req)
        if fault is None and req.method != "GET" and not req.path.startswith("/$batch"):
            wait = self.take_write()
            if wait is not None:
                fault = self.throttled(wait)
        if fault is not None and fault.drop and req.method != "GET" and self._coin():
            self._process(req)  # the write happened; only the answer is lost (the hard case for clients)
            resp = fault
        elif fault is not None:
            resp = fault
        else:
            try:
                resp = self._dispatch(req)
            except SimError as exc:
                resp = self.error(exc.status, exc.code, exc.message, exc.headers)
            except QueryError as exc:
                self.conduct.unsupported.append(f"{req.method} {req.raw_path}: {exc}")
                resp = self.error(400, exc.code, str(exc))
        with self._lock:
            self.conduct.requests.append((arrived, req.method, req.path + _qs(req), resp.status))
        return resp

    def _coin(self) -> bool:
        with self._lock:
            return self._rng.random() < 0.5

    def _process(self, req: SimRequest) -> None:
        try:
            self._dispatch(req)
        except (SimError, QueryError):
            pass

    def answered(self, resp: SimResponse) -> None:
        """Called by the server when an answer actually leaves (after injected latency).

        The client can only know it was throttled from then on, for a whole answer and for the items of a
        $batch alike; requests that arrive later but before Retry-After elapsed are violations.
        """
        ra = resp.headers.get("Retry-After")
        wait = float(ra) if resp.status in (429, 503) and ra else resp.throttle_after
        if wait:
            now = time.monotonic()
            with self._lock:
                self._throttle.append((now, now + wait))

    def _check_retry_after(self, req: SimRequest, arrived: float) -> None:
        """A request that arrives before a Retry-After elapsed is a violation once it arrives later than the grace a
        request in flight may need, or than half the wait, whichever is longer. A request queued in the client's
        connection pool before the throttled answer was read can leave right after it, and a loaded machine can hold
        one for a few hundred milliseconds; a client that ignores Retry-After keeps sending and is still caught in
        the second half of every wait."""
        if req.path.startswith("/_download"):
            return
        grace = self.grace + self.faults.latency
        with self._lock:
            self._throttle = [t for t in self._throttle if t[1] > arrived]
            for answered_at, until in self._throttle:
                if answered_at + max(grace, (until - answered_at) / 2) < arrived < until - 0.01:
                    self.conduct.retry_after_violations.append(
                        f"{req.method} {req.path} arrived {until - arrived:.2f}s before Retry-After elapsed")
                    break

    def _fault(self, req: SimRequest) -> SimResponse | None:
        f = self.faults
        if not f.any or req.path.startswith("/_download"):
            return None
        with self._lock:
            roll = self._rng.random()
            scripted = f.first[self._scripted] if self._scripted < len(f.first) else None
            self._scripted += 1
        if scripted == "drop":
            return SimResponse(0, drop=True)
        if scripted == "429":
            return self.throttled()
        if scripted in ("503", "504"):
            return self.error(int(scripted), "ServiceUnavailable" if scripted == "503" else "GatewayTimeout",
                              "The service is temporarily unavailable.", {"Retry-After": _fmt(f.retry_after)})
        if roll < f.rate_drop:
            return SimResponse(0, drop=True)
        roll -= f.rate_drop
        if roll < f.rate_429:
            return self.throttled()
        roll -= f.rate_429
        if roll < f.rate_503:
            return self.error(503, "ServiceUnavailable", "The service is temporarily unavailable.",
                              {"Retry-After": _fmt(f.retry_after)})
        roll -= f.rate_503
        if roll < f.rate_504:
            return self.error(504, "GatewayTimeout", "The gateway did not receive a response in time.")
        return None

    def throttled(self, wait: float | None = None) -> SimResponse:
        seconds = self.faults.retry_after if wait is None else max(1, math.ceil(wait))  # Graph sends whole seconds
        return self.error(429, "TooManyRequests", "Please retry again later.", {"Retry-After": _fmt(seconds)})

    def _dispatch(self, req: SimRequest) -> SimResponse:
        if req.path.startswith("/_download/"):
            return self._download(req)
        claims = self._authenticate(req)
        if not req.version:
            raise SimError(400, "BadRequest", f"Invalid version: the path must start with /v1.0 or /beta, got '{req.raw_path}'.")
        if "//" in req.path:
            raise SimError(404, "Request_ResourceNotFound", f"Resource not found for the segment ''. Path: '{req.raw_path}'.")
        if req.path == "/me" or req.path.startswith("/me/"):  # the simulator's tokens are application tokens
            raise SimError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        matched_path = False
        for route in self.routes:
            m = route.pattern.fullmatch(req.path)
            if not m:
                continue
            matched_path = True
            if route.method != req.method:
                continue
            if req.version not in route.versions:
                continue
            roles = set(claims.get("roles") or [])
            if route.roles and not roles.intersection(route.roles):
                raise SimError(403, "Authorization_RequestDenied",
                               f"Insufficient privileges to complete the operation. Requires one of: {', '.join(route.roles)}.")
            req.claims = claims  # type: ignore[attr-defined]
            if req.path == "/$batch":  # each item takes the lock its method needs
                return route.handler(self, req, m)
            # reads share the tenant, writes have it alone: reads do not queue behind one another
            with self.tenant.lock.read() if req.method == "GET" else self.tenant.lock:
                return route.handler(self, req, m)
        if matched_path:
            raise SimError(405, "Request_BadRequest", f"No HTTP resource was found that matches the request URI with method {req.method}.")
        raise SimError(400, "BadRequest", f"Resource not found for the segment '{req.path.strip('/').split('/')[0]}'.")

    def _authenticate(self, req: SimRequest) -> dict:
        auth = req.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            raise SimError(401, "InvalidAuthenticationToken", "Access token is empty.")
        claims, refusal = tokens.rejection(self._secret, auth[7:].strip(), self.tenant.tenant_id)
        if claims is None:
            raise SimError(401, "InvalidAuthenticationToken", refusal)
        return claims

    # -- helpers for routes ------------------------------------------------------------------
    def error(self, status: int, code: str, message: str, headers: dict | None = None) -> SimResponse:
        rid = str(uuid.uuid4())
        body = {"error": {"code": code, "message": message,
                          "innerError": {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                                         "request-id": rid, "client-request-id": rid}}}
        h = {"request-id": rid}
        h.update(headers or {})
        return SimResponse.json(status, body, h)

    def context(self, req: SimRequest, what: str) -> str:
        return f"{req.origin}/{req.version}/$metadata#{what}"

    def requires_eventual(self, req: SimRequest, what: str) -> None:
        if req.headers.get("consistencylevel", "").lower() != "eventual":
            raise QueryError(f"{what} is only supported with the ConsistencyLevel header set to 'eventual' and $count=true.")

    def eventual(self, req: SimRequest) -> bool:
        return req.headers.get("consistencylevel", "").lower() == "eventual"

    def query_rows(self, req: SimRequest, spec: Collection, rows: list[dict]) -> list[dict]:
        """Apply $filter, $search and $orderby with Graph's rules for advanced queries on directory objects.

        https://learn.microsoft.com/graph/aad-advanced-queries: ne/not/endsWith, $search, $orderby on some
        properties, and $filter together with $orderby need ConsistencyLevel: eventual (and, except for
        $search, $count=true); $expand is not supported with advanced queries; null values are filterable
        only where documented.
        """
        q = req.query
        counted = q.get("$count", "").lower() == "true"
        advanced, what = False, ""
        if "$filter" in q:
            flt = parse_filter(q["$filter"], spec.filterable)
            bad_starts = flt.starts_properties - spec.startswith if spec.startswith is not None else set()
            if bad_starts:
                raise QueryError(f"Unsupported or invalid query filter clause specified for property '{sorted(bad_starts)[0]}' "
                                 f"of resource '{spec.name}': startsWith is not supported.")
            bad_null = flt.null_properties - spec.null_filterable
            if bad_null:
                raise QueryError(f"Unsupported or invalid query filter clause specified for property '{sorted(bad_null)[0]}' "
                                 f"of resource '{spec.name}': filtering on null is not supported.")
            if flt.null_properties:
                advanced, what = True, "Filtering on null"
            if flt.advanced:
                advanced, what = True, "This filter"
            rows = [r for r in rows if flt.predicate(r)]
        if "$search" in q and spec.directory:
            if not spec.searchable:
                raise QueryError(f"$search is not supported on {spec.name}.", "BadRequest")
            if not self.eventual(req):
                raise QueryError("Request with $search query parameter only works through MSGraph with a special request "
                                 "header: 'ConsistencyLevel: eventual'")
            pred = parse_search(q["$search"])
            rows = [r for r in rows if pred(r)]
        if "$orderby" in q:
            keys, needs = parse_orderby(q["$orderby"], spec.orderby, spec.orderby_advanced)
            if spec.directory and (needs or "$filter" in q):
                advanced, what = True, "Sorting by this property" if needs else "$filter together with $orderby"
            rows = sort_rows(list(rows), keys)
        if spec.directory and (advanced or ("$search" in q)) and "$expand" in q:
            raise QueryError("$expand is not currently supported with advanced queries.")
        if spec.directory and self.eventual(req) and (counted or "$search" in q) and "$expand" in q:
            raise QueryError("$expand is not currently supported with advanced queries.")
        if advanced and spec.directory:
            self.requires_eventual(req, what)
            if not counted:
                raise QueryError(f"{what} is only supported with advanced query parameters: "
                                 "ConsistencyLevel: eventual and $count=true.")
        return rows

    def count_of(self, req: SimRequest, spec: Collection, items: list[dict]) -> SimResponse:
        """``/<collection>/$count``: a plain-text number; directory objects need ConsistencyLevel: eventual
        (without it Graph answers 400 Request_BadRequest '$count is not currently supported.')."""
        if spec.directory and not self.eventual(req):
            raise SimError(400, "Request_BadRequest", "$count is not currently supported.")
        for key in req.query:
            if key.startswith("$") and key not in ("$filter", "$search"):
                raise QueryError(f"Query option '{key}' is not supported with /$count.", "BadRequest")
        rows = items
        if "$filter" in req.query or "$search" in req.query:
            shadow = SimRequest(req.method, req.url, dict(req.headers), req.body)
            shadow.query = dict(req.query, **{"$count": "true"})
            rows = self.query_rows(shadow, spec, items)
        return SimResponse(200, {"Content-Type": "text/plain; charset=utf-8"}, str(len(rows)).encode())

    def page(self, req: SimRequest, spec: Collection, items: Callable[[], list[dict]],
             view: Callable[[dict, list[str] | None], dict] | None = None, context: str | None = None,
             page_cap: int | None = None, count_always: bool = False) -> SimResponse:
        """Serve one page of a collection with Graph's $top/$select/$filter/$count and nextLink rules."""
        q = req.query
        for key in q:
            if key.startswith("$") and key not in ("$top", "$select", "$filter", "$count", "$skiptoken", "$expand", "$format",
                                                   "$orderby", "$search"):
                raise QueryError(f"Query option '{key}' is not supported on {spec.name}.", "BadRequest")
        token = q.get("$skiptoken")
        if token is not None:
            state = self._links.get(token)
            expect = dict(state["query"]) if state else None
            if state is None or {k: v for k, v in q.items() if k != "$skiptoken"} != expect or req.path != state["path"]:
                self.conduct.next_link_violations.append(f"{req.method} {req.path}?{_qs(req)}")
                raise SimError(400, "Directory_InvalidSkipToken" if spec.directory else "BadRequest",
                               "The specified page token value has expired or is invalid.")
            rows, offset, top = state["rows"], state["offset"], state["top"]
            select = state["select"]
            count = False  # @odata.count is on the first page only
        else:
            top = parse_top(q.get("$top"), spec.default_top, spec.max_top)
            select = parse_select(q.get("$select"), None)
            if select and spec.keyed and "id" not in select:
                select = ["id"] + select  # the key comes back whatever $select says
            if select is None and spec.needs_select:
                self.conduct.missing_select.append(f"{req.path}")
            rows = self.query_rows(req, spec, items())
            # $count=true without ConsistencyLevel: eventual is ignored on directory objects, not refused
            # (https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects)
            count = count_always or (q.get("$count", "").lower() == "true" and (not spec.directory or self.eventual(req)))
            offset = 0
            if page_cap:
                top = min(top, page_cap)
        size = top
        if self.page_jitter and offset > 0 and top > 3 and (offset // top) % 3 == 1:
            size = max(1, top - (offset % 7) - 1)  # Graph's pages may hold fewer than $top
        chunk = rows[offset: offset + size]
        value = [view(r, select) if view else project(r, select) for r in chunk]
        # Graph's order: the annotations first, then ``value`` (concepts/paging.md and every paged example in the
        # reference: "@odata.context", "@odata.count", "@odata.nextLink", "value"), so a client may follow the link
        # before the page's end has arrived
        doc: dict[str, Any] = {"@odata.context": context or self.context(req, spec.name)}
        if count:
            doc["@odata.count"] = len(rows)
        nxt = offset + len(chunk)
        if nxt < len(rows):
            new = secrets.token_urlsafe(18)
            base = {k: v for k, v in q.items() if k != "$skiptoken"}
            with self._lock:
                self._links[new] = {"rows": rows, "offset": nxt, "top": top, "select": select, "count": count,
                                    "query": base, "path": req.path}
            pairs = [f"{quote(k, safe='$')}={quote(v, safe=',()/:@$')}" for k, v in base.items()]
            pairs.append(f"$skiptoken={new}")
            doc["@odata.nextLink"] = f"{req.origin}/{req.version}{req.path}?{'&'.join(pairs)}"
        doc["value"] = value
        return SimResponse.json(200, doc)

    # -- report downloads --------------------------------------------------------------------
    def offer_download(self, req: SimRequest, content: bytes) -> SimResponse:
        token = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:  # expired links go: each held a whole report (a 400,000-person one is 86 MB)
            for old in [k for k, (_, until) in self._downloads.items() if until < now]:
                del self._downloads[old]
            self._downloads[token] = (content, now + 300)
        host = self.download_host or req.origin.replace("//", "//reports.", 1)
        return SimResponse(302, {"Location": f"{host}/_download/{token}", "Content-Type": "text/plain"})

    def _download(self, req: SimRequest) -> SimResponse:
        if "authorization" in req.headers:
            self.conduct.token_leaks.append(f"Authorization header sent to the report download host {req.host}")
        token = req.raw_path.rsplit("/", 1)[-1]
        item = self._downloads.get(token)
        if item is None or item[1] < time.monotonic():
            return SimResponse(404, {"Content-Type": "text/plain"}, b"The download link has expired.")
        return SimResponse(200, {"Content-Type": "application/octet-stream"}, item[0])


def _qs(req: SimRequest) -> str:
    return "&".join(f"{k}={v}" for k, v in req.query.items())


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
