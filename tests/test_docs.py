"""Docs cannot drift: the checks reference is generated from the registry; every command is in the README."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from readiness.checks.registry import registry
from readiness.cli import COMMANDS, cli
from readiness.render.checks_doc import checks_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_checks_reference_is_current() -> None:
    current = (ROOT / "docs" / "checks.md").read_text("utf-8")
    assert current.strip() == checks_markdown(list(registry().values())).strip(), \
        "run: readiness checks list -o md > docs/checks.md"


def test_readme_names_every_command_and_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in COMMANDS:
        assert f"readiness {name}" in readme, name
    assert "pip install . && readiness demo" in readme
    assert "pip install '.[test]' && pytest" in readme


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip install '.[test]' && pytest" in ci


def test_every_command_help_has_an_example_or_description() -> None:
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and len(result.output.splitlines()) > 4, name
