"""click's usage errors, said whole (last session's attack on the command line, LOW findings):

- an option whose value is missing at the end (`audit --lang de --out`) was said in English without the usage line:
  click's parser raises it without the command's context, so neither the command's --lang nor its usage was known;
- `playbook plan --lang de --bogus` named only --lang (click stops at the first unknown option) and said nothing of
  why: plan has no --lang. Every unknown option is named now, and a command without --lang says where its language
  comes from;
- with -o json a usage error put nothing on stdout, while a runtime error puts the error envelope there: a script
  reading stdout now gets the same envelope (status "error", exit_code 2, an ``errors`` entry with code "usage"), and
  the human text stays on stderr. The envelope names the command ("report"), never its argument.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness import i18n
from readiness.cli import cli

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, lang: str = "en"):  # noqa: ANN202
    monkeypatch.setenv("READINESS_LANG", lang)
    return CliRunner().invoke(cli, args, prog_name="readiness")


@pytest.mark.parametrize(("args", "env", "usage", "line"), [
    (["audit", "--lang", "de", "--out"], "en", "Aufruf: readiness audit", "Fehler: Option '--out' braucht einen Wert."),
    (["report", SNAP, "--out"], "de", "Aufruf: readiness report", "Fehler: Option '--out' braucht einen Wert."),
    (["playbook", "plan", "x", "--out"], "en", "Usage: readiness playbook plan", "Error: Option '--out' needs a value."),
])
def test_a_missing_value_at_the_end_is_said_in_the_commands_language_with_its_usage(
        args: list[str], env: str, usage: str, line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(args, monkeypatch, env)
    assert result.exit_code == 2, result.output
    assert usage in result.stderr and line in result.stderr, result.stderr


def test_every_unknown_option_is_named_and_a_command_without_lang_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(["playbook", "plan", "--lang", "de", "--bogus"], monkeypatch)
    assert result.exit_code == 2
    assert "Fehler: Unbekannte Optionen: --lang, --bogus." in result.stderr, result.stderr
    assert i18n.text("errors.usage.no_lang_option.what", "de", command="readiness playbook plan") in result.stderr
    result = _run(["playbook", "list", "--lang", "de"], monkeypatch)  # one unknown: --lang, and why
    assert "Fehler: Unbekannte Option: --lang. 'readiness playbook plan'" not in result.stderr
    assert "Unbekannte Option: --lang. 'readiness playbook list' hat kein --lang" in result.stderr, result.stderr


@pytest.mark.parametrize(("args", "said"), [
    # the value of a known option is skipped (json, de); --name=value and a letter of -qx are named as click would
    (["report", SNAP, "-o", "json", "--lang", "de", "--bogus", "--more=1"], "Fehler: Unbekannte Optionen: --bogus, --more."),
    (["report", SNAP, "--bogus", "-qx"], "Error: No such options: --bogus, -x."),
    (["checks", "list", "--bogus"], "Error: No such option: --bogus."),
])
def test_the_unknown_options_are_those_click_would_refuse(args: list[str], said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(args, monkeypatch)
    assert result.exit_code == 2 and said in result.stderr, result.stderr


USAGE_CASES = [  # a usage error click raises, with -o json: the envelope's command, and what stderr says
    (["report", "missing.json", "-o", "json"], "report", "Error: Invalid value for 'SNAPSHOT': 'missing.json' does not exist."),
    (["report", SNAP, "-o", "json", "--bogus"], "report", "Error: No such option: --bogus. Did you mean --out?"),
    (["checks", "list", "-o", "json", "--lang", "fr"], "checks list", "Error: Invalid value for '--lang': 'fr' is not one of en, de."),
    (["report", "-o", "json"], "report", "Error: Missing argument 'SNAPSHOT'."),
    (["audit", "-o", "json", "--out"], "audit", "Error: Option '--out' needs a value."),
]


@pytest.mark.parametrize(("args", "command", "said"), USAGE_CASES, ids=[" ".join(c[0]) for c in USAGE_CASES])
def test_with_json_a_usage_error_puts_the_error_envelope_on_stdout(args: list[str], command: str, said: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(args, monkeypatch)
    assert result.exit_code == 2 and said in result.stderr, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "error" and doc["exit_code"] == 2 and doc["command"] == command and doc["data"] is None, doc
    [error] = doc["errors"]
    assert error["code"] == "usage" and error["exit_code"] == 2 and error["message"] == said, error
    assert error["fix"] == f"Try 'readiness {command} --help' for help.", error
    assert "Error:" not in result.stdout.replace(said, ""), result.stdout  # the human text stays on stderr


def test_the_usage_envelope_has_the_shape_of_a_runtime_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    runtime = _run(["report", str(bad), "-o", "json"], monkeypatch)
    usage = _run(["report", str(tmp_path / "none.json"), "-o", "json"], monkeypatch)
    assert (runtime.exit_code, usage.exit_code) == (1, 2)
    one, two = json.loads(runtime.stdout), json.loads(usage.stdout)
    assert set(one) == set(two) and set(one["errors"][0]) == set(two["errors"][0]), (one, two)
    assert one["command"] == two["command"] == "report"  # the command, not "report bad.json"
    german = json.loads(_run(["report", str(tmp_path / "none.json"), "-o", "json", "--lang", "de"], monkeypatch).stdout)
    assert german["errors"][0]["message"].startswith("Fehler: Ungültiger Wert für 'SNAPSHOT'"), german


def test_without_json_a_usage_error_leaves_stdout_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(["report", "missing.json", "-o", "md"], monkeypatch)
    assert result.exit_code == 2 and result.stdout == "" and "does not exist" in result.stderr


def test_over_a_real_pipe(tmp_path: Path) -> None:
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_LANG="de")
    p = subprocess.run([sys.executable, "-m", "readiness", "playbook", "plan", "x", "-o", "json", "--bogus"],
                       capture_output=True, text=True, env=env, timeout=120)
    doc = json.loads(p.stdout)
    assert p.returncode == 2 and doc["command"] == "playbook plan" and doc["errors"][0]["code"] == "usage", p.stdout
    assert "Fehler: Unbekannte Option: --bogus." in p.stderr and "Traceback" not in p.stderr, p.stderr
