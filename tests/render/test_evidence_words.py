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


def test_graph_enums_states_and_section_ids_in_the_evidence_are_words() -> None:
    """Coded values a reader would see as they are (Graph's enums, states, pairs of a service and its state, codes in a
    list, a section id) come from evidence_values / sections in the catalogue; names stay as the tenant wrote them.
    Enums: sharePointSharingCapabilities (https://learn.microsoft.com/graph/api/resources/sharepointsettings),
    allowInvitesFrom (https://learn.microsoft.com/graph/api/resources/authorizationpolicy)."""
    ev = {"sharingCapability": "externalUserAndGuestSharing", "allowInvitesFrom": "everyone", "state": "disabled",
          "states": ["files: Error", "mailbox: PendingInput"], "device_paths": ("company_device_intune", "autopilot_stock"),
          "section": "cloud_pcs", "subscriptions": [{"sku": "Contoso E3", "status": "Suspended", "consumed": 3}],
          "guests_can_edit": ["everyone_team"]}
    de = evidence_text(ev, "de")
    for code in ("externalUserAndGuestSharing", "everyone;", "disabled", "PendingInput", "Error", "company_device_intune",
                 "cloud_pcs", "Suspended"):
        assert code not in de, (code, de)
    for words in ("jeder, auch Links ohne Anmeldung", "alle, auch Gäste", "Zustand: aus", "OneDrive: Fehler",
                  "Postfach: wartet auf Eingabe", "ein in Intune registriertes Firmengerät", "Bereich: Cloud-PCs",
                  "Contoso E3 (Status ausgesetzt, zugewiesen 3)", "everyone_team"):
        assert words in de, (words, de)
    en = evidence_text(ev, "en")
    assert "anyone, including links without sign-in" in en and "mailbox: waiting for input" in en
