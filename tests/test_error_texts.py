"""Errors from the catalogue: every error raised below cli/ names a key of ``errors.*``; both languages have every
key with the same placeholders; the CLI says an error in the command's language (text and JSON envelope)."""
from __future__ import annotations

import ast
import gzip
import json
import re
import shutil
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from tests.helpers import emergency_params
from readiness import i18n
from readiness.cli import cli
from readiness.errors import ConfigError, Phrase, ReadinessError, SnapshotError

SHIPPED = Path(__file__).resolve().parent.parent / "reports" / "translations"
PKG = Path(__file__).resolve().parent.parent / "readiness"
OPEN, CLOSE = "\u27e6", "\u27e7"


def _errors(lang: str) -> dict:
    return i18n.flatten(json.loads((SHIPPED / f"{lang}.json").read_text("utf-8"))["errors"])


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_error_text_is_in_both_languages_with_the_same_placeholders() -> None:
    en, de = _errors("en"), _errors("de")
    assert set(en) == set(de)
    for key, text in en.items():
        assert _fields(text) == _fields(de[key]), key
        assert text.strip() and de[key].strip(), key
    assert len(en) > 300  # about 230 errors, most with what and fix


def _error_classes() -> set[str]:
    classes: list[tuple[str, list[str]]] = []
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes.append((node.name, [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]))
    names = {"ReadinessError"}
    while True:
        more = {name for name, bases in classes if set(bases) & names} - names
        if not more:
            return names
        names |= more


def _calls_below_cli():  # noqa: ANN202
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if rel.parts[0] in ("cli", "simulator"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                yield rel, node


def _literals(node: ast.AST) -> list[str]:
    """The key a call names: a string, or either string of ``"a" if x else "b"``."""
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def test_no_error_below_cli_is_written_in_english_and_every_key_it_names_exists() -> None:
    """The simulator imitates Graph (English) and cli/ has its own texts; everything else raises by key."""
    classes, en = _error_classes(), _errors("en")
    written, used = [], 0
    for rel, call in _calls_below_cli():
        func = call.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        owner = getattr(getattr(func, "value", None), "id", None)
        if name in classes and call.args and isinstance(call.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
            written.append(f"{rel}:{call.lineno}")
        if name == "keyed" and owner in classes:
            keys = _literals(call.args[0])
            assert keys and all(f"{key}.what" in en for key in keys), f"{rel}:{call.lineno} {keys}"
            used += 1
        for kw in call.keywords:
            values = _literals(kw.value)
            if kw.arg == "key" and name in classes and not isinstance(kw.value, ast.Attribute):  # exc.key: passed on
                assert values and all(f"{v}.what" in en for v in values), f"{rel}:{call.lineno} {values}"
                used += 1
            if kw.arg == "fix_key":
                assert all(f"{v}.fix" in en for v in values), f"{rel}:{call.lineno} {values}"
        if name == "Phrase" and call.args:
            for key in _literals(call.args[0]):
                # (cli.announce.which: the "which tenant" words config/connection.py's describe() gives the first line)
                assert key.startswith(("errors.", "cli.progress.", "report.reasons.", "cli.announce.which.")) \
                    and i18n.has(key, "en"), f"{rel}:{call.lineno} {key}"
    assert written == []
    assert used > 200


def test_a_keyed_error_keeps_its_english_attributes_and_renders_in_any_language() -> None:
    exc = ConfigError.keyed("config.no_profile", name="kunde-x", known="kunde-a")
    assert exc.what == "There is no tenant profile named 'kunde-x' (known: kunde-a)"
    assert str(exc) == f"{exc.what}. Add it with `readiness tenant add NAME --tenant-id ID`."
    assert exc.what_in("de") == "Es gibt kein Mandantenprofil namens 'kunde-x' (vorhanden: kunde-a)"
    assert exc.text("de").endswith("Legen Sie es mit `readiness tenant add NAME --tenant-id ID` an.")
    assert exc.text("fr") == str(exc)  # a language without a catalogue file: English, never a second error
    # a shared fix, and a part of the message (a Phrase) rendered in the error's language
    bad = SnapshotError.keyed("snapshot.not_json", fix_key="snapshot.damaged", path="a.json", reason="ValueError")
    assert bad.fix_in("de") == i18n.text("errors.snapshot.damaged.fix", "de")
    hint = Phrase("errors.auth.hints.login", name="kunde-a")
    assert hint == "Sign in again with `readiness tenant login kunde-a`" and hint.text("de").startswith("Melden Sie sich")
    wrapped = readiness.TokenRejected(key="auth.token_rejected", params={"reason": Phrase("errors.auth.token_reasons.expired"),
                                                                         "hint": hint})
    assert wrapped.text("de") == "Graph hat das Token abgelehnt (abgelaufen). Melden Sie sich mit `readiness tenant login kunde-a` erneut an."
    # literal texts (the simulator's way) still work, in every language the same
    plain = ReadinessError("Something broke", "Do this")
    assert plain.text("de") == str(plain) == "Something broke. Do this."


# -- the pseudo-language: library errors reach the terminal from the catalogue ------------------------------------

def _pseudo(value):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        return {k: (v if k.startswith("_") else _pseudo(v)) for k, v in value.items()}
    return f"{OPEN}{value}{CLOSE}"


@pytest.fixture()
def pseudo_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    folder = tmp_path / "translations"
    shutil.copytree(SHIPPED, folder)
    tree = _pseudo(json.loads((SHIPPED / "en.json").read_text("utf-8")))
    (folder / "xx.json").write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    monkeypatch.setenv(i18n.ENV_DIR, str(folder))
    yield "xx"
    i18n.clear_cache()


def _outside(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, __import__("re").sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    return text


def test_library_errors_reach_the_terminal_from_the_pseudo_language(pseudo_lang: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_LANG", pseudo_lang)
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b'{"schema_version": 1, "sections": []'))
    other = tmp_path / "other.json"
    other.write_text('{"tenant": "kunde-a"}', "utf-8")
    runs = {
        "unknown profile": ["audit", "--tenant", "nobody-here"],
        "bad snapshot file": ["report", str(bad)],
        "not a snapshot": ["report", str(other)],
    }
    for what, args in runs.items():
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (1, 2, 3), (what, result.output)
        err = result.stderr if hasattr(result, "stderr") else result.output
        assert err.startswith(f"{OPEN}Error: {OPEN}"), (what, err)
        # nothing but data (the profile name, the path, an exception's class name) outside the brackets
        left = _outside(err)
        assert what != "unknown profile" or "nobody-here" in err
        for word in ("There", "Give", "Add", "Check", "snapshot", "readable", "profile", "Cannot"):
            assert word not in left.replace(str(tmp_path), ""), (what, word, err)


@pytest.mark.slow
def test_a_stale_plan_speaks_the_pseudo_language(pseudo_lang: str) -> None:
    with readiness.serve_simulator(seed=7, size=40) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        snap = readiness.collect(conn)
        params = emergency_params(snap)
        plan = readiness.plan("emergency-home-office", conn, params=params)
        readiness.apply(plan, conn, confirm=True)
        with pytest.raises(readiness.StalePlan) as info:
            readiness.apply(plan, conn, confirm=True)
    said = info.value.text(pseudo_lang)
    assert said.startswith(f"{OPEN}The tenant changed since the plan was made") and "nothing was changed" in said
    assert "The tenant changed" not in _outside(said) and "Make a new plan" not in _outside(said)
    assert info.value.what.startswith("The tenant changed since the plan was made")  # English for logs and tests
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", said)  # the plan's date in the language's pattern, not ISO


def test_a_stale_plans_date_is_written_for_the_language() -> None:
    """The stale-plan error named the plan's ISO timestamp; Babel writes it in each language's date pattern."""
    err = readiness.StalePlan.keyed("plan.stale", created_at="2026-11-20T09:30:00+00:00", n=3, n2=1)
    assert "(20.11.2026, 09:30 UTC)" in err.text("de") and "(20 Nov 2026, 09:30 UTC)" in err.text("en")
    assert "2026-11-20T" not in err.text("de") + str(err)
    assert i18n.text("cli.playbook.timeline_head", "de", run="r1", playbook="p", tenant="t", endpoint="e",
                     started="2026-11-20T09:30:00Z").endswith("begonnen 20.11.2026, 09:30 UTC")
    assert i18n.text("cli.playbook.timeline_head", "en", run="r1", playbook="p", tenant="t", endpoint="e",
                     started="not a date").endswith("started not a date")  # what cannot be read stays as it was


# -- --lang de through the CLI --------------------------------------------------------------------------------------

def _stderr(result) -> str:  # noqa: ANN001
    return result.stderr if hasattr(result, "stderr") else result.output


def test_lang_de_says_real_failures_in_german(tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.json.gz"
    bad.write_bytes(b"not gzip at all")
    cases = [
        (["report", str(bad), "--lang", "de"], "ist kein lesbarer Snapshot (kein JSON"),
        (["audit", "--tenant", "gibt-es-nicht", "--lang", "de"], "Es gibt kein Mandantenprofil namens 'gibt-es-nicht'"),
        (["checks", "show", "nope", "--lang=de"], "Es gibt keine Prüfung 'nope'"),
        (["audit", "--graph-url", "http://example.com/v1.0", "--lang", "de"], "verwendet unverschlüsseltes http"),
    ]
    for args, german in cases:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code != 0, args
        assert _stderr(result).startswith("Fehler: ") and german in _stderr(result), (args, _stderr(result))
    # without --lang (and without READINESS_LANG) the same failure is English
    english = CliRunner().invoke(cli, ["report", str(bad)])
    assert _stderr(english).startswith("Error: ") and "is not a readable snapshot (not JSON" in _stderr(english)


def test_a_rejected_token_is_german_over_real_http_and_in_the_json_envelope(server, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The simulator answers 401 InvalidAuthenticationToken to a token it did not issue, as Graph does
    (microsoft-graph-docs-contrib concepts/errors.md, concepts/resolve-auth-errors.md)."""
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", "not-the-simulators-token")
    result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "--lang", "de"])
    err = _stderr(result)
    assert result.exit_code == int(readiness.TokenRejected.exit_code), err
    assert "\nFehler: Graph hat das Token abgelehnt (ungültig)" in err, err
    assert "Error" not in err and "Fehler" not in err.split("\n")[0]  # the progress lines keep READINESS_LANG (English)
    assert "Melden Sie sich mit einem neuen Token erneut an: export READINESS_ACCESS_TOKEN=..." in err
    result = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "--lang", "de", "-o", "json"])
    doc = json.loads(result.stdout)
    assert doc["status"] == "error"
    (error,) = doc["errors"]
    assert error["code"] == "token_rejected" and error["exit_code"] == result.exit_code
    assert error["what"] == "Graph hat das Token abgelehnt (ungültig)"
    assert error["fix"].startswith("Melden Sie sich mit einem neuen Token erneut an")


def test_progress_lines_the_library_hands_over_are_said_in_the_terminals_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.cli.context import spoken

    line = Phrase("cli.progress.fleet_done", name="kunde-a", score=72, light="yellow", ready=30, people=41)
    assert line == "kunde-a: done: score 72 (yellow), 30 of 41 can work from home"  # a str for library callers
    monkeypatch.setenv("READINESS_LANG", "de")
    assert spoken(line) == "kunde-a: fertig: Bewertung 72 (yellow), 30 von 41 können von zu Hause arbeiten"
    assert spoken("a plain line") == "a plain line"
    waiting = Phrase("cli.progress.waiting", why=Phrase("errors.graph.why.status", status=503, path="/users"),
                     seconds="2", waited="2", cap="60")
    assert spoken(waiting) == "Graph antwortete 503 bei /users; es wird 2 s gewartet (insgesamt 2 von 60 s gewartet)"
