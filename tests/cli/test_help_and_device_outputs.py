"""Two more outputs that cannot be written, said as they are (last session's attack on the command line):

- `readiness --help >&-` exited 0 though nothing was shown: click.echo writes nothing to a missing stdout and succeeds.
  It is now the closed-stdout error, exit 1, in the language of the words' --lang, as a result's closed stdout is
  (cli/stdout.py): 141 is kept for a reader that went away (a pipe whose reader stopped), and a closed descriptor
  never had a reader.
- `readiness report SNAP --out /dev/stdout > /dev/full` said "Check that the folder exists and is writable": a device
  written into has no folder. The fix now fits the cause; a regular file on a full disk gets a fix about room.

/dev/full: "writes to the /dev/full device fail with an ENOSPC error" (https://man7.org/linux/man-pages/man4/full.4.html);
Python sets sys.stdout to None when fd 1 is not open (https://docs.python.org/3/library/sys.html#sys.__stdout__).
"""
from __future__ import annotations

import errno
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import i18n
from readiness.safe_io import OutputError, write_file

SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")
full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="a /dev/full device")


def _run(args: list[str], redirect: str, tmp_path: Path) -> tuple[int, str]:
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_NOW="2026-12-01T00:00:00Z",
               READINESS_LANG="en")
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "readiness", *args])
    p = subprocess.run(["sh", "-c", f"exec {command} {redirect}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, timeout=120)
    return p.returncode, p.stderr.decode()


def _fix(key: str, lang: str, **params: str) -> str:
    return i18n.text(f"errors.files.{key}.fix", lang, **params)


@pytest.mark.parametrize(("args", "lang"), [(["--help"], "en"), (["--version"], "en"), (["report", "--help"], "en"),
                                            (["playbook", "plan", "--help"], "en"), (["audit", "--lang", "de", "--help"], "de")])
def test_help_to_a_closed_stdout_is_an_error_not_a_silent_success(args: list[str], lang: str, tmp_path: Path) -> None:
    code, err = _run(args, ">&-", tmp_path)
    assert code == 1, (code, err)
    assert err.count("\n") == 1 and i18n.text("errors.files.help_stdout_closed.what", lang) in err, err
    assert _fix("help_stdout_closed", lang) in err and "Traceback" not in err, err


def test_help_to_an_open_stdout_still_succeeds(tmp_path: Path) -> None:
    assert _run(["--help"], "> /dev/null", tmp_path) == (0, "")


@full
@pytest.mark.parametrize(("fmt", "lang"), [("json", "en"), ("html", "en"), ("md", "de")])
def test_a_full_device_behind_out_gets_a_fix_about_the_device_not_a_folder(fmt: str, lang: str, tmp_path: Path) -> None:
    code, err = _run(["report", SNAP, "-o", fmt, "--lang", lang, "--out", "/dev/stdout"], "> /dev/full", tmp_path)
    assert code == 1, (code, err)
    assert err.count("\n") == 1 and "/dev/stdout" in err and _fix("device_unwritable", lang) in err, err
    assert _fix("unwritable", lang) not in err and "Traceback" not in err, err


def test_a_full_disk_gets_a_fix_about_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_room(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_room)  # the disk filled up as the report was written
    with pytest.raises(OutputError) as caught:
        write_file(tmp_path / "r.md", "# report\n")
    assert caught.value.fix_in("en") == _fix("disk_full", "en").rstrip(".") and "folder" not in caught.value.fix_in("en")
    assert caught.value.fix_in("de") == _fix("disk_full", "de").rstrip(".")
    assert not (tmp_path / "r.md").exists() and list(tmp_path.iterdir()) == []  # nothing half written left behind
