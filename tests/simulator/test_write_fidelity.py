"""Writes answer as Graph documents them; each test cites the page it imitates."""
from __future__ import annotations

import csv
import io
import json
import signal
import urllib.request

import pytest

from readiness.simulator import Simulator, generate_tenant
from tests.helpers import example, serve_simulator_process
from tests.simulator.simcall import call


@pytest.fixture
def ent() -> Simulator:
    return Simulator(generate_tenant("enterprise", seed=3, size=120), page_jitter=False)


def test_created_ca_policy_comes_back_with_server_defaults(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies (example 1: require MFA for EXO):
    # omitted lists come back empty, omitted conditions null, grantControls gains customAuthenticationFactors/termsOfUse
    ent.tenant.security_defaults["isEnabled"] = False
    doc = example("post-conditionalaccess-policies-require-mfa-exo.json")
    a = call(ent, "POST", "/identity/conditionalAccess/policies", doc["request_body"])
    assert a.status == 201
    got, want = a.json(), doc["body"]
    assert set(got) - {"@odata.context"} == set(want) - {"@odata.context"}
    for part in ("applications", "users"):
        assert got["conditions"][part] == want["conditions"][part]
    assert got["conditions"]["signInRiskLevels"] == [] and got["conditions"]["platforms"] is None
    assert got["grantControls"] == want["grantControls"] and got["sessionControls"] is None
    listed = call(ent, "GET", "/identity/conditionalAccess/policies").json()["value"]
    assert next(p for p in listed if p["id"] == got["id"])["conditions"]["users"]["excludeRoles"] == []


def test_compliance_assignments_keep_ids_and_type_and_nothing_internal_leaks(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/intune-deviceconfig-devicecompliancepolicy-assign: the answer lists
    # deviceCompliancePolicyAssignment objects (@odata.type, id, target)
    body = dict(example("post-devicecompliancepolicies-windows10.json")["request_body"])
    body["scheduledActionsForRule"] = [{"ruleName": "PasswordRequired", "scheduledActionConfigurations": [
        {"actionType": "block", "gracePeriodHours": 0, "notificationTemplateId": "", "notificationMessageCCList": []}]}]
    pol = call(ent, "POST", "/deviceManagement/deviceCompliancePolicies", body).json()
    target = {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": ent.tenant.groups[0]["id"]}
    given = "a1b2c3d4-0000-4000-8000-000000000001"
    a = call(ent, "POST", f"/deviceManagement/deviceCompliancePolicies/{pol['id']}/assign",
             {"assignments": [{"@odata.type": "#microsoft.graph.deviceCompliancePolicyAssignment", "id": given, "target": target},
                              {"target": target}]})
    assert a.status == 200
    value = a.json()["value"]
    assert [v["id"] for v in value][0] == given and value[1]["id"]
    assert all(v["@odata.type"] == "#microsoft.graph.deviceCompliancePolicyAssignment" and v["target"] == target for v in value)
    listed = call(ent, "GET", "/deviceManagement/deviceCompliancePolicies").json()["value"]
    assert not any(k.startswith("_") for p in listed for k in p)
    expanded = call(ent, "GET", "/deviceManagement/deviceCompliancePolicies?$expand=assignments").json()["value"]
    assert next(p for p in expanded if p["id"] == pol["id"])["assignments"] == value


def test_removing_a_group_licence_removes_it_from_members_and_frees_seats(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/group-assignlicense: removeLicenses removes the licence from the group
    # (and so from its members' group assignments); removing one the group does not have is an error
    t = ent.tenant
    g = next(g for g in t.groups if g.get("assignedLicenses") and t.group_members.get(g["id"]))
    sku = g["assignedLicenses"][0]["skuId"]
    members = t.group_members[g["id"]]
    before = t.skus_by_id[sku]["consumedUnits"]
    active = sum(1 for uid in members if any(s["skuId"] == sku and s.get("assignedByGroup") == g["id"] and s["state"] == "Active"
                                             for s in t.users_by_id[uid]["licenseAssignmentStates"]))
    a = call(ent, "POST", f"/groups/{g['id']}/assignLicense", {"addLicenses": [], "removeLicenses": [sku]})
    assert a.status == 202
    assert all(not any(s.get("assignedByGroup") == g["id"] and s["skuId"] == sku for s in t.users_by_id[u]["licenseAssignmentStates"])
               for u in members)
    still = sum(1 for u in t.users if any(s["skuId"] == sku and s["state"] == "Active" for s in u["licenseAssignmentStates"]))
    assert active > 0 and t.skus_by_id[sku]["consumedUnits"] == still < before
    again = call(ent, "POST", f"/groups/{g['id']}/assignLicense", {"addLicenses": [], "removeLicenses": [sku]})
    assert again.status == 400 and again.code == "Request_BadRequest"


def test_usage_location_null_is_refused(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/resources/user: usageLocation "... Not nullable."
    u = next(u for u in sim.tenant.users if u.get("usageLocation"))
    a = call(sim, "PATCH", f"/users/{u['id']}", {"usageLocation": None})
    assert a.status == 400 and u["usageLocation"]
    assert call(sim, "PATCH", f"/users/{u['id']}", {"usageLocation": "AT"}).status == 204 and u["usageLocation"] == "AT"


def test_the_documented_sendmail_body_is_accepted(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/user-sendmail example 1 sends "saveToSentItems": "false" (a string)
    u = next(u for u in sim.tenant.users if u["userType"] == "Member")
    a = call(sim, "POST", f"/users/{u['id']}/sendMail", example("post-me-sendmail.json")["request_body"])
    assert a.status == 202
    assert call(sim, "POST", f"/users/{u['id']}/sendMail", {"message": {"toRecipients": [{"emailAddress": {"address": "a@b.de"}}]},
                                                            "saveToSentItems": "maybe"}).status == 400


def test_post_teams_from_an_existing_group(ent: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/team-post "Create a team from group": template@odata.bind + group@odata.bind,
    # 202 with Location, Content-Location and Content-Type
    t = ent.tenant
    g = next(g for g in t.groups if "Unified" in g["groupTypes"] and g["id"] not in t.teams)
    t.group_members.setdefault(g["id"], []).append(next(u["id"] for u in t.users if u["userType"] == "Member"))
    body = {"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
            "group@odata.bind": f"https://graph.microsoft.com/v1.0/groups('{g['id']}')"}
    a = call(ent, "POST", "/teams", body)
    assert a.status == 202 and a.body == b""
    assert a.headers["Content-Type"] == "application/json" and a.headers["Location"].startswith(f"/teams('{g['id']}')/operations(")
    assert a.headers["Content-Location"] == f"/teams('{g['id']}')"
    for _ in range(2):
        op = call(ent, "GET", a.headers["Location"]).json()
    assert op["status"] == "succeeded" and call(ent, "GET", f"/teams/{g['id']}").status == 200
    assert call(ent, "POST", "/teams", body).status == 409


def test_batch_runs_items_after_what_they_depend_on_whatever_the_order(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/json-batching "Sequencing requests with the dependsOn property"
    u = next(u for u in sim.tenant.users if u.get("usageLocation"))
    reqs = [{"id": "2", "method": "GET", "url": f"/users/{u['id']}?$select=usageLocation", "dependsOn": ["1"]},
            {"id": "1", "method": "PATCH", "url": f"/users/{u['id']}", "body": {"usageLocation": "CH"},
             "headers": {"Content-Type": "application/json"}}]
    a = call(sim, "POST", "/$batch", {"requests": reqs})
    by_id = {r["id"]: r for r in a.json()["responses"]}
    assert by_id["1"]["status"] == 204 and by_id["2"]["body"]["usageLocation"] == "CH"
    bad = call(sim, "POST", "/$batch", {"requests": [{"id": "1", "method": "GET", "url": "/users?$select=id", "dependsOn": ["9"]}]})
    assert bad.status == 400


def test_teams_activity_report_has_all_documented_columns_and_deleted_users(sim: Simulator) -> None:
    # https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail: 33 CSV columns; deleted users
    # stay in the report with Is Deleted and Deleted Date
    a = call(sim, "GET", "/reports/getTeamsUserActivityUserDetail(period='D30')")
    assert a.status == 302
    token = a.headers["Location"].rsplit("/", 1)[-1]
    csv_text = sim._downloads[token][0].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert len(rows[0]) == 33 and rows[0][1] == "Tenant Display Name" and rows[0][-1] == "Report Period"
    assert all(len(r) == 33 for r in rows)
    deleted = [r for r in rows[1:] if r[6] == "True"]
    assert deleted and all(r[7] for r in deleted) and len(rows) - 1 == len(sim.tenant.users) + len(sim.tenant.deleted_users)


@pytest.mark.slow
def test_conduct_is_reachable_over_http_and_printed_when_serve_stops() -> None:
    # DESIGN.md section 3: the conduct log judges any client run against the simulator
    proc, url, token = serve_simulator_process()
    try:
        auth = {"Authorization": f"Bearer {token}"}
        with urllib.request.urlopen(urllib.request.Request(url + "/v1.0/users?$top=2", headers=auth), timeout=10):
            pass
        with urllib.request.urlopen(urllib.request.Request(url + "/_conduct", headers=auth), timeout=10) as resp:
            log = json.loads(resp.read())
        assert log["requests"] == 1 and log["violations"]["missing_select"] == 1 and log["clean"] is False
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert "Conduct: 1 requests" in err and "missing_select: 1" in err, err
