"""End to end over real HTTP: a fleet with failures, audited in one run, each tenant equal to its single audit."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from .conftest import envelope, invoke

pytestmark = pytest.mark.slow
COMPARED = ("score", "light", "people", "ready", "not_ready", "not_evaluable", "seats_to_buy")


@pytest.fixture(scope="module")
def audited(fleet_server, tmp_path_factory):  # noqa: ANN001, ANN201
    """One fleet audit of 11 profiles (9 simulated clients, a rejected token, an unreachable host)."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("fleet")
    mp.setenv("READINESS_HOME", str(tmp / "home"))
    mp.delenv("READINESS_ACCESS_TOKEN", raising=False)
    mp.setenv("READINESS_PROGRESS", "always")  # per-tenant progress, as on a terminal (issue 12: else only failures)
    fleet_server.onboard(tmp, mp)
    out = tmp / "out"
    result = invoke("fleet", "audit", "--out-dir", str(out), "--concurrency", "6", "--max-wait", "2", "-o", "json")
    yield fleet_server, tmp, out, result
    mp.undo()


def test_one_failing_tenant_never_stops_the_others(audited) -> None:  # noqa: ANN001
    fleet, _tmp, _out, result = audited
    assert result.exit_code == 7, result.stderr  # FLEET_INCOMPLETE
    doc = envelope(result)
    assert doc["command"] == "fleet audit" and doc["exit_code"] == 7 and doc["status"] == "partial"
    by = {t["name"]: t for t in doc["data"]["tenants"]}
    assert len(by) == 11
    failed = {n for n, t in by.items() if t["status"] == "failed"}
    assert failed == {"rejected-token", "unreachable", "praxis-fischer", "hotel-becker"}
    # a 401 ends that tenant's collection (TokenRejected) with how to sign in again for that profile
    assert by["rejected-token"]["error"].startswith("Graph refused the token (")
    assert "READINESS_ACCESS_TOKEN_REJECTED_TOKEN" in by["rejected-token"]["error"]
    assert "admin consent" in by["praxis-fischer"]["error"]  # 403 everywhere
    assert "429" in by["hotel-becker"]["error"] and "--max-wait" in by["hotel-becker"]["error"]
    assert "127.0.0.1" in by["unreachable"]["error"] or "reach" in by["unreachable"]["error"].lower()
    for name in set(by) - failed:
        t = by[name]
        assert t["status"] in ("success", "partial") and t["error"] is None
        assert t["tenant_id"] == fleet.sim[name].tenant_id
        assert t["people"] > 0 and t["ready"] + t["not_ready"] + t["not_evaluable"] == t["people"]
        assert t["new_failing"] is None and t["fixed"] is None  # first audit: nothing to compare with
    # progress per tenant on stderr: started, done or failed with the reason
    for name in by:
        assert f"{name}: started" in result.stderr
    assert "praxis-fischer: failed:" in result.stderr and "mueller-soehne: done:" in result.stderr


def test_a_failed_tenant_is_said_in_the_summary_language(audited, tmp_path: Path) -> None:  # noqa: ANN001
    """Each failure keeps its English text and its catalogue keys: `fleet report --lang de` says it in German,
    the token's and the consent's advice included (an entry from an older version says its English text)."""
    _fleet, _tmp, out, _result = audited
    de = invoke("fleet", "report", str(out), "--lang", "de", "-o", "json")
    by = {t["name"]: t for t in envelope(de)["data"]["tenants"]}
    assert "Wartegrenze von 2 s" in by["hotel-becker"]["error"] and "--max-wait" in by["hotel-becker"]["error"]
    assert "Administratorzustimmung fehlt" in by["praxis-fischer"]["error"]
    assert "`readiness tenant test praxis-fischer`" in by["praxis-fischer"]["error"]  # its name, not NAME (attack17 #3)
    assert "throttling" not in by["hotel-becker"]["error"] and "consent" not in by["praxis-fischer"]["error"]
    assert "READINESS_ACCESS_TOKEN_REJECTED_TOKEN" in by["rejected-token"]["error"]
    assert not by["rejected-token"]["error"].startswith("Graph refused the token")
    stored = json.loads(next((out / "hotel-becker").glob("entry-*.json")).read_text("utf-8"))
    assert stored["error"].startswith("Graph kept throttling this tenant (429) past the wait cap of 2 s")
    assert stored["error_data"]["key"] == "fleet.throttled"
    # an entry written before the keys, or with keys this version does not know: its English text
    older = tmp_path / "older" / "hotel-becker"
    older.mkdir(parents=True)
    for data in (None, {"key": "fleet.no_such_error", "fix_key": "x", "params": {}},
                 {"key": "fleet.throttled", "fix_key": "fleet.throttled", "params": {}}):  # a placeholder unfilled
        (older / next((out / "hotel-becker").glob("entry-*.json")).name).write_text(
            json.dumps(dict(stored, error_data=data)), "utf-8")
        old = {t["name"]: t for t in envelope(invoke("fleet", "report", str(tmp_path / "older"), "--lang", "de",
                                                     "-o", "json"))["data"]["tenants"]}
        assert old["hotel-becker"]["error"] == stored["error"], data


def test_each_tenant_equals_its_single_tenant_audit(audited, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    _fleet, tmp, _out, result = audited
    monkeypatch.setenv("READINESS_HOME", str(tmp / "home"))  # the profiles the fleet audit used
    tenants = [t for t in envelope(result)["data"]["tenants"] if t["status"] != "failed"]
    assert len(tenants) == 7
    for t in tenants:
        single = invoke("audit", "--tenant", t["name"], "-o", "json")
        data = envelope(single)["data"]
        expect = dict(data["summary"], score=data["score"]["overall"], light=data["score"]["light"])
        assert {k: t[k] for k in COMPARED} == {k: expect[k] for k in COMPARED}, t["name"]
        assert data["tenant"]["id"] == t["tenant_id"]
        assert t["status"] == envelope(single)["status"], t["name"]  # partial only where `audit` says partial


def test_each_tenant_keeps_snapshot_audit_and_report_privately(audited) -> None:  # noqa: ANN001
    _fleet, _tmp, out, result = audited
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for t in envelope(result)["data"]["tenants"]:
        folder = out / t["name"]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = sorted(p.name for p in folder.iterdir())
        assert any(f.startswith("entry-") for f in files)
        if t["status"] != "failed":
            assert any(f.startswith("snapshot-") and f.endswith(".json.gz") for f in files)
            audit = next(folder.glob("audit-*.json"))
            assert json.loads(audit.read_text("utf-8"))["data"]["summary"]["people"] == t["people"]
            assert "report.html" in files
        for p in folder.iterdir():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_fleet_report_has_counts_only_and_links_each_report(audited, tmp_path: Path) -> None:  # noqa: ANN001
    fleet, _tmp, out, _result = audited
    html_path = tmp_path / "fleet.html"
    r = invoke("fleet", "report", str(out), "-o", "html", "--out", str(html_path), "--lang", "de")
    assert r.exit_code == 0, r.stderr
    html = html_path.read_text("utf-8")
    assert "von zu Hause" in html and "<script" not in html
    for m in fleet.sim.members.values():
        for u in m.sim.tenant.users:  # no person's name anywhere in the cross-tenant summary
            assert u["displayName"] not in html and u["userPrincipalName"] not in html
    import re

    hrefs = re.findall(r'href="([^"]+)"', html)
    assert len(hrefs) == 7  # every audited tenant's own report, none for the failed ones
    assert all((html_path.parent / h).resolve().is_file() for h in hrefs)
    rows = [line for line in html.splitlines() if 'class="tenant status-' in line]
    assert len(rows) == 11 and "status-failed" in rows[0]  # riskiest first: failed tenants lead
    csv_text = invoke("fleet", "report", str(out), "-o", "csv", "--csv-headers", "ids").stdout  # for scripts
    assert csv_text.splitlines()[0].startswith("name,tenant_name,tenant_id,status,score")
    assert len(csv_text.splitlines()) == 12
