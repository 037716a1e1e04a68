"""The measures register carried across three audits of a tenant that changes in between (over real HTTP)."""
from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness import clock
from readiness.cli import cli
from readiness.simulator import generate_tenant
from readiness.simulator.generate import MFA_METHODS

from .conftest import collect_over_http


def _register_mfa_for_everyone(tenant) -> None:  # noqa: ANN001
    for u in tenant.users:
        if u["userType"] == "Member":
            tenant.auth_methods[u["id"]] = ["password", MFA_METHODS[0]]


def test_register_carried_across_three_audits(tmp_path: Path) -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)
    with clock.frozen("2026-11-20T09:00:00Z"):
        first = readiness.evaluate(collect_over_http(tenant))
        assert first.check("identity.mfa_registration").status.value == "fail"
        register = readiness.measures_load("kunde-a")
        mfa = readiness.measures_add(register, "Everyone registers MFA", check="identity.mfa_registration",
                                     owner="IT: Frau Weber", due="2026-11-25")
        links = readiness.measures_add(register, "No anyone links", check="sharing.anyone_links", owner="IT", due="2026-11-22")
        drill = readiness.measures_add(register, "Drill the announcement twice a year", lesson="run 20261120-a",
                                       owner="GF", due="2027-06-30", metric="confirmed by", target="90% in one day")
        register.save()
        assert stat.S_IMODE(register.path.stat().st_mode) == 0o600
        tracked = readiness.track_measures(first, "kunde-a")
        assert tracked is not None and tracked.done_since_last == [] and tracked.overdue == []
        assert first.summary["measures"]["open"] == 3

    _register_mfa_for_everyone(tenant)  # the measure is carried out between the audits
    with clock.frozen("2026-11-24T09:00:00Z"):  # after the anyone-links due date, before the MFA one
        second = readiness.evaluate(collect_over_http(tenant))
        tracked = readiness.track_measures(second, "kunde-a")
        assert [m.id for m in tracked.done_since_last] == [mfa.id]
        assert [m.id for m in tracked.overdue] == [links.id]
        html = readiness.render(second, format="html", lang="de")
        assert "Überfällige Maßnahmen" in html and "Seit dem letzten Audit erledigte Maßnahmen" in html
        first_page = html[html.index('id="measures"'):html.index("</div>", html.index('id="measures"'))]
        assert "Everyone registers MFA" in first_page and "No anyone links" in first_page

    with clock.frozen("2026-12-01T09:00:00Z"):
        third = readiness.evaluate(collect_over_http(tenant))
        tracked = readiness.track_measures(third, "kunde-a")
        assert tracked.done_since_last == [] and [m.id for m in tracked.overdue] == [links.id]
    saved = json.loads(register.path.read_text("utf-8"))
    assert saved["schema_version"] == 1 and [m["id"] for m in saved["measures"]] == [mfa.id, links.id, drill.id]
    status = {m["id"]: (m["status"], m["done_on"], m["overdue"]) for m in saved["measures"]}
    assert status == {mfa.id: ("done", "2026-11-24", False), links.id: ("open", "", True), drill.id: ("open", "", False)}
    # stable on disk: saving again without a change gives the same bytes (a clean diff in Git)
    before = register.path.read_bytes()
    readiness.measures_load("kunde-a").save()
    assert register.path.read_bytes() == before


def test_a_done_measure_is_reopened_when_its_check_fails_again(demo_snapshot) -> None:
    audit = readiness.evaluate(demo_snapshot)
    register = readiness.measures_load("kunde-b")
    m = readiness.measures_add(register, "Anyone links off", check="sharing.anyone_links")
    readiness.measures_set(register, m.id, status="done")
    tracked = readiness.measures_track(register, audit)
    assert tracked.reopened == [m] and m.status == "open" and m.last_result == "fail"


def test_no_register_no_change(demo_snapshot) -> None:
    audit = readiness.evaluate(demo_snapshot)
    assert readiness.track_measures(audit, "nobody") is None and "measures" not in audit.summary
    assert 'id="measures"' not in readiness.render(audit, format="html")


def test_cli_add_set_list_export_update(demo_snapshot, tmp_path: Path) -> None:
    runner = CliRunner()
    reg = tmp_path / "git" / "kunde-a.measures.json"
    base = ["measures", "--tenant", "kunde-a", "--file", str(reg)]
    res = runner.invoke(cli, [*base, "add", "--check", "sharing.anyone_links", "--owner", "=HYPERLINK(\"x\")", "--due", "2026-01-05"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, [*base, "add", "--lesson", "Announcement went out late", "--title", "Announce by 8:00",
                              "--owner", "GF", "--due", "2099-01-01"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(cli, [*base, "set", "M-002", "--status", "in_progress"]).exit_code == 0
    listed = runner.invoke(cli, [*base, "list"])
    assert "M-001" in listed.output and "in progress" in listed.output  # the status in words
    exported = runner.invoke(cli, [*base, "export", "-o", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["id"] for r in rows] == ["M-001", "M-002"]
    assert rows[0]["owner"].startswith("'=")  # no formula reaches a spreadsheet
    assert rows[0]["title"] == readiness.get_check("sharing.anyone_links").title["en"]
    snap = tmp_path / "s.json"
    demo_snapshot.save(snap)
    with clock.frozen("2026-06-01"):
        res = runner.invoke(cli, [*base, "update", str(snap)])
    assert res.exit_code == 0 and "1 overdue" in res.output, res.output
    bad = runner.invoke(cli, [*base, "add", "--check", "no.such.check"])
    assert bad.exit_code == 2 and bad.output.startswith("Error: There is no check") and "Traceback" not in bad.output
    bad = runner.invoke(cli, [*base, "set", "M-009", "--owner", "x"])
    assert bad.exit_code == 2 and "There is no measure M-009" in bad.output


@pytest.mark.parametrize("due", ["tomorrow", "2026-13-01"])
def test_due_dates_must_be_dates(due: str) -> None:
    register = readiness.measures_load("kunde-c")
    with pytest.raises(readiness.UsageError, match="not a date"):
        readiness.measures_add(register, "x", lesson="y", due=due)


def test_readiness_audit_of_a_profile_updates_its_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.config.profiles import ProfileStore, TenantProfile

    tenant = generate_tenant("unprepared-sme", seed=7)
    with readiness.serve_simulator(tenant=tenant) as sim:
        ProfileStore().add(TenantProfile(name="kunde-a", tenant="kunde-a.example", auth="token", graph_url=sim.graph_url))
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.token)
        register = readiness.measures_load("kunde-a")
        m = readiness.measures_add(register, "Everyone registers MFA", check="identity.mfa_registration", due="2000-01-01")
        register.save()
        runner = CliRunner()
        first = runner.invoke(cli, ["audit", "--tenant", "kunde-a", "--report", str(tmp_path / "r1.html"), "-o", "json"])
        assert first.exit_code == 0, first.output
        assert "1 overdue" in first.output and "Measures overdue" in (tmp_path / "r1.html").read_text("utf-8")
        _register_mfa_for_everyone(tenant)
        second = runner.invoke(cli, ["audit", "--tenant", "kunde-a", "--report", str(tmp_path / "r2.html"), "--lang", "de"])
        assert second.exit_code == 0, second.output
    html = (tmp_path / "r2.html").read_text("utf-8")
    done = html[html.index("Seit dem letzten Audit erledigte Maßnahmen"):]
    assert "Everyone registers MFA" in done[:done.index("</ul>")]
    assert readiness.measures_load("kunde-a").get(m.id).status == "done"


@pytest.mark.parametrize("doc, says", [
    ('{"schema_version": "1"}', "is not a measures register this readiness can read"),
    ('{"schema_version": true}', "is not a measures register this readiness can read"),
    ("[1]", "is not a measures register this readiness can read"),
    ('{"schema_version": 1, "measures": {"a": 1}}', "'measures' must be a list"),
    ('{"schema_version": 1, "measures": [1]}', "Measure 1 in"),
    ('{"schema_version": 1, "measures": [{"id": 5, "title": "x", "source": "check:a"}]}', "has no 'id' text"),
    ('{"schema_version": 1, "measures": [{"id": "M-001", "title": "x", "source": "lesson:a", "due": "soon"}]}',
     "'due' that is not a date"),
    ('{"schema_version": 1, "measures": [{"id": "M-001", "title": "x", "source": "lesson:a", "status": "ok"}]}',
     "has the status 'ok'"),
    ('{"schema_version": 1, "measures": [{"id": "M-001", "title": "x", "source": "lesson:a", "priority": "1"}]}',
     "'priority' that is not a number"),
    ("[" * 100_000, "cannot be read (RecursionError)"),
])
def test_a_corrupt_register_is_one_clear_error(doc: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    path.write_text(doc)
    result = CliRunner().invoke(cli, ["measures", "list", "--file", str(path)])
    assert result.exit_code not in (0, 70) and result.output.startswith("Error: ") and says in result.output, result.output
    assert "Traceback" not in result.output


def test_a_register_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = CliRunner().invoke(cli, ["measures", "list", "--file", str(path)])
        assert result.exit_code != 0 and "is not a regular file" in result.output, result.output


def test_a_hostile_register_stays_inert_in_the_terminal_and_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    path.write_text(json.dumps({"schema_version": 1, "tenant": "x", "measures": [
        {"id": "M-001", "title": "=HYPERLINK(\"http://e\")\x1b[31m\u009b\u202e", "source": "lesson:\x1b]0;pwn\x07",
         "owner": "  =cmd|x", "due": "2020-01-01", "status": "open", "overdue": False}]}))
    listed = CliRunner().invoke(cli, ["measures", "list", "--file", str(path)])
    assert listed.exit_code == 0
    assert not any(c in listed.output for c in "\x1b\x07\u009b\u202e") and "(overdue)" in listed.output  # overdue as of today
    exported = CliRunner().invoke(cli, ["measures", "export", "--file", str(path), "-o", "csv"])
    row = next(r for r in csv.DictReader(io.StringIO(exported.output)) if r["id"] == "M-001")
    assert row["title"].startswith("'=") and not row["owner"].lstrip().startswith("=")


def test_the_register_is_listed_in_the_terminal_s_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """lang17 M1: headers, status words, "(overdue)", the due date and the empty register were English in German."""
    path = tmp_path / "register.json"
    path.write_text(json.dumps({"schema_version": 1, "tenant": "kunde-a", "measures": [
        {"id": "M-001", "title": "Laptops kaufen", "source": "lesson:Laptops fehlen", "owner": "IT",
         "due": "2020-11-20", "status": "open"}]}))
    monkeypatch.setenv("READINESS_LANG", "de")
    listed = CliRunner().invoke(cli, ["measures", "list", "--file", str(path)])
    assert listed.exit_code == 0, listed.output
    assert "offen (überfällig)" in listed.output and "20.11.2020" in listed.output and "verantwortlich" in listed.output
    assert "open" not in listed.output and "owner" not in listed.output
    path.write_text(json.dumps({"schema_version": 1, "tenant": "kunde-a", "measures": []}))
    empty = CliRunner().invoke(cli, ["measures", "list", "--file", str(path)])
    assert empty.output.startswith("Noch keine Maßnahmen für kunde-a"), empty.output
    monkeypatch.setenv("READINESS_LANG", "en")
    assert CliRunner().invoke(cli, ["measures", "list", "--file", str(path)]).output.startswith("No measures for kunde-a yet")
