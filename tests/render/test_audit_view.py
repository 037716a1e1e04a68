"""Issue 9: one view of an Audit per language, built in one place (render/audit_view.py), laid out by all five
formats; issue 12: the trend (--previous) shown in every format, the table and the CSV included."""
from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import pytest

import readiness
from readiness import clock
from readiness.render import audit_view
from readiness.simulator.generate import generate_tenant

RENDER = Path(readiness.__file__).parent / "render"
RENDERERS = ("audit_text.py", "audit_md.py", "audit_csv.py", "audit_html.py", "audit_json.py")


def _snap(tenant, day: str):
    with clock.frozen(day), readiness.serve_simulator(tenant=tenant) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


@pytest.fixture(scope="module")
def audits():
    """The demo tenant, and a week later with everyone registered for MFA: an audit with a trend."""
    before = _snap(generate_tenant("unprepared-sme", seed=7), "2026-11-20T09:30:00Z")
    tenant = generate_tenant("unprepared-sme", seed=7)
    for u in tenant.users:
        tenant.auth_methods[u["id"]] = ["password", "microsoftAuthenticatorPush"]
    after = _snap(tenant, "2026-11-27T09:30:00Z")
    with clock.frozen("2026-11-27T09:30:00Z"):  # any date: the audits are made as of the day after's collection
        return readiness.evaluate(before), readiness.evaluate(after, previous=before)


def test_the_renderers_lay_out_the_view_and_never_walk_the_audit() -> None:
    for name in RENDERERS:
        tree = ast.parse((RENDER / name).read_text("utf-8"))
        parent = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 2}  # readiness.*
        assert not {m for m in parent if m.split(".")[0] in ("audit", "checks", "collect")}, (name, parent)
        own = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1}
        assert "audit_view" in own, name


def test_the_view_has_the_words_of_its_language_and_the_stable_codes(audits) -> None:
    _, audit = audits
    en, de = audit_view.build(audit, "en"), audit_view.build(audit, "de")
    assert [c.id for c in en.checks] == [c.id for c in de.checks] == [c.spec.id for c in audit.checks]
    assert [c.status for c in en.checks] == [c.status.value for c in audit.checks]
    failing = next(i for i, c in enumerate(de.checks) if c.status == "fail")
    assert de.checks[failing].status_word == de.L["status"]["fail"] != en.checks[failing].status_word
    assert de.checks[failing].severity_word == de.L["severity"][de.checks[failing].severity]
    assert en.people_line != de.people_line and str(audit.summary["ready"]) in en.people_line
    assert json.loads(readiness.render(audit, "json", "en"))["data"]["summary"] == en.data["summary"]
    assert json.loads(readiness.render(audit, "json", "de"))["data"]["checks"][0]["title"] == de.checks[0].title
    assert en.trend is not None and en.trend.rows[0].label == en.L["overall_score"]
    assert any(c.id == "identity.mfa_registration" for c in en.trend.better)


def test_the_trend_is_shown_in_every_format(audits) -> None:
    _, audit = audits
    better = next(c for c in audit.trend["better"] if c["id"] == "identity.mfa_registration")
    title_en, title_de = better["title"]["en"], better["title"]["de"]
    table = readiness.render(audit, "table", "en")
    assert "Since the previous audit" in table and "Improved: " + title_en in table
    assert "Newly ready" in table  # who became ready, by name (capped)
    assert audit.trend["newly_ready"][0]["displayName"] in table
    md = readiness.render(audit, "md", "de")
    assert "## Seit der letzten Prüfung" in md and title_de in md
    html = readiness.render(audit, "html", "de")
    assert 'id="trend"' in html and title_de in html
    doc = json.loads(readiness.render(audit, "json", "en"))
    assert doc["data"]["trend"]["better"][0]["title"] == audit.trend["better"][0]["title"]["en"]  # words, not Messages
    rows = list(csv.reader(io.StringIO(readiness.render(audit, "csv", "de").lstrip("\ufeff")), delimiter=";"))
    assert rows[0][-1] == "Status vorher"
    mfa = [r for r in rows[1:] if r[0] == "identity.mfa_registration"]
    assert mfa and all(r[-1] for r in mfa)  # the earlier status, in words
    ids = list(csv.reader(io.StringIO(readiness.render(audit, "csv", "en", csv_headers="ids"))))
    assert ids[0][-1] == "status_before" and {r[-1] for r in ids[1:] if r[0] == "identity.mfa_registration"} == {better["before"]}
    assert {r[-1] for r in ids[1:] if r[0] not in {c["id"] for c in audit.trend["better"] + audit.trend["worse"]}} == {""}


def test_without_a_previous_audit_no_format_shows_a_trend(audits) -> None:
    plain, _ = audits
    assert "Since the previous audit" not in readiness.render(plain, "table", "en")
    header = next(csv.reader(io.StringIO(readiness.render(plain, "csv", "en", csv_headers="ids"))))
    assert "status_before" not in header
    assert json.loads(readiness.render(plain, "json", "en"))["data"]["trend"] is None
