"""A 403 for the members of some licensing groups (not all) while the others are read: not "the permission
GroupMember.Read.All is missing" (it is there: the other groups were read), but the groups Graph refused, counted, and
the permission hidden membership needs; the section is forbidden (licences assigned through those groups cannot be
judged), the audit partial. Every group refused is still the missing permission. A 403 after a group's first page
stays a failed read (tests/collect/test_owner_rounds.py and the pages' midway tests). Over real HTTP against the
simulator, its members route refusing one group.

Docs: https://learn.microsoft.com/graph/api/group-list-members (members of a group with hidden membership need
Member.Read.Hidden), https://learn.microsoft.com/graph/errors (403: "Access is denied to the requested resource").
"""
from __future__ import annotations

import pytest

import readiness
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.routes import ROUTES
from readiness.simulator.server import SimulatorServer
from tests.helpers import assert_refused_in_part, refuse


@pytest.fixture
def sim() -> Simulator:
    t = generate_tenant("enterprise", seed=7, size=300)  # one licensing group: a second one assigns the same licences
    first = next(g for g in t.groups if g.get("assignedLicenses"))
    second = next(g for g in t.groups if not g.get("assignedLicenses") and t.group_members.get(g["id"]))
    second["assignedLicenses"] = [dict(lic) for lic in first["assignedLicenses"]]
    return Simulator(t)


def _refuse(monkeypatch, sim: Simulator, how_many: int | None) -> int:  # noqa: ANN001
    """The members route answers 403 for the first ``how_many`` licensing groups (None: all); returns their number."""
    licensing = [g["id"] for g in sim.tenant.groups if g.get("assignedLicenses")]
    assert len(licensing) >= 2, licensing
    refused = set(licensing if how_many is None else licensing[:how_many])
    route = next(r for r in ROUTES if r.method == "GET" and r.handler.__name__ == "group_members")
    refuse(monkeypatch, route, lambda req, m: m.group("gid") in refused and m.group("kind") == "members")
    return len(licensing)


def _members(sim: Simulator, monkeypatch) -> object:  # noqa: ANN001
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        snap = readiness.collect(readiness.connect(graph_url=server.base_url))
    return snap.sections["group_members"]


def test_some_groups_refused_are_counted_with_the_permission_hidden_membership_needs(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 1)
    sec = _members(sim, monkeypatch)
    assert_refused_in_part(sec, "Member.Read.Hidden", f"1 of {total} licensing groups", f"1 von {total}")
    assert sec.notes and f"1 of {total}" in sec.notes[0], sec.notes


def test_every_group_refused_is_the_missing_permission(sim, monkeypatch) -> None:  # noqa: ANN001
    _refuse(monkeypatch, sim, None)
    sec = _members(sim, monkeypatch)
    assert sec.status == "forbidden" and sec.permission == "GroupMember.Read.All", (sec.status, sec.permission, sec.reason)
