"""The simulator's per-read cache of provisionedPlans, and the delta state's frozen values (issue 15: a delta round's
state for 400,000 users took over 60 s of the simulator's CPU, so the client's `$deltatoken=latest` request timed out).

provisionedPlans: https://learn.microsoft.com/graph/api/resources/provisionedplan ; delta rounds:
https://learn.microsoft.com/graph/delta-query-overview (only changed properties are sent).
"""
from __future__ import annotations

import copy

from readiness.simulator import Simulator
from readiness.simulator.delta import _freeze, _state, _thaw
from readiness.simulator.depth_reads import provisioned_plans
from readiness.simulator.generate import generate_tenant


def test_the_cache_gives_every_person_their_own_plans() -> None:
    t = generate_tenant("enterprise", size=1500)
    overridden = [u for u in t.users if u.get("_provisioning")]
    assert overridden, "the tenant must hold people whose services are still provisioning or failed"
    # a person whose licence combination is cached first by someone else keeps their own provisioning status
    t.users.sort(key=lambda u: bool(u.get("_provisioning")))
    cache: dict = {}
    for u in t.users:
        assert provisioned_plans(t, u, cache) == provisioned_plans(t, u), u["id"]
    assert 0 < len(cache) < len(t.users) / 10  # shared per combination, not per person


def test_a_licence_change_after_a_round_is_in_the_next_state() -> None:
    sim = Simulator(generate_tenant("enterprise", size=300))
    select = ["id", "assignedLicenses", "provisionedPlans"]
    before, _ = _state(sim, "users", select)
    u = next(u for u in sim.tenant.users if u.get("assignedLicenses"))
    u["assignedLicenses"] = []
    after, _ = _state(sim, "users", select)
    changed = [oid for oid in after if after[oid] != before[oid]]
    assert changed == [u["id"]]
    assert _thaw(after[u["id"]][1]) == [] and _thaw(after[u["id"]][2]) == []


def test_frozen_values_compare_as_the_values_do() -> None:
    a = {"b": [1, {"y": "z", "x": None}], "a": True}
    b = copy.deepcopy(a)
    b["b"][1] = {"x": None, "y": "z"}  # the same object, its keys in another order
    assert _freeze(a) == _freeze(b) and hash(_freeze(a)) == hash(_freeze(b))
    assert _freeze(a) != _freeze({**a, "a": False})
    assert _thaw(_freeze(a)) == a
    assert _freeze("x") == "x" and _freeze(None) is None
