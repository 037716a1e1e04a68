"""Issue 14 end to end over real HTTP: the simulator's new endpoints, the collectors, the checks, the matrix, --prices.

Documented behaviours the simulator imitates (microsoft-graph-docs-contrib):
- roleAssignments: RoleManagement.Read.Directory, no Entra ID P1 (api-reference/v1.0/api/rbacapplication-list-roleassignments.md)
- authenticationMethodsPolicy: Policy.Read.AuthenticationMethod (api-reference/v1.0/api/authenticationmethodspolicy-get.md)
- cloudPCs: CloudPC.Read.All, Windows 365 (api-reference/v1.0/api/virtualendpoint-list-cloudpcs.md, resources/cloudpc.md)
- managedAppPolicies: DeviceManagementApps.Read.All, Intune (api-reference/v1.0/api/intune-mam-managedapppolicy-list.md)
- windowsAutopilotDeviceIdentities: DeviceManagementServiceConfig.Read.All, Intune
  (api-reference/v1.0/api/intune-enrollment-windowsautopilotdeviceidentity-list.md)
- /admin/teams/userConfigurations: TeamsUserConfiguration.Read.All
  (api-reference/v1.0/api/teamsadministration-teamsadminroot-list-userconfigurations.md)
- users' provisionedPlans: Success, PendingInput, PendingActivation, PendingProvisioning, Error (resources/provisionedplan.md)
- userRegistrationDetails isSsprRegistered/isSsprCapable/isAdmin (resources/userregistrationdetails.md)
"""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import readiness
from readiness.audit.facts import COMPLIANT_MANAGED, facts
from readiness.cli import cli
from readiness.graph.permissions import AUDIT
from readiness.simulator import Simulator
from readiness.simulator.generate import generate_tenant
from readiness.simulator.server import SimulatorServer


def _collect(tenant):  # noqa: ANN001, ANN202
    with readiness.serve_simulator(tenant=tenant) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


@pytest.fixture(scope="module")
def sme():  # noqa: ANN201
    t = generate_tenant("unprepared-sme", seed=7)
    return t, _collect(t)


@pytest.fixture(scope="module")
def ent():  # noqa: ANN201
    t = generate_tenant("enterprise", seed=5, size=200)
    return t, _collect(t)


def _status(audit, check_id: str) -> str:  # noqa: ANN001
    return next(c.status.value for c in audit.checks if c.spec.id == check_id)


def _evidence(audit, check_id: str) -> dict:  # noqa: ANN001
    return next(c.findings[0].evidence for c in audit.checks if c.spec.id == check_id)


def test_the_new_endpoints_follow_graphs_permissions_and_licences() -> None:
    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    with SimulatorServer(sim) as srv:
        def get(path: str, roles=None) -> httpx.Response:  # noqa: ANN001
            token = sim.issue_token(roles) if roles is not None else sim.issue_token()
            return httpx.get(srv.base_url + path, headers={"Authorization": f"Bearer {token}"})

        roles = get("/roleManagement/directory/roleAssignments")
        assert roles.status_code == 200  # no P1 in this tenant, and still readable
        assert {a["roleDefinitionId"] for a in roles.json()["value"]} == {a["roleDefinitionId"] for a in sim.tenant.role_assignments}
        assert get("/roleManagement/directory/roleAssignments", ["User.Read.All"]).status_code == 403
        assert get("/policies/authenticationMethodsPolicy", ["Policy.Read.AuthenticationMethod"]).status_code == 200
        assert get("/policies/authenticationMethodsPolicy", ["User.Read.All"]).status_code == 403
        for path in ("/deviceManagement/virtualEndpoint/cloudPCs", "/deviceAppManagement/managedAppPolicies",
                     "/deviceManagement/windowsAutopilotDeviceIdentities"):
            answer = get(path)
            assert answer.status_code == 403 and "not applicable to target tenant" in answer.json()["error"]["message"]
        teams_users = get("/admin/teams/userConfigurations").json()["value"]
        assert teams_users and {u["accountType"] for u in teams_users} <= {"user", "guest"}
        users = get("/users?$select=id,provisionedPlans&$top=999").json()["value"]
        states = {p["provisioningStatus"] for u in users for p in u["provisionedPlans"]}
        assert "Success" in states and states - {"Success"}  # the generator's pending and failed services


def test_no_p1_tenant_admin_mfa_sspr_and_provisioning_are_evaluated(sme) -> None:  # noqa: ANN001
    tenant, snap = sme
    assert snap.section("mfa").status == "fallback" and snap.section("roles").status == "complete"
    audit = readiness.evaluate(snap)
    admins = {a["principalId"] for a in tenant.role_assignments}
    ev = _evidence(audit, "identity.admin_mfa")
    assert _status(audit, "identity.admin_mfa") == "fail" and ev["admins"] == len(admins)
    assert ev["source"] == "/roleManagement/directory/roleAssignments"
    assert _status(audit, "identity.sspr_registration") == "fail"
    pending = {u["userPrincipalName"] for u in tenant.users if u.get("_provisioning")}
    assert set(_evidence(audit, "licences.service_provisioning")["not_provisioned"]["sample"]) == pending
    rows = {r["userPrincipalName"]: r for r in audit.people}
    for upn in pending & rows.keys():
        assert rows[upn]["ready"] is False and "services_not_provisioned" in rows[upn]["reasons"]
        assert rows[upn]["services_provisioned"] is False
    # TAP is off in this tenant: recovering from home is SSPR alone
    assert _status(audit, "identity.temporary_access_pass") == "warn"
    assert audit.summary["can_recover"] == sum(1 for r in audit.people if r["sspr_registered"])
    for check_id in ("devices.cloud_pc", "devices.app_protection", "devices.autopilot_stock"):
        assert _status(audit, check_id) == "not_evaluable"  # no Windows 365 / Intune: said, never failed


def test_without_p1_idle_licences_come_from_the_active_user_report_when_names_are_visible() -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    tenant.report_settings["displayConcealedNames"] = False
    snap = _collect(tenant)
    assert snap.section("office_activity").status == "complete"
    audit = readiness.evaluate(snap)
    idle = set(_evidence(audit, "licences.inactive_licensed")["idle"]["sample"])
    expected = {u["userPrincipalName"] for u in tenant.users if u.get("_idle")}
    assert expected and expected <= idle
    assert _evidence(audit, "licences.inactive_licensed")["source"].startswith("/reports/getOffice365ActiveUserDetail")


def test_enterprise_cloud_pcs_count_as_devices_and_stock_can_be_shipped(ent) -> None:  # noqa: ANN001
    tenant, snap = ent
    for name in ("roles", "auth_methods_policy", "cloud_pcs", "app_protection", "autopilot"):
        assert snap.section(name).status == "complete", name
    assert "office_activity" not in snap.sections  # sign-in activity was read: nothing left unread
    f = facts(snap)
    provisioned = {pc["userPrincipalName"] for pc in tenant.cloud_pcs if pc["status"] == "provisioned"}
    assert provisioned
    for p in f.members:
        if p.upn in provisioned:
            assert p.device == COMPLIANT_MANAGED
    audit = readiness.evaluate(snap)
    assert _status(audit, "devices.cloud_pc") == "warn"  # one Cloud PC still provisioning
    assert _evidence(audit, "devices.autopilot_stock")["stock_count"] == sum(1 for d in tenant.autopilot_devices
                                                                             if not d["userPrincipalName"])
    idle = set(_evidence(audit, "licences.inactive_licensed")["idle"]["sample"])
    assert {u["userPrincipalName"] for u in tenant.users if u.get("_idle")} <= idle
    assert _status(audit, "identity.temporary_access_pass") == "pass"
    assert _status(audit, "identity.legacy_auth_blocked") == "fail"  # no security defaults, no policy blocks old clients
    rows = [r for r in audit.people if r["cloud_pc"]]
    assert rows and all(r["device"] == COMPLIANT_MANAGED for r in rows if r["userPrincipalName"] in provisioned)


def test_audit_with_prices_shows_money_on_the_first_page(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("sku,monthly_price,currency\nO365_BUSINESS_PREMIUM,19.60,EUR\nO365_BUSINESS_ESSENTIALS,5.60,EUR\n", "utf-8")
    tenant = generate_tenant("unprepared-sme", seed=7)
    sim = Simulator(tenant)
    with SimulatorServer(sim) as srv:
        runner = CliRunner()
        env = {"READINESS_ACCESS_TOKEN": sim.issue_token()}
        table = runner.invoke(cli, ["audit", "--graph-url", srv.base_url, "--prices", str(prices)], env=env)
        doc = runner.invoke(cli, ["audit", "--graph-url", srv.base_url, "--prices", str(prices), "-o", "json",
                                  "--snapshot-out", str(tmp_path / "s.json.gz")], env=env)
    first_page = table.stdout.split("\n\n")[0]
    assert "per month" in first_page and "€" in first_page, table.stdout[:800]
    data = json.loads(doc.stdout)["data"]
    costs = data["summary"]["seat_costs"]
    idle_total = sum(float(r["idle_cost"]) for r in costs["idle"] if r["idle_cost"] is not None)
    assert costs["idle_total"] and abs(float(costs["idle_total"]["EUR"]) - idle_total) < 0.001
    check = next(c for c in data["checks"] if c["id"] == "licences.idle_seat_cost")
    assert check["status"] == "warn"
    # the finding and its evidence say money as the language writes it (lang17 A4: "2154.65 EUR" and "None" in German)
    from decimal import Decimal

    from readiness.render.evidence import evidence_text

    total = Decimal(costs["idle_total"]["EUR"])
    finding = check["findings"][0]
    assert f"€{total:,.2f}" in finding["message"], finding["message"]
    de_total = f"{total:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + "\xa0€"
    de = runner.invoke(cli, ["report", str(tmp_path / "s.json.gz"), "--prices", str(prices), "--lang", "de"])
    assert de.exit_code == 0 and f"kosten {de_total} im Monat" in de.stdout, de.output
    ev_de = evidence_text(finding["evidence"], "de")
    assert de_total in ev_de and "None" not in ev_de and "EUR" not in ev_de, ev_de


def test_a_bad_prices_file_is_one_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "prices.csv"
    bad.write_text("sku,monthly_price,currency\nSPE_E3,about thirty,EUR\n", "utf-8")
    result = CliRunner().invoke(cli, ["audit", "--graph-url", "http://127.0.0.1:9/v1.0", "--prices", str(bad)],
                                env={"READINESS_ACCESS_TOKEN": "x"})
    assert result.exit_code == 2, result.output
    lines = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert lines == ["Error: Line 2 of the prices file prices.csv is not 'SKU part number, monthly price, currency'. "
                     "Give a CSV file with the header sku,monthly_price,currency and one row per SKU part number "
                     "(e.g. SPE_E3,33.70,EUR)."]
    de = CliRunner().invoke(cli, ["audit", "--graph-url", "http://127.0.0.1:9/v1.0", "--prices", str(bad), "--lang", "de"],
                            env={"READINESS_ACCESS_TOKEN": "x"})
    assert "Fehler: Zeile 2 in der Preisdatei prices.csv hat nicht die Form" in de.stderr, de.stderr  # verify17 #8
    assert "the prices file" not in de.stderr


def test_without_prices_no_money_is_invented(sme) -> None:  # noqa: ANN001
    _, snap = sme
    audit = readiness.evaluate(snap)
    assert audit.summary["seat_costs"] is None
    assert _status(audit, "licences.idle_seat_cost") == "not_evaluable"
    assert "€" not in readiness.render(audit, "table")


def test_the_permission_list_names_the_new_reads_least_privileged() -> None:
    need = {n.permission: n for n in AUDIT}
    for perm in ("RoleManagement.Read.Directory", "Policy.Read.AuthenticationMethod", "CloudPC.Read.All",
                 "DeviceManagementApps.Read.All", "DeviceManagementServiceConfig.Read.All"):
        assert perm in need and need[perm].accepted[0] == perm
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for perm in need:
        assert f"`{perm}`" in readme, perm


def test_secure_remote_access_turns_on_security_defaults_and_the_campaign_then_has_nothing_left(tmp_path: Path,
                                                                                              monkeypatch) -> None:  # noqa: ANN001
    """The law for security_defaults and registration_campaign: plan, apply, re-collect, plan again is empty;
    the checks they name as fixed pass afterwards; undo puts both back."""
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    tenant = generate_tenant("unprepared-sme", seed=7)
    with readiness.serve_simulator(tenant=tenant) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        before = readiness.evaluate(readiness.collect(conn))
        assert _status(before, "identity.mfa_enforced") == "fail" and _status(before, "identity.legacy_auth_blocked") == "fail"
        upn = next(r["userPrincipalName"] for r in before.people if r["department"] == "IT")
        plan = readiness.plan("secure-remote-access", conn, params={"sender": upn, "break_glass": upn})
        steps = {s.step: s for s in plan.plan.steps}
        from readiness.i18n import resolve

        warning = resolve(steps["security-defaults"].changes[0].target, "en")
        assert "14 days" in warning and "legacy authentication" in warning  # the clear warning, in the plan
        run = readiness.apply(plan, conn, confirm=True)
        assert run.complete, run.failed
        assert tenant.security_defaults["isEnabled"] is True
        assert tenant.auth_methods_policy["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]["state"] == "enabled"
        after = readiness.evaluate(readiness.collect(conn))
        for check_id in ("identity.mfa_enforced", "identity.legacy_auth_blocked"):
            assert _status(after, check_id) == "pass", check_id
        again = readiness.plan("secure-remote-access", conn, params={"sender": upn, "break_glass": upn})
        for step in again.plan.steps:
            if step.action in ("security_defaults", "registration_campaign"):
                assert not step.changes and resolve(step.noop_reason, "en"), step.step
        undone = readiness.undo(run.run_id, conn, confirm=True)
        assert undone.complete, undone.failed
        assert tenant.security_defaults["isEnabled"] is False
        assert tenant.auth_methods_policy["registrationEnforcement"]["authenticationMethodsRegistrationCampaign"]["state"] == "default"


def test_security_defaults_are_left_alone_where_conditional_access_is_on() -> None:
    tenant = generate_tenant("enterprise", seed=5, size=120)
    snap = _collect(tenant)
    plan = readiness.plan("secure-remote-access", snap, params={"sender": tenant.users[0]["userPrincipalName"],
                                                                 "break_glass": tenant.users[0]["userPrincipalName"]})
    step = next(s for s in plan.plan.steps if s.action == "security_defaults")
    from readiness.i18n import resolve

    assert not step.changes and not step.blocked and "cannot be on together" in resolve(step.noop_reason, "en")


def test_the_crisis_team_no_longer_lets_guests_change_channels_and_team_settings_fixes_an_existing_one(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """emergency-home-office's own crisis team used to trip teams.guests_manage_channels; an existing team of that
    name with open guest rights is fixed by team_settings (PATCH /teams/{id} guestSettings), and undo restores it."""
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    tenant = generate_tenant("unprepared-sme", seed=7)
    open_team = next(t for t in tenant.teams.values() if t["guestSettings"]["allowCreateUpdateChannels"])
    with readiness.serve_simulator(tenant=tenant) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        upn = next(u["userPrincipalName"] for u in tenant.users if u.get("department") == "IT")
        params = {"usage_location": "DE", "team_owners": upn, "sender": upn}
        run = readiness.apply(readiness.plan("emergency-home-office", conn, params=params), conn, confirm=True)
        assert run.complete, run.failed
        crisis = next(t for t in tenant.teams.values() if t["displayName"] == "Krisenstab")
        assert crisis["guestSettings"] == {"allowCreateUpdateChannels": False, "allowDeleteChannels": False}
        # an existing team with open guest rights, planned by name
        fix = readiness.plan("emergency-home-office", conn, params=dict(params, team_name=open_team["displayName"]))
        step = next(s for s in fix.plan.steps if s.action == "team_settings")
        assert [c.requests[0].path for c in step.changes] == [f"/teams/{open_team['id']}"]
        only = readiness.apply(fix, conn, confirm=True)
        assert only.complete, only.failed
        assert tenant.teams[open_team["id"]]["guestSettings"]["allowCreateUpdateChannels"] is False
        again = readiness.plan("emergency-home-office", conn, params=dict(params, team_name=open_team["displayName"]))
        assert not next(s for s in again.plan.steps if s.action == "team_settings").changes
        assert readiness.undo(only.run_id, conn, confirm=True).complete
        assert tenant.teams[open_team["id"]]["guestSettings"]["allowCreateUpdateChannels"] is True
