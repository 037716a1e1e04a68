"""Drills on a replica built from a snapshot: the replica equals the snapshot, a drill gives what a real apply
on the tenant's double gives, drills are kept and compared, and nothing leaves for another URL."""
from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import readiness
from readiness.audit.privacy import pseudonymize
from readiness.cli import cli
from readiness.crisis.drill import ForeignURL, _guard_transport
from readiness.simulator import generate_tenant
from readiness.simulator.replica import replica_tenant

from .conftest import collect_over_http

PLAYBOOK = "emergency-home-office"


def _sections(snap) -> dict:  # noqa: ANN001
    # delta links name the server and state they were issued by (collect/delta.py): not the tenant's data
    return {n: {k: v for k, v in sec.items() if k != "delta_link"} for n, sec in snap.to_dict()["sections"].items()}


def _params(snap) -> dict:  # noqa: ANN001
    lead = next(p for p in readiness.evaluate(snap).people if p["department"] == "IT")
    return {"usage_location": "DE", "team_owners": lead["userPrincipalName"], "sender": lead["userPrincipalName"]}


def test_the_replica_of_the_demo_tenant_reads_back_as_its_snapshot(demo_snapshot) -> None:
    again = collect_over_http(replica_tenant(demo_snapshot))
    assert _sections(again) == _sections(demo_snapshot)  # every section: status, counts, data


@pytest.mark.slow
def test_the_replica_of_an_enterprise_tenant_reads_back_as_its_snapshot() -> None:
    # Intune, Conditional Access, group-based licensing with seat errors, Teams usage: all as collected
    snap = collect_over_http(generate_tenant("enterprise", seed=3, size=150))
    assert {s.status for s in snap.sections.values()} == {"complete"}
    assert _sections(collect_over_http(replica_tenant(snap))) == _sections(snap)


def test_a_replica_of_a_pseudonymised_snapshot_is_pseudonymous(demo_snapshot) -> None:
    private = pseudonymize(demo_snapshot, b"k" * 32)
    again = _sections(collect_over_http(replica_tenant(private)))
    expected = _sections(private)
    # pseudonymisation drops the organisation (the replica answers with a neutral one)
    assert again.pop("organization")["data"][0]["verifiedDomains"][0]["name"] == "pseudonym.invalid"
    assert again == expected
    assert not any("mueller-soehne" in json.dumps(sec) for sec in again.values())


def test_a_drill_gives_what_a_real_apply_on_the_tenants_double_gives(tmp_path: Path) -> None:
    double = generate_tenant("unprepared-sme", seed=11)
    snap = collect_over_http(double)
    params = _params(snap)
    record = readiness.drill(PLAYBOOK, snap, params=params, latency_ms=2)
    # the same playbook applied for real on the double (a separate simulator)
    with readiness.serve_simulator(tenant=double) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        plan = readiness.plan(PLAYBOOK, conn, params=params)
        run = readiness.apply(plan, conn, confirm=True)
        real = readiness.evaluate(readiness.collect(conn))
    assert record.status == run.status == "complete"
    assert record.changes["planned"] == len(plan.changes) and record.changes["done"] == run.done
    assert record.by_action == {a: sum(1 for c in plan.changes if c.action == a) for a in record.by_action}
    assert (record.ready_after, record.people) == (real.summary["ready"], real.summary["people"])
    assert record.ready_before == readiness.evaluate(snap).summary["ready"] < record.ready_after
    assert record.reasons_after == real.summary["reasons"]
    assert record.licences_to_buy == real.seats_to_buy
    assert len(record.not_ready_after) == real.summary["people"] - real.summary["ready"]
    assert record.requests > 0 and record.estimate["changes"] == len(plan.changes) and record.throttled_seconds >= 0
    # a drill never counts as a real run of the tenant: the only run here is the real apply
    assert [r.endpoint for r in readiness.runs()] == [sim.graph_url]


def test_drills_are_kept_per_tenant_and_compared(demo_snapshot, tmp_path: Path, _isolated_home: Path) -> None:
    snap_path = tmp_path / "snap.json"
    demo_snapshot.save(snap_path)
    args = ["drill", PLAYBOOK, "--from-snapshot", str(snap_path)] + [x for k, v in _params(demo_snapshot).items()
                                                                       for x in ("-p", f"{k}={v}")]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "-o", "md"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, [*args, "--previous", "auto", "-o", "html", "--lang", "de", "--out", str(tmp_path / "d.html")])
    assert second.exit_code == 0, second.output
    html = (tmp_path / "d.html").read_text("utf-8")
    kept = readiness.list_drills(demo_snapshot.tenant_id)
    assert len(kept) == 2 and kept[1]["previous"]["drill_id"] == kept[0]["drill_id"]
    assert f"{kept[0]['ready_after']} → {kept[1]['ready_after']} von {kept[1]['people']}" in html
    assert "<script>" not in html and "Eve &lt;script&gt;" in html  # names escaped in the details
    files = list((_isolated_home / "data" / "drills").rglob("*.json"))
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    bad = runner.invoke(cli, [*args, "--previous", "no-such-drill"])
    assert bad.exit_code == 2 and bad.output.startswith("Error: There is no drill no-such-drill")


def test_a_drill_refuses_any_url_but_its_replica() -> None:
    async def go(url: str) -> int:
        async with httpx.AsyncClient(transport=_guard_transport("http://127.0.0.1:45678/v1.0")) as client:
            return (await client.get(url)).status_code

    for url in ("https://graph.microsoft.com/v1.0/users", "http://127.0.0.1:45679/v1.0/users", "https://127.0.0.1:45678/v1.0/users"):
        with pytest.raises(ForeignURL, match="not its replica"):
            asyncio.run(go(url))


@pytest.mark.slow
def test_a_drill_counts_the_time_graphs_write_limit_costs(demo_snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    # Graph's identity-and-access write limit is 3,000 writes per 2.5 minutes per app and tenant
    # (microsoft-graph-docs-contrib concepts/throttling-limits.md, "Identity and access service limits"); the replica
    # applies it as a token bucket, and a write over it is answered 429 with a Retry-After header, as Graph answers
    # (https://learn.microsoft.com/graph/throttling, "Best practices to handle throttling"). Here the bucket is empty
    # when the drill's first write arrives (the app has just spent its limit): that write waits on any machine. A full
    # bucket of 20 refilling with real time did not (under load the drill wrote slower than it refilled: throttled 0).
    from dataclasses import dataclass

    import readiness.simulator as simulator

    @dataclass
    class JustSpent(simulator.Faults):
        write_start: float | None = 0.0

    monkeypatch.setattr(simulator, "Faults", JustSpent)  # the drill builds its replica's faults from this name
    record = readiness.drill(PLAYBOOK, demo_snapshot, params=_params(demo_snapshot))
    assert record.status == "complete" and record.changes["failed"] == 0
    assert record.throttled > 0 and record.throttled_seconds >= record.throttled  # Retry-After is whole seconds, at least 1
    assert record.ready_after > record.ready_before


def test_a_blocked_drill_says_why_and_which_seats_to_buy() -> None:
    double = generate_tenant("unprepared-sme", seed=7)
    for sku in double.skus:  # no free seat anywhere: the licence step cannot work
        sku["prepaidUnits"]["enabled"] = sku["consumedUnits"]
    snap = collect_over_http(double)
    record = readiness.drill(PLAYBOOK, snap, params=_params(snap))
    assert record.status == "blocked" and record.run_id is None and record.changes["done"] == 0
    assert [step for step, _ in record.blocked] == ["assign-licences"] and "seat" in record.blocked[0][1]
    assert all(s["buy"] == s["needed"] - s["free"] > 0 for s in record.seats_to_buy)
    assert record.licences_to_buy == readiness.evaluate(snap).seats_to_buy > 0  # what it costs, from the re-audit
    assert record.ready_after == record.ready_before  # nothing was applied
    text = readiness.render_drill(record.to_dict(), "md", "de")
    assert "Blockierte Schritte" in text and f"{record.licences_to_buy} Lizenzen mit Teams" in text


def test_a_drill_on_a_pseudonymised_snapshot_names_nobody(demo_snapshot) -> None:
    private = pseudonymize(demo_snapshot, b"k" * 32)
    record = readiness.drill(PLAYBOOK, private, params=_params(private))
    plain = readiness.drill(PLAYBOOK, demo_snapshot, params=_params(demo_snapshot))
    assert record.pseudonymized and record.status == "complete"
    assert (record.ready_before, record.ready_after, record.people) == (plain.ready_before, plain.ready_after, plain.people)
    report = readiness.render_drill(record.to_dict(), "html", "en")
    names = [u["displayName"] for u in demo_snapshot.data("users")]
    assert "Person-" in report and not [n for n in names if n in report]


def test_a_drill_keeps_its_runs_in_its_own_folder_without_touching_the_environment(
        demo_snapshot, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path) -> None:
    # The drill's folder is a context variable (readiness/paths.py: home), not READINESS_HOME in os.environ: other
    # threads of the process (a fleet, a web server using the library) keep seeing the real data folder.
    import os
    import threading

    from readiness import paths

    seen: dict = {}
    real_apply = readiness.apply

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen["env"] = os.environ.get("READINESS_HOME")
        seen["here"] = paths.data_dir()
        other = threading.Thread(target=lambda: seen.setdefault("thread", paths.data_dir()))
        other.start()
        other.join()
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(readiness, "apply", spy)
    record = readiness.drill(PLAYBOOK, demo_snapshot, params=_params(demo_snapshot))
    assert record.status == "complete"
    drill_folder = _isolated_home / "data" / "drills" / demo_snapshot.tenant_id / record.drill_id
    assert seen["env"] == os.environ.get("READINESS_HOME") and seen["thread"] == _isolated_home / "data"
    assert seen["here"] == drill_folder / "data" and (drill_folder / "data" / "runs" / record.run_id).is_dir()
    assert paths.data_dir() == _isolated_home / "data" and readiness.runs() == []


@pytest.mark.slow
def test_a_drill_of_an_independent_tenant_with_usage_reports_gives_what_a_real_apply_gives() -> None:
    # An enterprise tenant has Teams usage reports: re-auditing the replica downloads them through a redirect to
    # another host name of the same server, as Graph's report downloads do (https://learn.microsoft.com/en-us/graph/api/
    # reportroot-getteamsuseractivityuserdetail: "302 Found" with a Location header to a download URL).
    # The drill's guard must let exactly that through (it refused http://localhost:PORT before).
    double = generate_tenant("enterprise", seed=5, size=60)
    snap = collect_over_http(double)
    params = _params(snap)
    record = readiness.drill(PLAYBOOK, snap, params=params)
    with readiness.serve_simulator(tenant=double) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        plan = readiness.plan(PLAYBOOK, conn, params=params)
        run = readiness.apply(plan, conn, confirm=True)
        real = readiness.evaluate(readiness.collect(conn))
    assert record.status == run.status == "complete" and record.changes["done"] == run.done == len(plan.changes)
    assert (record.ready_after, record.people, record.reasons_after) == (real.summary["ready"], real.summary["people"],
                                                                          real.summary["reasons"])


def test_the_drills_guard_lets_through_only_the_replicas_own_origins() -> None:
    guard = _guard_transport("http://127.0.0.1:45678/v1.0", "http://localhost:45678", None)

    async def go(url: str) -> None:
        async with httpx.AsyncClient(transport=guard) as client:
            await client.get(url)

    for url in ("http://localhost:45679/x", "https://localhost:45678/x", "http://reports.localhost:45678/x"):
        with pytest.raises(ForeignURL):
            asyncio.run(go(url))
    with pytest.raises(httpx.ConnectError):  # allowed, and nothing listens there
        asyncio.run(go("http://localhost:45678/x"))


def test_a_damaged_drill_record_is_skipped_by_previous_auto(demo_snapshot, _isolated_home: Path) -> None:
    from readiness.crisis.drill import drills_dir

    folder = drills_dir(demo_snapshot.tenant_id)
    folder.mkdir(parents=True)
    (folder / "99999999T999999-a.json").write_text("[1, 2]")  # sorts last: --previous auto would pick it
    (folder / "99999999T999999-b.json").write_text("[" * 100_000)
    record = readiness.drill(PLAYBOOK, demo_snapshot, params=_params(demo_snapshot), previous="auto")
    assert record.status == "complete" and record.previous is None


def test_the_german_drill_report_names_every_kind_of_change_in_german() -> None:
    from readiness.crisis.words import words
    from readiness.playbook.steps import ACTIONS

    for lang in ("en", "de"):
        assert set(words(lang)["drill"]["action_names"]) >= set(ACTIONS), lang
    record = {"drill_id": "d", "run_id": "r", "tool_version": "0", "latency_ms": 0, "started_at": "2026-01-01T00:00:00Z",
              "snapshot_collected_at": "2026-01-01T00:00:00Z", "previous": None, "apply_seconds": 1, "throttled_seconds": 0,
              "seconds": 1, "estimate": {}, "reasons_after": {}, "not_ready_after": [], "by_action": {"assign_licence": 3},
              "failed": [], "blocked": [], "seats_to_buy": [], "licences_to_buy": 0, "people": 1, "ready_before": 0,
              "ready_after": 1, "playbook": "p", "tenant": "t", "changes": {"planned": 3, "done": 3, "failed": 0},
              "requests": 1, "pseudonymized": False, "status": "complete"}
    for fmt in ("md", "html"):
        assert "Lizenzen zuweisen" in readiness.render_drill(record, fmt, "de")


def test_drills_in_one_second_are_listed_oldest_first(tmp_path: Path, _isolated_home: Path, monkeypatch) -> None:  # noqa: ANN001
    """Two drills started in the same second: the second's id gets a suffix ("<id>-3f2a"), which sorts before "<id>" by
    name; list_drills is oldest first all the same (a fresh-clone CI run saw the pair the wrong way round)."""
    import json
    import os

    from readiness.crisis.drill import drills_dir

    folder = drills_dir("t-1")
    folder.mkdir(parents=True)
    first, second = folder / "20261202T111802-p.json", folder / "20261202T111802-p-3f2a.json"
    for n, path in enumerate((first, second)):
        path.write_text(json.dumps({"drill_id": path.stem, "started_at": "2026-12-02T11:18:02Z"}))
        os.utime(path, ns=(10**18 + n, 10**18 + n))
    assert [d["drill_id"] for d in readiness.list_drills("t-1")] == [first.stem, second.stem]
