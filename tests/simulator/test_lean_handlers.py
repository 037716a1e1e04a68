"""The large-tenant reads made leaner (issue 15: a 400,000-person audit timed out on them) answer exactly as before."""
from __future__ import annotations

import csv
import io

from readiness.licensing.capabilities import TEAMS, capabilities_of_plan
from readiness.simulator import Simulator, generate_tenant
from tests.simulator.simcall import call


def _tenant():  # noqa: ANN202 - people with disabled plans, an inactive licence and historic plans among them
    t = generate_tenant("enterprise", seed=11, size=120)
    members = [u for u in t.users if u["userType"] == "Member" and u["assignedLicenses"]]
    teams_plan = next(p["servicePlanId"] for s in t.skus for p in s["servicePlans"] if TEAMS in capabilities_of_plan(p["servicePlanName"]))
    for u in members[:5]:
        for lic in u["assignedLicenses"]:
            lic["disabledPlans"] = [teams_plan]
    for u in members[5:8]:
        for state in u.get("licenseAssignmentStates") or []:
            state["state"] = "Error"
    members[8]["_historicPlans"] = [{"assignedDateTime": "2024-01-01T00:00:00Z", "capabilityStatus": "Enabled",
                                     "service": "TeamspaceAPI", "servicePlanId": teams_plan}]
    t.recount_consumed()
    return t, members


def test_teams_accounts_per_licence_combination_equal_each_person_computed_alone() -> None:
    # teamsUserConfiguration: "users who have accounts hosted on Microsoft Teams"
    # (api-reference/v1.0/api/teamsadministration-teamsadminroot-list-userconfigurations)
    t, members = _tenant()
    sim = Simulator(t)
    got = {r["id"] for r in call(sim, "GET", "/admin/teams/userConfigurations?$top=999").json()["value"]}

    def hosted(u: dict) -> bool:
        caps = {c for p in t.assigned_plans(u) if p.get("capabilityStatus") == "Enabled"
                for c in capabilities_of_plan(p.get("service") or "")}
        return u["userType"] == "Guest" or TEAMS in caps

    assert got == {u["id"] for u in t.users if hosted(u)}
    assert not {u["id"] for u in members[:8]} & got  # Teams disabled, licences not active: no Teams account
    assert members[8]["id"] in got and members[9]["id"] in got


def test_the_teams_activity_csv_writes_each_cell_as_documented() -> None:
    # https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail: Yes/No flags, products joined
    # with "+", empty cells for no activity; Is Deleted True/False
    t, members = _tenant()
    sim = Simulator(t)
    a = call(sim, "GET", "/reports/getTeamsUserActivityUserDetail(period='D30')")
    rows = list(csv.DictReader(io.StringIO(sim._downloads[a.headers["Location"].rsplit("/", 1)[-1]][0].decode("utf-8-sig"))))
    by_id = {r["User Id"]: r for r in rows}
    for u in t.users:
        r = by_id[u["id"]]
        products = sorted({s["skuPartNumber"] for s in t.skus if s["skuId"] in {x["skuId"] for x in u["assignedLicenses"]}})
        assert r["Assigned Products"] == "+".join(products)
        assert r["Is Deleted"] == "False" and r["Has Other Action"] in ("Yes", "No") and r["Is Licensed"] in ("Yes", "No")
        assert (r["Last Activity Date"] == "") == (r["Has Other Action"] == "No")
    assert {r["Is Deleted"] for r in rows} == {"True", "False"} and all(r["Deleted Date"] for r in rows if r["Is Deleted"] == "True")
