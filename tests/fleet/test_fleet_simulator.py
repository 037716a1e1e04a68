"""The fleet simulator: one host, tenants chosen by the token's tid, GDAP relationships on the partner tenant."""
from __future__ import annotations

import httpx
import pytest

from readiness.fleet.simulated import onboarding
from readiness.simulator.fleet import GDAP_ROLE, generate_fleet
from readiness.simulator.server import SimulatorServer


@pytest.fixture(scope="module")
def served():  # noqa: ANN201
    sim = generate_fleet(4, max_size=30)
    with SimulatorServer(sim) as srv:
        yield sim, srv


def _get(srv: SimulatorServer, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(srv.base_url + path, headers=headers)


def test_the_token_tid_picks_the_tenant(served) -> None:  # noqa: ANN001
    sim, srv = served
    for name in ("baeckerei-schmidt", "mueller-soehne"):
        org = _get(srv, "/organization?$select=id,displayName", sim[name].token()).json()["value"][0]
        assert org["id"] == sim[name].tenant_id and org["displayName"] == sim[name].sim.tenant.display_name
    assert len({m.tenant_id for m in sim.members.values()}) == len(sim.members)
    assert _get(srv, "/users?$select=id", None).status_code == 401
    forged = generate_fleet(1).members["partner"].token()  # the partner's tid, another simulator's key
    assert _get(srv, "/users?$select=id", forged).status_code == 401


def test_missing_consent_is_403_everywhere(served) -> None:  # noqa: ANN001
    sim, srv = served
    token = sim["praxis-fischer"].token()
    for path in ("/organization", "/users?$select=id", "/subscribedSkus"):
        r = _get(srv, path, token)
        assert r.status_code == 403 and r.json()["error"]["code"] == "Authorization_RequestDenied"


def test_partner_lists_gdap_relationships_as_documented(served) -> None:  # noqa: ANN001
    # shape: https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships
    sim, srv = served
    r = _get(srv, "/tenantRelationships/delegatedAdminRelationships", sim["partner"].token())
    assert r.status_code == 200
    rels = r.json()["value"]
    assert {x["customer"]["tenantId"] for x in rels} == {m.tenant_id for m in sim.members.values() if m.kind != "partner"}
    for x in rels:
        assert x["status"] == "active" and x["accessDetails"]["unifiedRoles"][0]["roleDefinitionId"]
    client_token = sim["mueller-soehne"].token()  # a client tenant has no GDAP relationships route of its own
    assert _get(srv, "/tenantRelationships/delegatedAdminRelationships", client_token).status_code in (400, 404)
    no_role = sim["partner"].sim.issue_token([r for r in sim["partner"].roles if r != GDAP_ROLE])
    assert _get(srv, "/tenantRelationships/delegatedAdminRelationships", no_role).status_code == 403


def test_onboarding_csv_and_tokens(served) -> None:  # noqa: ANN001
    sim, srv = served
    ob = onboarding(sim, srv.base_url)
    lines = ob.csv.splitlines()
    assert lines[0] == "name,tenant_id,auth,client_id,cert_path,cloud,graph_url,usage_location,tags"
    assert len(lines) == 1 + 4 and "partner" not in ob.tokens
    assert all(f"export READINESS_ACCESS_TOKEN_{n.upper().replace('-', '_')}=" in ob.env for n in ob.tokens)
