"""Found by the issue-14 check: when the authentication methods policy cannot be read (no
Policy.Read.AuthenticationMethod), whether a Temporary Access Pass is possible is unknown, yet a person not
registered for SSPR was shown as "cannot recover from home" (false). README "What ready means": a criterion that
cannot be evaluated makes the person not evaluable, never "no"; can_recover is then null.
"""
from __future__ import annotations

import readiness
from readiness.simulator import generate_tenant
from readiness.simulator.tokens import ALL_ROLES


def test_without_the_methods_policy_a_person_without_sspr_is_unknown_not_unable() -> None:
    roles = [r for r in ALL_ROLES if "AuthenticationMethod" not in r or r.startswith("UserAuthenticationMethod")]
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7), roles=roles) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    assert snap.section("auth_methods_policy").status == "forbidden"
    audit = readiness.evaluate(snap)
    without_sspr = [r for r in audit.people if r["sspr_registered"] is False]
    with_sspr = [r for r in audit.people if r["sspr_registered"]]
    assert without_sspr and with_sspr
    assert all(r["can_recover"] is None for r in without_sspr)
    assert all(r["can_recover"] is True for r in with_sspr)
    assert audit.summary["can_recover"] == len(with_sspr)  # the people known to be able to, no more
