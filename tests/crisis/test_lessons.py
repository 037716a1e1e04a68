"""A lessons-learned report from a real run that crashed (SIGKILL), failed a step for a missing permission and
was resumed twice: facts, blameless timeline, communication, measures, versioned; no person named."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


def _journal_lines(home: Path) -> int:
    runs = home / "data" / "runs"
    return sum(len(j.read_text().splitlines()) for j in runs.glob("*/journal.jsonl")) if runs.exists() else 0


@pytest.mark.slow
def test_lessons_from_a_run_with_a_crash_a_failure_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                _isolated_home: Path) -> None:
    t = generate_tenant("unprepared-sme", seed=7)
    sim = Simulator(t, Faults(latency=0.02))
    with SimulatorServer(sim) as server:
        conn = readiness.connect(graph_url=server.base_url, token=sim.issue_token())
        before = readiness.collect(conn)
        lead = next(p for p in readiness.evaluate(before).people if p["department"] == "IT")
        params = ["-p", "usage_location=DE", "-p", f"team_owners={lead['userPrincipalName']}", "-p", f"sender={lead['userPrincipalName']}"]
        no_mail = sim.issue_token([r for r in __import__("readiness.simulator.tokens", fromlist=["ALL_ROLES"]).ALL_ROLES
                                   if r != "Mail.Send"])
        env = {**os.environ, "READINESS_HOME": str(_isolated_home), "READINESS_ACCESS_TOKEN": no_mail}
        proc = subprocess.Popen([sys.executable, "-m", "readiness", "playbook", "apply", "emergency-home-office", *params, "--yes",
                                 "--graph-url", server.base_url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None and _journal_lines(_isolated_home) < 12:
            time.sleep(0.005)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert killed, "the run finished before the kill point"
        run_id = readiness.runs()[-1].run_id
        runner = CliRunner()
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", no_mail)  # resumed, still without Mail.Send: the announcement fails
        r = runner.invoke(cli, ["playbook", "resume", run_id, "--graph-url", server.base_url, "--yes"])
        assert r.exit_code != 0 and "Mail.Send" in r.output
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())  # the admin grants it; resumed again
        r = runner.invoke(cli, ["playbook", "resume", run_id, "--graph-url", server.base_url, "--yes"])
        assert r.exit_code == 0, r.output
        after = readiness.collect(conn)

    doc = readiness.lessons(run_id, before=before, after=after)
    assert [s.get("crashed", False) for s in doc["sessions"]] == [True, False, False]
    assert doc["resumes"] == 2 and doc["crashes"] == 1
    plan_changes = readiness.runs()[-1].total
    assert doc["facts"] == {"changed": plan_changes, "failed": 0, "recovered": 1, "undone": [], "total": plan_changes}
    announce = next(s for s in doc["steps"] if s["step"] == "announce")
    assert announce["recovered"] == 1 and "Mail.Send" in announce["errors"][0][0]
    assert doc["communication"] == [dict(doc["communication"][0], sent=True, recipients=len(t.sent_mail[0]["bcc"])
                                         if "bcc" in t.sent_mail[0] else doc["communication"][0]["recipients"])]
    assert doc["communication"][0]["recipients"] > 0 and len(t.sent_mail) == 1
    assert doc["readiness"]["ready_after"] > doc["readiness"]["ready_before"]
    keys = [m["key"] for m in doc["measures"]]
    assert keys[0] == "permission" and "resume" in keys and "check" in keys
    assert [m["priority"] for m in doc["measures"]] == sorted(m["priority"] for m in doc["measures"])
    journal = (_isolated_home / "data" / "runs" / run_id / "journal.jsonl").read_text("utf-8")
    assert doc["version"]["tool"] == readiness.__version__ and len(doc["version"]["journal_sha256"]) == 64
    assert journal  # the hash is over the entries as the public timeline gives them
    people = [u["userPrincipalName"] for u in t.users] + [u["displayName"] for u in t.users]
    guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
    for lang in ("de", "en"):
        for fmt in ("md", "html"):
            text = readiness.render_lessons(doc, fmt, lang)
            assert not [p for p in people if p in text], "blameless: no person is named"
            assert not guid.search(text.replace(run_id, "")), "no object ids"
    de = readiness.render_lessons(doc, "md", "de")
    assert "Zusammenfassung für die Geschäftsführung" in de and "Administrator bei der Fortsetzung" in de
    assert "unterbrochen" in de and "Gesendete Elemente" in de
    # steps by their titles from the catalogue, in the report's language, with the step id for reference
    assert doc["step_titles"]["announce"] == {"key": "steps.shipped.announce", "params": {}}
    assert "Allen sagen, wie sie im Homeoffice anfangen (announce)" in de and "Tell everyone" not in de
    en = readiness.render_lessons(doc, "html", "en")
    assert "Tell everyone how to start working from home (announce)" in en
    private = readiness.lessons(run_id, pseudonymize=True)
    assert private["tenant"] == "" and server.base_url not in readiness.render_lessons(private, "html", "en")
    # the measures go into the register
    res = CliRunner().invoke(cli, ["playbook", "lessons", run_id, "--lang", "de", "--add-measures", "kunde-a", "-o", "html",
                                   "--out", str(tmp_path / "lessons.html")])
    assert res.exit_code == 0, res.output
    register = json.loads((_isolated_home / "data" / "measures" / "kunde-a.json").read_text("utf-8"))
    assert [m["source"] for m in register["measures"]][0] == f"lesson:run {run_id}"
    assert (tmp_path / "lessons.html").read_text("utf-8").startswith("<!DOCTYPE html>")
