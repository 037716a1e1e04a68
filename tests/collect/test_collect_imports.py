"""`readiness audit` imports what it uses (issue 15): a collect and its report do not load the playbooks' reader
(readiness.playbook.loader and yaml, ~30-40 ms at every audit); ``readiness.aio`` loads the playbooks' results where a
playbook is planned, applied, verified or undone. Over real HTTP against the simulator, in a fresh interpreter."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

PROBE = """
import sys
from readiness.cli import main
try:
    main(["audit", "--graph-url", sys.argv[1], "-o", "json", "--out", sys.argv[2], "-q"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(" ".join(m for m in ("yaml", "readiness.playbook.loader", "readiness.api.results") if m in sys.modules))
"""


def test_an_audit_imports_no_playbook_reader(tmp_path: Path) -> None:
    sim = Simulator(generate_tenant("unprepared-sme", seed=7))
    out = tmp_path / "audit.json"
    with SimulatorServer(sim) as server:
        env = {"READINESS_ACCESS_TOKEN": sim.issue_token(), "READINESS_NOW": "2026-12-01T00:00:00Z"}
        done = subprocess.run([sys.executable, "-c", PROBE, server.base_url, str(out)], capture_output=True, text=True,
                              timeout=300, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], done.stdout
    assert json.loads(out.read_text())["data"]["tenant"]["name"]  # the audit was written: the path was taken whole


def test_the_playbook_functions_still_give_their_results() -> None:
    from readiness import aio
    from readiness.api.results import PlaybookPlan

    snap = __import__("tests.checks.test_evaluate_golden", fromlist=["snapshot_of"]).snapshot_of("unprepared-sme")
    got = aio.plan_offline("emergency-home-office", snap)
    assert isinstance(got, PlaybookPlan) and got.plan is not None
