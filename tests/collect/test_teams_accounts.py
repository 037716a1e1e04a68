"""Teams user configurations (issue 14): collected, and a person licensed for Teams but without a Teams account is
not ready.

Docs (microsoft-graph-docs-contrib, api-reference/v1.0): api/teamsadministration-teamsadminroot-list-userconfigurations.md
(GET /admin/teams/userConfigurations, TeamsUserConfiguration.Read.All, $select supported) and
resources/teamsadministration-teamsuserconfiguration.md ("users who have accounts hosted on Microsoft Teams";
accountType user, resourceAccount, guest, sfbOnPremUser, unknown, ineligibleUser).
"""
from __future__ import annotations

import readiness
from readiness.simulator.generate import generate_tenant
from readiness.simulator.tokens import ALL_ROLES


def _audit(t, roles=None):  # noqa: ANN001, ANN202
    with readiness.serve_simulator(tenant=t, roles=roles) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    return snap, readiness.evaluate(snap)


def _teams_members(t) -> list[dict]:  # noqa: ANN001
    from readiness.licensing.capabilities import TEAMS, capabilities_of_plan

    return [u for u in t.users if u["userType"] == "Member" and u["accountEnabled"]
            and any(p.get("capabilityStatus") == "Enabled" and TEAMS in capabilities_of_plan(p.get("service") or "")
                    for p in t.assigned_plans(u))]


def test_a_licensed_person_without_a_teams_account_is_not_ready_with_that_reason() -> None:
    t = generate_tenant("unprepared-sme", seed=7)
    missing, on_prem = _teams_members(t)[:2]
    missing["_teams_account"] = "none"  # not listed: no account hosted on Teams
    on_prem["_teams_account"] = "sfbOnPremUser"
    snap, audit = _audit(t)
    sec = snap.section("teams_users")
    assert sec.usable and sec.endpoint == "/admin/teams/userConfigurations"
    assert {c["accountType"] for c in sec.data} >= {"user", "sfbOnPremUser"}
    rows = {r["id"]: r for r in audit.people}
    for u in (missing, on_prem):
        assert rows[u["id"]]["ready"] is False and "teams_not_provisioned" in rows[u["id"]]["reasons"]
        assert rows[u["id"]]["teams_enabled"] is True  # the licence has Teams; the account does not
    others = [r for uid, r in rows.items() if uid not in (missing["id"], on_prem["id"])]
    assert others and not [r for r in others if "teams_not_provisioned" in r["reasons"]]
    assert audit.summary["reasons"]["teams_not_provisioned"] == 2
    de = readiness.render(audit, format="md", lang="de")
    assert "Teams-Konto nicht eingerichtet" in de


def test_without_the_permission_the_section_is_forbidden_and_nobody_gets_the_reason() -> None:
    t = generate_tenant("unprepared-sme", seed=7)
    _teams_members(t)[0]["_teams_account"] = "none"
    snap, audit = _audit(t, roles=[r for r in ALL_ROLES if r != "TeamsUserConfiguration.Read.All"])
    sec = snap.section("teams_users")
    assert sec.status == "forbidden" and "TeamsUserConfiguration.Read.All" in (sec.permission + sec.reason)
    assert not [r for r in audit.people if "teams_not_provisioned" in r["reasons"]]
