"""Found by the issue-14 check: without Entra ID P1 the registration report is forbidden and SSPR registration
is judged from each member's authentication methods, yet the evidence of identity.sspr_registration still named
the registration report as its source. The evidence says what was actually read.
"""
from __future__ import annotations

import readiness
from readiness.simulator import generate_tenant


def _sspr_evidence(tenant) -> tuple[str, dict]:  # noqa: ANN001
    with readiness.serve_simulator(tenant=tenant) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    audit = readiness.evaluate(snap)
    check = next(c for c in audit.checks if c.spec.id == "identity.sspr_registration")
    return snap.section("mfa").status, check.findings[0].evidence


def test_without_p1_the_sspr_evidence_names_the_methods_read_not_the_forbidden_report() -> None:
    status, ev = _sspr_evidence(generate_tenant("unprepared-sme", seed=7))
    assert status == "fallback"
    assert ev["source_kind"] == "fallback"
    assert "authentication/methods" in ev["source"] and "userRegistrationDetails" not in ev["source"]


def test_with_p1_the_sspr_evidence_names_the_registration_report() -> None:
    status, ev = _sspr_evidence(generate_tenant("enterprise", seed=5, size=120))
    assert status == "complete"
    assert ev["source_kind"] == "report" and "isSsprRegistered" in ev["source"]
