"""A Retry-After is kept in the data folder the moment it arrives, so a killed process still passes it on.

Found by an independent check (random SIGKILLs of `playbook apply` at 20% faults): the not-before time was
written only when the apply ended (a `finally`), so an apply killed while waiting out a 429 left nothing, and the
next apply or resume hit the tenant before Retry-After elapsed (11 violations counted by the simulator in one
trial). Planning never kept it at all.
Graph: "If a Retry-After header is provided, wait for the specified number of seconds before retrying"
(microsoft-graph-docs-contrib concepts/throttling.md, "Best practices to handle throttling").
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from readiness.playbook import throttle
from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


@pytest.mark.slow
def test_an_apply_killed_while_it_waits_out_a_429_leaves_the_not_before_time(tmp_path: Path) -> None:
    t = generate_tenant("unprepared-sme", seed=7)
    book = tmp_path / "sharing.yaml"
    book.write_text("name: sharing\ndescription: x\nsteps:\n  - {id: s, action: sharing_settings, params: {sharingCapability: disabled}}\n")
    with SimulatorServer(Simulator(t, faults=Faults(first=("429",), retry_after=60))) as server:
        env = dict(os.environ, READINESS_ACCESS_TOKEN=server.sim.issue_token(), READINESS_LANG="en")
        proc = subprocess.Popen([sys.executable, "-m", "readiness", "playbook", "apply", str(book), "--graph-url", server.base_url,
                                 "--yes"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            seen = ""
            while "asked to wait" not in seen:  # the first request was answered 429, Retry-After: 60
                line = proc.stderr.readline()
                assert line, seen + proc.stderr.read()
                seen += line
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert any(status == 429 for *_, status in server.sim.conduct.requests)
    left = throttle.remaining(t.tenant_id)
    assert 30 < left <= 60, left  # the next process for this tenant waits for it
