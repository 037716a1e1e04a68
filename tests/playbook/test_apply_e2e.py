"""Playbooks end to end over real HTTP: idempotence for every action type, verify, undo, faults, safety."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Faults, Simulator
from readiness.simulator.server import SimulatorServer
from tests.playbook.helpers import params, state, tenant, write_playbook


def invoke(server, monkeypatch, *args):
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
    return CliRunner().invoke(cli, [*args, "--graph-url", server.base_url])


def run_id_of(output: str) -> str:
    return next(w for line in output.splitlines() if line.startswith("Run ") for w in [line.split()[1].rstrip(":")])


@pytest.fixture
def setup(tmp_path: Path):
    t = tenant()
    return t, write_playbook(tmp_path)


def test_plan_apply_replan_is_empty_for_every_action_type(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    t, book = setup
    before = state(t)
    with SimulatorServer(Simulator(t)) as server:
        plan = invoke(server, monkeypatch, "playbook", "plan", str(book), *params(t), "-o", "json")
        assert plan.exit_code == 0, plan.output
        doc = json.loads(plan.stdout)["data"]
        planned = {s["action"]: len(s["changes"]) for s in doc["steps"]}
        assert all(planned[a] > 0 for a in planned), planned  # every action type has work to do
        applied = invoke(server, monkeypatch, "playbook", "apply", str(book), *params(t), "--yes")
        assert applied.exit_code == 0, applied.output
        run = run_id_of(applied.output)
        again = invoke(server, monkeypatch, "playbook", "plan", str(book), *params(t), "-o", "json", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        steps = json.loads(again.stdout)["data"]["steps"]
        assert [s["changes"] for s in steps] == [[]] * len(steps)
        assert all(s["noop_reason"] for s in steps)  # nothing to do always says why
        assert "earlier run" in next(s for s in steps if s["action"] == "send_announcement")["noop_reason"]
        verified = invoke(server, monkeypatch, "playbook", "verify", run)
        assert verified.exit_code == 0 and "Verified" in verified.output
        assert server.sim.conduct.violations == {"retry_after": [], "next_link": [], "missing_select": [], "token_leak": []}
        after = state(t)
        assert after != before and len(t.sent_mail) == 1
        assert ("readiness: require MFA for all users (report-only)", "enabledForReportingButNotEnforced") in after["ca"]
        # undo restores every reversible step; the mail is listed as irreversible
        undone = invoke(server, monkeypatch, "playbook", "undo", run, "--yes")
        assert undone.exit_code == 0, undone.output
        assert "irreversible, not undone" in undone.output
        restored = state(t)
        assert restored == before
        timeline = CliRunner().invoke(cli, ["playbook", "timeline", run])
        assert timeline.exit_code == 0 and " done " in timeline.output


@pytest.mark.slow
def test_faults_reach_the_same_final_state_without_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = write_playbook(tmp_path)
    clean = tenant()
    with SimulatorServer(Simulator(clean)) as server:
        assert invoke(server, monkeypatch, "playbook", "apply", str(book), *params(clean), "--yes").exit_code == 0
    noisy = tenant()
    sim = Simulator(noisy, Faults(rate_429=0.1, rate_503=0.05, rate_drop=0.05, retry_after=1, seed=21,
                                  first=("429", "503", "drop")))
    with SimulatorServer(sim) as server:
        result = invoke(server, monkeypatch, "playbook", "apply", str(book), *params(noisy), "--yes")
        for _ in range(3):  # a step may stop on an answer it cannot judge; resume finishes it
            if result.exit_code == 0:
                break
            assert result.exit_code == 5, result.output
            result = invoke(server, monkeypatch, "playbook", "resume", run_id_of(result.output), "--yes")
        assert result.exit_code == 0, result.output
        assert sim.conduct.retry_after_violations == []
        assert {s for _, _, _, s in sim.conduct.requests} >= {0, 429, 503}  # every kind of fault happened
    assert state(noisy) == state(clean)
    assert sum(1 for g in noisy.groups if g["displayName"] == "Krisenstab") == 1
    assert len(noisy.sent_mail) <= 1 and len(noisy.invitations) <= 2 + 2  # at most one lost answer re-checked


def test_stale_and_tampered_plans_are_refused(setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t, book = setup
    with SimulatorServer(Simulator(t)) as server:
        saved = tmp_path / "plan.json"
        r = invoke(server, monkeypatch, "playbook", "plan", str(book), *params(t), "--out", str(saved))
        assert r.exit_code == 0, r.output
        doc = json.loads(saved.read_text())
        doc["plan"]["steps"][0]["changes"] = []
        tampered = tmp_path / "tampered.json"
        tampered.write_text(json.dumps(doc))
        r = invoke(server, monkeypatch, "playbook", "apply", str(tampered), "--yes")
        assert r.exit_code == 2 and "changed after it was made" in r.output
        t.sharepoint_settings["sharingCapability"] = "disabled"  # someone changed the tenant meanwhile
        before = state(t)
        r = invoke(server, monkeypatch, "playbook", "apply", str(saved), "--yes")
        assert r.exit_code == 1 and "changed since the plan was made" in r.output
        assert state(t) == before  # nothing changed


def test_changes_need_a_named_tenant_and_confirmation(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    t, book = setup
    r = CliRunner().invoke(cli, ["playbook", "apply", str(book)])
    assert r.exit_code == 2 and "must name one" in r.output
    with SimulatorServer(Simulator(t)) as server:
        before = state(t)
        r = invoke(server, monkeypatch, "playbook", "apply", str(book), *params(t))  # no --yes, no terminal
        assert r.exit_code == 2 and "--yes" in r.output
        assert state(t) == before


def test_blocked_plan_changes_nothing(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    t, book = setup
    with SimulatorServer(Simulator(t)) as server:
        before = state(t)
        r = invoke(server, monkeypatch, "playbook", "apply", str(book), "--yes")  # parameters missing: steps blocked
        assert r.exit_code == 1 and "cannot work" in r.output and "--param owner" in r.output
        assert state(t) == before
