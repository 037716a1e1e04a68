"""A fleet of independent Graph doubles (one host each), as the issue checks it: onboarded with `tenant import`,
audited with `fleet audit`, each tenant compared with its own single audit, then re-audited after a change."""
from __future__ import annotations

from pathlib import Path

import pytest

from readiness.graph.auth import token_env_name
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

from .conftest import closed_port, envelope, invoke

pytestmark = pytest.mark.slow


def test_independent_doubles_with_a_rejected_token_and_one_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sims = {"sme-a": Simulator(generate_tenant("unprepared-sme", seed=3)),
            "ent-b": Simulator(generate_tenant("enterprise", seed=4, size=50)),
            "ent-c": Simulator(generate_tenant("enterprise", seed=5, size=30))}
    servers = {n: SimulatorServer(s).start() for n, s in sims.items()}
    try:
        lines = ["name,tenant_id,auth,graph_url,tags"]
        for n, s in sims.items():
            lines.append(f"{n},{s.tenant.tenant_id},token,{servers[n].base_url},key")
            monkeypatch.setenv(token_env_name(n), s.issue_token())
        lines.append(f"rejected,{sims['sme-a'].tenant.tenant_id},token,{servers['sme-a'].base_url},key")
        monkeypatch.setenv(token_env_name("rejected"), sims["ent-b"].issue_token())  # signed by another double
        lines.append(f"gone,gone.example.com,token,http://127.0.0.1:{closed_port()}/v1.0,key")
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", "opaque-fallback-token")  # used where no profile variable is set
        csv_path = tmp_path / "clients.csv"
        csv_path.write_text("\n".join(lines) + "\n", "utf-8")
        assert invoke("tenant", "import", str(csv_path)).exit_code == 0

        out = tmp_path / "out"
        r = invoke("fleet", "audit", "--tag", "key", "--out-dir", str(out), "--max-wait", "2", "-o", "json")
        assert r.exit_code == 7, r.stderr
        assert "Traceback" not in r.stderr and "never retrieved" not in r.stderr
        by = {t["name"]: t for t in envelope(r)["data"]["tenants"]}
        assert {n for n, t in by.items() if t["status"] == "failed"} == {"rejected", "gone"}
        assert by["gone"]["tenant_id"] == "gone.example.com"  # from the profile when Graph could not say
        for n in sims:
            data = envelope(invoke("audit", "--tenant", n, "-o", "json"))["data"]
            assert by[n]["tenant_id"] == sims[n].tenant.tenant_id
            assert (by[n]["score"], by[n]["people"], by[n]["ready"], by[n]["not_ready"], by[n]["seats_to_buy"]) == (
                data["score"]["overall"], data["summary"]["people"], data["summary"]["ready"],
                data["summary"]["not_ready"], data["summary"]["seats_to_buy"])

        with sims["sme-a"].tenant.lock:  # fix anonymous links in one client
            sims["sme-a"].tenant.sharepoint_settings["sharingCapability"] = "externalUserSharingOnly"
        again = envelope(invoke("fleet", "audit", "--tag", "key", "--out-dir", str(out), "--max-wait", "2", "-o", "json"))
        by = {t["name"]: t for t in again["data"]["tenants"]}
        assert "sharing.anyone_links" in by["sme-a"]["fixed"] and by["sme-a"]["new_failing"] == []
        assert by["ent-b"]["fixed"] == [] and by["ent-c"]["fixed"] == []
    finally:
        for s in servers.values():
            s.stop()


def test_an_unreachable_tenant_prints_no_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from readiness.simulator import Faults

    slow = Simulator(generate_tenant("unprepared-sme", seed=9), Faults(latency=0.3))  # still running when "gone" fails
    with SimulatorServer(slow) as srv:
        env = dict(os.environ, READINESS_ACCESS_TOKEN=slow.issue_token(), READINESS_PROGRESS="always")
        for name, tid, url in (("gone", "gone.example.com", f"http://127.0.0.1:{closed_port()}/v1.0"),
                               ("slow", slow.tenant.tenant_id, srv.base_url)):
            add = ["tenant", "add", name, "--tenant-id", tid, "--auth", "token", "--graph-url", url]
            subprocess.run([sys.executable, "-m", "readiness", *add], env=env, check=True, capture_output=True)
        r = subprocess.run([sys.executable, "-m", "readiness", "fleet", "audit", "--out-dir", str(tmp_path / "o"),
                            "--max-wait", "1"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 7 and "slow: done" in r.stderr
    assert "gone: failed: Could not reach" in r.stderr
    assert "Traceback" not in r.stderr and "never retrieved" not in r.stderr
