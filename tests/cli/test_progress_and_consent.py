"""Progress on stderr only for a person at a terminal, -y/--yes before any change, hints that repeat the connection
the user gave (issue 12). The terminal is a real pseudo-terminal (python's pty module) around a real process."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

pty = pytest.importorskip("pty")

BOOK = "name: sharing\ndescription: x\nsteps:\n  - {id: s, action: sharing_settings, params: {sharingCapability: disabled}}\n"


def run_with_stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run `python -m readiness ARGS` with stdout piped and stderr on a pseudo-terminal; (code, stdout, stderr)."""
    import tempfile

    master, slave = pty.openpty()
    stdout = tempfile.TemporaryFile()  # a file, not a pipe: a large result never blocks the process while we read stderr
    proc = subprocess.Popen([sys.executable, "-m", "readiness", *args], stdout=stdout, stderr=slave,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            err += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(master)
    stdout.seek(0)
    out = stdout.read().decode("utf-8")
    stdout.close()
    return proc.returncode, out, err.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def served():
    with SimulatorServer(Simulator(generate_tenant("unprepared-sme", seed=7))) as server:
        yield server


def _env(server, tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, READINESS_ACCESS_TOKEN=server.sim.issue_token(), READINESS_LANG="en",
                READINESS_HOME=str(tmp_path / "home"))


@pytest.mark.slow
def test_progress_shows_on_a_terminal_with_sections_and_counts(served, tmp_path: Path) -> None:
    code, out, err = run_with_stderr_on_a_terminal(["audit", "--graph-url", served.base_url, "-o", "json"], _env(served, tmp_path))
    assert code == 0, err
    assert json.loads(out)["command"] == "audit"  # the result on stdout, untouched by progress
    lines = err.splitlines()
    assert f"Collecting {served.base_url} ..." in lines  # the URL said once, not "URL (URL)"
    assert f"({served.base_url})" not in err
    users = next(line for line in lines if line.split()[:1] == ["users"])  # a line per section with its count
    people = len(served.sim.tenant.users)
    assert users.split()[1] == "complete" and int(users.split()[2]) == people
    assert any(line.startswith("Collected in ") and "requests" in line for line in lines)


@pytest.mark.slow
def test_quiet_on_a_terminal_and_silent_when_piped(served, tmp_path: Path) -> None:
    code, out, err = run_with_stderr_on_a_terminal(["-q", "audit", "--graph-url", served.base_url, "-o", "json"],
                                                   _env(served, tmp_path))
    assert code == 0 and json.loads(out)["command"] == "audit"
    assert "Collecting" not in err and "Collected in" not in err and "Auditing" in err  # which tenant: always said
    piped = subprocess.run([sys.executable, "-m", "readiness", "audit", "--graph-url", served.base_url, "-o", "json"],
                           capture_output=True, text=True, env=_env(served, tmp_path), timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert "Collecting" not in piped.stderr and "Collected in" not in piped.stderr and " complete " not in piped.stderr
    assert piped.stderr.splitlines() == [f"Auditing {served.base_url} (--graph-url)"]


def test_quiet_after_the_command_too(served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", served.sim.issue_token())
    monkeypatch.setattr("readiness.cli.context.stderr_is_terminal", lambda: True)  # as on a terminal
    shown = CliRunner().invoke(cli, ["audit", "--graph-url", served.base_url, "-o", "json"])
    quiet = CliRunner().invoke(cli, ["audit", "--graph-url", served.base_url, "-o", "json", "--quiet"])
    assert shown.exit_code == quiet.exit_code == 0, quiet.output
    assert "Collecting" in shown.stderr and "Collecting" not in quiet.stderr and "Collected in" not in quiet.stderr
    assert json.loads(quiet.stdout)["data"]["summary"] == json.loads(shown.stdout)["data"]["summary"]
    never = CliRunner().invoke(cli, ["audit", "--graph-url", served.base_url, "-o", "json"], env={"READINESS_PROGRESS": "never"})
    assert never.exit_code == 0 and "Collecting" not in never.stderr
    monkeypatch.setattr("readiness.cli.context.stderr_is_terminal", lambda: False)  # a log file, asked to show it all
    always = CliRunner().invoke(cli, ["audit", "--graph-url", served.base_url, "-o", "json"], env={"READINESS_PROGRESS": "always"})
    assert always.exit_code == 0 and "Collecting" in always.stderr and "Collected in" in always.stderr


def test_the_lines_around_a_result_speak_the_command_s_language_unless_the_terminal_names_one(
        served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One language in one run: `audit --lang de` says its progress and notes in German too (lang17 A1); READINESS_LANG,
    the terminal's own language, still decides where it is set."""
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", served.sim.issue_token())
    monkeypatch.delenv("READINESS_LANG", raising=False)
    monkeypatch.setattr("readiness.cli.context.stderr_is_terminal", lambda: True)
    args = ["audit", "--graph-url", served.base_url, "--lang", "de", "--snapshot-out", str(tmp_path / "s.json.gz")]
    de = CliRunner().invoke(cli, args)
    assert de.exit_code == 0, de.output
    assert f"Lese Daten aus {served.base_url} ..." in de.stderr and "Snapshot gespeichert unter" in de.stderr
    assert "Gelesen in " in de.stderr and "Collecting" not in de.stderr and "Saved snapshot" not in de.stderr
    en = CliRunner().invoke(cli, args, env={"READINESS_LANG": "en"})
    assert en.exit_code == 0, en.output
    assert "Collecting" in en.stderr and "Saved snapshot to" in en.stderr and "Lese Daten" not in en.stderr
    assert "Personen" in en.stdout  # the result itself in the command's --lang


@pytest.mark.slow
def test_apply_progress_per_step_on_a_terminal(served, tmp_path: Path) -> None:
    book = tmp_path / "sharing.yaml"
    book.write_text(BOOK, encoding="utf-8")
    code, out, err = run_with_stderr_on_a_terminal(["playbook", "apply", str(book), "--graph-url", served.base_url, "-y"],
                                                   _env(served, tmp_path))
    assert code == 0, err
    assert "Run " in out and "1 change made" in out
    assert "applying 1 change" in err and "s: 1/1 change" in err  # the run, then the step with its count


@pytest.mark.parametrize("command", ["apply", "resume", "undo"])
def test_changes_without_yes_and_without_a_terminal_are_refused_before_any_request(
        command: str, served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", served.sim.issue_token())
    book = tmp_path / "sharing.yaml"
    book.write_text(BOOK, encoding="utf-8")
    target = str(book)
    if command != "apply":
        done = CliRunner().invoke(cli, ["playbook", "apply", str(book), "--graph-url", served.base_url, "-y", "-o", "json"])
        assert done.exit_code == 0, done.output
        target = json.loads(done.stdout)["data"]["run"]
    before = len(served.sim.conduct.requests)
    r = CliRunner().invoke(cli, ["playbook", command, target, "--graph-url", served.base_url], input="y\n")
    assert r.exit_code == 2, r.output
    assert r.output.startswith("Error: Refusing to change the tenant without confirmation") and "--yes" in r.output
    assert len(served.sim.conduct.requests) == before  # refused up front: nothing read, nothing changed
    as_json = CliRunner().invoke(cli, ["playbook", command, target, "--graph-url", served.base_url, "-o", "json"]) \
        if command != "undo" else None
    if as_json is not None:  # scripts get the refusal as the error envelope
        doc = json.loads(as_json.stdout)
        assert as_json.exit_code == 2 and doc["status"] == "error" and doc["errors"][0]["code"] == "usage"


def test_hints_repeat_the_graph_url_the_user_gave(served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", served.sim.issue_token())
    book = tmp_path / "sharing.yaml"
    book.write_text(BOOK, encoding="utf-8")
    plan = tmp_path / "plan.json"
    r = CliRunner().invoke(cli, ["playbook", "plan", str(book), "--graph-url", served.base_url, "--out", str(plan)])
    assert r.exit_code == 0, r.output
    assert f"readiness playbook apply {plan} --graph-url {served.base_url}" in r.stderr
    assert "--tenant" not in r.stderr


def test_hints_name_the_profile_when_one_was_used(served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", served.sim.issue_token())
    added = CliRunner().invoke(cli, ["tenant", "add", "lab", "--tenant-id", "lab.example", "--auth", "token",
                                     "--graph-url", served.base_url])
    assert added.exit_code == 0, added.output
    book = tmp_path / "sharing.yaml"
    book.write_text(BOOK, encoding="utf-8")
    plan = tmp_path / "plan.json"
    r = CliRunner().invoke(cli, ["playbook", "plan", str(book), "--tenant", "lab", "--out", str(plan)])
    assert r.exit_code == 0, r.output
    assert f"readiness playbook apply {plan} --tenant lab" in r.stderr and "--graph-url" not in r.stderr
