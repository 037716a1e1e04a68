"""`readiness audit` checks every path it will write (--snapshot-out, --out, --report) before it collects anything:
a missing folder, a folder it cannot write into, a file name that is a folder or whose folder is a file, a dangling
link, each refused at once (exit 1, one clear error, the tenant not read, nothing created), where before a missing
folder was found only after the whole collection. /dev/null and other special files are still written into."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness import safe_io
from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - one simulator for the module
    with SimulatorServer(Simulator(generate_tenant("unprepared-sme", seed=7))) as srv:
        yield srv


def audit(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str):  # noqa: ANN001, ANN201
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
    return CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, *args])


def _refused_before_collecting(server, result, before: int, *words: str) -> None:  # noqa: ANN001
    assert result.exit_code == 1, result.output
    assert result.output.count("Error: ") + result.output.count("Fehler: ") == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    for w in words:
        assert w in result.output, result.output
    assert len(server.sim.conduct.requests) == before  # not one request: refused before the tenant was read


@pytest.mark.parametrize("option", ["--snapshot-out", "--out", "--report"])
def test_a_missing_folder_is_refused_before_collecting(option: str, server, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "missing" / ("x.json.gz" if option == "--snapshot-out" else "x.json")
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, tmp_path, option, str(target))
    _refused_before_collecting(server, result, before, "the folder", "does not exist", "Create the folder first")
    assert not (tmp_path / "missing").exists()


def test_a_folder_that_is_a_file_or_a_dangling_link_is_refused_before_collecting(
        server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, tmp_path, "--snapshot-out", str(tmp_path / "plain" / "x.json"))
    _refused_before_collecting(server, result, before, "is not a folder")
    os.symlink(tmp_path / "nowhere" / "x.json", tmp_path / "link.json")
    result = audit(server, monkeypatch, tmp_path, "--out", str(tmp_path / "link.json"))
    _refused_before_collecting(server, result, before, "which does not exist")
    result = audit(server, monkeypatch, tmp_path, "--report", str(tmp_path))  # a folder named as the report
    assert result.exit_code != 0 and len(server.sim.conduct.requests) == before


def test_an_unwritable_folder_is_refused_before_collecting(server, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() != 0:  # a real folder without write permission
        locked.chmod(0o500)
    else:  # root writes anywhere but on a read-only file system: os.access says so (EROFS); stand in for it here
        real = os.access
        monkeypatch.setattr(safe_io.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    try:
        before = len(server.sim.conduct.requests)
        result = audit(server, monkeypatch, tmp_path, "--snapshot-out", str(locked / "x.json.gz"))
        _refused_before_collecting(server, result, before, "is not writable")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_the_same_error_in_german(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, tmp_path, "--out", str(tmp_path / "fehlt" / "x.json"), "--lang", "de")
    _refused_before_collecting(server, result, before, "den Ordner", "gibt es nicht")


def test_special_files_are_still_written_into_and_good_paths_still_written(server, monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    safe_io.check_output(fifo)  # checked without opening it (opening a FIFO would wait for a reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    result = audit(server, monkeypatch, tmp_path, "--snapshot-out", os.devnull, "--out", os.devnull,
                   "--report", str(tmp_path / "r.html"), "-o", "json")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert stat.S_IMODE(os.stat(tmp_path / "r.html").st_mode) == 0o600
