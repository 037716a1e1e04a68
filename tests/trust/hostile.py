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

from typing import Any

from tests.helpers import HttpDouble

ORG = {"value": [{"id": "11111111-2222-3333-4444-555555555555", "displayName": "Hostile Ltd", "verifiedDomains": []}]}
TEXT = {"Content-Type": "text/plain"}


def _answer(srv: HostileServer, request: Any) -> tuple:  # noqa: C901 - one branch a mode
    mode, path = srv.mode, request.path.split("?", 1)[0]
    here = srv.origin
    if mode == "ok" or (mode == "only_org" and path.endswith("/organization")):
        return 200, ORG if path.endswith("/organization") else {"value": []}
    if mode == "foreign_target":  # the foreign server answers like Graph, with users worth stealing
        return 200, {"value": [{"id": "evil", "userPrincipalName": "evil@foreign.example"}]}
    if mode == "nonjson":
        return 200, b"<html><body>Please sign in</body></html>", {"Content-Type": "text/html"}
    if mode == "valuenull":
        return 200, {"value": None}
    if mode == "listpage":
        return 200, [{"id": "a"}]
    if mode == "deep":
        return 200, b"[" * 100_000 + b"]" * 100_000
    if mode == "wrongfields":  # objects, but every field of the wrong type
        odd = {"id": 7, "displayName": ["x"], "userPrincipalName": None, "accountEnabled": "yes", "userType": 5,
               "assignedLicenses": [{"skuId": 5, "disabledPlans": "none"}], "licenseAssignmentStates": "x",
               "department": {"a": 1}, "resourceProvisioningOptions": "Team", "servicePlans": 3,
               "prepaidUnits": [], "capabilityStatus": 1, "skuId": None, "isMfaRegistered": "no",
               "methodsRegistered": 4, "complianceState": [], "operatingSystem": 1, "registeredOwners": [3]}
        if path.endswith(("/settings", "/authorizationPolicy", "/default", "/identitySecurityDefaultsEnforcementPolicy",
                          "/reportSettings")):
            return 200, {k: v for k, v in odd.items() if k != "id"} | {"isEnabled": "maybe"}
        return 200, {"value": [odd, dict(odd, id="b")]}
    if mode == "badtypes":
        return 200, {"value": ["not an object", 7]}
    if mode == "selfloop":
        return 200, {"value": [{"id": "x"}], "@odata.nextLink": here + request.path}
    if mode == "foreign":
        return 200, {"value": [{"id": "x"}], "@odata.nextLink": f"{srv.foreign}{request.path}"}
    if mode == "redirect":
        return 302, b"", TEXT | {"Location": f"{srv.foreign}{request.path}"}
    if mode == "redirectloop":
        return 302, b"", TEXT | {"Location": here + request.path}
    if mode in ("503", "only_org"):
        return 503, {"error": {"code": "serviceNotAvailable", "message": "Service unavailable."}}
    if mode == "429":
        return 429, {"error": {"code": "TooManyRequests", "message": "Please retry again later."}}, {"Retry-After": str(srv.retry_after)}
    if mode == "401":
        return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed, the token is expired."}}, \
            {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'}
    return 500, b"unknown mode", TEXT


class HostileServer(HttpDouble):
    """``with HostileServer("selfloop") as srv:`` then ``srv.base_url``; ``srv.requests`` is what arrived."""

    def __init__(self, mode: str, *, retry_after: int = 100, foreign: str = "") -> None:
        self.mode, self.retry_after, self.foreign = mode, retry_after, foreign
        super().__init__(lambda request: _answer(self, request), methods=("GET", "POST", "PATCH", "PUT", "DELETE"))
        self.base_url = self.url
        self.origin = self.url.removesuffix("/v1.0")
