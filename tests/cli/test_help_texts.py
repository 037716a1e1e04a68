"""`--help` comes from the catalogue (section ``help``) in the terminal's language (issues 9 and 12)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from readiness import i18n
from readiness.cli import cli

SHIPPED = Path(i18n.translations_dir())
OPEN, CLOSE = "\u27e6", "\u27e7"


def _walk(command: click.Command, ctx: click.Context, path: str):  # noqa: ANN202
    yield path, command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            yield from _walk(sub, click.Context(sub, info_name=name, parent=ctx), f"{path}.{name}")


def _tree():  # noqa: ANN202
    root = click.Context(cli, info_name="readiness", help_option_names=["-h", "--help"])
    return list(_walk(cli, root, "readiness"))


def _flat(s: str) -> str:
    return " ".join(s.replace("\b", " ").split())


def test_every_command_and_option_has_a_help_text_in_english_and_german() -> None:
    commands = _tree()
    assert len(commands) > 40  # the whole tree, subcommands of the lazy groups included
    for lang in ("en", "de"):
        entries = i18n.catalogue(lang).entries
        for path, command, ctx in commands:
            assert command.help is None, f"{path}: a literal help text; the catalogue is the one source"
            assert entries.get(f"help.{path}.text"), (lang, path)
            if path != "readiness":
                assert entries.get(f"help.{path}.short"), (lang, path)
            for param in command.get_params(ctx):
                if isinstance(param, click.Option) and not param.hidden:
                    assert param.help is None or param.name in ("_click_default_help", "version"), (path, param.name)  # click's own two
                    name = "help" if param.name == "_click_default_help" else param.name
                    assert entries.get(f"help.{path}.options.{name}") or entries.get(f"help._shared.options.{name}"), \
                        (lang, path, name)


def test_the_german_help_texts_are_translations_not_copies() -> None:
    en, de = (i18n.flatten(i18n.catalogue(lang).tree["help"]) for lang in ("en", "de"))
    assert en.keys() == de.keys()
    same = [k for k in en if en[k] == de[k]]
    assert not same, same


def test_readiness_lang_de_shows_the_audit_help_in_german(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_LANG", "de")
    result = CliRunner().invoke(cli, ["audit", "--help"])
    assert result.exit_code == 0, result.output
    de = i18n.catalogue("de").entries
    out = _flat(result.output)
    assert out.startswith("Aufruf: ") and "Optionen:" in out and "Usage:" not in out and "Options:" not in out
    for key in ("help.readiness.audit.options.tenant", "help.readiness.audit.options.fail_on", "help._shared.options.help"):
        assert _flat(de[key]) in out, key
    assert _flat(de["help.readiness.audit.text"].split("\n\n")[0]) in out
    assert _flat(i18n.catalogue("en").entries["help.readiness.audit.options.tenant"]) not in out


def test_a_command_s_lang_option_is_seen_before_its_help() -> None:
    """`--lang` belongs to the commands: the group reads it from their arguments before their help is shown."""
    out = _flat(CliRunner().invoke(cli, ["checks", "list", "--lang", "de", "--help"]).output)
    assert _flat(i18n.catalogue("de").entries["help.readiness.checks.list.text"]) in out


def test_the_root_list_of_commands_comes_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_LANG", "de")
    out = CliRunner().invoke(cli, ["--help"]).output
    assert "Befehle:" in out
    assert "Den eingebauten Microsoft-Graph-Simulator ausführen." == \
        i18n.catalogue("de").entries["help.readiness.simulator.short"]
    assert re.search(r"simulator\s+Den eingebauten Microsoft-Graph-Simulator ausführen\.", out)


def _pseudo(value):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        return {k: _pseudo(v) for k, v in value.items()}
    return f"{OPEN}{value}{CLOSE}"


@pytest.fixture()
def pseudo_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The shipped catalogues plus xx.json: English, with every help text wrapped in brackets."""
    folder = tmp_path / "translations"
    shutil.copytree(SHIPPED, folder)
    tree = json.loads((SHIPPED / "en.json").read_text("utf-8"))
    tree["help"] = _pseudo(tree["help"])
    (folder / "xx.json").write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    monkeypatch.setenv(i18n.ENV_DIR, str(folder))
    monkeypatch.setenv("READINESS_LANG", "xx")
    yield
    i18n.clear_cache()


@pytest.mark.parametrize("args", [[], ["audit"], ["tenant", "add"]], ids=["readiness", "audit", "tenant-add"])
def test_help_is_entirely_from_a_pseudo_language(pseudo_help: None, args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    out = result.output
    # every text is the catalogue's: outside the brackets only the program's words are left (command and option
    # names, metavars, choices, click's [default: ...] / [required] marks)
    # (a short help cut to the terminal's width ends in "..." instead of the closing bracket)
    outside = re.sub(f"{OPEN}.*?(?:{CLOSE}|\\.\\.\\.(?=\n))", " ", out, flags=re.S)
    outside = re.sub(r"\[[^\]]*\]", " ", outside)  # click's marks and the usage's [OPTIONS]
    assert out.count(OPEN) > 5
    assert out.lstrip().startswith(OPEN)  # "Usage:" too
    leftover = [w for w in outside.split() if w.isalpha() and w.islower() and len(w) > 3
                and w not in {"readiness", "audit", "tenant", "checks", "demo", "drill", "fleet", "history",
                              "letters", "measures", "playbook", "report", "simulator"}]
    assert not leftover, leftover
    english = i18n.catalogue("en").entries
    assert _flat(english["help._shared.options.help"]) not in _flat(outside)


def test_clicks_own_default_and_required_marks_follow_the_language(monkeypatch) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from readiness.cli import cli

    monkeypatch.setenv("READINESS_LANG", "de")
    german = CliRunner().invoke(cli, ["playbook", "plan", "--help"]).output
    assert "[Standard: table]" in german and "[default:" not in german
    monkeypatch.setenv("READINESS_LANG", "en")
    assert "[default: table]" in CliRunner().invoke(cli, ["playbook", "plan", "--help"]).output


def test_a_summary_too_long_for_its_line_is_cut_after_a_word() -> None:
    """attack17 #6: German summaries were cut in the middle of a word ("Bereitsc...")."""
    from readiness.cli.helptext import make_default_short_help

    said = make_default_short_help("Einen Mandanten in einen Snapshot abrufen und seine Bereitschaft bewerten.", 60)
    assert said == "Einen Mandanten in einen Snapshot abrufen und seine..." and len(said) <= 60
    assert make_default_short_help("Kurz.", 60) == "Kurz."
