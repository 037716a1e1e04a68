"""click's own usage errors ("No such option", "Missing argument", "Invalid value", "No such command", "Got unexpected
extra argument") are said from the catalogue (errors.usage.*) in the command's language, with the usage line and the
"Try 'readiness X --help'" hint, and keep exit code 2 (issue 9)."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.exitcodes import ExitCode

ENGLISH_WORDS = ("No such", "Missing", "Invalid value", "Try '", "Usage:", "is not one of", "does not exist",
                 "unexpected extra", "Did you mean", "Error:")

CASES = [  # arguments, the German line, the English line
    (["audit", "--bogus"], "Fehler: Unbekannte Option: --bogus.", "Error: No such option: --bogus."),
    (["report"], "Fehler: Argument 'SNAPSHOT' fehlt.", "Error: Missing argument 'SNAPSHOT'."),
    (["report", "/no/such/file.json"], "Fehler: Ungültiger Wert für 'SNAPSHOT': '/no/such/file.json' existiert nicht.",
     "Error: Invalid value for 'SNAPSHOT': '/no/such/file.json' does not exist."),
    (["checks", "list", "--lang", "fr"], "Fehler: Ungültiger Wert für '--lang': 'fr' ist keiner von en, de.",
     "Error: Invalid value for '--lang': 'fr' is not one of en, de."),
    (["nosuch"], "Fehler: Unbekannter Befehl 'nosuch'.", "Error: No such command 'nosuch'."),
    (["checks", "list", "extra1", "extra2"], "Fehler: Unerwartete zusätzliche Argumente: extra1 extra2.",
     "Error: Got unexpected extra arguments: extra1 extra2."),
    (["simulator", "serve", "--port", "99999"], "Fehler: Ungültiger Wert für '--port': 99999 liegt nicht im Bereich 0<=x<=65535.",
     "Error: Invalid value for '--port': 99999 is not in the range 0<=x<=65535."),
    # the CLI's own parameter checks say their reason from the catalogue too
    (["playbook", "plan", "emergency-home-office", "--param", "foo"],
     "Fehler: Ungültiger Wert für --param: 'foo' hat nicht die Form NAME=WERT.",
     "Error: Invalid value for --param: 'foo' is not NAME=VALUE."),
    (["audit", "--report", "x.foo"],
     "Fehler: Ungültiger Wert für --report: das Berichtsformat lässt sich aus 'x.foo' nicht ablesen; verwenden Sie eine der "
     "Endungen .csv, .htm, .html, .json, .markdown, .md, .txt.",
     "Error: Invalid value for --report: cannot tell the report format from 'x.foo'; use one of the extensions "
     ".csv, .htm, .html, .json, .markdown, .md, .txt."),
]


def _run(args: list[str], lang: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("READINESS_LANG", lang)
    result = CliRunner().invoke(cli, args, prog_name="readiness")
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("args", "german", "english"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_click_usage_errors_in_german_and_english(args: list[str], german: str, english: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, de = _run(args, "de", monkeypatch)
    assert code == ExitCode.USAGE == 2
    assert german in de, de
    assert de.startswith("Aufruf: readiness") and "Hilfe mit 'readiness" in de
    for word in ENGLISH_WORDS:
        assert word not in de, (word, de)
    code, en = _run(args, "en", monkeypatch)
    assert code == 2 and english in en and en.startswith("Usage: readiness") and "Try 'readiness" in en, en


def test_the_hint_names_the_command_that_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    _, de = _run(["checks", "list", "--bogus"], "de", monkeypatch)
    assert "Aufruf: readiness checks list [OPTIONS]" in de and "Hilfe mit 'readiness checks list --help'." in de


def test_a_near_miss_is_suggested_in_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    _, de = _run(["checks", "list", "--lan", "de"], "de", monkeypatch)
    assert "Unbekannte Option: --lan. Meinten Sie --lang?" in de, de


def test_the_commands_lang_chooses_the_language_of_its_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _, de = _run(["checks", "list", "--lang", "de", "--bogus"], "en", monkeypatch)
    assert "Fehler: Unbekannte Option: --bogus." in de


def test_an_option_without_its_value_and_a_group_without_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    code, de = _run(["checks", "list", "--lang"], "de", monkeypatch)
    assert code == 2 and "Fehler: Option '--lang' braucht einen Wert." in de
    code, de = _run(["checks"], "de", monkeypatch)  # a group without its command shows its help, as before
    assert code == 2 and "Aufruf: readiness checks" in de and "list" in de and "Fehler" not in de


def test_the_console_entry_point_says_it_in_german_without_a_traceback() -> None:
    run = subprocess.run([sys.executable, "-m", "readiness", "audit", "--bogus"], capture_output=True, text=True,
                         env={"READINESS_LANG": "de", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert run.returncode == 2 and "Fehler: Unbekannte Option: --bogus." in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_a_global_option_after_the_command_says_where_it_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    """attack17 #8: `readiness audit ... -v` said only "No such option: -v"."""
    monkeypatch.setenv("READINESS_LANG", "en")
    r = CliRunner().invoke(cli, ["audit", "--graph-url", "http://127.0.0.1:9/v1.0", "-v"])
    assert r.exit_code == ExitCode.USAGE and "-v goes before the command: readiness -v audit ..." in r.output, r.output
    monkeypatch.setenv("READINESS_LANG", "de")
    r = CliRunner().invoke(cli, ["audit", "-v"])
    assert "-v steht vor dem Befehl: readiness -v audit ..." in r.output, r.output
