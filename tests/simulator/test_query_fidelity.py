"""Query options behave as Microsoft's Graph documentation says; each test cites the page it imitates."""
from __future__ import annotations

from datetime import datetime

import pytest

from readiness.simulator import Simulator, generate_tenant
from tests.simulator.simcall import EVENTUAL, call

AQ = "https://learn.microsoft.com/graph/aad-advanced-queries"  # concepts/aad-advanced-queries.md


@pytest.fixture(scope="module")
def ent() -> Simulator:
    return Simulator(generate_tenant("enterprise", seed=3, size=300), page_jitter=False)


# -- $count ----------------------------------------------------------------------------------------
def test_count_true_without_consistency_level_is_ignored_not_refused(sim: Simulator) -> None:
    # AQ, "Error handling for advanced queries": without ConsistencyLevel: eventual, $count=true "is silently ignored"
    a = call(sim, "GET", "/users?$count=true&$select=id")
    assert a.status == 200 and "@odata.count" not in a.json() and a.json()["value"]


def test_count_segment_without_consistency_level_is_400_request_badrequest(sim: Simulator) -> None:
    # AQ, "Error handling ...": GET /users/$count without the header -> 400 Request_BadRequest "$count is not currently supported."
    for coll in ("users", "groups", "devices"):
        a = call(sim, "GET", f"/{coll}/$count")
        assert a.status == 400 and a.code == "Request_BadRequest" and "$count is not currently supported" in a.json()["error"]["message"]


def test_count_segments_exist_for_users_groups_devices(sim: Simulator) -> None:
    # AQ, "Query scenarios that require advanced query capabilities": `~/groups/$count` (ConsistencyLevel: eventual)
    t = sim.tenant
    for coll, items in (("users", t.users), ("groups", t.groups), ("devices", t.devices)):
        a = call(sim, "GET", f"/{coll}/$count", headers=EVENTUAL)
        assert a.status == 200 and a.headers["Content-Type"].startswith("text/plain") and int(a.body) == len(items)
    guests = call(sim, "GET", "/users/$count?$filter=userType eq 'Guest'", headers=EVENTUAL)
    assert int(guests.body) == sum(1 for u in t.users if u["userType"] == "Guest") > 0


def test_odata_count_is_on_the_first_page_only(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/paging: @odata.count is returned with the first page; later pages carry nextLink only
    first = call(ent, "GET", "/users?$count=true&$top=50&$select=id", headers=EVENTUAL).json()
    assert first["@odata.count"] == len(ent.tenant.users)
    second = call(ent, "GET", first["@odata.nextLink"], headers=EVENTUAL).json()
    assert "@odata.count" not in second and len(second["value"]) == 50


# -- $filter ---------------------------------------------------------------------------------------
def test_in_operator_works_where_eq_works_without_advanced_parameters(sim: Simulator) -> None:
    # AQ, "Support for filter by properties": "The in operator is supported by default whenever eq operator is supported"
    a = call(sim, "GET", "/users?$filter=userType in ('Guest','Nobody')&$select=id,userType")
    assert a.status == 200
    assert {u["id"] for u in a.json()["value"]} == {u["id"] for u in sim.tenant.users if u["userType"] == "Guest"}


def test_unquoted_datetimeoffset_literals_compare_as_instants(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/user-list (example: signInActivity/lastSignInDateTime le 2019-06-01T00:00:00Z)
    seen = sorted(w for u in ent.tenant.users if (w := (u.get("signInActivity") or {}).get("lastSignInDateTime")))
    cut = seen[len(seen) // 2][:19] + "Z"  # a literal from the tenant's own dates: the test holds on any day
    a = call(ent, "GET", f"/users?$filter=signInActivity/lastSignInDateTime le {cut}&$select=id,signInActivity&$top=999")
    assert a.status == 200
    limit = datetime.fromisoformat(cut.replace("Z", "+00:00"))

    def before(u: dict) -> bool:
        when = (u.get("signInActivity") or {}).get("lastSignInDateTime")
        return bool(when) and datetime.fromisoformat(when.replace("Z", "+00:00")) <= limit

    expected = {u["id"] for u in ent.tenant.users if before(u)}
    assert expected and {u["id"] for u in a.json()["value"]} == expected


def test_date_ranges_on_devices(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/resources/device: registrationDateTime and approximateLastSignInDateTime
    # support $filter (eq, ge, le)
    days = sorted(d["registrationDateTime"] for d in ent.tenant.devices)
    lo, hi = days[len(days) // 4], days[3 * len(days) // 4]
    a = call(ent, "GET", f"/devices?$filter=registrationDateTime ge {lo} and registrationDateTime le {hi}"
                         "&$select=id,registrationDateTime&$top=999")
    assert a.status == 200
    got = {d["id"] for d in a.json()["value"]}
    assert got == {d["id"] for d in ent.tenant.devices if lo <= d["registrationDateTime"] <= hi} and got


def test_orderby_and_search_follow_the_advanced_query_rules(ent: Simulator) -> None:
    # AQ, "Support for sorting": user displayName sorts by default; device displayName only in advanced queries;
    # $filter together with $orderby needs advanced query parameters; $search needs ConsistencyLevel: eventual
    a = call(ent, "GET", "/users?$orderby=displayName&$select=id,displayName&$top=999")
    names = [u["displayName"] for u in a.json()["value"]]
    assert names == sorted(names, key=str.lower)
    assert call(ent, "GET", "/devices?$orderby=displayName&$select=id").code == "Request_UnsupportedQuery"
    both = "/users?$filter=userType eq 'Member'&$orderby=displayName desc&$select=id,displayName"
    assert call(ent, "GET", both).status == 400
    ok = call(ent, "GET", both + "&$count=true", headers=EVENTUAL).json()
    got = [u["displayName"] for u in ok["value"]]
    assert got == sorted(got, key=str.lower, reverse=True) and ok["@odata.count"] > len(got) - 1
    refused = call(ent, "GET", '/users?$search="displayName:a"&$select=id')
    assert refused.status == 400 and refused.code == "Request_UnsupportedQuery" and "ConsistencyLevel" in refused.json()["error"]["message"]
    someone = ent.tenant.users[5]["displayName"].split()[-1]
    found = call(ent, "GET", f'/users?$search="displayName:{someone}"&$select=id,displayName', headers=EVENTUAL).json()
    assert found["value"] and all(someone.lower() in u["displayName"].lower() for u in found["value"])


def test_has_members_with_license_errors_needs_no_advanced_query(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/resources/group: hasMembersWithLicenseErrors "Supports $filter (eq)"
    # (https://learn.microsoft.com/graph/api/group-list example "groups that have members with license errors")
    a = call(ent, "GET", "/groups?$filter=hasMembersWithLicenseErrors eq true&$select=id,displayName")
    assert a.status == 200
    assert {g["id"] for g in a.json()["value"]} == {g["id"] for g in ent.tenant.groups if g.get("hasMembersWithLicenseErrors")}


def test_filtering_is_managed_on_null_is_refused_and_null_is_served(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/resources/device: isManaged supports $filter (eq, ne, not), not null;
    # a registered device that no MDM enrolled has isManaged null, and eq false does not match null (OData eq)
    a = call(ent, "GET", "/devices?$filter=isManaged eq null&$select=id")
    assert a.status == 400 and a.code == "Request_UnsupportedQuery"
    served = call(ent, "GET", "/devices?$select=id,isManaged,trustType&$top=999").json()["value"]
    assert any(d["isManaged"] is None for d in served) and any(d["isManaged"] is True for d in served)
    unmanaged = {d["id"] for d in call(ent, "GET", "/devices?$filter=isManaged eq false&$select=id&$top=999").json()["value"]}
    assert not unmanaged & {d["id"] for d in served if d["isManaged"] is None}


def test_expand_is_refused_with_advanced_queries(ent: Simulator) -> None:
    # AQ, note under the scenarios table: "$expand is not currently supported with advanced queries"
    plain = call(ent, "GET", "/devices?$select=id&$expand=registeredOwners($select=id)&$top=100")
    assert plain.status == 200 and all("registeredOwners" in d for d in plain.json()["value"])
    adv = call(ent, "GET", "/devices?$filter=isManaged ne true&$count=true&$select=id&$expand=registeredOwners($select=id)",
               headers=EVENTUAL)
    assert adv.status == 400 and adv.code == "Request_UnsupportedQuery"
    counted = call(ent, "GET", "/devices?$count=true&$select=id&$expand=registeredOwners", headers=EVENTUAL)
    assert counted.status == 400


# -- $select and page sizes ------------------------------------------------------------------------
def test_id_comes_back_even_when_not_selected(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/query-parameters#select-parameter: the key (id) is always included
    uid = sim.tenant.users[0]["id"]
    for path in ("/users?$select=displayName", "/groups?$select=displayName", "/devices?$select=displayName"):
        first = call(sim, "GET", path).json()["value"][0]
        assert set(first) == {"id", "displayName"}
    assert call(sim, "GET", f"/users/{uid}?$select=displayName").json() == {"id": uid, "displayName": sim.tenant.users[0]["displayName"]}


def test_users_with_sign_in_activity_come_in_pages_of_500(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/user-list (signInActivity example): page size capped at 500; $top above is reduced
    tenant = generate_tenant("enterprise", seed=5, size=1200)
    big = Simulator(tenant, page_jitter=False)
    page = call(big, "GET", "/users?$select=id,signInActivity&$top=999").json()
    assert len(page["value"]) == 500 and "@odata.nextLink" in page
    plain = call(big, "GET", "/users?$select=id&$top=999").json()
    assert len(plain["value"]) == 999


def test_expand_pages_hold_at_most_100(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/known-issues (directory $expand returns at most 100 objects per page)
    page = call(ent, "GET", "/devices?$select=id&$expand=registeredOwners&$top=999").json()
    assert len(page["value"]) == 100 and "@odata.nextLink" in page


def test_me_needs_a_signed_in_user(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/user-get: /me is for delegated access; with an application token
    # Graph answers 400 "/me request is only valid with delegated authentication flow."
    a = call(sim, "GET", "/me/licenseDetails")
    assert a.status == 400 and "delegated" in a.json()["error"]["message"]


def test_count_of_a_collection_in_filter_is_an_advanced_query(sim: Simulator) -> None:
    # AQ, "Query scenarios that require advanced query capabilities", "Use of $count in $filter":
    # GET ~/users?$filter=assignedLicenses/$count eq 0&$count=true with ConsistencyLevel: eventual
    users = sim.tenant.users
    unlicensed = {u["id"] for u in users if not u.get("assignedLicenses")}
    a = call(sim, "GET", "/users?$filter=assignedLicenses/$count eq 0&$count=true&$select=id", headers=EVENTUAL)
    assert a.status == 200, a.body
    assert {u["id"] for u in a.json()["value"]} == unlicensed and a.json()["@odata.count"] == len(unlicensed) > 0
    b = call(sim, "GET", "/users?$filter=assignedLicenses/$count ne 0&$count=true&$select=id&$top=999", headers=EVENTUAL)
    assert {u["id"] for u in b.json()["value"]} == {u["id"] for u in users} - unlicensed
    plain = call(sim, "GET", "/users?$filter=assignedLicenses/$count eq 0&$select=id")  # without the advanced parameters
    assert plain.status == 400 and plain.code == "Request_UnsupportedQuery"
