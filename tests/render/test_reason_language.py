"""A section that failed or was forbidden is explained in the report's language (issue 9: the reason was stored in
English in the snapshot, so a German report said it in English). The snapshot keeps the English ``reason`` for old
readers and the catalogue key with its parameters beside it; an old snapshot without the key still shows its text."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

import readiness
from readiness.collect.snapshot import FAILED, FORBIDDEN, SKIPPED, Section, Snapshot
from readiness.errors import Phrase
from readiness.simulator import generate_tenant
from readiness.simulator.tokens import ALL_ROLES

BROKEN = "/admin/sharepoint/settings"
LEFT_OUT = ("Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Policy.ReadWrite.Authorization")  # 403 on policies


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo tenant over real HTTP: SharePoint settings answer 400 (a failed read, Graph's documented error body,
    https://learn.microsoft.com/graph/errors), and the token lacks one permission (403, a forbidden section)."""
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7),
                                   roles=[r for r in ALL_ROLES if r not in LEFT_OUT]) as sim:
        handle = sim.sim.handle

        def broken(req):  # noqa: ANN001, ANN202
            if req.path == BROKEN:
                return sim.sim.error(400, "BadRequest", "Invalid request")
            return handle(req)

        sim.sim.handle = broken
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    path = tmp_path_factory.mktemp("reasons") / "snap.json.gz"
    snap.save(path)
    return path


def _forbidden(snap: Snapshot) -> Section:
    return next(s for s in snap.sections.values() if s.status == FORBIDDEN and s.permission == "Policy.Read.All")


def test_the_snapshot_keeps_the_english_reason_and_its_key(saved: Path) -> None:
    snap = readiness.load_snapshot(saved)
    failed, forbidden = snap.sections["sharepoint"], _forbidden(snap)
    assert failed.status == FAILED
    assert failed.reason.startswith("Graph answered 400") and failed.reason_key == "errors.graph.answered_message.what"
    assert forbidden.reason_key == "cli.progress.reasons.no_permission"
    assert forbidden.reason_params == {"permission": "Policy.Read.All"}
    doc = snap.to_dict()["sections"]["sharepoint"]
    assert doc["reason"] == failed.reason and doc["reason_key"] == failed.reason_key  # old readers read "reason"


def test_a_reason_that_names_another_sections_reason_keeps_both_keys() -> None:
    inner = Section("groups", FAILED, reason=Phrase("errors.graph.answered.what", status="503", method="GET", path="/groups"))
    outer = Section.from_dict("teams", Section("teams", SKIPPED, reason=Phrase("report.reasons.groups_unread",
                                                                               reason=inner.reason)).to_dict())
    assert outer.reason_params["reason"]["$phrase"] == "errors.graph.answered.what"
    assert outer.reason == "groups could not be read: Graph answered 503 to GET /groups"
    assert outer.reason.text("de") == "Gruppen konnten nicht gelesen werden: Graph antwortete 503 auf GET /groups"


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_german_report_says_failed_and_forbidden_reasons_in_german(saved: Path, fmt: str) -> None:
    audit = readiness.evaluate(readiness.load_snapshot(saved))
    de = html.unescape(readiness.render(audit, fmt, "de")).replace("\\", "")  # Markdown escapes some characters
    en = html.unescape(readiness.render(audit, fmt, "en")).replace("\\", "")
    assert "Graph answered 400" in en and "lacks the permission Policy.Read.All" in en
    assert "Graph antwortete 400 BadRequest auf GET http" in de and "/admin/sharepoint/settings: Invalid request" in de
    assert "fehlt die Berechtigung Policy.Read.All" in de
    for english in ("Graph answered", "lacks the permission", "could not be read"):
        assert english not in de, english


def test_a_snapshot_without_reason_keys_shows_its_stored_text(saved: Path) -> None:
    doc = json.loads(json.dumps(readiness.load_snapshot(saved).to_dict()))
    for sec in doc["sections"].values():  # a snapshot written before the keys existed
        sec.pop("reason_key", None)
        sec.pop("reason_params", None)
    doc["sections"]["sharepoint"]["reason"] = "an old reason in English"
    old = Snapshot.from_dict(doc)
    assert old.sections["sharepoint"].reason_key == "" and old.sections["sharepoint"].reason == "an old reason in English"
    de = readiness.render(readiness.evaluate(old), "md", "de")
    assert "an old reason in English" in de


def test_a_reason_key_the_catalogue_lacks_falls_back_to_the_text() -> None:
    sec = Section.from_dict("users", {"status": "failed", "reason": "stored text", "reason_key": "no.such.key",
                                      "reason_params": {}})
    assert sec.reason == "stored text" and not isinstance(sec.reason, Phrase)
    bad = Section.from_dict("users", {"status": "failed", "reason": "stored", "reason_key": 3, "reason_params": []})
    assert (bad.reason, bad.reason_key, bad.reason_params) == ("stored", "", {})
    nested = Section.from_dict("users", {"status": "failed", "reason": "x", "reason_key": "report.reasons.groups_unread",
                                         "reason_params": {"reason": {"$phrase": "no.such", "params": {}}}})
    assert nested.reason == "x"
