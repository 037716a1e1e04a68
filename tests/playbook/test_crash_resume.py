"""A run killed at several points (a real SIGKILL) and resumed reaches the same state, nothing applied twice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Faults, Simulator
from readiness.simulator.server import SimulatorServer
from tests.playbook.helpers import params, state, tenant, write_playbook


def _journal_lines(home: Path) -> int:
    runs = home / "data" / "runs"
    return sum(len(j.read_text().splitlines()) for j in runs.glob("*/journal.jsonl")) if runs.exists() else 0


def _clean_state(book: Path, monkeypatch: pytest.MonkeyPatch, home: Path) -> dict:
    """The same playbook without a crash, with its own run store (the seeded tenant has the same id)."""
    t = tenant()
    with SimulatorServer(Simulator(t)) as server, monkeypatch.context() as m:
        m.setenv("READINESS_HOME", str(home))
        m.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        r = CliRunner().invoke(cli, ["playbook", "apply", str(book), *params(t), "--yes", "--graph-url", server.base_url])
        assert r.exit_code == 0, r.output
    return state(t)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [2, 9, 24, 40])
def test_kill_and_resume(kill_after: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path) -> None:
    book = write_playbook(tmp_path)
    expected = _clean_state(book, monkeypatch, tmp_path / "clean-home")
    t = tenant()
    sim = Simulator(t, Faults(latency=0.02))
    with SimulatorServer(sim) as server:
        token = sim.issue_token()
        env = {**os.environ, "READINESS_HOME": str(_isolated_home), "READINESS_ACCESS_TOKEN": token}
        home_runs_before = _journal_lines(_isolated_home)
        proc = subprocess.Popen([sys.executable, "-m", "readiness", "playbook", "apply", str(book), *params(t), "--yes",
                                 "--graph-url", server.base_url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None and _journal_lines(_isolated_home) - home_runs_before < kill_after:
            time.sleep(0.005)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert killed, "the run finished before the kill point; raise the latency"
        runs = sorted((_isolated_home / "data" / "runs").iterdir())
        run_id = runs[-1].name
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", token)
        r = CliRunner().invoke(cli, ["playbook", "resume", run_id, "--graph-url", server.base_url])
        assert r.exit_code == 0, r.output
    assert state(t) == expected
    ok = [(m, p) for _, m, p, s in sim.conduct.requests if 200 <= s < 300]
    assert sum(1 for m, p in ok if m == "POST" and p.startswith("/teams") and "/members" not in p) == 1
    assert len(t.sent_mail) == 1
    assert Counter(i["invitedUserEmailAddress"] for i in t.invitations) == Counter({"steuer@kanzlei.example": 1, "lager@logistik.example": 1})
    licence_posts = Counter(p for m, p in ok if p.endswith("/assignLicense"))
    assert licence_posts and max(licence_posts.values()) == 1, licence_posts.most_common(3)
