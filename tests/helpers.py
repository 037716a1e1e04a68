"""Helpers for tests: clients against the simulator or a stand-in server, example files, running coroutines."""
from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from readiness.graph.auth import StaticTokenCredential
from readiness.graph.client import build_client
from readiness.graph.clouds import custom_endpoint
from readiness.graph.retry import RetryPolicy
from readiness.simulator import Simulator
from readiness.simulator.server import SimulatorServer
from readiness.simulator.transport import SimTransport

EXAMPLES = Path(__file__).parent / "data" / "graph-examples"
# Tests inject far more faults than Graph shows; enough attempts that a run of bad luck is not a failure
# (0.35 ** 16 is about 5e-8 per request), with short back-offs so the suite stays fast.
FAST_RETRY = RetryPolicy(max_retries=15, max_total_wait=60, backoff_base=0.05, backoff_cap=0.5)


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text("utf-8"))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def inproc_client(sim: Simulator, roles: Any = None, **kw: Any) -> Any:
    token = sim.issue_token(roles) if roles is not None else sim.issue_token()
    return build_client(custom_endpoint("http://127.0.0.1:9/v1.0"), StaticTokenCredential(token),
                        transport=SimTransport(sim), policy=kw.pop("policy", FAST_RETRY), **kw)


def http_client(server: SimulatorServer, roles: Any = None, **kw: Any) -> Any:
    token = server.sim.issue_token(roles) if roles is not None else server.sim.issue_token()
    return build_client(custom_endpoint(server.base_url), StaticTokenCredential(token),
                        policy=kw.pop("policy", FAST_RETRY), **kw)


def url_client(url: str, **kw: Any) -> Any:
    """A client for the Graph root ``url`` (a stand-in server), token "t", the tests' retry policy."""
    return build_client(custom_endpoint(url), StaticTokenCredential("t"), policy=kw.pop("policy", FAST_RETRY), **kw)


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> Any:
    """A client whose requests, to http://127.0.0.1:9/v1.0, are answered in process by ``handler``."""
    return url_client("http://127.0.0.1:9/v1.0", transport=httpx.MockTransport(handler), **kw)


def using(client: Any, fn: Any) -> Any:
    """Run ``await fn(client)`` in a fresh event loop and close the client."""

    async def go() -> Any:
        try:
            return await fn(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def read_devices(handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    """collect/devices.py's devices section (listing and owners) read from ``handler``, the licences read already."""
    from readiness.collect.devices import entra_devices
    from readiness.collect.snapshot import Section

    async def skus() -> Section:
        return Section("skus", "complete", [])

    return using(mock_client(handler), lambda c: entra_devices(c, skus()))


def serve_simulator_process() -> tuple[Any, str, str]:
    """`readiness simulator serve --port 0` as its own process: (process, base URL without /v1.0, token).

    The caller stops it with SIGINT (it prints the conduct log to stderr as it stops)."""
    import re
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "readiness", "simulator", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = token = None
    deadline = time.time() + 30
    while time.time() < deadline and not (url and token):
        line = proc.stdout.readline()
        if m := re.search(r"on (http://127\.0\.0\.1:\d+)/v1\.0", line):
            url = m.group(1)
        if line.startswith("export READINESS_ACCESS_TOKEN="):
            token = line.strip().split("=", 1)[1]
    if not (url and token):
        proc.kill()
        raise AssertionError("the simulator did not announce its URL and token within 30 s")
    return proc, url, token


def emergency_params(snapshot: Any) -> dict[str, str]:
    """The emergency playbook's parameters as the tests give them: the tenant's first IT person owns the team and
    sends the news (readiness.demo_params picks a lead with MFA instead)."""
    import readiness

    lead = next(p for p in readiness.evaluate(snapshot).people if p["department"] == "IT")
    return {"usage_location": "DE", "team_owners": lead["userPrincipalName"], "sender": lead["userPrincipalName"]}


class HttpDouble:
    """A stand-in server over real HTTP, for what the simulator will not do (a refusal midway, an answer too large, a
    hostile or independent Graph): ``with HttpDouble(answer) as srv:`` serves on 127.0.0.1 (a port of its own,
    HTTP/1.1, a thread a connection) until the block ends. ``srv.url`` is its Graph root (``http://127.0.0.1:PORT/v1.0``),
    ``srv.requests`` what it was asked, in order: (method, path, Authorization header or None).

    ``answer(request)`` gets each request of the ``methods`` (http.server's handler: ``command``, ``path``, ``headers``;
    ``body``, the bytes sent; ``url``, the root) and returns ``(status, body)`` or ``(status, body, headers)``: a dict
    or list is sent as JSON, bytes as they are (``headers`` may name another Content-Type); or None when it wrote the
    whole answer itself (a chunked one, a connection held open)."""

    def __init__(self, answer: Callable[[Any], tuple | None], methods: tuple[str, ...] = ("GET",)) -> None:
        self.requests: list[tuple[str, str, str | None]] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            url = ""
            body = b""

            def serve(self) -> None:
                double.requests.append((self.command, self.path, self.headers.get("Authorization")))
                size = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(size) if size else b""
                got = answer(self)
                if got is None:
                    return
                if not (isinstance(got, tuple) and len(got) in (2, 3) and isinstance(got[0], int)):
                    raise TypeError(f"answer() gave {got!r}: (status, body[, headers]), or None once it wrote the answer")
                status, body, headers = got if len(got) == 3 else (*got, {})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in ({"Content-Type": "application/json"} | headers).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: object) -> None:
                return None

        for method in methods:
            setattr(Handler, f"do_{method}", Handler.serve)
        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = Handler.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1.0"
        # shutdown() waits for serve_forever's next look (every 0.5 s by default): 0.05 s ends a test sooner
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> HttpDouble:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up early (it stopped reading) is no news
            super().handle_error(request, client_address)


DENIED = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}


def refuse(monkeypatch: Any, route: Any, refused: Callable[[Any, Any], bool], body: dict = DENIED) -> None:
    """The simulator's ``route`` answers 403 with ``body`` (Graph's words) where ``refused(req, match)`` says so, and
    as it does otherwise: Graph refusing some of a section's reads (some teams, some groups' members, some people's
    methods)."""
    from readiness.simulator.wire import SimResponse

    real = route.handler

    def handler(s: Any, req: Any, m: Any) -> Any:
        return SimResponse.json(403, body) if refused(req, m) else real(s, req, m)

    monkeypatch.setattr(route, "handler", handler)


def audit_json(sim: Simulator, monkeypatch: Any) -> dict:
    """``readiness audit -o json`` against ``sim`` over HTTP, READINESS_NOW fixed: exit 0 asserted, the document."""
    from click.testing import CliRunner

    from readiness.cli import cli

    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_refused_in_part(sec: Any, permission: str, en_words: str, de_words: str) -> None:
    """A section Graph refused in part: forbidden, ``permission`` named, no data, and its reason saying how many of how
    many (``en_words``, ``de_words``) with the 403 and the permission, in English and German."""
    assert sec.status == "forbidden" and sec.permission == permission and not sec.data, (sec.status, sec.permission, sec.data)
    en, de = sec.reason.text("en"), sec.reason.text("de")
    assert en_words in en and "403" in en and permission in en, en
    assert de_words in de and permission in de, de
