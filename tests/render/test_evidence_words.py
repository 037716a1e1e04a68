"""Regression (verify9): a German report of a tenant whose sections could not be read said the section's status,
what was missing and a never-collected section in English ("Zustand des Bereichs: failed; Fehlt: collection",
"(section 'office_activity' was not collected)")."""
from __future__ import annotations

from readiness.checks.unavailable import describe
from readiness.collect.snapshot import Snapshot
from readiness.i18n import resolve
from readiness.render.evidence import evidence_text


def test_coded_evidence_values_are_said_in_the_reports_language() -> None:
    ev = {"section": "devices", "section_status": "failed", "missing": "collection"}
    de = evidence_text(ev, "de")
    assert "failed" not in de and "collection" not in de
    assert "fehlgeschlagen" in de
    assert "failed" in evidence_text(ev, "en")  # English reports keep the codes they always showed


def test_a_section_absent_from_the_snapshot_is_described_without_english_in_german() -> None:
    snap = Snapshot.__new__(Snapshot)
    snap.sections = {}
    why = describe(Snapshot.section(snap, "office_activity"))
    de = resolve(why, "de")
    assert "collected" not in de and "section" not in de
    assert de == resolve(describe(Snapshot.section(snap, "other_absent")), "de")
