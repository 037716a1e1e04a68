"""Date-proof: the same tenant data audited 1, 30 and 400 days later; the one clock drives data and audit.

The simulator's data is "today minus offsets" (readiness.clock); collected_at comes from the same clock;
Teams activity age counts from the usage report's reportRefreshDate, which lags the data by a couple of days
like Microsoft 365's reports (https://learn.microsoft.com/en-us/answers/a/10515837: refresh date 48 hours behind).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from readiness import clock
from readiness.audit.facts import facts
from readiness.collect.run import collect_snapshot
import readiness
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import inproc_client, using

OFFSETS = (0, 1, 30, 400)


def _day(iso: str | None) -> date | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).date() if iso else None


def oracle(t, on: date) -> dict:
    """Expected outcomes from the generated data alone (independent of readiness.checks)."""
    def older(iso: str | None, days: int) -> bool:
        d = _day(iso)
        return d is None or (on - d).days > days

    guests = [u for u in t.users if u["userType"] == "Guest"]
    members = {u["id"] for u in t.users if u["userType"] == "Member" and u["accountEnabled"]}
    refreshed = t.report_refresh_date
    return {
        "guests": len(guests),
        "stale_guests": sum(older(u["signInActivity"]["lastSignInDateTime"], 90) for u in guests),
        "devices": len(t.managed_devices),
        "stale_devices": sum(older(d["lastSyncDateTime"], 30) for d in t.managed_devices),
        "teams_active": sum(1 for uid, act in t.activity.items()
                            if uid in members and act.get("teams")
                            and (refreshed - date.fromisoformat(act["teams"])).days <= 30),
    }


def outcome(doc: dict) -> dict:
    checks = {c["id"]: c for c in doc["data"]["checks"]}
    guests = checks["sharing.stale_guests"]["findings"][0]["evidence"]
    devices = checks["devices.stale_sync"]["findings"][0]["evidence"]
    return {"guests": guests["guests"], "stale_guests": guests["stale"]["count"] if guests["stale"] else 0,
            "devices": devices["devices"], "stale_devices": devices["stale"],
            "teams_active": doc["data"]["summary"]["teams_active_30d"]}


@pytest.fixture(scope="module")
def made():
    """An enterprise tenant (Intune, P1 sign-in activity, visible usage names) generated today."""
    start = clock.now()
    with clock.frozen(start):
        tenant = generate_tenant("enterprise", seed=5, size=200)
    return start, tenant


def test_the_generated_data_is_as_of_today_and_the_report_lags(made) -> None:
    start, tenant = made
    assert tenant.created == start.date().isoformat()
    assert (start.date() - tenant.report_refresh_date).days == 2
    signins = [_day(u["signInActivity"]["lastSignInDateTime"]) for u in tenant.users]
    assert max(signins) <= start.date() and (start.date() - max(signins)).days < 30
    teams = [date.fromisoformat(a["teams"]) for a in tenant.activity.values() if a.get("teams")]
    assert teams and max(teams) <= tenant.report_refresh_date  # a report holds nothing after its refresh


def test_checks_audited_1_30_and_400_days_later(made) -> None:
    start, tenant = made
    seen = {}
    for days in OFFSETS:
        at = start + timedelta(days=days)
        with clock.frozen(at):
            snap = using(inproc_client(Simulator(tenant)), lambda c: collect_snapshot(c, label="later"))
        assert snap.collected_at == at.isoformat().replace("+00:00", "Z")
        assert facts(snap).today == at.date()
        seen[days] = outcome(json.loads(readiness.render(readiness.evaluate(snap), "json", "en")))
        assert seen[days] == oracle(tenant, at.date()), days
    # what must not change: one day later, stale guests; any day later, Teams activity (the report's own date)
    assert seen[1]["stale_guests"] == seen[0]["stale_guests"] < seen[0]["guests"]
    assert seen[0]["teams_active"] == seen[1]["teams_active"] == seen[30]["teams_active"] == seen[400]["teams_active"] > 0
    # what must change: a month later more devices are stale; 400 days later every guest and device is
    assert seen[30]["stale_devices"] > seen[0]["stale_devices"]
    assert seen[400]["stale_guests"] == seen[400]["guests"] > seen[30]["stale_guests"]
    assert seen[400]["stale_devices"] == seen[400]["devices"] > 0


@pytest.mark.slow
def test_readiness_now_sets_the_clock_of_a_real_cli_run(made) -> None:
    start, tenant = made
    later = start + timedelta(days=400)
    with SimulatorServer(Simulator(tenant)) as server:
        env = dict(os.environ, READINESS_ACCESS_TOKEN=server.sim.issue_token(),
                   READINESS_NOW=later.isoformat().replace("+00:00", "Z"))
        proc = subprocess.run([sys.executable, "-m", "readiness", "audit", "--graph-url", server.base_url, "-o", "json"],
                              env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["data"]["collected_at"] == env["READINESS_NOW"]
    assert outcome(doc) == oracle(tenant, later.date())


def test_a_bad_readiness_now_is_a_clear_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from readiness.cli import cli

    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    monkeypatch.setenv("READINESS_NOW", "next tuesday")
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        r = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url])
    assert r.exit_code == 2
    assert "Error: 'next tuesday' is not an ISO date or date-time" in r.output and "READINESS_NOW" in r.output


def test_frozen_clock_nests_and_env_is_read_when_not_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_NOW", "2031-02-03")
    assert clock.today() == date(2031, 2, 3)
    with clock.frozen("2040-01-01T00:00:00+02:00") as outer:
        assert clock.now() == outer and clock.now().tzinfo is not None and clock.today() == date(2039, 12, 31)
        with clock.frozen(date(2050, 6, 1)):
            assert clock.today() == date(2050, 6, 1)
        assert clock.now() == outer
    assert clock.today() == date(2031, 2, 3)
    monkeypatch.delenv("READINESS_NOW")
    assert abs((clock.now() - datetime.now(clock.now().tzinfo)).total_seconds()) < 5
