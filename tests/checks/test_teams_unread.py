"""Guests and channels is judged only on teams that could be read (indep17 #4): when /teams/{id} answers 404 for every
team the groups list names (https://learn.microsoft.com/graph/api/team-get: a team not (yet) provisioned, or an old
one), "in no team may guests create or change channels" was a pass about nothing."""
from __future__ import annotations

import copy

import pytest

import readiness


@pytest.fixture(scope="module")
def snap():  # noqa: ANN201
    with readiness.serve_simulator(profile="enterprise", size=120, seed=3) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


def _finding(snapshot, keep: int):  # noqa: ANN001, ANN202
    s = copy.deepcopy(snapshot)
    sec = s.sections["teams"]
    sec.data = [dict(t, guestSettings={"allowCreateUpdateChannels": False}) for t in sec.data][:keep]  # guests kept out
    sec.count = len(sec.data)
    check = next(c for c in readiness.evaluate(s).checks if c.spec.id == "teams.guests_manage_channels")
    return check.status.value, check.findings[0]


def test_no_team_read_is_not_evaluated(snap) -> None:  # noqa: ANN001
    listed = sum("Team" in (g.get("resourceProvisioningOptions") or []) for g in snap.data("groups"))
    assert listed >= 2
    status, f = _finding(snap, 0)
    assert status == "not_evaluable", f.message
    assert f"none of the {listed} teams could be read" in f.message.text("en")
    assert f"keines der {listed} Teams konnte gelesen werden" in f.message.text("de")


def test_some_teams_unread_are_said_beside_the_pass(snap) -> None:  # noqa: ANN001
    listed = sum("Team" in (g.get("resourceProvisioningOptions") or []) for g in snap.data("groups"))
    status, f = _finding(snap, 1)
    assert status == "pass" and f.evidence["teams_unread"] == listed - 1
    assert f"({listed - 1} of {listed} teams could not be read)" in f.message.text("en"), f.message.text("en")


def test_every_team_read_is_the_plain_pass_or_warning(snap) -> None:  # noqa: ANN001
    check = next(c for c in readiness.evaluate(snap).checks if c.spec.id == "teams.guests_manage_channels")
    assert check.status.value in ("pass", "warn") and "teams_unread" not in check.findings[0].evidence
