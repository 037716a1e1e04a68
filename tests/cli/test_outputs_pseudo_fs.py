"""An output on the kernel's file systems (/proc, /sys) is refused before anything is collected: as root, /proc looks
writable to os.access and /proc/version passed the early check, then failed after the whole collection with "No such
file or directory". /dev/null, FIFOs, the process's own streams and a link to a regular file keep working."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness import safe_io
from readiness.cli import cli
from tests.cli.test_audit_outputs import _refused_before_collecting, audit, server  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/version"), reason="a Linux /proc")
BASE = Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json"


@pytest.mark.parametrize("target", ["/proc/version", "/proc/sys/vm/readiness.json", "/proc/no-such-file.json",
                                    "/sys/kernel/readiness.json"])
def test_a_path_on_proc_or_sys_is_refused_before_collecting(target: str, server, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                                            tmp_path: Path) -> None:
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, tmp_path, "--out", target)
    _refused_before_collecting(server, result, before, target, "kernel", "ordinary folder")


def test_a_link_of_the_users_to_proc_is_refused_and_the_refusal_is_in_german(server, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                                                            tmp_path: Path) -> None:
    os.symlink("/proc/version", tmp_path / "v.json")
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, tmp_path, "--snapshot-out", str(tmp_path / "v.json"), "--lang", "de")
    _refused_before_collecting(server, result, before, "Kernel", "proc")


def test_report_refuses_it_too_with_the_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(BASE), "-o", "html", "--out", "/proc/version"])
    assert result.exit_code == 1 and "kernel" in result.output and "No such file" not in result.output, result.output
    assert "Traceback" not in result.output


def test_streams_devices_fifos_and_links_to_regular_files_pass(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "real.json").write_text("old")
    os.symlink(tmp_path / "real.json", tmp_path / "link.json")
    for ok in (os.devnull, "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", fifo, tmp_path / "link.json", tmp_path / "new.json"):
        safe_io.check_output(Path(ok))
    safe_io.write_file(tmp_path / "link.json", "new")
    assert os.path.islink(tmp_path / "link.json") and (tmp_path / "real.json").read_text() == "new"
