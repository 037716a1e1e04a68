"""An input file that does not exist is a usage error, exit 2, on every command: it is found from the arguments alone,
before anything is read or collected, as click's Path(exists=True) finds it for the 16 file arguments and as
safe_io.read_regular finds it for playbooks and guest lists (InputError is a UsageError). The README's exit-code table
said "file unreadable" under 1; it now says what the code does (1: a file that is damaged or not a snapshot)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "tests" / "checks" / "base_snapshot.json")


@pytest.mark.parametrize("args", [["report", "{missing}"], ["report", SNAP, "--previous", "{missing}"],
                                  ["report", "{missing}", "--lang", "de"]])
def test_a_missing_input_file_exits_2_and_names_it(args: list[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexist.json")
    r = CliRunner().invoke(cli, [a.format(missing=missing) for a in args])
    assert r.exit_code == ExitCode.USAGE == 2, r.output
    assert missing in r.output and ("does not exist" in r.output or "existiert nicht" in r.output), r.output


def test_a_damaged_snapshot_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    r = CliRunner().invoke(cli, ["report", str(bad)])
    assert r.exit_code == ExitCode.RUNTIME_ERROR == 1 and "not a readiness snapshot" in r.output, r.output


def test_the_readme_s_exit_code_table_says_the_same() -> None:
    table = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.*) \|$", (ROOT / "README.md").read_text(
        encoding="utf-8"), re.M)}
    assert "does not exist" in table[2] and "readiness report missing.json" in table[2], table[2]
    assert "unreadable" not in table[1] and "not a snapshot" in table[1], table[1]
    assert {c for c in table if c < 200} >= {int(c) for c in ExitCode}
