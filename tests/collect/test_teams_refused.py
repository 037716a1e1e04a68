"""A 403 for some teams (not all) in the teams' ``$batch`` read: the section is not complete with the refused teams
left out (the checks would judge the teams it could read as all of them, and could pass), it is forbidden, saying how
many of how many teams Graph refused and which permission (also a note the report lists); the audit is partial (a permission, exit 0), never
success. Over real HTTP against the simulator, its team route refusing one team.

Docs: https://learn.microsoft.com/graph/json-batching (each request in a batch is answered on its own, as if sent
alone), https://learn.microsoft.com/graph/api/team-get (Team.ReadBasic.All; a team the caller may not read is
refused), https://learn.microsoft.com/graph/errors (403: "Access is denied to the requested resource").
"""
from __future__ import annotations

import pytest

import readiness
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.routes import ROUTES
from readiness.simulator.server import SimulatorServer
from tests.helpers import assert_refused_in_part, audit_json, refuse

DENIED = {"error": {"code": "Forbidden", "message": "Access is denied to the requested resource."}}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(generate_tenant("unprepared-sme", seed=7))


def _refuse(monkeypatch, sim: Simulator, how_many: int) -> int:  # noqa: ANN001
    """The team route answers 403 for the first ``how_many`` teams; returns the number of teams."""
    teams = [g["id"] for g in sim.tenant.groups if "Team" in (g.get("resourceProvisioningOptions") or [])]
    assert len(teams) > how_many >= 1, teams
    refused = set(teams[:how_many])
    route = next(r for r in ROUTES if r.method == "GET" and r.handler.__name__ == "teams_get")
    refuse(monkeypatch, route, lambda req, m: any(t in req.path for t in refused), DENIED)
    return len(teams)


def test_one_team_refused_makes_the_section_forbidden_with_counts(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 1)
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        sec = readiness.collect(readiness.connect(graph_url=server.base_url)).sections["teams"]
    assert_refused_in_part(sec, "Team.ReadBasic.All", f"1 of {total} teams", f"1 von {total} Teams")


def test_the_audit_is_partial_and_lists_the_teams_not_evaluated(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 1)
    doc = audit_json(sim, monkeypatch)
    assert doc["status"] == "partial", doc["status"]
    teams = next(m for m in doc["data"]["not_evaluated"] if m["section"] == "teams")
    assert teams["status"] == "forbidden" and teams["permission"] == "Team.ReadBasic.All" and f"1 of {total} teams" in teams["notes"][0], teams
