"""`--out /proc/<pid>/fd/N` is this process's own stream only when <pid> is this process: another process's open file
(a daemon's log) was appended to, because every /proc/<digits>/fd/N passed as "the process's own streams". Now it is
refused before anything is read, with a clear error, and the other process's file is left as it was. The process's own
names keep working: /proc/self/fd/N, /proc/thread-self/fd/N, /proc/<os.getpid()>/fd/N, /dev/fd/N, /dev/stdout.

proc(5): /proc/[pid]/fd/ holds one entry per file the process has open, a link to the file; /proc/self and
/proc/thread-self name the calling process and thread (https://man7.org/linux/man-pages/man5/proc.5.html)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import safe_io

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="a Linux /proc")
SNAP = str(Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json")


@pytest.fixture
def other_process(tmp_path: Path):  # noqa: ANN201
    """Another process (``sleep``) holding a log open on its fd 1, appending."""
    log = tmp_path / "victim.log"
    log.write_bytes(b"the daemon's log\n")
    with open(log, "ab") as fh:
        proc = subprocess.Popen(["sleep", "60"], stdout=fh)
    try:
        yield proc.pid, log
    finally:
        proc.kill()
        proc.wait()


def test_another_process_s_open_file_is_refused_by_report(other_process, tmp_path: Path) -> None:
    pid, log = other_process
    env = dict(os.environ, READINESS_HOME=str(tmp_path / "home"), READINESS_NOW="2026-12-01T00:00:00Z")
    for lang, words in (("en", "another process"), ("de", "anderen Prozesses")):
        p = subprocess.run([sys.executable, "-m", "readiness", "report", SNAP, "-o", "md", "--out", f"/proc/{pid}/fd/1",
                            "--lang", lang], capture_output=True, env=env, timeout=120)
        err = p.stderr.decode()
        assert p.returncode == 1 and words in err and f"/proc/{pid}/fd/1" in err, (p.returncode, err)
        assert "Traceback" not in err and "Wrote" not in err and "Schrieb" not in err
    assert log.read_bytes() == b"the daemon's log\n"


def test_write_file_refuses_it_and_check_output_refuses_it_early(other_process) -> None:
    pid, log = other_process
    for call in (lambda p: safe_io.write_file(p, "report"), safe_io.check_output):
        with pytest.raises(safe_io.OutputError) as info:
            call(Path(f"/proc/{pid}/fd/1"))
        assert info.value.key == "files.foreign_fd" and str(pid) in str(info.value)
    assert log.read_bytes() == b"the daemon's log\n"


@pytest.mark.parametrize("name", ["/proc/self/fd/{fd}", "/proc/thread-self/fd/{fd}", "/proc/{pid}/fd/{fd}",
                                  "/dev/fd/{fd}"])
def test_the_process_s_own_streams_are_still_written_into(name: str, tmp_path: Path) -> None:
    log = tmp_path / "own.log"
    log.write_bytes(b"before\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        path = Path(name.format(fd=fd, pid=os.getpid()))
        safe_io.check_output(path)
        safe_io.write_file(path, "after\n")
    finally:
        os.close(fd)
    assert log.read_bytes() == b"before\nafter\n"
