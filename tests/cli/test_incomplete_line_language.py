"""The exit-6 line ("the result is incomplete") is said in the command's language, with the failing section's reason
in that language and that reason's own advice: a collection stopped at its size bound says to check --graph-url, not
"try again later or allow more waiting with --max-wait" (attack16: the line was English under --lang de and READINESS_LANG=de, and
gave the throttling advice for a size bound). Over real HTTP against the simulator, the collections' byte bound made
small (graph/client.py MAX_COLLECTION_BYTES)."""
from __future__ import annotations

import importlib
import json

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator.server import SimulatorServer


@pytest.mark.parametrize("lang, expected", [
    ("de", ["Fehler: ", "konnte nicht gelesen werden", "überschritt", "Seite", "Das Ergebnis ist unvollständig (Exit-Code 6)",
            "Prüfen Sie, ob --graph-url auf Microsoft Graph zeigt"]),
    ("en", ["Error: ", "could not be read", "went past", "The result is incomplete (exit code 6)",
            "Check that --graph-url points at Microsoft Graph"]),
])
def test_the_incomplete_line_speaks_the_commands_language(sim, monkeypatch, lang: str, expected: list) -> None:  # noqa: ANN001
    monkeypatch.setattr(importlib.import_module("readiness.graph.client"), "MAX_COLLECTION_BYTES", 20_000)
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "--lang", lang])
    assert result.exit_code == 6, result.output
    line = next(x for x in result.stderr.splitlines() if "(exit code 6)" in x or "(Exit-Code 6)" in x)
    for part in expected:
        assert part in line, line
    assert "--max-wait" not in line  # a size bound is not throttling
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 6
    message = doc["errors"][0]["message"]  # the JSON envelope's errors in the command's language too
    assert ("überschritt" if lang == "de" else "went past") in message, message


def test_an_error_whose_advice_is_another_entrys_gives_that_advice(sim, monkeypatch) -> None:  # noqa: ANN001
    """A page past the answer bound (graph.answer_too_large, whose fix is graph.bad_answer's) says that fix, not the
    throttling advice: the section's reason carries its fix key (errors.error_phrase)."""
    from readiness.i18n import text

    monkeypatch.setattr(importlib.import_module("readiness.graph.client"), "ANSWER_BYTES", 20_000)
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "--lang", "de"])
    assert result.exit_code == 6, result.output
    line = next(x for x in result.stderr.splitlines() if "(Exit-Code 6)" in x)
    assert text("errors.graph.bad_answer.fix", "de").rstrip(".") in line, line
    assert "--max-wait" not in line


@pytest.mark.parametrize("fix_key", ["snapshot.too_large", "graph.fix_401", "graph.no_such_entry", 5])
def test_a_fix_key_from_a_file_never_breaks_the_line(tmp_path, fix_key) -> None:  # noqa: ANN001
    """attack16b: a snapshot file's reason_params.fix_key is the file's to say; one that names another area's advice,
    one whose advice needs parameters the reason does not hold, or one that is not a key gives the default advice
    (it crashed with KeyError after the JSON was printed)."""
    import readiness
    from readiness.collect.snapshot import FAILED, Section
    from readiness.errors import Phrase
    from tests.collect.test_snapshot_limits import FIXTURE

    snap = readiness.load_snapshot(FIXTURE)
    reason = Phrase("errors.graph.answer_too_large.what", path="/users", value="65", limit="64", fix_key=fix_key)
    snap.sections["users"] = Section("users", FAILED, None, endpoint="/users", reason=reason)
    path = tmp_path / "s.json"
    snap.save(path)
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path), "-o", "json", "--lang", "de"])
    assert result.exit_code == 6, result.output
    line = next(x for x in result.stderr.splitlines() if "(Exit-Code 6)" in x)
    assert line.endswith("Versuchen Sie es später erneut oder erlauben Sie mit --max-wait längeres Warten."), line
    assert "internal error" not in result.stderr.lower() and "interner Fehler" not in result.stderr
