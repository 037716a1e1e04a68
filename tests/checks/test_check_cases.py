"""Every check against data files: a base snapshot where all pass, and patches that make each fail."""
from __future__ import annotations

import pytest

from readiness.checks.model import Status
from readiness.checks.registry import registry, run_checks
from readiness.audit.scoring import check_status
from tests.checks.caselib import load_cases, snapshot_for

CASES = load_cases()


def test_the_base_snapshot_passes_every_check() -> None:
    results = run_checks(snapshot_for())
    failing = {spec.id: [f.message["en"] for f in fs] for spec, fs in results if check_status(fs) != Status.PASS}
    assert failing == {}


def test_every_check_has_a_negative_case_and_titles_in_both_languages() -> None:
    negative = {c["check"] for c in CASES if c["expect"] in ("fail", "warn")}
    specs = registry()
    assert len(specs) >= 30
    assert set(specs) - negative == set()
    for spec in specs.values():
        assert spec.title["en"] and spec.title["de"] and spec.title["en"] != spec.title["de"]
        assert spec.remediation["en"] and spec.remediation["de"] and spec.rationale["de"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['check']}: {c['name']}" for c in CASES])
def test_case(case: dict) -> None:
    snap = snapshot_for(case["patch"])
    (spec, findings), = run_checks(snap, [case["check"]])
    assert check_status(findings).value == case["expect"], [f.message["en"] for f in findings]
    for f in findings:
        assert f.message["en"] and f.message["de"]
    for key, value in (case.get("evidence") or {}).items():
        assert findings[0].evidence.get(key) == value


def test_a_check_that_raises_is_an_error_and_the_run_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = registry()["sharing.anyone_links"]

    def boom(snapshot):
        raise KeyError("surprise")

    import dataclasses

    from readiness.checks import registry as reg

    monkeypatch.setitem(reg._REGISTRY, spec.id, dataclasses.replace(spec, func=boom))
    results = dict((s.id, fs) for s, fs in run_checks(snapshot_for()))
    assert results["sharing.anyone_links"][0].status == Status.ERROR
    assert check_status(results["sharing.guest_resharing"]) == Status.PASS
