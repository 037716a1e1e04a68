"""`status` in `audit -o json` says whether data the tenant has was left unread (README, "status is partial ...").

A tenant without Intune or Entra ID P1 has no managed devices or Conditional Access policies to read: those sections
are listed in ``not_evaluated`` (reason ``licence``) but nothing was left unread, so the audit is a success with exit 0.
Names concealed in the usage reports (adminReportSettings.displayConcealedNames, documented at
https://learn.microsoft.com/graph/api/adminreportsettings-get) leave per-person usage unread: partial, exit 0.
A missing permission is partial too (tests/cli/test_audit_e2e.py), a fault is partial with exit 6 (tests/trust).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


def _audit(concealed: bool, monkeypatch: pytest.MonkeyPatch) -> dict:
    tenant = generate_tenant("unprepared-sme", seed=5)
    tenant.report_settings["displayConcealedNames"] = concealed
    sim = Simulator(tenant)
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "-q"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sections_the_tenant_has_no_licence_for_leave_nothing_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _audit(False, monkeypatch)
    codes = {m["section"]: m["reason"] for m in doc["data"]["not_evaluated"]}
    assert {"managed_devices", "conditional_access"} <= set(codes)  # listed, with why (no Intune, no P1)
    assert all(m["licence"] or m["status"] == "fallback" for m in doc["data"]["not_evaluated"]), doc["data"]["not_evaluated"]
    assert doc["status"] == "success" and doc["errors"] == [] and doc["exit_code"] == 0


def test_names_concealed_in_usage_reports_leave_usage_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _audit(True, monkeypatch)
    assert {"teams_usage", "office_activity"} <= {m["section"] for m in doc["data"]["not_evaluated"]}
    assert doc["status"] == "partial" and doc["errors"] == [] and doc["exit_code"] == 0
