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


def test_the_objects_are_counted_in_the_snapshot_not_its_lines_and_the_split_runs_the_same_steps(tmp_path: Path) -> None:
    # whole.py once counted the snapshot file's lines as objects (9,098 at 100k users, where 669,155 were
    # collected): the big sections are stored as chunks of 1,000 rows of columns. The count now comes from the
    # snapshot loaded through the public API; the in-process split (collect, save, evaluate, render) is run as
    # whole.py runs it, in its own process, and must count the same objects as the file it saved.
    import gzip
    import json
    import os
    import subprocess
    import sys

    from benchmarks.whole import objects_in

    with readiness.serve_simulator("enterprise", seed=7, size=200) as sim:
        out = tmp_path / "phases.json"
        env = dict(os.environ, READINESS_ACCESS_TOKEN=sim.token, READINESS_HOME=str(tmp_path / "home"))
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "whole.py"), "--phases", sim.graph_url, "8",
                        str(tmp_path), str(out)], env=env, check=True, timeout=300)
    run = json.loads(out.read_text())
    saved = tmp_path / "phases.json.gz"
    snap = readiness.load_snapshot(saved)
    counted = objects_in(saved)
    lines = len(gzip.decompress(saved.read_bytes()).splitlines())
    assert counted["count_differs_from_rows"] == {}
    assert counted["objects"] == sum(s.count for s in snap.sections.values()) == run["objects"]
    assert counted["objects"] > 3 * len(snap.sections["users"].data) > 3 * lines  # not the file's lines
    assert counted["by_section"]["group_members"] == sum(len(m) for m in snap.sections["group_members"].data.values())
    assert list(run["phases"]) == ["start", "collect", "save", "evaluate", "render"]
    assert run["completeness"] == "complete" and run["phases"]["collect"]["cpu_seconds"] > 0
    assert run["collect_cpu_us_per_object"] == round(run["phases"]["collect"]["cpu_seconds"] / run["objects"] * 1e6, 2)
    assert json.loads((tmp_path / "phases-out.json").read_bytes())["command"] == "audit"


def test_peak_rss_is_the_commands_own_not_the_benchmarks() -> None:
    # A child forked from a big process inherits its high-water mark until exec (Linux; subprocess uses vfork):
    # whole.py reported the benchmark's own 1,251 MB as the report's peak. The launcher forks from a small process.
    import os
    import subprocess
    import sys

    from benchmarks.whole import run_measured

    held = b"\x01" * (200 << 20)  # the benchmark holding recorded answers
    naive = subprocess.Popen([sys.executable, "-c", "pass"])
    ru_naive = os.wait4(naive.pid, 0)[2]
    small = run_measured([sys.executable, "-c", "pass"], dict(os.environ))
    grows = run_measured([sys.executable, "-c", "x = b'1' * (120 << 20)"], dict(os.environ))
    assert len(held) and ru_naive.ru_maxrss / 1024 > 200  # the error this guards against, seen on this machine
    assert small["exit_code"] == 0 and small["peak_rss_mb"] < 60 and small["peak_rss_polled_mb"] < 60
    assert 120 < grows["peak_rss_mb"] < 200 and abs(grows["peak_rss_polled_mb"] - grows["peak_rss_mb"]) < 10
    chatty = run_measured([sys.executable, "-c", "import sys; sys.stderr.write('x' * 300_000); sys.exit(2)"],
                          dict(os.environ))  # a full stderr pipe once could stall the command
    assert chatty["exit_code"] == 2 and chatty["stderr_tail"] == "x" * 400


def test_reads_follow_nextlinks_short_pages_are_the_servers_and_a_page_asked_again_is_the_clients() -> None:
    # A read is its first request and the pages its nextLinks lead to, even when a nextLink drops the query (a
    # delta round's carry only $skiptoken, https://learn.microsoft.com/graph/delta-query-overview); a page
    # before the last holding fewer than $top is the server's choice (https://learn.microsoft.com/graph/paging);
    # a request answered with success and sent again is the client's over-fetch.
    import json

    from benchmarks.replay import Replayer
    from benchmarks.whole import necessary_pages

    def page(n: int, link: str | None = None) -> bytes:
        return json.dumps({"value": [{"id": str(i)} for i in range(n)], **({"@odata.nextLink": link} if link else {})}).encode()

    srv = Replayer({}, 0.0)
    first, second = "/v1.0/users/delta?$select=id&$top=999", "/v1.0/users/delta?$skiptoken=abc"
    srv.count("GET", first, b"", 200, page(2, "http://127.0.0.1:1" + second))  # short: 2 of $top=999
    srv.count("GET", second, b"", 200, page(2))
    srv.count("GET", "/v1.0/organization", b"", 200, page(1))
    assert dict(srv.reads) == {("/users/delta", "$select=id&$top=999"): 4, ("/organization", ""): 1}
    need = necessary_pages(srv, 8)
    assert (need["total"], need["short_pages_served"], need["client_excess_pages"]) == (2, 1, 0)
    assert srv.asked_again() == 0
    srv.count("GET", second, b"", 200, page(2))  # the client asked for the last page again
    need = necessary_pages(srv, 8)
    assert srv.asked_again() == 1 and need["client_excess_pages"] == 1

    # 1,000 registrations (up to 1,000 a page): asked 999 a page, the second page is the client's, also when the
    # server served short pages (they explain the third); asked 1,000 a page, the extra page is the server's
    for top, sizes, short, client in ((999, (999, 1), 0, 1), (999, (990, 9, 1), 2, 1), (1000, (990, 10), 1, 0)):
        srv = Replayer({}, 0.0)
        path = f"/v1.0/reports/authenticationMethods/userRegistrationDetails?$top={top}"
        for i, n in enumerate(sizes):
            last = i == len(sizes) - 1
            srv.count("GET", path + (f"&$skiptoken={i}" if i else ""), b"", 200,
                      page(n, None if last else f"http://127.0.0.1:1{path}&$skiptoken={i + 1}"))
        need = necessary_pages(srv, 8)
        assert (need["total"], need["short_pages_served"], need["client_excess_pages"]) == (1, short, client)


def test_the_chain_bound_sees_reads_that_differ_only_late_in_their_query() -> None:
    # The 16 owner reads differ only in their filter, far into the query: chains keyed by the query's first 90
    # characters let a short read hide a long one, and the bound came out too low.
    from benchmarks.replay import Replayer
    from benchmarks.whole import necessary_pages

    srv = Replayer({}, 0.0)
    base = "$select=" + ",".join(f"field{i}" for i in range(20))
    srv.reads[("/devices", base + "&$filter=startsWith(deviceId,'1')")] = 40 * 999
    srv.reads[("/devices", base + "&$filter=startsWith(deviceId,'2')")] = 999
    srv.pages["/devices"] = 41
    need = necessary_pages(srv, 8)
    assert need["longest_chain"]["requests"] == 40 and len(need["chains"]) == 2
    assert need["chain_requests"] == 40 and need["total"] == 41


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


def test_the_machine_reference_workload_is_the_same_work_on_every_machine() -> None:
    # Figures from different machines are compared through machine.reference_cpu_seconds (benchmarks/machine.py);
    # that is only fair while the workload itself stays the same: the same page, the same result. Changing either
    # makes every committed reference figure meaningless, so it fails here first.
    import hashlib

    from benchmarks.machine import _page, _work, cpu_model, reference_cpu_seconds

    page = _page()
    assert hashlib.sha256(page).hexdigest()[:16] == "3ba2c92cc605dd9c"
    assert _work(page) == 727600
    assert reference_cpu_seconds() > 0 and cpu_model()


def test_pages_inside_a_batch_are_counted_as_pages_of_their_reads_and_the_bound_counts_their_rounds() -> None:
    # The device owners' reads send their pages in rounds of one $batch (collect/devices.py). Graph throttles each
    # request in a batch on its own (https://learn.microsoft.com/graph/json-batching): the server counts each page
    # in its read, as if asked alone (over-fetch unchanged); the HTTP requests, and the bound's share of the
    # concurrency, count one $batch a round.
    import json

    from benchmarks.replay import Replayer
    from benchmarks.whole import batch_items, necessary_pages

    q = "$select=id&$expand=registeredOwners&$filter=startsWith(deviceId,'{}')&$top=100"

    def answer(ids_pages: dict[str, tuple[int, str | None]]) -> bytes:
        return json.dumps({"responses": [{"id": k, "status": 200, "body": {"value": [{"id": "x"}] * n,
                                                                          **({"@odata.nextLink": link} if link else {})}}
                                         for k, (n, link) in ids_pages.items()]}).encode()

    def asked(urls: dict[str, str]) -> bytes:
        return json.dumps({"requests": [{"id": k, "method": "GET", "url": u} for k, u in urls.items()]}).encode()

    srv = Replayer({}, 0.0)
    a1, b1 = "/devices?" + q.format("a"), "/devices?" + q.format("b")
    a2 = a1 + "&$skiptoken=2"
    round1 = (asked({"a": a1, "b": b1}), answer({"a": (100, "http://127.0.0.1:1/v1.0" + a2), "b": (30, None)}))
    round2 = (asked({"a": a2}), answer({"a": (5, None)}))
    for body, out in (round1, round2):
        srv.count("POST", "/v1.0/$batch", body, 200, out)
    srv.batch_items_needed = batch_items({("POST", "/v1.0/$batch", b): (200, [], o) for b, o in (round1, round2)})
    assert srv.batch_items_needed == 0  # a $batch of pages is no teams' batch
    assert dict(srv.http) == {"/$batch": 2} and dict(srv.pages) == {"/devices": 3}
    assert dict(srv.reads) == {("/devices", q.format("a")): 105, ("/devices", q.format("b")): 30}
    need = necessary_pages(srv, 8)
    assert need["total"] == 3 and need["client_excess_pages"] == 0
    assert (need["http_necessary"], need["batched_reads"], need["batched_rounds"]) == (2, 2, 2)
    assert need["longest_chain"]["requests"] == 2  # read a: two pages, one after the other
    srv.count("GET", "/v1.0" + a2, b"", 200, json.dumps({"value": [{"id": "x"}] * 5}).encode())
    assert srv.asked_again() == 1  # a page read in a batch and again on its own is asked again


def test_the_replay_serves_the_recorded_answers_and_counts_what_the_recorder_counted() -> None:
    # pass 2 of whole.py: the same requests (the owners' $batch rounds are the same on every run) answered from the
    # tape, counted alike; a replay that answers nothing must not pass unnoticed
    from benchmarks.replay import Recorder, Replayer

    with readiness.serve_simulator("enterprise", seed=7, size=300, page_jitter=False) as sim:
        rec = Recorder(sim.graph_url.rsplit("/v1.0", 1)[0])
        url = rec.start()
        try:
            first = readiness.collect(readiness.connect(graph_url=url + "/v1.0", token=sim.token))
        finally:
            rec.stop()
    rep = Replayer(rec.tape, 0.0)
    rep.start(rec.port)
    try:
        again = readiness.collect(readiness.connect(graph_url=url + "/v1.0", token=sim.token))
    finally:
        rep.stop()
    assert first.completeness() == again.completeness() == "complete" and rep.misses == 0
    assert dict(rep.pages) == dict(rec.pages) and dict(rep.http) == dict(rec.http) and dict(rep.reads) == dict(rec.reads)
    assert rec.batched_reads and rep.batched_reads == rec.batched_reads  # the owners' 16 reads, in $batch
    assert sum(rec.http.values()) < sum(rec.pages.values())
