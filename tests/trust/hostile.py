"""A small hostile 'Graph' on 127.0.0.1: the answers a client must check before it trusts them.

Modes (one per server; every path gets the same treatment):
  ok          /organization answers, every collection an empty page (a well-behaved baseline)
  nonjson     200 with an HTML sign-in page (a captive portal or proxy)
  valuenull   200 {"value": null}
  listpage    200 with a JSON list where a page object belongs
  deep        200 with JSON nested 100,000 levels deep
  badtypes    200 pages whose items are strings, singletons that are lists
  selfloop    every page's @odata.nextLink points back to the same URL
  foreign     every page's @odata.nextLink points to the foreign server (another port)
  redirect    every request is redirected (302) to the foreign server
  redirectloop every request is redirected to itself
  503         every request: 503, no Retry-After
  429         every request: 429 with Retry-After ``retry_after`` seconds
  401         every request: 401 InvalidAuthenticationToken ("Lifetime validation failed, the token is expired.")
  only_org    /organization answers; everything else 503 (a partial read)

Every request is recorded (method, path, Authorization header) so tests can prove where the token went.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORG = {"value": [{"id": "11111111-2222-3333-4444-555555555555", "displayName": "Hostile Ltd", "verifiedDomains": []}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def _send(self, status: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, doc: object, headers: dict | None = None) -> None:
        self._send(status, json.dumps(doc).encode(), headers=headers)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        srv = self.server
        with srv.lock:
            srv.requests.append((self.command, self.path, self.headers.get("Authorization")))
        mode = srv.mode
        here = f"http://127.0.0.1:{srv.server_port}"
        path = self.path.split("?", 1)[0]
        if mode == "ok" or (mode == "only_org" and path.endswith("/organization")):
            return self._json(200, ORG if path.endswith("/organization") else {"value": []})
        if mode == "foreign_target":  # the foreign server answers like Graph, with users worth stealing
            return self._json(200, {"value": [{"id": "evil", "userPrincipalName": "evil@foreign.example"}]})
        if mode == "nonjson":
            return self._send(200, b"<html><body>Please sign in</body></html>", "text/html")
        if mode == "valuenull":
            return self._json(200, {"value": None})
        if mode == "listpage":
            return self._json(200, [{"id": "a"}])
        if mode == "deep":
            return self._send(200, b"[" * 100_000 + b"]" * 100_000)
        if mode == "wrongfields":  # objects, but every field of the wrong type
            odd = {"id": 7, "displayName": ["x"], "userPrincipalName": None, "accountEnabled": "yes", "userType": 5,
                   "assignedLicenses": [{"skuId": 5, "disabledPlans": "none"}], "licenseAssignmentStates": "x",
                   "department": {"a": 1}, "resourceProvisioningOptions": "Team", "servicePlans": 3,
                   "prepaidUnits": [], "capabilityStatus": 1, "skuId": None, "isMfaRegistered": "no",
                   "methodsRegistered": 4, "complianceState": [], "operatingSystem": 1, "registeredOwners": [3]}
            if path.endswith(("/settings", "/authorizationPolicy", "/default", "/identitySecurityDefaultsEnforcementPolicy",
                              "/reportSettings")):
                return self._json(200, {k: v for k, v in odd.items() if k != "id"} | {"isEnabled": "maybe"})
            return self._json(200, {"value": [odd, dict(odd, id="b")]})
        if mode == "badtypes":
            return self._json(200, {"value": ["not an object", 7]})
        if mode == "selfloop":
            return self._json(200, {"value": [{"id": "x"}], "@odata.nextLink": here + self.path})
        if mode == "foreign":
            return self._json(200, {"value": [{"id": "x"}], "@odata.nextLink": f"{srv.foreign}{self.path}"})
        if mode == "redirect":
            return self._send(302, b"", "text/plain", {"Location": f"{srv.foreign}{self.path}"})
        if mode == "redirectloop":
            return self._send(302, b"", "text/plain", {"Location": here + self.path})
        if mode in ("503", "only_org"):
            return self._json(503, {"error": {"code": "serviceNotAvailable", "message": "Service unavailable."}})
        if mode == "429":
            return self._json(429, {"error": {"code": "TooManyRequests", "message": "Please retry again later."}},
                              {"Retry-After": str(srv.retry_after)})
        if mode == "401":
            return self._json(401, {"error": {"code": "InvalidAuthenticationToken",
                                              "message": "Lifetime validation failed, the token is expired."}},
                              {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
        return self._send(500, b"unknown mode", "text/plain")

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that gives up mid-request is expected here, not news


class HostileServer:
    """``with HostileServer("selfloop") as srv:`` then ``srv.base_url``; ``srv.requests`` is what arrived."""

    def __init__(self, mode: str, *, retry_after: int = 100, foreign: str = "") -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mode = mode
        self._server.retry_after = retry_after
        self._server.foreign = foreign
        self._server.lock = threading.Lock()
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def base_url(self) -> str:
        return self.origin + "/v1.0"

    @property
    def requests(self) -> list[tuple[str, str, str | None]]:
        with self._server.lock:
            return list(self._server.requests)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
