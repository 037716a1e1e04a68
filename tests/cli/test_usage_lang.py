"""The CLI's own usage errors (--from-snapshot with --tenant, --tag with --tenants, ...) follow the command's --lang,
else READINESS_LANG, as click's do: before, their words came from READINESS_LANG only (`say`), so
`readiness audit --lang de --from-snapshot X --tenant Y` framed an English sentence in German. A --lang given before
the command (where the root has no such option) makes the root's refusal German too."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness import i18n
from readiness.cli import cli

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env_lang: str | None = None):  # noqa: ANN202
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    if env_lang is None:
        monkeypatch.delenv("READINESS_LANG", raising=False)
    else:
        monkeypatch.setenv("READINESS_LANG", env_lang)
    return CliRunner().invoke(cli, args)


CASES = [(["audit", "--from-snapshot", SNAP, "--tenant", "contoso"], "cli.audit.snapshot_or_tenant", {}),
         (["audit", "--from-snapshot", SNAP, "--previous-snapshot", SNAP], "cli.audit.previous_with_from_snapshot", {}),
         (["fleet", "audit", "--out-dir", "x", "--tag", "a", "--tenants", "b"], "cli.fleet.tag_or_tenants", {})]


@pytest.mark.parametrize("args,key,params", CASES)
def test_the_commands_lang_says_its_usage_errors(args: list[str], key: str, params: dict,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for given, env in ((["--lang", "de"], None), (["--lang=de"], "en"), ([], "de")):
        result = _run([*args, *given], monkeypatch, tmp_path, env)
        assert result.exit_code == 2, result.output
        assert i18n.text(key, "de", **params) in result.output, (given, env, result.output)
        assert "Error:" not in result.output and "Fehler:" in result.output, result.output
    result = _run([*args, "--lang", "en"], monkeypatch, tmp_path, "de")  # the command's --lang over READINESS_LANG
    assert i18n.text(key, "en", **params) in result.output and "Error:" in result.output, result.output


def test_a_lang_before_the_command_makes_the_roots_refusal_german(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = _run(["--lang", "de", "audit", "--from-snapshot", SNAP, "--tenant", "contoso"], monkeypatch, tmp_path)
    assert result.exit_code == 2
    assert "Fehler: Unbekannte Option: --lang." in result.output and "Aufruf:" in result.output, result.output
    assert i18n.text("errors.usage.lang_after_command.what", "de") in result.output, result.output  # where it goes
    result = _run(["--bogus", "audit", "--lang=de"], monkeypatch, tmp_path)
    assert result.exit_code == 2 and "Fehler: Unbekannte Option: --bogus." in result.output, result.output
