"""The per-user authentication methods read in $batch (the mfa section's fallback without Entra ID P1) follow a page's
``@odata.nextLink``: the later pages are read (a method there counts), and a 403 to one of them, after Graph answered
the user's first page, fails the section with Graph's answer, never "permission missing"; the audit exits 6. Over
real HTTP against the simulator, its methods route given a second page.

Docs: https://learn.microsoft.com/graph/json-batching (each request in a batch is answered on its own, as if sent
alone), https://learn.microsoft.com/graph/paging (a page with ``@odata.nextLink`` has more after it: follow the URL as
given), https://learn.microsoft.com/graph/api/authentication-list-methods (a collection of authenticationMethod),
https://learn.microsoft.com/graph/errors (403: "Access is denied to the requested resource").
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.routes import ROUTES
from readiness.simulator.server import SimulatorServer
from readiness.simulator.wire import SimResponse

DENIED = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}
PUSH = {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "later-1"}


def _paged(monkeypatch, sim: Simulator, second: tuple[int, dict]) -> str:  # noqa: ANN001
    """One enabled member's methods come in two pages: the first as the simulator gives them (password only) with a
    nextLink, the second answers ``second`` (status, body). Returns that user's id."""
    target = next(u for u in sim.tenant.users if u.get("accountEnabled") and u.get("userType") == "Member")
    sim.tenant.auth_methods[target["id"]] = ["password"]
    route = next(r for r in ROUTES if r.pattern.pattern.endswith("/authentication/methods") and r.method == "GET")
    first = route.handler

    def handler(s, req, m):  # noqa: ANN001, ANN202
        if m.group("uid") != target["id"]:
            return first(s, req, m)
        if "skiptoken" in req.url:
            return SimResponse.json(*second)
        doc = json.loads(first(s, req, m).body)
        doc["@odata.nextLink"] = f"{req.origin}/v1.0/users/{target['id']}/authentication/methods?$skiptoken=2"
        return SimResponse.json(200, doc)

    monkeypatch.setattr(route, "handler", handler)
    return target["id"]


@pytest.fixture
def sim() -> Simulator:
    return Simulator(generate_tenant("unprepared-sme", seed=7))  # no Entra ID P1: the registration report is refused


def _collect(sim: Simulator, monkeypatch) -> object:  # noqa: ANN001
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        return readiness.collect(readiness.connect(graph_url=server.base_url)).sections["mfa"]


def test_a_method_on_a_later_page_counts(sim, monkeypatch) -> None:  # noqa: ANN001
    uid = _paged(monkeypatch, sim, (200, {"value": [PUSH]}))
    sec = _collect(sim, monkeypatch)
    assert sec.status == "fallback", (sec.status, sec.reason)
    row = next(r for r in sec.data if r["id"] == uid)
    assert row["isMfaRegistered"] is True and row["methodsRegistered"] == ["microsoftAuthenticatorPush"], row


def test_a_403_to_a_later_page_fails_the_section_with_graphs_answer(sim, monkeypatch) -> None:  # noqa: ANN001
    _paged(monkeypatch, sim, (403, DENIED))
    sec = _collect(sim, monkeypatch)
    assert sec.status == "failed" and not sec.data and not sec.permission and not sec.licence, (sec.status, sec.reason)
    en, de = sec.reason.text("en"), sec.reason.text("de")
    assert "Authorization_RequestDenied" in en and "Insufficient privileges" in en and "page 2" in en, en
    assert "/users/{id}/authentication/methods" in en and "permission is granted" in en, en
    assert "Authorization_RequestDenied" in de and "Seite 2" in de, de


def test_the_audit_exits_6_and_never_says_forbidden(sim, monkeypatch) -> None:  # noqa: ANN001
    _paged(monkeypatch, sim, (403, DENIED))
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json"])
    assert result.exit_code == 6, result.output
    said = json.loads(result.stdout)["errors"][0]["message"]
    assert "Authorization_RequestDenied" in said and "failed read, not a missing permission" in said, said
    assert "could not be read (mfa)" in result.output, result.output


def test_a_next_link_to_another_users_methods_is_refused(sim, monkeypatch) -> None:  # noqa: ANN001
    target = _paged(monkeypatch, sim, (200, {"value": [PUSH]}))
    route = next(r for r in ROUTES if r.pattern.pattern.endswith("/authentication/methods") and r.method == "GET")
    paged = route.handler

    def elsewhere(s, req, m):  # noqa: ANN001, ANN202
        resp = paged(s, req, m)
        if m.group("uid") == target and "skiptoken" not in req.url:
            doc = json.loads(resp.body)
            doc["@odata.nextLink"] = doc["@odata.nextLink"].replace(target, "someone-else")
            return SimResponse.json(200, doc)
        return resp

    monkeypatch.setattr(route, "handler", elsewhere)
    sec = _collect(sim, monkeypatch)
    assert sec.status == "failed" and "someone-else" in sec.reason.text("en"), (sec.status, sec.reason)
