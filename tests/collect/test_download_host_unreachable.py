"""A usage report's download host that cannot be reached fails that report's section, not the audit (indep17 #1).

Graph answers a report function with 302 to a preauthenticated download URL on another host
(https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail, "Response": 302 Found,
reports.office.com in the docs' example). A proxy or firewall that lets graph.microsoft.com through may block that
host: before, the whole audit ended with exit 1, nothing kept, and the message named the Graph endpoint.
"""
from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


def _dead_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_download_host_fails_only_the_report_s_section(tmp_path: Path) -> None:
    sim = Simulator(generate_tenant("enterprise", seed=7, size=60))  # names visible: the Teams report is downloaded
    port = _dead_port()
    with SimulatorServer(sim) as srv:
        sim.download_host = f"http://127.0.0.1:{port}"
        snap = tmp_path / "s.json.gz"
        env = {"READINESS_ACCESS_TOKEN": sim.issue_token(), "READINESS_LANG": "en"}
        r = CliRunner().invoke(cli, ["audit", "--graph-url", srv.base_url, "-o", "json", "--max-wait", "3",
                                     "--snapshot-out", str(snap)], env=env)
        whole = CliRunner().invoke(cli, ["audit", "--graph-url", srv.base_url, "-o", "json"], env=env)
    assert r.exit_code == 6, r.output  # incomplete (exit 6), not a command that failed (exit 1) with nothing kept
    doc = json.loads(r.stdout)
    assert doc["data"]["summary"]["people"] == json.loads(whole.stdout)["data"]["summary"]["people"] > 0
    assert snap.exists()
    failed = {n["section"]: n for n in doc["data"]["not_evaluated"] if n["status"] == "failed"}
    assert set(failed) == {"teams_usage"}, failed
    said = failed["teams_usage"]["reason"]
    assert f"Could not reach 127.0.0.1:{port}, where Graph sends the download of /reports/getTeamsUserActivityUserDetail" \
        in said, said
    assert "proxy or firewall" in r.stderr and "--graph-url or the profile" not in r.stderr, r.stderr
    de = json.loads(CliRunner().invoke(cli, ["report", str(snap), "-o", "json", "--lang", "de"]).stdout)["data"]
    reason_de = next(n["reason"] for n in de["not_evaluated"] if n["section"] == "teams_usage")
    assert f"127.0.0.1:{port} war nicht erreichbar, wohin Graph den Download von" in reason_de, reason_de
