"""Outputs never clobber what they should not (issue 8): one safe writer for --out, --snapshot-out, --report,
plan files, the demo report, pseudonym keys and journals (readiness/safe_io.py).

Special files (/dev/null, a FIFO, /dev/stdout) are written into and stay what they are; regular files are
replaced atomically through mkstemp in their folder; personal data is 0600 in 0700 folders; symlinks are
followed only when the user owns them.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.safe_io import OutputError, open_output, write_file
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - one simulator for the module: these tests only read, and start-up costs time
    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    with SimulatorServer(sim) as srv:
        yield srv


def audit(server, monkeypatch: pytest.MonkeyPatch, *args: str):  # noqa: ANN001, ANN201
    """`readiness audit` against the simulator over real HTTP."""
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
    return CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, *args])


@pytest.fixture(scope="module")
def _module_snap(server, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("snap")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINESS_HOME", str(folder / "home"))
        result = audit(server, mp, "--snapshot-out", str(folder / "snap.json.gz"), "--out", str(folder / "first.txt"))
    assert result.exit_code == 0, result.output
    return (folder / "snap.json.gz").read_bytes()


@pytest.fixture
def snap(_module_snap: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "snaps" / "snap.json.gz"
    path.parent.mkdir()
    path.write_bytes(_module_snap)
    return path


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]


class _FifoReader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would; unblocked by the test if the writer never came."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self) -> None:
        with open(self.path, "rb") as fh:
            self.data = fh.read()

    def finish(self) -> bytes:
        self.join(timeout=30)
        if self.is_alive():  # the command never opened the FIFO: open it ourselves so the reader sees EOF
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self.join(timeout=5)
        return self.data


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_out_to_a_fifo_is_written_into_and_stays_a_fifo(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo, 0o640)
    reader = _FifoReader(fifo)
    reader.start()
    result = audit(server, monkeypatch, "-o", "json", "--out", str(fifo))
    data = reader.finish()
    assert result.exit_code == 0, result.output
    assert json.loads(data)["command"] == "audit"
    st = os.lstat(fifo)
    assert stat.S_ISFIFO(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o640  # not replaced, mode untouched
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_report_and_snapshot_into_fifos(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    report, snapshot = tmp_path / "report.md", tmp_path / "snap.json"
    os.mkfifo(report)
    os.mkfifo(snapshot)
    readers = [_FifoReader(report), _FifoReader(snapshot)]
    for r in readers:
        r.start()
    result = audit(server, monkeypatch, "--report", str(report), "--snapshot-out", str(snapshot), "--out", os.devnull)
    md, snap_text = (r.finish() for r in readers)
    assert result.exit_code == 0, result.output
    assert md.decode().startswith("# ") and json.loads(snap_text)["schema_version"] == 1
    assert stat.S_ISFIFO(os.lstat(report).st_mode) and stat.S_ISFIFO(os.lstat(snapshot).st_mode)


def test_dev_null_stays_a_character_device(server, monkeypatch: pytest.MonkeyPatch, snap: Path) -> None:
    # Before the fix, as root, `readiness audit --out /dev/null` replaced /dev/null with a regular file.
    before = os.stat(os.devnull)
    assert stat.S_ISCHR(before.st_mode)
    result = audit(server, monkeypatch, "-o", "csv", "--out", os.devnull, "--snapshot-out", os.devnull)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", "--from-snapshot", str(snap), "--out", os.devnull])
    assert result.exit_code == 0, result.output
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)


def test_a_character_device_made_in_tmp_is_written_into(snap: Path, tmp_path: Path) -> None:
    dev = tmp_path / "null.json"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o620, os.makedev(1, 3))  # the same device as /dev/null
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a character device here ({exc}); needs root or CAP_MKNOD")
    mode = stat.S_IMODE(os.lstat(dev).st_mode)
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", str(dev)])
    assert result.exit_code == 0, result.output
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3) and stat.S_IMODE(st.st_mode) == mode
    assert _leftovers(tmp_path) == []


def _subprocess(args: list[str], **kw):  # noqa: ANN003, ANN202
    return subprocess.run([sys.executable, "-m", "readiness", *args], env=dict(os.environ), timeout=120, **kw)


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout on this platform")
def test_out_dev_stdout_to_a_pipe_and_to_a_redirected_file(snap: Path, tmp_path: Path) -> None:
    args = ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", "/dev/stdout"]
    piped = _subprocess(args, capture_output=True)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["command"] == "audit"
    target = tmp_path / "redirected.json"
    with open(target, "wb") as fh:  # `readiness ... --out /dev/stdout > redirected.json`
        inode = os.fstat(fh.fileno()).st_ino
        redirected = _subprocess(args, stdout=fh, stderr=subprocess.PIPE)
    assert redirected.returncode == 0, redirected.stderr
    assert os.stat(target).st_ino == inode  # the shell's file was written into, not replaced behind its back
    assert json.loads(target.read_bytes())["data"] == json.loads(piped.stdout)["data"]


def test_outputs_are_private_and_replaced_atomically(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out, snap, report = tmp_path / "out.csv", tmp_path / "snap.json.gz", tmp_path / "report.html"
    out.write_text("old")
    os.chmod(out, 0o644)
    old_inode = os.stat(out).st_ino
    old_umask = os.umask(0o022)
    try:
        result = audit(server, monkeypatch, "-o", "csv", "--out", str(out), "--snapshot-out", str(snap), "--report", str(report))
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    for path in (out, snap, report):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert os.stat(out).st_ino != old_inode and out.read_text().startswith("\ufeffCheck ID,")  # a new file took its place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "report.html", "snap.json.gz"]  # no temp files


def test_plan_file_key_and_run_journal_are_private(snap: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "plan.json"
    plan.parent.mkdir()
    result = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", "--from-snapshot", str(snap), "--out", str(plan)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(plan).st_mode) == 0o600 and _leftovers(plan.parent) == []
    home = Path(os.environ["READINESS_HOME"])
    key = home / "data" / "plan-signing.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    for folder in (home, home / "data"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder

    from readiness.collect.snapshot import Snapshot
    from readiness.playbook.planner import make_plan
    from readiness.playbook.loader import load
    from readiness.playbook.runs import RunStore

    made = make_plan(load("emergency-home-office"), Snapshot.load(snap))
    run = RunStore().create(made, {"tenant_key": "t"})
    run.write({"phase": "start"})
    assert stat.S_IMODE(os.stat(run.dir).st_mode) == 0o700
    for name in ("plan.json", "meta.json", "journal.jsonl"):
        assert stat.S_IMODE(os.stat(run.dir / name).st_mode) == 0o600, name


def test_pseudonym_key_is_private(snap: Path, tmp_path: Path) -> None:
    out = tmp_path / "anon.md"
    result = CliRunner().invoke(cli, ["report", str(snap), "--pseudonymize", "--out", str(out)])
    assert result.exit_code == 0, result.output
    keys = Path(os.environ["READINESS_HOME"]) / "data" / "pseudonym-keys"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o700
    assert [stat.S_IMODE(os.stat(k).st_mode) for k in keys.iterdir()] == [0o600]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_demo_report_in_new_folders_is_private(tmp_path: Path) -> None:
    report = tmp_path / "new" / "deeper" / "demo.html"
    result = CliRunner().invoke(cli, ["demo", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(report.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(report.parent.parent).st_mode) == 0o700


# -- symbolic links ---------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_own_symlink_is_kept_and_its_target_replaced(snap: Path, tmp_path: Path) -> None:
    real_dir = tmp_path / "reports"
    real_dir.mkdir()
    real = real_dir / "2026.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link is kept
    assert json.loads(real.read_text())["command"] == "audit" and stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert _leftovers(tmp_path) == [] and _leftovers(real_dir) == []  # temp file made in the target's folder


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_dangling_symlink_is_refused(snap: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "nowhere" / "x.json")
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", str(link)])
    assert result.exit_code == 1
    assert "Error: " in result.output and "does not exist" in result.output and "Traceback" not in result.output
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(not hasattr(os, "lchown"), reason="no lchown")
def test_symlink_planted_by_another_user_is_refused(snap: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    other = 65534 if os.geteuid() != 65534 else 65533
    try:
        os.lchown(link, other, other)
    except PermissionError:
        pytest.skip("changing a link's owner needs root")
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", str(link)])
    assert result.exit_code == 1 and "symbolic link owned by another user" in result.output
    assert victim.read_text() == "precious" and link.is_symlink()


# -- the writer itself ------------------------------------------------------------------------------
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with open_output(target) as fh:
            fh.write(b"half")
            raise RuntimeError("disk full, say")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_folder_or_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_file(tmp_path, "x")
    with pytest.raises(OutputError, match="Cannot write .*Check that the folder exists"):
        write_file(tmp_path / "missing" / "x.txt", "x")


def test_report_extension_is_checked_before_collecting(server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = len(server.sim.conduct.requests)
    result = audit(server, monkeypatch, "--report", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert "--report" in result.output and ".html" in result.output
    assert len(server.sim.conduct.requests) == before  # refused before a single request
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.skipif(not os.path.exists("/dev/fd/0"), reason="no /dev/fd on this platform")
def test_dev_fd_of_a_pipe_is_written_into(tmp_path: Path) -> None:
    r, w = os.pipe()
    try:
        write_file(Path(f"/dev/fd/{w}"), "through the pipe")
        os.close(w)
        w = -1
        assert os.read(r, 100) == b"through the pipe"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_an_existing_output_folder_keeps_its_mode(snap: Path, tmp_path: Path) -> None:
    """New folders are 0700; a folder that exists (--out-dir /tmp, say) is written into and never re-moded."""
    import readiness

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    result = readiness.letters(readiness.load_snapshot(snap), shared, lang="en")
    assert result.people  # letters were written into it ...
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755  # ... and its mode is what it was
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in shared.iterdir())
    fresh = tmp_path / "fresh" / "letters"
    readiness.letters(readiness.load_snapshot(snap), fresh, lang="en")
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o700 and stat.S_IMODE(os.stat(fresh.parent).st_mode) == 0o700


def test_the_tenant_lock_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The lock file is named after the tenant id: 0600 like every file readiness writes (it was 0644 under umask 022)
    from readiness.playbook.runs import TenantLock

    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    old = os.umask(0o022)
    try:
        with TenantLock("5bc8fbbc-bde5-4099-8164-d8399f767c45") as lock:
            assert stat.S_IMODE(os.stat(lock.path).st_mode) == 0o600
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(lock.path.parent).st_mode) == 0o700
