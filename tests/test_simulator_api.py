"""The simulator's public API (readiness.generate_tenant, serve_simulator's options, serve_fleet_simulator), over HTTP."""
from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

import readiness


def test_profiles_and_an_unknown_profile() -> None:
    assert {"unprepared-sme", "enterprise"} <= set(readiness.SIMULATOR_PROFILES)
    with pytest.raises(readiness.UsageError) as err:
        readiness.generate_tenant("no-such-profile")
    assert "enterprise" in err.value.fix or "enterprise" in str(err.value)


def test_a_changed_tenant_is_served_and_change_runs_under_the_lock() -> None:
    t = readiness.generate_tenant("enterprise", seed=3, size=40)
    t.users[0]["department"] = "Vorher"
    with readiness.serve_simulator(tenant=t, page_jitter=False) as sim:
        assert sim.tenant is t and sim.users == len(t.users)
        uid = t.users[0]["id"]
        assert sim.change(lambda tenant: tenant.user(uid)["department"]) == "Vorher"
        sim.change(lambda tenant: tenant.user(uid).update(department="Nachher"))
        with httpx.Client(base_url=sim.graph_url, headers={"Authorization": f"Bearer {sim.token}"}) as http:
            got = http.get(f"/users/{uid}", params={"$select": "id,department"})
        assert got.json()["department"] == "Nachher"
        assert any(path.startswith(f"/users/{uid}") for _, method, path, _ in sim.conduct.requests)


def test_the_write_throttle_answers_429_with_retry_after_per_batch_item() -> None:
    # Graph throttles $batch items one by one: 429 with Retry-After inside the batch answer
    # (https://learn.microsoft.com/graph/throttling: "Best practices to handle throttling", JSON batching)
    t = readiness.generate_tenant("enterprise", seed=3, size=40)
    with readiness.serve_simulator(tenant=t, write_rate=1.0, write_burst=3, fault_seed=4) as sim, \
            httpx.Client(base_url=sim.graph_url, headers={"Authorization": f"Bearer {sim.token}"}) as http:
        items = [{"id": str(i), "method": "PATCH", "url": f"/users/{u['id']}", "body": {"jobTitle": "Pflege"},
                  "headers": {"Content-Type": "application/json"}} for i, u in enumerate(t.users[:10])]
        answers = http.post("/$batch", json={"requests": items}).json()["responses"]
    statuses = sorted(a["status"] for a in answers)
    assert statuses.count(204) == 3 and statuses.count(429) == 7
    assert all(float(a["headers"]["Retry-After"]) >= 1 for a in answers if a["status"] == 429)


def _env(path: Path) -> dict[str, str]:
    return dict(line.removeprefix("export ").split("=", 1) for line in path.read_text().splitlines())


def test_a_uniform_fleet_onboards_from_its_files(tmp_path: Path) -> None:
    with readiness.serve_fleet_simulator(3, people=15, profile="enterprise", folder=tmp_path) as fleet:
        members = fleet.members()
        assert [name for name, *_ in members] == ["t0000", "t0001", "t0002"]
        assert len({tid for _, tid, _, _ in members}) == 3 and all(people >= 10 for _, _, people, _ in members)
        assert len(fleet.csv_path.read_text().splitlines()) == 4
        for path in (fleet.csv_path, fleet.env_path):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        env = _env(fleet.env_path)
        assert sorted(env) == ["READINESS_ACCESS_TOKEN_T0000", "READINESS_ACCESS_TOKEN_T0001", "READINESS_ACCESS_TOKEN_T0002"]
        snap = readiness.collect(readiness.connect(graph_url=fleet.base_url, token=env["READINESS_ACCESS_TOKEN_T0001"]))
        assert snap.tenant_id == members[1][1]


def test_the_varied_fleet_has_a_partner_whose_token_is_written_but_not_onboarded(tmp_path: Path) -> None:
    fleet = readiness.serve_fleet_simulator(3, folder=tmp_path)
    try:
        kinds = {name: kind for name, _, _, kind in fleet.members()}
        assert kinds.pop("partner") == "partner" and len(kinds) == 3
        assert "READINESS_ACCESS_TOKEN_PARTNER" in _env(fleet.env_path) and "partner," not in fleet.csv_path.read_text()
    finally:
        fleet.close()


def test_a_uniform_fleet_of_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(readiness.UsageError):
        readiness.serve_fleet_simulator(2, people=5, profile="no-such-profile", folder=tmp_path)
