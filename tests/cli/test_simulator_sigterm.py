"""`readiness simulator serve` stopped by SIGTERM (`kill`, `docker stop`, systemd; attack12) ends as Ctrl-C ends it:
"Stopped.", the conduct summary on stderr, exit 0. Before, Python's default ended the process at once (exit -15)
and the summary of what the client did was lost."""
from __future__ import annotations

import json
import signal
import urllib.error
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
        base = proc.stdout.readline().split()[-1]  # serving: the one line on stdout
        assert base.startswith("http://127.0.0.1:"), base
        tokens = dict(line.split(" ", 1)[1].split("=", 1) for line in (tmp_path / "fleet-tokens.env").read_text().splitlines())
        token = tokens["READINESS_ACCESS_TOKEN_MUELLER_SOEHNE"]
        req = urllib.request.Request(base + "/users?$top=5&$select=id", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert len(json.loads(resp.read())["value"]) == 5
        try:
            urllib.request.urlopen(base + "/users", timeout=10)  # no token: the fleet answers 401 as Graph does
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Stopped." in err and "Traceback" not in err, err
    # attack13: the fleet printed no conduct summary; now each tenant asked something, as one tenant's serve does
    assert "mueller-soehne: Conduct: 1 requests (200: 1)" in err and "no misconduct" in err, err
    assert "(no tenant's token): Conduct: 1 requests (401: 1)" in err, err
    assert "2 of 3 tenants were not asked anything" in err and "baeckerei-schmidt:" not in err, err
    assert token not in err


def test_sigterm_while_a_large_tenant_is_generated_ends_as_ctrl_c_does() -> None:
    """attack13: the handler was installed only once the tenant was served; generating 100,000 people takes seconds,
    and a SIGTERM then ended the process at exit -15 without a word (Ctrl-C: "Interrupted.", 130)."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "readiness", "simulator", "serve", "--profile", "enterprise",
                             "--size", "100000", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "enterprise" in proc.stderr.readline()  # "Generating ...": the handler is in place before it
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Interrupted" in err and "Traceback" not in err and "READINESS_ACCESS_TOKEN" not in out, err


def test_a_second_sigterm_while_it_stops_is_let_go() -> None:
    """attack13: two SIGTERMs 1-50 ms apart printed "Stopped." and the summary, then ended at exit -15."""
    import time

    proc, _, _ = serve_simulator_process()
    proc.send_signal(signal.SIGTERM)
    for _ in range(5):
        time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Stopped." in err and "no misconduct" in err, (proc.returncode, err)
