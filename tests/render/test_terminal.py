"""Terminal tables: fit the width, colour only on a terminal and never with NO_COLOR/--no-color (issue 12)."""
from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.cli.options import terminal_style

ANSI = re.compile(r"\x1b\[[0-9;]*m")



@pytest.mark.parametrize("width", [60, 80, 132])
def test_table_fits_the_width(saved, width: int) -> None:
    out = readiness.render(readiness.evaluate(readiness.load_snapshot(saved)), "table", "de", color=True, width=width)
    lines = out.splitlines()
    assert max(len(ANSI.sub("", line)) for line in lines) <= width
    assert any(line.rstrip().endswith("…") or "…" in line for line in lines) or width >= 132
    assert "\x1b[31;1m" in out  # failing statuses in red


def test_piped_output_is_plain(saved) -> None:
    r = CliRunner().invoke(cli, ["report", str(saved), "-o", "table", "--lang", "de"])
    assert r.exit_code == 0, r.output
    assert "\x1b[" not in r.stdout and "nicht bestanden" in r.stdout


@pytest.mark.parametrize("args,env,expect", [([], {}, True), (["--no-color"], {}, False), ([], {"NO_COLOR": "1"}, False),
                                             ([], {"NO_COLOR": "anything"}, False)])
def test_colour_only_on_a_terminal_without_no_color(saved, monkeypatch: pytest.MonkeyPatch, args, env, expect) -> None:
    import readiness.cli.report as report_module

    monkeypatch.delenv("NO_COLOR", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    import readiness.cli.stdout as stdout_module

    tty = SimpleNamespace(stdout=SimpleNamespace(isatty=lambda: True), stderr=sys.stderr, exit=sys.exit)
    monkeypatch.setattr(stdout_module, "sys", tty)  # the group asks is_terminal() (sys.stdout.isatty()) once, for the colour
    seen = []
    monkeypatch.setattr(report_module, "terminal_style", lambda app, fmt, out: seen.append(app.color) or {})
    r = CliRunner().invoke(cli, [*args, "report", str(saved), "-o", "table"])
    assert r.exit_code == 0, r.output
    assert seen == [expect]


def test_terminal_style_only_for_a_table_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    app = SimpleNamespace(color=True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert terminal_style(app, "table", None)["color"] is True and terminal_style(app, "table", None)["width"] > 0
    assert terminal_style(app, "json", None) == {} and terminal_style(app, "table", Path("x.txt")) == {}
