"""The simulator must follow Graph's rules, or every other test is worthless."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from readiness.errors import GraphError
from readiness.simulator import Simulator
from readiness.simulator.tokens import READ_ROLES
from tests.helpers import inproc_client, using


def test_paging_follows_next_links_to_every_user(sim: Simulator) -> None:
    async def go(c):
        pages, items = 0, []
        async for page in c.iter_pages("/users?$top=7&$select=id,displayName"):
            pages += 1
            items.extend(page["value"])
        return pages, items

    pages, items = using(inproc_client(sim), go)
    assert len(items) == len(sim.tenant.users)
    assert len({u["id"] for u in items}) == len(items)
    assert pages > len(items) // 7  # some pages hold fewer than $top, as Graph's do
    assert set(items[0]) == {"id", "displayName"}
    assert sim.conduct.violations["next_link"] == []


def test_top_above_the_maximum_is_a_400(sim: Simulator) -> None:
    with pytest.raises(GraphError) as err:
        using(inproc_client(sim), lambda c: c.get_json("/users?$top=1000&$select=id"))
    assert err.value.status == 400 and "between 1 and 999" in err.value.what


def test_a_tampered_next_link_is_refused_and_recorded(sim: Simulator) -> None:
    async def go(c):
        first = await c.get_json("/users?$top=5&$select=id")
        link = first["@odata.nextLink"].replace("$top=5", "$top=6")
        return await c.request("GET", link, check=False)

    resp = using(inproc_client(sim), go)
    assert resp.status == 400
    assert len(sim.conduct.next_link_violations) == 1


def test_advanced_queries_need_consistency_level(sim: Simulator) -> None:
    q = "/users?$filter=endsWith(userPrincipalName,'.de')&$count=true&$select=id"
    bad = using(inproc_client(sim), lambda c: c.request("GET", q, check=False))
    assert bad.status == 400 and bad.json()["error"]["code"] == "Request_UnsupportedQuery"
    good = using(inproc_client(sim), lambda c: c.get_json(q, headers={"ConsistencyLevel": "eventual"}))
    expected = sum(1 for u in sim.tenant.users if u["userPrincipalName"].endswith(".de"))
    assert good["@odata.count"] == expected == len(good["value"])


def test_filters_match_graph_semantics(sim: Simulator) -> None:
    guests = using(inproc_client(sim), lambda c: c.collect("/users?$filter=userType eq 'Guest'&$select=id,userType"))
    assert guests and {u["userType"] for u in guests} == {"Guest"}
    assert len(guests) == sum(1 for u in sim.tenant.users if u["userType"] == "Guest")
    sku = sim.tenant.skus[0]["skuId"]
    licensed = using(inproc_client(sim), lambda c: c.collect(f"/users?$filter=assignedLicenses/any(x:x/skuId eq {sku})&$select=id"))
    assert len(licensed) == sum(1 for u in sim.tenant.users if any(l["skuId"] == sku for l in u["assignedLicenses"]))
    teams = using(inproc_client(sim), lambda c: c.collect("/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')&$select=id"))
    assert len(teams) == len(sim.tenant.teams)


def test_unsupported_query_forms_are_400_not_ignored(sim: Simulator) -> None:
    for q in ("/users?$skip=5", "/users?$filter=foo eq 'x'&$select=id", "/subscribedSkus?$top=2"):
        resp = using(inproc_client(sim), lambda c, q=q: c.request("GET", q, check=False))
        assert resp.status == 400, q


def test_missing_select_on_big_collections_is_recorded(sim: Simulator) -> None:
    using(inproc_client(sim), lambda c: c.collect("/users"))
    assert sim.conduct.missing_select == ["/users"]


def test_permissions_come_from_the_token_roles(sim: Simulator) -> None:
    roles = [r for r in READ_ROLES if r != "User.Read.All"]
    resp = using(inproc_client(sim, roles=roles), lambda c: c.request("GET", "/users?$select=id", check=False))
    assert resp.status == 403 and resp.json()["error"]["code"] == "Authorization_RequestDenied"
    ok = using(inproc_client(sim, roles=["User.Read.All"]), lambda c: c.request("GET", "/users?$select=id", check=False))
    assert ok.status == 200


def test_licence_gates_answer_403_for_the_tenant_not_the_token(sim: Simulator) -> None:
    # the SME has neither Entra ID P1 nor Intune
    for path in ("/reports/authenticationMethods/userRegistrationDetails", "/identity/conditionalAccess/policies",
                 "/deviceManagement/managedDevices?$select=id"):
        resp = using(inproc_client(sim), lambda c, p=path: c.request("GET", p, check=False))
        assert resp.status == 403, path


def test_a_bad_token_is_401(sim: Simulator) -> None:
    from readiness.graph.auth import StaticTokenCredential
    from readiness.graph.client import build_client
    from readiness.graph.clouds import custom_endpoint
    from readiness.simulator.transport import SimTransport

    from readiness.errors import TokenRejected

    c = build_client(custom_endpoint("http://127.0.0.1:9/v1.0"), StaticTokenCredential("not-a-token"), transport=SimTransport(sim))
    with pytest.raises(TokenRejected) as err:  # a 401 is never an answer a caller could read as data
        using(c, lambda c: c.request("GET", "/users?$select=id", check=False))
    assert err.value.reason == "invalid"


def test_report_redirects_to_another_host_and_gets_no_token(server) -> None:
    from tests.helpers import http_client

    async def go(c):
        info = c.sdk.reports.get_teams_user_activity_user_detail_with_period("D30").to_get_request_information()
        return await c.send(info)

    resp = using(http_client(server), go)
    assert resp.status == 200
    assert resp.content.startswith(b"\xef\xbb\xbf")  # CSV with a BOM
    assert server.sim.conduct.token_leaks == []
    log = [p for _, m, p, s in server.sim.conduct.requests if s == 302]
    assert log, "the report must answer 302 first"


def test_assign_license_errors_match_graph(sim: Simulator) -> None:
    t = sim.tenant
    no_loc = next(u for u in t.users if not u["usageLocation"] and u["userType"] == "Member")
    sku = next(s for s in t.skus if s["skuPartNumber"] == "O365_BUSINESS_ESSENTIALS")["skuId"]
    path = f"/users/{no_loc['id']}/assignLicense"
    r1 = using(inproc_client(sim), lambda c: c.request("POST", path, {"addLicenses": [{"skuId": sku, "disabledPlans": []}]}, check=False))
    assert r1.status == 400 and "removeLicenses" in r1.json()["error"]["message"]
    r2 = using(inproc_client(sim), lambda c: c.request("POST", path, {"addLicenses": [{"skuId": sku}], "removeLicenses": []}, check=False))
    assert r2.status == 400 and "usage location" in r2.json()["error"]["message"]
    full = next(s for s in t.skus if s["skuPartNumber"] == "EXCHANGESTANDARD")
    full["prepaidUnits"]["enabled"] = full["consumedUnits"]
    someone = next(u for u in t.users if u["usageLocation"] and not any(l["skuId"] == full["skuId"] for l in u["assignedLicenses"]))
    r3 = using(inproc_client(sim), lambda c: c.request("POST", f"/users/{someone['id']}/assignLicense",
                                                       {"addLicenses": [{"skuId": full["skuId"]}], "removeLicenses": []}, check=False))
    assert r3.status == 400 and "does not have any available licenses" in r3.json()["error"]["message"]


def test_assign_license_consumes_a_seat_and_is_idempotent(sim: Simulator) -> None:
    t = sim.tenant
    sku = next(s for s in t.skus if s["skuPartNumber"] == "O365_BUSINESS_ESSENTIALS")
    user = next(u for u in t.users if u["usageLocation"] and u["userType"] == "Member" and not u["assignedLicenses"])
    before = sku["consumedUnits"]
    body = {"addLicenses": [{"skuId": sku["skuId"], "disabledPlans": []}], "removeLicenses": []}
    for _ in range(2):
        resp = using(inproc_client(sim), lambda c: c.request("POST", f"/users/{user['id']}/assignLicense", body, idempotent=True))
        assert resp.status == 200
    assert sku["consumedUnits"] == before + 1


def test_team_creation_is_202_with_an_operation_to_poll(sim: Simulator) -> None:
    owner = next(u for u in sim.tenant.users if u["userType"] == "Member")
    body = {"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "Krisenstab",
            "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
                         "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owner['id']}')"}]}

    async def go(c):
        created = await c.request("POST", "/teams", body)
        loc = created.headers["location"]
        statuses = []
        for _ in range(3):
            op = await c.get_json(loc)
            statuses.append(op["status"])
        return created.status, loc, statuses

    status, loc, statuses = using(inproc_client(sim), go)
    assert status == 202 and loc.startswith("/teams('")
    assert statuses[0] == "inProgress" and statuses[-1] == "succeeded"


def test_batch_items_are_relative_and_limited_to_20(sim: Simulator) -> None:
    items = [{"id": str(i), "method": "GET", "url": "/users?$top=1&$select=id"} for i in range(21)]
    resp = using(inproc_client(sim), lambda c: c.request("POST", "/$batch", {"requests": items}, check=False))
    assert resp.status == 400
    absolute = [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"}]
    resp = using(inproc_client(sim), lambda c: c.request("POST", "/$batch", {"requests": absolute}))
    assert resp.json()["responses"][0]["status"] == 400


def test_next_links_are_absolute_and_opaque(sim: Simulator) -> None:
    page = using(inproc_client(sim), lambda c: c.get_json("/users?$top=3&$select=id"))
    link = urlsplit(page["@odata.nextLink"])
    assert link.scheme == "http" and link.path == "/v1.0/users" and "$skiptoken=" in link.query


def test_a_new_team_is_404_for_a_while_eventual_consistency() -> None:
    import time

    from readiness.simulator import Faults, generate_tenant

    sim = Simulator(generate_tenant("unprepared-sme"), Faults(consistency_delay=0.5))
    owner = next(u for u in sim.tenant.users if u["userType"] == "Member")
    body = {"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "X",
            "members": [{"roles": ["owner"], "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owner['id']}')"}]}

    async def go(c):
        created = await c.request("POST", "/teams", body)
        team = created.headers["content-location"].split("('")[1].rstrip("')")
        early = (await c.request("GET", f"/teams/{team}", check=False)).status
        time.sleep(0.6)
        late = (await c.request("GET", f"/teams/{team}", check=False)).status
        return early, late

    assert using(inproc_client(sim), go) == (404, 200)


def test_a_client_that_ignores_retry_after_is_caught() -> None:
    import time

    import httpx

    from readiness.simulator import Faults, generate_tenant
    from readiness.simulator.server import SimulatorServer
    from readiness.simulator.transport import SimTransport

    for served in ("in-process", "http"):
        sim = Simulator(generate_tenant("unprepared-sme"), Faults(first=("429",), retry_after=1))
        headers = {"Authorization": f"Bearer {sim.issue_token()}"}
        if served == "http":
            with SimulatorServer(sim) as srv, httpx.Client() as rude:
                assert rude.get(srv.base_url + "/subscribedSkus", headers=headers).status_code == 429
                time.sleep(0.6)  # past half the wait: surely sent after the 429 was read
                assert rude.get(srv.base_url + "/subscribedSkus", headers=headers).status_code == 200
        else:
            import asyncio

            async def go() -> None:
                async with httpx.AsyncClient(transport=SimTransport(sim)) as rude:
                    assert (await rude.get("http://127.0.0.1:9/v1.0/subscribedSkus", headers=headers)).status_code == 429
                    await asyncio.sleep(0.6)  # no connections in-process: past half the wait, surely sent after the 429
                    assert (await rude.get("http://127.0.0.1:9/v1.0/subscribedSkus", headers=headers)).status_code == 200

            asyncio.run(go())
        assert len(sim.conduct.retry_after_violations) == 1, served


def test_retry_after_judge_allows_requests_in_flight_but_not_a_client_that_keeps_sending() -> None:
    """Learn more: https://learn.microsoft.com/graph/throttling ("wait the number of seconds specified in the
    Retry-After header"). A request queued before the 429 was read may still leave at once; one that arrives past
    half the wait was sent after the client knew."""
    import time

    import httpx

    from readiness.simulator import Faults, generate_tenant
    from readiness.simulator.server import SimulatorServer

    sim = Simulator(generate_tenant("unprepared-sme"), Faults(first=("429",), retry_after=2))
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    with SimulatorServer(sim) as srv, httpx.Client() as client:
        assert client.get(srv.base_url + "/subscribedSkus", headers=headers).status_code == 429
        assert client.get(srv.base_url + "/organization", headers=headers).status_code == 200  # in flight: allowed
        assert sim.conduct.retry_after_violations == []
        time.sleep(1.2)
        assert client.get(srv.base_url + "/organization", headers=headers).status_code == 200  # past half: sent after
        assert len(sim.conduct.retry_after_violations) == 1
