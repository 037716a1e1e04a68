"""Reports: golden files per format and language, privacy, hostile names, a real browser."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness import clock
from readiness.cli import cli
import readiness
from readiness.simulator import generate_tenant

GOLDEN = Path(__file__).parent / "golden"


def prepare(snapshot, **privacy):  # the public API: a finished Audit ...
    return readiness.evaluate(snapshot, **privacy)


def render(audit, fmt: str, lang: str, people: bool = False) -> str:  # ... rendered in a format and language
    return readiness.render(audit, fmt, lang, people=people)
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module", autouse=True)
def _golden_day():
    """The golden files hold data as of 2026-11-20: generate and collect on that day, whatever today is."""
    with clock.frozen("2026-11-20T09:30:00Z"):
        yield


def demo_snapshot(tenant=None):
    tenant = tenant or generate_tenant("unprepared-sme", seed=7)
    with readiness.serve_simulator(tenant=tenant) as sim:  # over HTTP, through the public API
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    snap.collected_at = "2026-11-20T09:30:00Z"
    snap.endpoint = "http://127.0.0.1:9/v1.0"  # the port is free-chosen; golden files name a fixed one
    snap.requests = {}
    return snap


@pytest.fixture(scope="module")
def snapshot():
    return demo_snapshot()


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "json"])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_golden(snapshot, fmt: str, lang: str) -> None:
    out = render(prepare(snapshot), fmt, lang)
    path = GOLDEN / f"demo-{lang}.{fmt}"
    if UPDATE or not path.exists():
        path.write_bytes(out.encode("utf-8"))
    assert out == path.read_bytes().decode("utf-8"), f"golden {path.name} differs; review and rerun with UPDATE_GOLDEN=1"


def test_first_page_counts_match_the_audit(snapshot) -> None:
    html = render(prepare(snapshot), "html", "en")
    data = json.loads(render(prepare(snapshot), "json", "en"))["data"]["summary"]
    assert f"{data['ready']} of {data['people']} people can work from home tomorrow" in html
    de = render(prepare(snapshot), "html", "de")
    assert f"{data['ready']} von {data['people']} Personen können morgen von zu Hause arbeiten" in de
    for word in ("Lizenzen", "Gastzugriff", "Geräteabdeckung", "mehrstufige Authentifizierung (MFA)", "20.11.2026"):
        assert word in de


def _names(tenant) -> set[str]:
    out = set()
    for u in tenant.users:
        out |= {u["displayName"], u["userPrincipalName"], u["mail"] or "", u["userPrincipalName"].split("@")[0]}
    for d in tenant.devices + tenant.managed_devices:
        out.add(d.get("displayName") or d.get("deviceName") or "")
    return {n for n in out if len(n) > 3}


def test_pseudonymized_report_contains_no_real_name_anywhere(snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    names = _names(tenant)
    inp = prepare(snapshot, pseudonymize=True)
    for fmt in ("html", "md", "csv", "json", "table"):
        for lang in ("en", "de"):
            out = render(inp, fmt, lang, people=(fmt == "csv"))
            leaked = [n for n in names if n in out or n.lower() in out.lower()]
            assert leaked == [], (fmt, lang, leaked[:5])
    rows = list(csv.DictReader(io.StringIO(readiness.render(inp, "csv", "en", people=True, csv_headers="ids"))))
    assert rows and all(r["displayName"].startswith("Person-") for r in rows)
    # stable: the same key gives the same pseudonyms
    again = list(csv.DictReader(io.StringIO(readiness.render(prepare(snapshot, pseudonymize=True), "csv", "en", people=True,
                                                             csv_headers="ids"))))
    assert [r["displayName"] for r in rows] == [r["displayName"] for r in again]


def test_aggregate_only_has_no_per_person_rows(snapshot) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    names = _names(tenant)
    inp = prepare(snapshot, aggregate_only=True)
    data = json.loads(render(inp, "json", "en"))["data"]
    assert data["people"] == [] and data["departments"] and data["summary"]["people"] > 0
    for fmt in ("html", "md", "json", "table"):
        out = render(inp, fmt, "en")
        assert [n for n in names if n in out] == [], fmt
    assert readiness.render(inp, "csv", "en", people=True, csv_headers="ids").startswith("department,people,ready")
    assert render(inp, "csv", "de", people=True).startswith("\ufeffAbteilung;Personen;Bereit")


def hostile_tenant():
    t = generate_tenant("unprepared-sme", seed=7)
    payloads = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>', '=HYPERLINK("http://e.example")',
                '[click](javascript:alert(1)) **bold** | pipe', "@SUM(1+1)", "\u202eevil"]
    members = [u for u in t.users if u["userType"] == "Member" and u["accountEnabled"]]
    for u, p in zip(members, payloads):
        u["displayName"] = p
        u["department"] = p
        u["assignedLicenses"] = []  # make them show up as not ready
        u["licenseAssignmentStates"] = []
    t.display_name = '<script>alert("tenant")</script> & Co'
    for g in t.groups:
        g["displayName"] = '<b onmouseover=alert(1)>team</b>'
    t.recount_consumed()
    return t, payloads


def test_hostile_names_stay_inert_in_every_format() -> None:
    tenant, payloads = hostile_tenant()
    inp = prepare(demo_snapshot(tenant))
    html = render(inp, "html", "en")
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b onmouseover" not in html.lower()
    assert "&lt;script&gt;" in html
    md = render(inp, "md", "en")
    # backslash escapes (CommonMark), no entities: no unescaped raw HTML or link syntax survives
    assert not re.search(r"(?<!\\)<script", md) and not re.search(r"(?<!\\)\]\(javascript", md) and "&lt;" not in md
    assert "\u202e" not in md and "\u202e" not in render(inp, "table", "en")
    people = render(inp, "csv", "en", people=True)
    for row in csv.DictReader(io.StringIO(people)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    doc = json.loads(render(inp, "json", "en"))  # JSON stays data: valid, strings intact
    assert any(p == r["displayName"] for r in doc["data"]["people"] for p in payloads)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None, reason="no Chromium installed (apt-get install chromium); .ci/run installs it")
def test_html_renders_in_a_real_browser_and_prints_to_pdf(tmp_path: Path) -> None:
    tenant, _ = hostile_tenant()
    page = tmp_path / "report.html"
    page.write_text(render(prepare(demo_snapshot(tenant)), "html", "de"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([_chromium(), *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert 'id="people-ready"' in dom.stdout and "können morgen von zu Hause arbeiten" in dom.stdout
    console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l or "Refused to" in l]
    assert console == []
    pdf = tmp_path / "report.pdf"
    subprocess.run([_chromium(), *flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_report_command_and_previous_snapshot(tmp_path: Path, snapshot) -> None:
    before = tmp_path / "before.json.gz"
    snapshot.save(before)
    tenant = generate_tenant("unprepared-sme", seed=7)
    for u in tenant.users:
        tenant.auth_methods[u["id"]] = ["password", "microsoftAuthenticatorPush"]
    after_snap = demo_snapshot(tenant)
    after_snap.collected_at = "2026-11-27T09:30:00Z"
    after = tmp_path / "after.json.gz"
    after_snap.save(after)
    out = tmp_path / "trend.html"
    r = CliRunner().invoke(cli, ["report", str(after), "--previous", str(before), "--out", str(out), "--lang", "de"])
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert "Seit der letzten Prüfung" in html and "Neu bereit" in html
    doc = json.loads(CliRunner().invoke(cli, ["report", str(after), "--previous", str(before), "-o", "json"]).stdout)
    trend = doc["data"]["trend"]
    assert trend["ready"]["now"] > trend["ready"]["before"] and trend["newly_ready"]
    assert any(c["id"] == "identity.mfa_registration" for c in trend["better"])
    bad = CliRunner().invoke(cli, ["report", str(after), "--out", str(tmp_path / "x.docx")])
    assert bad.exit_code == 2 and "extension" in bad.output
