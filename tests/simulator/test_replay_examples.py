"""Replay EVERY documented example in tests/data/graph-examples against the simulator.

Same method, path, query, headers and body as documented. Only what cannot exist in a generated tenant is
swapped, each swap named in ADAPT: the documented object ids (a user, group, team, SKU or plan of Microsoft's
sample tenant) become the simulator's, and ``/me`` becomes ``/users/{id}`` (the simulator issues application
tokens; ``/me`` needs a signed-in user). The answer's status, field names and JSON value types are compared
with the documented answer; CSV reports compare their header rows. Examples the simulator deliberately does
not serve are listed in NOT_SERVED with the reason, and examples whose documented request Graph itself refuses
today are listed in REFUSED with the reason and the error the simulator must give.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.reads import GROUP_DEFAULTS
from tests.helpers import EXAMPLES, example
from tests.simulator.simcall import call
from tests.simulator.test_examples_shapes import _compare, _first

SHARED = Path(__file__).resolve().parents[3] / "shared" / "graph-examples"

NOT_SERVED = {
    "delete-driveitem-permission.json": "files and their sharing links are not simulated; the audit reads tenant sharing settings",
    "get-driveitem-permissions.json": "files and their sharing links are not simulated; the audit reads tenant sharing settings",
    "post-driveitem-createlink-anonymous.json": "files and their sharing links are not simulated",
    "get-site-drives.json": "SharePoint sites and drives are not simulated; the audit reads /admin/sharepoint/settings",
    "get-sites-filter-root.json": "SharePoint sites are not simulated",
    "get-sites-search.json": "SharePoint sites are not simulated",
    "get-reports-m365appuserdetail-csv.json": "the Microsoft 365 Apps usage report is not read by the audit",
    "get-reports-m365appuserdetail-json.json": "the Microsoft 365 Apps usage report is not read by the audit",
    "get-teamsasyncoperation.json": "the documented sample polls a chat operation (/beta/chats/...); team operations are "
                                    "compared in test_team_operation_has_the_documented_shape",
    "error-format-invalidrange.json": "a bare error body without a request (416 on ranged downloads, not simulated)",
}

# documented request -> the error Graph gives for it today (status, text in the message), with the reason
REFUSED = {
    "post-devicecompliancepolicies-windows10.json": (
        400, "one and only one block",
        "the documented Intune sample omits scheduledActionsForRule; the service requires one block action since 2021-2022 "
        "(graph-api notes; the example file's notes say so)"),
    "post-teams-full-payload.json": (
        400, "owner must be specified",
        "the sample is delegated; with application permissions Graph requires an owner in members "
        "(https://learn.microsoft.com/graph/api/team-post, 'Create a team with application permissions')"),
}

# fields the simulator serves that the documented sample leaves out (truncated samples); each is a v1.0 property
DEVICE_PROPS = {"id", "manufacturer", "model", "approximateLastSignInDateTime", "isCompliant", "isManaged", "manufacturer", "model", "operatingSystem",
                "profileType", "registrationDateTime", "trustType"}  # https://learn.microsoft.com/graph/api/resources/device
USER_DEFAULT_PROPS = {"id", "businessPhones", "givenName", "jobTitle", "mobilePhone", "officeLocation", "preferredLanguage",
                      "surname", "mail", "userPrincipalName"}  # user-list: the default property set
SERVED_BEYOND_SAMPLE = {
    "get-devices.json": DEVICE_PROPS,
    "get-devices-filter-startswith-count.json": DEVICE_PROPS,
    "get-groups.json": {"assignedLicenses", "hasMembersWithLicenseErrors"},  # group resource
    "get-groups-filter-teams.json": {"assignedLicenses", "hasMembersWithLicenseErrors", "createdDateTime"} | set(GROUP_DEFAULTS),
    "get-users-filter-startswith-count.json": USER_DEFAULT_PROPS,
    "post-invitations.json": {"invitedUserType"},  # invitation resource
    "post-teams-channels.json": {"createdDateTime", "email", "membershipType", "webUrl", "isFavoriteByDefault"},  # channel
    "post-teams-channels-private.json": {"createdDateTime", "email", "webUrl"},  # channel resource
    "post-user-assignlicense.json": {"id", "displayName", "userPrincipalName", "usageLocation"},  # user resource
    "get-team.json": {"id", "displayName", "description", "internalId", "classification", "specialization", "visibility",
                      "webUrl", "createdDateTime", "tenantId"},
    "get-teams-channels.json": {"email", "webUrl"},
    "get-teams-members.json": {"tenantId", "visibleHistoryStartDateTime"},
    "get-policies-authorizationpolicy.json": {"guestUserRoleId"},
    "get-users-guests-by-upn.json": set(),
    "post-teams-members.json": {"tenantId", "visibleHistoryStartDateTime", "displayName", "userId", "email"},
    "post-conditionalaccess-policies-require-mfa-exo.json": set(),
    "get-users-manageddevices.json": set(),
}
# documented fields the simulator does not serve, with the reason
NOT_SIMULATED_FIELDS = {
    # the docs sample capitalises these; the v1.0 metadata spells them manufacturer/model, which are served
    "get-devices.json": {"Manufacturer", "Model"},
    "get-devices-filter-startswith-count.json": {"Manufacturer", "Model"},
    # not in user-list's default property set; the sample shows it, Graph returns it only when selected
    "get-users-filter-startswith-count.json": {"mailNickname"},
}


def _tenant() -> Simulator:
    t = generate_tenant("enterprise", seed=3, size=150)  # Intune, Entra ID P1, teams, group licensing
    t.report_settings["displayConcealedNames"] = False
    t.security_defaults["isEnabled"] = False
    t.devices[0]["displayName"] = "ab-" + t.devices[0]["displayName"]  # the documented startswith(displayName,'a') finds one
    lic = next(g for g in t.groups if g.get("assignedLicenses"))  # one member whose group licence failed (CountViolation)
    uid = t.group_members[lic["id"]][0]
    for st in t.users_by_id[uid]["licenseAssignmentStates"]:
        if st.get("assignedByGroup") == lic["id"]:
            st.update(state="Error", error="CountViolation")
    return Simulator(t, page_jitter=False)


def _ids(sim: Simulator) -> dict:
    t = sim.tenant
    member = next(u for u in t.users if u["userType"] == "Member" and u.get("usageLocation") and u["assignedLicenses"])
    other = next(u for u in t.users if u["userType"] == "Member" and u["id"] != member["id"])
    team = next(iter(t.teams))
    licensing_group = next(g for g in t.groups if g.get("assignedLicenses"))
    free = [s for s in t.skus if s["prepaidUnits"]["enabled"] > s["consumedUnits"] and s["skuId"] not in
            {x["skuId"] for x in member["assignedLicenses"]}]
    return {"member": member, "other": other, "team": team, "group": licensing_group, "free": free}


def _adapt(name: str, doc: dict, sim: Simulator) -> tuple[str, str, dict, object]:
    """The documented request with only the sample tenant's ids swapped for the simulator's (named per example)."""
    method, path = doc["request"].split(" ", 1)
    version, _, rest = path[1:].partition("/")
    rest = "/" + rest
    headers = dict(doc.get("request_headers") or {})
    body = json.loads(json.dumps(doc.get("request_body"))) if doc.get("request_body") is not None else None
    ids = _ids(sim)
    t = sim.tenant
    rest = re.sub(r"^/me(?=/|$)", f"/users/{ids['member']['id']}", rest)  # app token: /me -> /users/{id}
    rest = re.sub(r"^/users/\{usersId\}", f"/users/{ids['member']['id']}", rest)
    rest = re.sub(r"^/teams/[0-9a-f-]{36}", f"/teams/{ids['team']}", rest)
    rest = re.sub(r"^/groups/[0-9a-f-]{36}", f"/groups/{ids['group']['id']}", rest)
    if name == "get-users-filter-assignedlicenses.json":  # the sample tenant's SKU id -> one the simulator has
        rest = rest.replace("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", ids["member"]["assignedLicenses"][0]["skuId"])
    if name == "get-users-guests-by-upn.json":  # contoso.com -> the simulated tenant's domain
        rest = rest.replace("contoso.com", t.domain)
    if name == "post-user-assignlicense.json":  # SKU/plan ids of the sample tenant -> a free SKU and one the user has
        sku = ids["free"][0]
        body["addLicenses"][0]["skuId"] = sku["skuId"]
        body["addLicenses"][0]["disabledPlans"] = [sku["servicePlans"][0]["servicePlanId"]]
        body["removeLicenses"] = [ids["member"]["assignedLicenses"][0]["skuId"]]
    if name == "post-group-assignlicense-add.json":
        for lic, sku in zip(body["addLicenses"], t.skus):
            lic["skuId"] = sku["skuId"]
            lic["disabledPlans"] = [sku["servicePlans"][0]["servicePlanId"]]
    if name in ("post-teams-application.json", "post-teams-members.json", "post-teams-channels-private.json"):
        text = re.sub(r"users\('[0-9a-f-]{36}'\)", f"users('{ids['other']['id']}')", json.dumps(body))
        body = json.loads(text)
    if name == "post-batch.json":
        pass  # replayed as documented: its items name /me, drives and planner, which answer per-item errors here
    return method, version, {"path": rest, "headers": headers}, body


def _csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _follow(sim: Simulator, answer) -> str:  # noqa: ANN001
    token = answer.headers["Location"].rsplit("/", 1)[-1]
    return sim._downloads[token][0].decode("utf-8-sig")


ALL = sorted(p.name for p in EXAMPLES.glob("*.json"))


def test_the_examples_are_the_shared_ones() -> None:
    if not SHARED.is_dir():
        pytest.skip("the shared research folder is not next to this checkout")
    shared = sorted(p.name for p in SHARED.glob("*.json"))
    assert shared == ALL
    for name in ALL:
        assert (SHARED / name).read_bytes() == (EXAMPLES / name).read_bytes(), f"{name}: tests/data copy is out of sync"


@pytest.mark.parametrize("name", ALL)
def test_replay_documented_example(name: str) -> None:
    doc = example(name)
    if name in NOT_SERVED:
        assert NOT_SERVED[name]
        if doc.get("request"):  # the list stays honest: a listed endpoint really is refused
            sim = _tenant()
            method, version, req, body = _adapt(name, doc, sim)
            assert call(sim, method, req["path"], body, req["headers"], version=version).status >= 400, name
        return
    if name == "error-429-too-many-requests.json":  # any request, throttled: Graph's 429 shape and Retry-After
        sim = Simulator(generate_tenant("unprepared-sme", seed=7), Faults(first=("429",), retry_after=10))
        a = call(sim, "GET", "/users?$select=id")
        assert a.status == doc["status"] and a.headers["Retry-After"] == doc["headers"]["Retry-After"]
        served = a.json()
        # innerError also carries client-request-id (aad-advanced-queries, error examples)
        served["error"]["innerError"].pop("client-request-id")
        assert _compare(doc["body"], served, name) == []
        return
    sim = _tenant()
    method, version, req, body = _adapt(name, doc, sim)
    a = call(sim, method, req["path"], body, req["headers"], version=version)
    if name in REFUSED:
        status, text, why = REFUSED[name]
        assert why and a.status == status and text in a.json()["error"]["message"].lower(), a.body[:300]
        return
    if "preceded_by" in doc:  # reports: 302 to a download, then the CSV
        assert a.status == 302
        got = _csv_header(_follow(sim, a))
        assert got == _csv_header(doc["body"]), name
        return
    assert a.status == doc["status"], (name, a.status, a.body[:400])
    if not (doc.get("body") and isinstance(doc["body"], (dict, list))):
        assert not a.body or a.status in (200, 201), name  # documented empty answers stay empty
        return
    served = a.json()
    documented = doc["body"]
    if name == "post-batch.json":  # per-item answers: id, status, headers, body
        assert {r["id"] for r in served["responses"]} == {r["id"] for r in body["requests"]}
        allowed = set().union(*(set(r) for r in documented["responses"]))
        for doc_item, got_item in zip(documented["responses"], served["responses"]):
            assert set(got_item) <= allowed
            keep = {"id", "status"}  # item headers vary per answer (Content-Type, Location, Retry-After)
            assert _compare({k: v for k, v in doc_item.items() if k in keep}, {k: v for k, v in got_item.items() if k in keep}, name) == []
            assert isinstance(got_item.get("headers", {}), dict)
        return
    top_doc = {k for k in documented if not k.startswith("@")} if isinstance(documented, dict) else set()
    top_got = {k for k in served if not k.startswith("@")}
    if isinstance(documented, dict) and isinstance(documented.get("value"), list):
        assert "value" in served and isinstance(served["value"], list), name
        if "@odata.count" in documented:
            assert isinstance(served.get("@odata.count"), int), f"{name}: @odata.count missing"
        if not served["value"] or not documented["value"]:
            assert name in EMPTY_OK, f"{name}: nothing served to compare"
            return
    elif isinstance(documented, dict) and not isinstance(documented.get("value"), dict):
        missing = top_doc - top_got - NOT_SIMULATED_FIELDS.get(name, set())
        assert not missing, f"{name}: documented fields not served: {sorted(missing)}"
    doc_item, got_item = _first(documented), _first(served)
    unserved = {k for k in doc_item if not k.startswith("@")} - set(got_item) - NOT_SIMULATED_FIELDS.get(name, set())
    assert not unserved, f"{name}: documented fields not served: {sorted(unserved)}"
    assert _compare(doc_item, got_item, name, frozenset(SERVED_BEYOND_SAMPLE.get(name, ()))) == []
    doc_keys = {k for k in doc_item if not k.startswith("@")}
    overlap = doc_keys & set(got_item)
    assert len(overlap) >= min(3, len(doc_keys)), f"{name}: too little overlap {overlap}"


EMPTY_OK = {
    "get-policies-crosstenantaccesspolicy-partners.json": "the generated tenants configure no partner organisation",
}


def test_team_operation_has_the_documented_shape() -> None:
    # https://learn.microsoft.com/graph/api/resources/teamsasyncoperation (get-teamsasyncoperation.json)
    sim = _tenant()
    doc = example("get-teamsasyncoperation.json")["body"]
    owner = _ids(sim)["other"]["id"]
    created = call(sim, "POST", "/teams", {"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
                                           "displayName": "Replay", "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember",
                                           "roles": ["owner"], "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owner}')"}]})
    op = call(sim, "GET", created.headers["Location"]).json()
    assert _compare(doc, op, "teamsAsyncOperation") == []
    assert {k for k in doc if not k.startswith("@")} - {"values"} <= set(op)  # values: beta chat operations only
