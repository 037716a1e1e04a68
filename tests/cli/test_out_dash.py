"""`--out -` is standard output, as the convention has it and as a user means it (last session's attack: it wrote a
file named "-"). Where standard output already carries the command's result (audit's --report and --snapshot-out,
demo's --report, playbook plan's --out, which saves the signed plan besides the plan it prints), "-" is refused
as a usage error, exit 2, in the command's language, and nothing is written. `./-` still names a file called "-".
Real pipes: the command runs as a process and its stdout is read from a pipe.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest

from readiness import i18n
from readiness.cli import COMMANDS, SUBCOMMANDS, cli

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")


def _run(args: list[str], cwd: Path, lang: str = "en") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, READINESS_HOME=str(cwd / ".home"), READINESS_NOW="2026-12-01T00:00:00Z", READINESS_LANG=lang)
    return subprocess.run([sys.executable, "-m", "readiness", *args], capture_output=True, env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_out_dash_is_stdout(fmt: str, tmp_path: Path) -> None:
    plain = _run(["report", SNAP, "-o", fmt], tmp_path)
    dash = _run(["report", SNAP, "-o", fmt, "--out", "-"], tmp_path)
    assert dash.returncode == plain.returncode == 0, dash.stderr
    assert dash.stdout == plain.stdout and len(dash.stdout) > 100  # the same bytes, on the pipe
    assert not (tmp_path / "-").exists() and dash.stderr == plain.stderr  # no file, no "Wrote -"


def test_a_file_named_dash_is_still_possible(tmp_path: Path) -> None:
    done = _run(["report", SNAP, "-o", "md", "--out", "./-"], tmp_path)
    assert done.returncode == 0 and done.stdout == b"", done.stderr
    written = tmp_path / "-"
    assert written.read_text(encoding="utf-8").startswith("#") and stat.S_IMODE(written.stat().st_mode) == 0o600


@pytest.mark.parametrize(("args", "option"), [
    (["audit", "--report", "-"], "--report"),
    (["audit", "--snapshot-out", "-", "--from-snapshot", SNAP], "--snapshot-out"),
    (["demo", "--report", "-"], "--report"),
    (["playbook", "plan", "emergency-home-office", "--from-snapshot", SNAP, "--out", "-"], "--out"),
])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_where_stdout_carries_the_result_dash_is_refused(args: list[str], option: str, lang: str, tmp_path: Path) -> None:
    done = _run(args, tmp_path, lang)
    assert done.returncode == 2, (done.returncode, done.stderr)
    said = i18n.text("errors.usage.dash_not_stdout.what", lang, option=option)
    assert said in done.stderr.decode(), done.stderr.decode()
    assert done.stdout == b"" and not (tmp_path / "-").exists() and b"Traceback" not in done.stderr


def _commands(group: click.Group, ctx: click.Context):  # noqa: ANN202
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield command
        if isinstance(command, click.Group):
            yield from _commands(command, ctx)


def test_every_out_option_knows_dash() -> None:
    """Every option that names a file to write (--out, --report, --snapshot-out) is an OutPath, on every command."""
    from readiness.cli.options import OutPath

    with click.Context(cli) as ctx:
        commands = list(_commands(cli, ctx))
    assert len(commands) > len(COMMANDS) + len(SUBCOMMANDS)
    outputs = [(c.name, p) for c in commands for p in c.params
               if isinstance(p, click.Option) and {"--out", "--report", "--snapshot-out"} & set(p.opts)]
    assert len(outputs) > 10, outputs
    assert [(name, p.opts) for name, p in outputs if not isinstance(p.type, OutPath)] == []
