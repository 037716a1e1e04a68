"""A snapshot read from a pipe (`readiness report <(zcat s.json.gz)`, `<(cat s.json.gz)`): the reader looks at the
first two bytes without reading them (a pipe cannot seek back); it said "damaged gzip: UnsupportedOperation"
(session 12's attack). The report from the pipe is the report from the file, gzip and plain alike."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import readiness

SNAP = Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json"


def _report(source: str, env: dict, pass_fds: tuple = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "readiness", "report", source, "-o", "json"], env=env,
                          capture_output=True, pass_fds=pass_fds, timeout=120)


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd on this system")
@pytest.mark.parametrize("packed", [True, False])
def test_a_snapshot_from_a_pipe_reads_as_from_its_file(tmp_path: Path, packed: bool) -> None:
    path = tmp_path / ("s.json.gz" if packed else "s.json")
    readiness.load_snapshot(SNAP).save(path)
    data = path.read_bytes()
    assert (data[:2] == b"\x1f\x8b") is packed and (gzip.decompress(data) if packed else data)
    env = dict(os.environ, READINESS_NOW="2026-12-01T00:00:00Z", READINESS_HOME=str(tmp_path / "home"))
    r, w = os.pipe()

    def feed() -> None:
        with os.fdopen(w, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        piped = _report(f"/dev/fd/{r}", env, pass_fds=(r,))
    finally:
        os.close(r)
        writer.join(timeout=30)
    direct = _report(str(path), env)
    assert piped.returncode == 0, piped.stderr.decode()
    assert piped.stdout == direct.stdout and b'"status": "success"' in piped.stdout
