"""Every command speaks the same way: --query on JSON, errors as a JSON envelope, trend in the table, --fail-on names
the checks (issue 12)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli



def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_query_selects_from_the_json_envelope(saved) -> None:
    r = run("report", str(saved), "-o", "json", "--query", "data.people[?ready==`false`].userPrincipalName")
    assert r.exit_code == 0, r.output
    upns = json.loads(r.stdout)
    full = json.loads(run("report", str(saved), "-o", "json").stdout)["data"]["people"]
    assert upns == [p["userPrincipalName"] for p in full if p["ready"] is False] and len(upns) == 34  # issue 14: a mailbox not provisioned yet makes one more person not ready
    r = run("checks", "list", "-o", "json", "--query", "data[?severity=='critical'].id")
    assert r.exit_code == 0 and all(isinstance(x, str) for x in json.loads(r.stdout))


def test_query_needs_json_and_valid_syntax(saved) -> None:
    r = run("report", str(saved), "-o", "md", "--query", "data")
    assert r.exit_code == 2 and "--query works on JSON output only" in r.output
    r = run("report", str(saved), "-o", "json", "--query", "data[")
    assert r.exit_code == 2 and "jmespath.org" in r.output


def test_a_query_that_fails_on_the_data_is_a_usage_error_that_never_echoes_it(saved) -> None:
    """jmespath's type error carries the value it was given (here the whole report, people's names): a usage error
    naming the function and the types, not an internal error with the tenant's data on stderr."""
    upn = json.loads(run("report", str(saved), "-o", "json").stdout)["data"]["people"][0]["userPrincipalName"]
    for lang, said in (("en", "the function abs() was given a value of type object, but takes number"),
                       ("de", "die Funktion abs() bekam einen Wert vom Typ object, nimmt aber number")):
        r = run("report", str(saved), "-o", "json", "--lang", lang, "--query", "abs(data)")
        assert r.exit_code == 2, r.output
        assert said in r.output and upn not in r.output and "internal" not in r.output, r.output
    r = run("report", str(saved), "-o", "json", "--query", "sum(data.people[].displayName)")  # JSON's type names
    assert r.exit_code == 2 and "a value of type string, but takes array-number" in r.output, r.output


def test_errors_in_json_mode_are_an_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READINESS_ACCESS_TOKEN", raising=False)
    r = run("audit", "--graph-url", "http://127.0.0.1:9/v1.0", "-o", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["status"] == "error" and doc["command"] == "audit" and doc["exit_code"] == 2
    assert doc["errors"][0]["code"] == "usage" and "READINESS_ACCESS_TOKEN" in doc["errors"][0]["message"]
    plain = run("audit", "--graph-url", "http://127.0.0.1:9/v1.0")
    assert plain.exit_code == 2 and plain.stdout == ""  # without -o json: the message on stderr only


def test_trend_in_the_table(saved) -> None:
    r = run("report", str(saved), "--previous", str(saved), "-o", "table", "--lang", "de")
    assert r.exit_code == 0, r.output
    assert "Seit der letzten Prüfung" in r.stdout and "Vorher" in r.stdout and "Änderung" in r.stdout


def test_fail_on_names_the_checks(saved) -> None:
    r = run("audit", "--from-snapshot", str(saved), "--fail-on", "critical", "-o", "json")
    assert r.exit_code == 3, r.output
    tripped = [c.id for c in readiness.evaluate(readiness.load_snapshot(saved)).worst_failing("critical")]
    assert tripped and all(cid in r.stderr for cid in tripped)


def test_resume_asks_first_unless_yes(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.simulator import Simulator
    from readiness.simulator.server import SimulatorServer
    from tests.playbook.helpers import params, tenant, write_playbook

    book, t = write_playbook(tmp_path), tenant()
    with SimulatorServer(Simulator(t)) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        done = CliRunner().invoke(cli, ["playbook", "apply", str(book), *params(t), "-y", "--graph-url", server.base_url])
        assert done.exit_code == 0, done.output
        run_id = next(line.split()[1].rstrip(":") for line in done.output.splitlines() if line.startswith("Run "))
        before = len(server.sim.conduct.requests)
        piped = CliRunner().invoke(cli, ["playbook", "resume", run_id, "--graph-url", server.base_url], input="y\n")
        assert piped.exit_code == 2 and "--yes" in piped.output  # no terminal to ask on: refused, not done (issue 12)
        monkeypatch.setattr("readiness.cli.context.interactive", lambda: True)  # a terminal: the question
        no = CliRunner().invoke(cli, ["playbook", "resume", run_id, "--graph-url", server.base_url], input="n\n")
        assert no.exit_code == 1 and "Resume run" in no.output and "Go on?" in no.output
        assert len(server.sim.conduct.requests) == before  # nothing sent after "no"
        yes = CliRunner().invoke(cli, ["playbook", "resume", run_id, "-y", "--graph-url", server.base_url])
        assert yes.exit_code == 0 and "Go on?" not in yes.output


def test_playbook_actions_show_type_default_and_required() -> None:
    r = run("playbook", "actions")
    assert r.exit_code == 0 and "PydanticUndefined" not in r.output
    assert "group: str, required" in r.output and "sku: str | None, default None" in r.output


def test_shell_completion_offers_checks_playbooks_and_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    env = {"_READINESS_COMPLETE": "bash_complete", "COMP_WORDS": "readiness checks show identity.mfa_r", "COMP_CWORD": "3"}
    out = subprocess.run([sys.executable, "-m", "readiness"], env={**__import__("os").environ, **env},
                         capture_output=True, text=True, timeout=60).stdout
    assert out.split() == ["plain,identity.mfa_registration"]
    from readiness.cli.options import complete_playbooks, complete_profiles

    assert complete_playbooks(None, None, "emer") == ["emergency-home-office"]

    class Store:
        def list(self):
            from types import SimpleNamespace

            return [SimpleNamespace(name="kunde-a"), SimpleNamespace(name="kunde-b"), SimpleNamespace(name="other")], None

    monkeypatch.setattr("readiness.config.profiles.ProfileStore", Store)
    assert complete_profiles(None, None, "kunde") == ["kunde-a", "kunde-b"]


def test_checks_list_and_show_say_area_and_severity_in_words() -> None:
    """lang17 C1: `checks list --lang de` printed the codes devices/medium where the audit says Geräteabdeckung/mittel."""
    listed = run("checks", "list", "--lang", "de")
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith("devices.app_protection"))
    assert "Geräteabdeckung" in line and "mittel" in line and " devices " not in line and " medium " not in line, line
    shown = run("checks", "show", "identity.admin_mfa", "--lang", "de")
    assert shown.stdout.splitlines()[0] == "identity.admin_mfa  [Identität & mehrstufige Authentifizierung (MFA), kritisch]"
    assert "## Geräteabdeckung" in run("checks", "list", "--lang", "de", "-o", "md").stdout
