"""Kill a real `playbook apply` process at a journal line or a moment, resume, compare with a fault-free run.

Used by tests/playbook/test_crash_matrix.py (at least 30 points per run of the slow tests) and by
benchmarks/crash.py (more points, figures committed under benchmarks/results/).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Faults, Simulator
from readiness.simulator.server import SimulatorServer
from tests.playbook.helpers import duplicates, mails, params, state, tenant, write_playbook

LATENCY = 0.02
_EXPECTED: dict = {}


@dataclass
class Trial:
    point: str
    killed: bool
    resumes: int
    exit_code: int
    lost: int  # parts of the final state that differ from the fault-free run (missing members count as one)
    duplicated: int  # objects or mails made more than once
    differing: list[str]
    seconds: float


def journal_lines(home: Path) -> int:
    runs = home / "data" / "runs"
    return sum(len(j.read_bytes().splitlines()) for j in runs.glob("*/journal.jsonl")) if runs.exists() else 0


def expected(book: Path) -> dict:
    """The fault-free final state (computed once per process; the generated tenant is the same every time)."""
    if "state" not in _EXPECTED:
        t = tenant()
        with tempfile.TemporaryDirectory() as home, SimulatorServer(Simulator(t)) as server:
            r = CliRunner().invoke(cli, ["playbook", "apply", str(book), *params(t), "--yes", "--graph-url", server.base_url],
                                   env={"READINESS_HOME": home, "READINESS_ACCESS_TOKEN": server.sim.issue_token()})
            assert r.exit_code == 0, r.output
            _EXPECTED.update(state=state(t), mails=mails(t), lines=journal_lines(Path(home)))
    return _EXPECTED


def _run_id(home: Path) -> str | None:
    runs = home / "data" / "runs"
    found = sorted(d.name for d in runs.iterdir() if (d / "meta.json").exists()) if runs.exists() else []
    return found[-1] if found else None


def heavy(rate: float, seed: int) -> Faults:
    """``rate`` of all requests fail: 429, 503, 504 and dropped connections alike (half of the dropped writes
    are done by the server before the answer is lost). Retry-After 0 keeps the wall time small."""
    q = rate / 4
    return Faults(rate_429=q, rate_503=q, rate_504=q, rate_drop=q, retry_after=0, seed=seed)


def kill_apply(book: Path, t, base_url: str, token: str, home: Path, *, after_lines: int | None = None,  # noqa: ANN001
               after_seconds: float | None = None) -> tuple[bool, int]:
    """Start `playbook apply` in a real process and SIGKILL it at the point; (killed, exit code)."""
    env = {**os.environ, "READINESS_HOME": str(home), "READINESS_ACCESS_TOKEN": token}
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "playbook", "apply", str(book), *params(t), "--yes",
                             "--graph-url", base_url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    t0 = None
    while proc.poll() is None and time.monotonic() < deadline:
        if after_lines is not None and journal_lines(home) >= after_lines:
            break
        if after_seconds is not None:
            if t0 is None and (home / "data" / "runs").exists():
                t0 = time.monotonic()  # count from the first run folder: collection time varies
            if t0 is not None and time.monotonic() - t0 >= after_seconds:
                break
        time.sleep(0.002)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return killed, proc.returncode


def trial(folder: Path, *, after_lines: int | None = None, after_seconds: float | None = None,
          faults: Faults | None = None, max_resumes: int = 6) -> Trial:
    """One kill point: start apply in a real process, SIGKILL it at the point, resume until complete, compare."""
    started = time.monotonic()
    book = write_playbook(folder)
    want = expected(book)
    t = tenant()
    f = faults or Faults()
    f.latency = f.latency or LATENCY
    sim = Simulator(t, f)
    home = folder / "home"
    with SimulatorServer(sim) as server:
        token = sim.issue_token()
        killed, returncode = kill_apply(book, t, server.base_url, token, home, after_lines=after_lines, after_seconds=after_seconds)
        code, resumes = (0 if not killed and returncode == 0 else 5), 0
        cenv = {"READINESS_HOME": str(home), "READINESS_ACCESS_TOKEN": token}
        pending = killed
        while (pending or code != 0) and resumes < max_resumes:
            run_id = _run_id(home)
            args = ["playbook", "resume", run_id, "--yes"] if run_id else ["playbook", "apply", str(book), *params(t), "--yes"]
            r = CliRunner().invoke(cli, [*args, "--graph-url", server.base_url], env=cenv)
            resumes += 1
            code, pending = r.exit_code, False
            if code == 0:
                break
    got = state(t)
    differing = sorted(k for k in want["state"] if got.get(k) != want["state"][k])
    dup = duplicates(t)
    lost = len(differing) + max(0, want["mails"] - mails(t))
    return Trial(f"line {after_lines}" if after_lines is not None else f"{after_seconds:.2f}s", killed, resumes, code, lost,
                 sum(dup.values()), differing + [f"{k}+{v}" for k, v in dup.items() if v], round(time.monotonic() - started, 2))


def as_dict(tr: Trial) -> dict:
    return asdict(tr)
