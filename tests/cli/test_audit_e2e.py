"""`readiness audit` end to end over real HTTP, checked against an oracle computed from the tenant."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.generate import MFA_METHODS
from readiness.simulator.server import SimulatorServer
from readiness.simulator.tokens import READ_ROLES


def oracle(t) -> dict:
    """Who is ready, computed straight from the generated tenant (independent of readiness.checks)."""
    plans = {s["skuId"]: {p["servicePlanId"]: p["servicePlanName"] for p in s["servicePlans"] if p["appliesTo"] == "User"} for s in t.skus}
    has_intune = any(n in ("INTUNE_A", "INTUNE_SMBIZ") for s in t.skus for n in plans[s["skuId"]].values() if s["prepaidUnits"]["enabled"])
    out = {"ready": 0, "people": 0, "without_teams": 0, "without_mfa": 0, "without_device": 0}
    for u in t.users:
        if not (u["accountEnabled"] and u["userType"] == "Member"):
            continue
        out["people"] += 1
        active = {s["skuId"] for s in u["licenseAssignmentStates"] if s["state"] == "Active"}
        names = set()
        for lic in u["assignedLicenses"]:
            if lic["skuId"] in active:
                names |= {n for pid, n in plans[lic["skuId"]].items() if pid not in lic["disabledPlans"]}
        teams = "TEAMS1" in names
        mail = any(n.startswith("EXCHANGE_S_") and not n.startswith(("EXCHANGE_S_FOUNDATION", "EXCHANGE_S_ARCHIVE")) for n in names)
        files = any(n.startswith(("SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE", "SHAREPOINTDESKLESS", "ONEDRIVE")) for n in names)
        mfa = bool(set(t.auth_methods.get(u["id"], [])) & set(MFA_METHODS))
        if has_intune:
            device = any(d["userId"] == u["id"] and d["complianceState"] == "compliant" for d in t.managed_devices)
        else:
            device = any(u["id"] in t.device_owners.get(d["id"], []) and d["accountEnabled"] for d in t.devices)
        # a provisioned Windows 365 Cloud PC is a managed device; a mailbox or OneDrive not provisioned is not ready
        device = device or any(pc["userPrincipalName"] == u["userPrincipalName"] and pc["status"] == "provisioned"
                               for pc in t.cloud_pcs)
        provisioned = all(state in ("Success", "Disabled") for service, state in (u.get("_provisioning") or {}).items()
                          if service in ("exchange", "SharePoint"))
        out["without_teams"] += not teams
        out["without_mfa"] += not mfa
        out["without_device"] += not device
        out["ready"] += teams and mail and files and mfa and device and provisioned
    return out


def run_audit(server: SimulatorServer, monkeypatch: pytest.MonkeyPatch, *args: str, roles=None):
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token(roles) if roles else server.sim.issue_token())
    return CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, *args])


@pytest.mark.parametrize("profile,size", [("unprepared-sme", None), ("enterprise", 400)])
def test_audit_json_matches_the_oracle(profile: str, size, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sim = Simulator(generate_tenant(profile, seed=11, size=size))
    expected = oracle(sim.tenant)
    with SimulatorServer(sim) as server:
        snap = tmp_path / "snap.json.gz"
        result = run_audit(server, monkeypatch, "-o", "json", "--snapshot-out", str(snap))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1 and doc["command"] == "audit"
    s = doc["data"]["summary"]
    assert s["people"] == expected["people"]
    assert s["ready"] == expected["ready"]
    assert s["without_teams"] == expected["without_teams"]
    assert s["without_mfa"] == expected["without_mfa"]
    if s["device_rule"] == "entra":
        assert s["without_any_device"] == expected["without_device"]
    else:
        assert s["without_managed_device"] == expected["without_device"]
    assert sim.conduct.violations == {"retry_after": [], "next_link": [], "missing_select": [], "token_leak": []}
    # offline re-evaluation of the saved snapshot gives the same answer
    offline = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json"])
    assert offline.exit_code == 0
    assert json.loads(offline.stdout)["data"]["summary"] == s


def test_json_contract_fields_scripts_rely_on(server, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = json.loads(run_audit(server, monkeypatch, "-o", "json").stdout)
    data = doc["data"]
    assert set(doc) == {"schema_version", "command", "status", "exit_code", "data", "errors"}
    person = data["people"][0]
    for key in ("userPrincipalName", "ready", "reasons", "teams_enabled", "mfa_registered", "device"):
        assert key in person
    sku = data["licences"][0]
    for key in ("skuPartNumber", "name", "enabled", "consumed", "free"):
        assert key in sku
    check = data["checks"][0]
    for key in ("id", "area", "severity", "status"):
        assert key in check
    assert set(data["score"]["areas"]) == {"licences", "teams", "sharing", "devices", "identity"}
    assert 0 <= data["score"]["overall"] <= 100


def test_missing_permission_is_not_evaluable_with_the_reason(server, monkeypatch: pytest.MonkeyPatch) -> None:
    roles = [r for r in READ_ROLES if r not in ("Policy.Read.All", "SharePointTenantSettings.Read.All")]
    doc = json.loads(run_audit(server, monkeypatch, "-o", "json", roles=roles).stdout)
    checks = {c["id"]: c for c in doc["data"]["checks"]}
    assert checks["sharing.anyone_links"]["status"] == "not_evaluable"
    assert "SharePointTenantSettings.Read.All" in checks["sharing.anyone_links"]["findings"][0]["message"]
    assert checks["identity.mfa_enforced"]["status"] == "not_evaluable"
    missing = {m["section"]: m for m in doc["data"]["not_evaluated"]}
    assert missing["authorization_policy"]["permission"] == "Policy.Read.All"
    assert doc["status"] == "partial"


def test_no_overall_score_when_the_people_could_not_be_read(server, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without User.Read.All, /users answers 403: nobody can be evaluated, so the few tenant-wide checks left
    # must not add up to a (green) overall score for a tenant whose people nobody looked at.
    roles = [r for r in READ_ROLES if r not in ("User.Read.All", "User.ReadWrite.All")]
    doc = json.loads(run_audit(server, monkeypatch, "-o", "json", roles=roles).stdout)
    assert {m["section"]: m for m in doc["data"]["not_evaluated"]}["users"]["permission"] == "User.Read.All"
    assert doc["data"]["summary"]["people"] == 0
    assert doc["data"]["score"]["overall"] is None and doc["data"]["score"]["light"] == "grey"
    assert any(a["score"] is not None for a in doc["data"]["score"]["areas"].values())  # areas still scored
    full = json.loads(run_audit(server, monkeypatch, "-o", "json").stdout)
    assert isinstance(full["data"]["score"]["overall"], int)


def test_tenant_without_p1_falls_back_for_mfa_and_says_so(server, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = json.loads(run_audit(server, monkeypatch, "-o", "json").stdout)
    missing = {m["section"]: m for m in doc["data"]["not_evaluated"]}
    assert missing["mfa"]["status"] == "fallback" and "checked another way" in missing["mfa"]["reason"]
    assert missing["conditional_access"]["licence"] == "Microsoft Entra ID P1"
    assert doc["data"]["summary"]["mfa_source"] == "fallback"
    # the fallback read methods in $batch, never one request per user
    per_user = server.sim.conduct.count("GET", "/users/") - server.sim.conduct.count("GET", "/users/delta")
    assert per_user == 0 and server.sim.conduct.count("POST", "/$batch") >= 2


def test_fail_on_sets_exit_code_3(server, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_audit(server, monkeypatch, "--fail-on", "critical")
    assert result.exit_code == 3
    assert "can work from home tomorrow" in result.stdout


def test_csv_is_formula_safe_and_people_csv_has_the_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    victim = next(u for u in tenant.users if u["userType"] == "Member" and u["accountEnabled"])
    victim["displayName"] = '=HYPERLINK("http://evil.example","x")'
    victim["department"] = "+cmd|' /C calc'!A0"
    with SimulatorServer(Simulator(tenant)) as server:
        result = run_audit(server, monkeypatch, "-o", "csv", "--people", "--csv-headers", "ids")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    row = next(r for r in rows if r["userPrincipalName"] == victim["userPrincipalName"])
    assert row["displayName"].startswith("'=") and row["department"].startswith("'+")
    assert {"ready", "reasons", "teams_enabled", "mfa_registered", "device"} <= set(rows[0])


def test_markdown_escapes_tenant_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    tenant.display_name = "Evil | <script>alert(1)</script> [x](http://e.example)"
    with SimulatorServer(Simulator(tenant)) as server:
        out = run_audit(server, monkeypatch, "-o", "md").stdout
    assert "<script>" not in out and "[x](http" not in out
    assert out.splitlines()[0].count("|") == out.splitlines()[0].count("\\|")


def test_german_output(server, monkeypatch: pytest.MonkeyPatch) -> None:
    out = run_audit(server, monkeypatch, "--lang", "de").stdout
    assert "Personen können morgen von zu Hause arbeiten" in out and "Geräteabdeckung" in out


def test_from_snapshot_rejects_junk(tmp_path: Path) -> None:
    junk = tmp_path / "x.json"
    junk.write_text("{\"hello\": 1}")
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(junk)])
    assert result.exit_code == 1 and "not a readiness snapshot" in result.output


def test_audit_writes_a_report_from_the_extension(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    report = tmp_path / "kunde.html"
    result = run_audit(server, monkeypatch, "--report", str(report), "--lang", "de", "-o", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["data"]["summary"]
    html = report.read_text("utf-8")
    assert f"{summary['ready']} von {summary['people']} Personen können morgen von zu Hause arbeiten" in html
    assert summary["teams_active_30d"] is None  # the demo tenant conceals names in usage reports


def test_teams_usage_is_counted_when_names_are_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    tenant.report_settings["displayConcealedNames"] = False
    with SimulatorServer(Simulator(tenant)) as server:
        doc = json.loads(run_audit(server, monkeypatch, "-o", "json").stdout)
    members = {u["id"] for u in tenant.users if u["accountEnabled"] and u["userType"] == "Member"}
    expected = sum(1 for uid, act in tenant.activity.items() if uid in members and act.get("teams"))
    assert doc["data"]["summary"]["teams_active_30d"] == expected
