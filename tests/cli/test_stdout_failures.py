"""A stdout that cannot take the result is the clear output error, exit 1, in the command's language, on one line of
stderr, without a traceback: before, `> /dev/full` gave "internal error (OSError 28) ... Please report it" and a second
traceback (writing the -o json error envelope to the same full stdout failed too), and a closed stdout (`>&-`) gave
"internal error (AttributeError: 'NoneType' ... isatty)", or for -o md nothing at all had it got that far (click.echo
writes nothing to a missing stdout and succeeds).

/dev/full: "writes to the /dev/full device fail with an ENOSPC error" (null(4)/full(4),
https://man7.org/linux/man-pages/man4/full.4.html); Python sets sys.stdout to None when fd 1 is not open
(https://docs.python.org/3/library/sys.html#sys.__stdout__)."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")
full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="a /dev/full device")


def _run(args: list[str], redirect: str, tmp_path: Path) -> tuple[int, str]:
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_NOW="2026-12-01T00:00:00Z")
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "readiness", *args])
    p = subprocess.run(["sh", "-c", f"exec {command} {redirect}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, timeout=120)
    return p.returncode, p.stderr.decode()


def _one_clear_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and all(w in err for w in words), err
    assert "Traceback" not in err and "internal" not in err and "intern" not in err, err


@full
@pytest.mark.parametrize("fmt", ["json", "md", "html", "csv", "table"])
def test_a_full_stdout_is_the_clear_output_error(fmt: str, tmp_path: Path) -> None:
    code, err = _run(["report", SNAP, "-o", fmt], "> /dev/full", tmp_path)
    assert code == 1, (code, err)
    _one_clear_line(err, "could not be written to standard output", "No space left on device", "--out FILE")


@full
def test_it_is_said_in_german_and_for_help_too(tmp_path: Path) -> None:
    code, err = _run(["report", SNAP, "-o", "json", "--lang", "de"], "> /dev/full", tmp_path)
    assert code == 1, (code, err)
    _one_clear_line(err, "Fehler:", "Standardausgabe", "--out DATEI")
    for args, words in ((["--help"], "could not be written to standard output"), (["--version"], "standard output"),
                        (["report", "--help"], "standard output"), (["report", "--lang", "de", "--help"], "Fehler:")):
        code, err = _run(args, "> /dev/full", tmp_path)
        assert code == 1, (args, code, err)
        _one_clear_line(err, words)


@pytest.mark.parametrize("fmt", ["json", "md", "table"])
def test_a_closed_stdout_is_the_clear_output_error_never_a_silent_success(fmt: str, tmp_path: Path) -> None:
    code, err = _run(["report", SNAP, "-o", fmt], ">&-", tmp_path)
    assert code == 1, (code, err)
    _one_clear_line(err, "standard output is closed", "--out FILE")


def test_with_a_closed_stdout_out_file_still_works(tmp_path: Path) -> None:
    code, err = _run(["report", SNAP, "-o", "md", "--out", str(tmp_path / "r.md")], ">&-", tmp_path)
    assert code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8").startswith("#"), (code, err)


@full
def test_a_full_stderr_does_not_keep_the_error_envelope_from_stdout(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_NOW="2026-12-01T00:00:00Z")
    with open("/dev/full", "wb") as stderr:
        p = subprocess.run([sys.executable, "-m", "readiness", "report", str(bad), "-o", "json"], stdout=subprocess.PIPE,
                           stderr=stderr, env=env, timeout=120)
    envelope = json.loads(p.stdout)
    assert p.returncode == 1 and envelope["status"] == "error", (p.returncode, p.stdout)
    assert "not a readiness snapshot" in envelope["errors"][0]["message"]
