"""`readiness report` imports what it uses (issue 15): no event loop (asyncio), no playbook reader (yaml), no
credentials for a snapshot already on disk. Each cost 15-25 ms at every start."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.checks.test_evaluate_golden import snapshot_of

PROBE = """
import sys
from readiness.cli import main
try:
    main(["report", sys.argv[1], "-o", "json", "--out", sys.argv[2]])
except SystemExit as exc:
    assert not exc.code, exc.code
print(" ".join(m for m in ("asyncio", "yaml", "readiness.aio", "readiness.config.connection", "readiness.playbook.loader",
                           "msgraph", "azure", "keyring", "httpx") if m in sys.modules))
"""


def test_report_imports_no_event_loop_no_yaml_no_credentials(tmp_path: Path) -> None:
    snap = tmp_path / "s.json.gz"
    snapshot_of("unprepared-sme").save(snap)
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", PROBE, str(snap), str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], done.stdout
    assert json.loads(out.read_text())["data"]["people"]  # the report was written: the path was taken whole
