"""The simulator's wire types: a request, a response, how a collection is served, a route.

Apart from app.py so that the route table and its handlers (routes, reads, writes) need not import the
Simulator they are plugged into (no import cycle).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .app import Simulator


@dataclass
class SimRequest:
    method: str
    url: str  # absolute, as received
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def __post_init__(self) -> None:
        self.arrived = time.monotonic()  # the server may stamp it earlier, before reading the body
        parts = urlsplit(self.url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.hostname or ""
        self.raw_path = parts.path
        self.query = _parse_query(parts.query)
        m = re.match(r"^/(v1\.0|beta)(/.*)?$", parts.path)
        self.version = m.group(1) if m else ""
        self.path = (m.group(2) or "/") if m else parts.path

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)


def _parse_query(query: str) -> dict[str, str]:
    from urllib.parse import unquote_plus

    out: dict[str, str] = {}
    for part in query.split("&") if query else []:
        if not part:
            continue
        key, _, value = part.partition("=")
        out[unquote_plus(key)] = unquote_plus(value)
    return out


@dataclass
class SimResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False  # close the connection without answering
    throttle_after: float = 0.0  # $batch: the largest Retry-After of its throttled items

    @staticmethod
    def json(status: int, doc: Any, headers: dict | None = None) -> SimResponse:
        h = {"Content-Type": "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"}
        h.update(headers or {})
        return SimResponse(status, h, json.dumps(doc, ensure_ascii=False).encode())


@dataclass
class Collection:
    """How Graph serves one collection."""

    name: str
    default_top: int = 100
    max_top: int = 999
    filterable: set[str] | None = None
    directory: bool = True  # advanced queries need ConsistencyLevel: eventual
    needs_select: bool = True  # read without $select is poor conduct (big objects)
    orderby: set[str] = field(default_factory=set)  # sortable by default
    orderby_advanced: set[str] = field(default_factory=set)  # sortable only in advanced queries
    null_filterable: set[str] = field(default_factory=set)  # 'eq null' allowed (advanced queries only)
    searchable: set[str] = field(default_factory=set)  # $search properties (directory: advanced only)
    startswith: set[str] | None = None  # properties startsWith works on (None: every filterable one)
    keyed: bool = True  # items have an id, returned even when $select leaves it out


Handler = Callable[["Simulator", SimRequest, "re.Match[str]"], SimResponse]


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    handler: Handler
    roles: tuple[str, ...]  # any of these roles grants access
    versions: tuple[str, ...] = ("v1.0", "beta")
