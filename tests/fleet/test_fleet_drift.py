"""Drift and history: a direct change to one simulated tenant shows exactly the checks it fixed."""
from __future__ import annotations

from pathlib import Path

import pytest

from readiness.simulator.fleet import generate_fleet
from readiness.simulator.server import SimulatorServer

from .conftest import Fleet, envelope, invoke

pytestmark = pytest.mark.slow


def _statuses(name: str) -> dict[str, str]:
    data = envelope(invoke("audit", "--tenant", name, "-o", "json"))["data"]
    return {c["id"]: c["status"] for c in data["checks"]}


def test_drift_shows_exactly_what_a_change_fixed_and_fail_on_new_alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = generate_fleet(5, max_size=40)  # baeckerei, mueller-soehne, kanzlei-weber, praxis (no consent), autohaus
    with SimulatorServer(sim) as srv:
        Fleet(sim, srv).onboard(tmp_path, monkeypatch, broken=False)
        healthy = "baeckerei-schmidt,mueller-soehne,kanzlei-weber,autohaus-wagner"
        out = tmp_path / "out"
        first = invoke("fleet", "audit", "--tenants", healthy, "--out-dir", str(out), "--fail-on-new", "high", "-o", "json")
        assert first.exit_code == 0, first.stderr  # nothing to compare with: nothing is new
        before = _statuses("mueller-soehne")
        # the change a sharing playbook makes: anonymous 'Anyone' links off in one SME tenant ...
        with sim["mueller-soehne"].sim.tenant.lock:
            sim["mueller-soehne"].sim.tenant.sharepoint_settings["sharingCapability"] = "externalUserSharingOnly"
        after = _statuses("mueller-soehne")
        # ... and in another tenant the opposite, a regression (anonymous links allowed: high severity)
        with sim["autohaus-wagner"].sim.tenant.lock:
            sim["autohaus-wagner"].sim.tenant.sharepoint_settings["sharingCapability"] = "externalUserAndGuestSharing"
        out2 = tmp_path / "out2"  # another folder: the previous audit is found in the data folder's history
        second = invoke("fleet", "audit", "--tenants", healthy, "--out-dir", str(out2), "--fail-on-new", "high", "-o", "json")
    assert second.exit_code == 3, second.stderr  # FINDINGS: something high is new since the last audit
    assert "autohaus-wagner: new since the last audit at high or worse: sharing.anyone_links" in second.stderr
    by = {t["name"]: t for t in envelope(second)["data"]["tenants"]}
    expect_fixed = sorted(c for c, s in after.items() if s == "pass" and before.get(c) in ("fail", "warn"))
    assert "sharing.anyone_links" in expect_fixed
    assert by["mueller-soehne"]["fixed"] == expect_fixed and by["mueller-soehne"]["new_failing"] == []
    assert by["autohaus-wagner"]["new_failing"] == ["sharing.anyone_links"] and by["autohaus-wagner"]["fixed"] == []
    for name in ("baeckerei-schmidt", "kanzlei-weber"):
        assert by[name]["fixed"] == [] and by[name]["new_failing"] == [] and by[name]["regressed"] == []
        assert by[name]["newly_ready"] == 0 and by[name]["newly_not_ready"] == 0

    # the summary shows the same drift, recorded (auto) or against the older folder
    for previous in ("auto", str(out)):
        rows = {t["name"]: t for t in envelope(invoke("fleet", "report", str(out2), "--previous", previous, "-o", "json"))["data"]["tenants"]}
        assert rows["mueller-soehne"]["fixed"] == expect_fixed
        assert rows["autohaus-wagner"]["new_failing"] == ["sharing.anyone_links"]
    rows = {t["name"]: t for t in envelope(invoke("fleet", "report", str(out2), "-o", "json"))["data"]["tenants"]}
    assert rows["mueller-soehne"]["fixed"] is None  # no --previous: no drift claimed

    # history: two audits per tenant, score and share ready over time
    hist = invoke("history", "--tenant", "mueller-soehne", "-o", "json")
    points = envelope(hist)["data"]["tenants"]["mueller-soehne"]
    assert len(points) == 2 and points[0]["audited_at"] <= points[1]["audited_at"]
    assert points[1]["share_ready"] == round(points[1]["ready"] / points[1]["people"], 3)
    table = invoke("history").stdout
    assert "autohaus-wagner" in table and "mueller-soehne" in table
    html = invoke("history", "-o", "html").stdout
    assert "<svg" in html and "<script" not in html
