"""A recording proxy and a replay server on 127.0.0.1, and the server's own count of pages.

Pass 1 (``Recorder``): the client talks to this proxy, which forwards every request to the simulator and keeps
the answer. Pass 2 (``Replayer``): the same answers are served again from memory, each after the same injected
latency, so the client is measured against a server whose own cost is next to nothing. Both count every request
they answer, by endpoint (ids replaced by ``{id}``), and the items each collection page held: the server's view,
not the client's counter.

A $batch whose items are all collection pages (collect/devices.py reads the device owners' pages in rounds of one
$batch) is counted as those pages, each under its own endpoint and read, as Graph counts them (each request in a
batch is throttled on its own, https://learn.microsoft.com/graph/json-batching); ``http`` counts the HTTP requests
(the $batch once). Any other $batch (the teams' single objects) is counted once, under /$batch, in both.
"""
from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def endpoint(path: str) -> str:
    """'/v1.0/groups/<guid>/members?$top=999' -> '/groups/{id}/members'."""
    path = path.split("?", 1)[0]
    parts = path.split("/")
    if len(parts) > 1 and parts[1] in ("v1.0", "beta"):
        parts = [""] + parts[2:]
    if len(parts) > 1 and parts[1] == "_download":
        return "/_download"
    return "/".join("{id}" if _ID.match(p) else p for p in parts)


def batch_pages(path: str, request_body: bytes, status: int, body: bytes) -> list[tuple[str, int, str | None]] | None:
    """The pages a $batch answered, as (path with query as if asked on its own, items, nextLink), when every item is
    a collection page; None for any other answer."""
    if status != 200 or endpoint(path) != "/$batch":
        return None
    try:
        asked = {str(r.get("id")): r for r in json.loads(request_body).get("requests") or []}
        answers = json.loads(body).get("responses") or []
    except (ValueError, AttributeError):
        return None
    version = path.split("/$batch", 1)[0]  # "/v1.0"
    out = []
    for a in answers:
        item = asked.get(str(a.get("id"))) if isinstance(a, dict) else None
        doc = a.get("body") if item is not None else None
        value = doc.get("value") if isinstance(doc, dict) and a.get("status") == 200 else None
        if not isinstance(value, list) or str(item.get("method", "GET")).upper() != "GET":
            return None
        link = doc.get("@odata.nextLink")
        out.append((version + str(item.get("url")), len(value), link if isinstance(link, str) else None))
    return out or None


def page_info(status: int, body: bytes) -> tuple[int | None, str | None]:
    """(items, nextLink) of a collection's page; (None, None) for anything else (an object, a batch, a file)."""
    if status == 200 and body[:1] == b"{":
        try:
            doc = json.loads(body)
        except ValueError:
            return None, None
        value = doc.get("value") if isinstance(doc, dict) else None
        if isinstance(value, list):
            link = doc.get("@odata.nextLink")
            return len(value), link if isinstance(link, str) else None
    return None, None


class _Base:
    latency = 0.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: Counter[str] = Counter()  # requests answered, by endpoint (a $batch of pages: its pages)
        self.http: Counter[str] = Counter()  # HTTP requests answered, by endpoint (a $batch: once)
        self.batched_reads: set[tuple[str, str]] = set()  # reads whose pages came inside a $batch
        self.items: dict[str, int] = defaultdict(int)  # items served, by endpoint
        # items served per read: a collection's path and query without $skiptoken (each group's members is a read)
        self.reads: dict[tuple[str, str], int] = defaultdict(int)
        # requests answered with success, by method, path with query, and request body (a $batch's items): one
        # asked again after a success is over-fetching (one sent again after a 429 or a dropped connection is not)
        self.requested: Counter[tuple[str, str, bytes]] = Counter()
        self.read_pages: Counter[tuple[str, str]] = Counter()  # pages served per read
        self.page_sizes: dict[tuple[str, str], list[int]] = defaultdict(list)  # items per page before the last
        self._read_of: dict[str, tuple[str, str]] = {}  # a nextLink given out -> the read it continues
        self.misses = 0
        self.server: ThreadingHTTPServer | None = None

    def count(self, method: str, path: str, request_body: bytes, status: int, body: bytes,
              info: tuple | None = None) -> None:
        """Count one answer before it is sent (so a page is counted before the client can ask for the next).
        A read is its first request and every page reached through the ``@odata.nextLink``s it was given (Graph's
        nextLinks need not repeat the query: a delta round's carry only ``$skiptoken``). ``info``: (items, nextLink)
        of a page, or ("batch", pages) of a $batch of pages (``batch_pages``), known in advance (the replay's tape)."""
        ep = endpoint(path)
        if info is None:
            inner = batch_pages(path, request_body, status, body) if ep == "/$batch" else None
            info = ("batch", inner) if inner else page_info(status, body)
        with self.lock:
            self.http[ep] += 1
            if status < 400:
                self.requested[(method, path, request_body)] += 1
            if info[0] == "batch":  # each page as if asked on its own (a page asked again in and out of a batch: seen)
                for sub, n, link in info[1]:
                    self.requested[("GET", sub, b"")] += 1
                    read = self._page(endpoint(sub), sub, n, link)
                    if read is not None:
                        self.batched_reads.add(read)
                return
            self._page(ep, path, *info)

    def _page(self, ep: str, path: str, n: int | None, next_link: str | None) -> tuple[str, str] | None:
        """Count a page in its read (returned); None for an answer that is no collection page."""
        self.pages[ep] += 1
        if n is None or ep == "/$batch":
            return None
        query = "&".join(unquote(p) for p in (path.split("?", 1) + [""])[1].split("&") if p and not p.startswith("$skiptoken="))
        read = self._read_of.get(path) or (ep, query)  # kept: a page asked again stays in its read
        if isinstance(next_link, str):
            u = urlsplit(next_link)
            self._read_of[u.path + ("?" + u.query if u.query else "")] = read
        self.items[ep] += n
        self.reads[read] += n
        self.read_pages[read] += 1
        if next_link:
            self.page_sizes[read].append(n)  # the items on each page before the last
        return read

    def asked_again(self) -> int:
        """Requests that repeated one already answered with success (same method, path, query and body)."""
        with self.lock:
            return sum(n - 1 for n in self.requested.values() if n > 1)

    def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1:port; the Replayer takes the Recorder's port, so recorded nextLinks and Locations hold."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # as the simulator: without it every answer waits ~40 ms for a delayed ACK

            def log_message(self, *a: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, out = owner.answer(self.command, self.path, dict(self.headers), body)
                if owner.latency:
                    time.sleep(owner.latency)
                owner.count(self.command, self.path, body, status, out, owner.info_of(self.command, self.path, body))
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self.server = Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, list, bytes]:
        raise NotImplementedError

    def info_of(self, method: str, path: str, body: bytes) -> tuple | None:
        """A page's (items, nextLink) if known in advance (the replay's tape), else None: parsed when counted."""
        return None


class Recorder(_Base):
    """Forwards to the simulator (which adds the latency) and keeps every answer."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        u = urlsplit(upstream)
        self.up_host, self.up_port = u.hostname, u.port
        self.tape: dict[tuple[str, str, bytes], tuple[int, list, bytes]] = {}
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._local.conn = http.client.HTTPConnection(self.up_host, self.up_port, timeout=600)
        return c

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, list, bytes]:
        fwd = {k: v for k, v in headers.items() if k.lower() not in _HOP}
        for attempt in range(2):
            try:
                c = self._conn()
                c.request(method, path, body=body or None, headers=fwd)
                r = c.getresponse()
                out = r.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self._local.conn = None
                if attempt:
                    raise
        hdrs = [(k, v) for k, v in r.getheaders() if k.lower() not in _HOP]
        # the simulator's report downloads live on another host name: send them through this proxy too
        hdrs = [(k, re.sub(r"^http://localhost:\d+", f"http://localhost:{self.port}", v) if k.lower() == "location" else v)
                for k, v in hdrs]
        with self.lock:
            self.tape[(method, path, body)] = (r.status, hdrs, out)
        return r.status, hdrs, out


class Replayer(_Base):
    """Serves a Recorder's tape, each answer after ``latency`` seconds."""

    def __init__(self, tape: dict, latency: float, infos: dict | None = None) -> None:
        super().__init__()
        self.tape = tape
        self.latency = latency
        # parsed once here (or given by an earlier Replayer of the same tape), not while the client is measured:
        # the replay server must cost next to nothing
        self.infos = infos if infos is not None else {key: _info(key, status, out) for key, (status, _, out) in tape.items()}

    def info_of(self, method: str, path: str, body: bytes) -> tuple | None:
        return self.infos.get((method, path, body), (None, None))

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, list, bytes]:
        hit = self.tape.get((method, path, body))
        if hit is None:
            with self.lock:
                self.misses += 1
            return 404, [("Content-Type", "application/json")], b'{"error":{"code":"NotRecorded","message":"not recorded"}}'
        return hit


def _info(key: tuple[str, str, bytes], status: int, out: bytes) -> tuple:
    inner = batch_pages(key[1], key[2], status, out) if key[0] == "POST" else None
    return ("batch", inner) if inner else page_info(status, out)
