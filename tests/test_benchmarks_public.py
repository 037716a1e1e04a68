"""The benchmarks use the public API only (issue 9), and they still run (issue 15): a small one is run here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import readiness

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))
ALLOWED = ("readiness", "readiness.aio")


def internal_uses(source: str) -> list[str]:
    """Imports of readiness.<internal> and attribute paths readiness.<not exported>, as 'line: what'."""
    exported = set(readiness.__all__)
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names = [node.module] if node.module != "readiness" else \
                    [f"readiness.{a.name}" for a in node.names if a.name not in exported]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "readiness":
            if node.attr not in exported and not node.attr.startswith("__"):
                names = [f"readiness.{node.attr}"]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        found += [f"{node.lineno}: {n}" for n in names
                  if (n == "readiness" or n.startswith("readiness.")) and n not in ALLOWED]
    return found


def test_the_scan_sees_every_way_of_reaching_an_internal_module() -> None:
    planted = ("import readiness\nimport readiness.aio\nfrom readiness import aio, connect\n"
               "from readiness.simulator.server import SimulatorServer\nimport readiness.graph.client\n"
               "from readiness import simulator\nx = readiness.playbook\ny = readiness.collect(c)\n"
               "import importlib\nz = importlib.import_module('readiness.fleet.audit')\n")
    assert sorted(internal_uses(planted)) == ["10: readiness.fleet.audit", "4: readiness.simulator.server",
                                              "5: readiness.graph.client", "6: readiness.simulator",
                                              "7: readiness.playbook"]


def test_benchmarks_import_only_the_public_api() -> None:
    assert len(BENCHMARKS) >= 8  # the scan itself must see the benchmarks
    bad = {p.name: internal_uses(p.read_text("utf-8")) for p in BENCHMARKS}
    assert {name: uses for name, uses in bad.items() if uses} == {}


def test_the_honest_page_count_of_a_small_tenant_is_exact() -> None:
    # whole.py's figures on a 200-person tenant: every request passes a recording proxy that counts pages itself,
    # and the pages necessary come from the items it served and Graph's page limits (users: up to 999 a page,
    # 500 with signInActivity, https://learn.microsoft.com/graph/api/user-list; $expand: 100,
    # https://learn.microsoft.com/graph/paging). Full pages (no jitter): a client that over-fetched would fail.
    from benchmarks.replay import Recorder
    from benchmarks.whole import batch_items, necessary_pages

    with readiness.serve_simulator("enterprise", seed=7, size=200, page_jitter=False) as sim:
        rec = Recorder(sim.graph_url.rsplit("/v1.0", 1)[0])
        url = rec.start()
        try:
            snap = readiness.collect(readiness.connect(graph_url=url + "/v1.0", token=sim.token))
        finally:
            rec.stop()
    assert snap.completeness() == "complete"
    rec.batch_items_needed = batch_items(rec.tape)
    need = necessary_pages(rec, 8)
    assert rec.pages["/users"] >= 1 and rec.items["/users"] == len(snap.sections["users"].data)
    assert dict(rec.pages) == need["by_endpoint"]
    assert sum(rec.pages.values()) == need["total"] > 20


@pytest.mark.slow
def test_the_delta_benchmark_changes_the_tenant_over_graph_and_re_audits_the_same_data() -> None:
    from benchmarks.delta import measure

    run = measure(300, 1.0)
    assert run["changed_users"] == 3 and run["changed_devices"] >= 3
    assert run["same_data"] is True
    assert run["delta"]["whole_audit"] < run["full"]["whole_audit"]
    assert run["delta"]["delta_collections"] < run["full"]["delta_collections"]


@pytest.mark.slow
def test_the_apply_benchmark_plans_and_applies_through_the_api_under_the_write_throttle(tmp_path: Path) -> None:
    from benchmarks.apply import PLAYBOOK, run, unlicensed_tenant

    playbook = tmp_path / "licences.yaml"
    playbook.write_bytes(PLAYBOOK)
    with readiness.serve_simulator(tenant=unlicensed_tenant(60), write_rate=40.0, write_burst=10, fault_seed=4) as sim:
        out = run(sim, playbook)
        licensed = sim.change(lambda t: sum(1 for u in t.users if u["assignedLicenses"]))
        violations = list(sim.conduct.retry_after_violations)
    changes = len(out["plan"].changes)
    assert out["result"].status == "complete" and out["result"].done == changes > 20
    assert licensed > 20 and violations == []
    # counted by the server from the moment the apply was confirmed: batches of 20, plus at most one request per
    # throttled item sent again (a client resending whole batches, or the collection counted in, would exceed it)
    assert out["throttled_items"] > 0
    assert -(-changes // 20) <= out["requests"] <= -(-changes // 20) + out["throttled_items"]
    assert out["requests"] < out["collect_requests"] + changes
