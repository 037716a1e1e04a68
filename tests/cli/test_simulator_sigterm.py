"""`readiness simulator serve` stopped by SIGTERM (`kill`, `docker stop`, systemd; attack12) ends as Ctrl-C ends it:
"Stopped.", the conduct summary on stderr, exit 0. Before, Python's default ended the process at once (exit -15)
and the summary of what the client did was lost."""
from __future__ import annotations

import json
import signal
import urllib.request

from tests.helpers import serve_simulator_process


def test_sigterm_stops_the_simulator_with_its_conduct_summary() -> None:
    proc, base, token = serve_simulator_process()
    try:
        req = urllib.request.Request(base + "/v1.0/users?$top=5&$select=id,displayName",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert len(json.loads(resp.read())["value"]) == 5
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err, err
    assert "Conduct: 1 requests (200: 1)" in err and "no misconduct" in err, err


def test_sigterm_stops_the_fleet_simulator_as_ctrl_c_does(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "readiness", "simulator", "serve", "--fleet", "2", "--port", "0",
                             "--fleet-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "http://127.0.0.1:" in proc.stdout.readline()  # serving: the one line on stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Stopped." in err and "Traceback" not in err, err
