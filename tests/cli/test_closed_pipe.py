"""A reader that stops reading (`readiness report s.json -o json | head -c 50`) is not an error of the command: it ends
quietly, nothing on stderr, with 141, the status a program that SIGPIPE ends has in the shell (128 + 13, as Ctrl-C's
130). Before, click turned the BrokenPipeError into exit 1 with no message. Real pipes: the reading end is closed
before the command writes anything, so every write meets a closed pipe whatever the output's size.

Docs: https://docs.python.org/3/library/signal.html#note-on-sigpipe (point stdout at /dev/null, end without a
traceback)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from readiness.exitcodes import ExitCode

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")


def _closed(args: list[str], tmp_path: Path) -> tuple[int, bytes]:
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_NOW="2026-12-01T00:00:00Z")
    p = subprocess.Popen([sys.executable, "-m", "readiness", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdout.close()  # the reader went away before the first byte
    err = p.stderr.read()
    p.stderr.close()
    return p.wait(timeout=120), err


@pytest.mark.parametrize("args", [["report", SNAP, "-o", "json"], ["report", SNAP, "-o", "html"],
                                  ["report", SNAP, "-o", "csv", "--out", "/dev/stdout"], ["--help"],
                                  ["checks", "list", "-o", "json"], ["demo", "-o", "json", "--report", "/dev/null"]])
def test_a_closed_pipe_ends_quietly_with_141(args: list[str], tmp_path: Path) -> None:
    code, err = _closed(args, tmp_path)
    assert code == ExitCode.PIPE_CLOSED == 141, (code, err)
    assert b"Error" not in err and b"Traceback" not in err and b"Exception" not in err, err


def test_an_error_is_still_said_when_stdout_is_closed(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    code, err = _closed(["report", str(bad), "-o", "md"], tmp_path)
    assert code == 1 and b"not a readiness snapshot" in err, (code, err)
