"""Issue 12: plan and run output in the reader's language (labels translated, ids stable), parameter lines and
the estimate from the catalogue with real plurals; issue 9: readiness.Plan and readiness.Run (old names kept)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.i18n import text
from readiness.render.plan import estimate_text, param_lines
from readiness.render.run import render_run_json


@pytest.fixture(scope="module")
def planned():
    from tests.render.test_reports import demo_snapshot

    snap = demo_snapshot()
    lead = next(u for u in snap.data("users", []) if u.get("department") == "IT")["userPrincipalName"]
    return readiness.plan("emergency-home-office", snap, params={"usage_location": "DE", "team_owners": lead, "sender": lead})


def test_public_names_plan_and_run_with_the_old_names_as_aliases(planned) -> None:
    assert isinstance(planned, readiness.Plan) and readiness.PlaybookPlan is readiness.Plan
    assert readiness.RunResult is readiness.Run and readiness.Run.__name__ == "Run"
    assert "Plan" in readiness.__all__ and "Run" in readiness.__all__ and "undo_preview" in readiness.__all__


def test_plan_json_speaks_the_language_and_keeps_the_ids(planned) -> None:
    en = json.loads(readiness.render(planned, "json", "en"))["data"]
    de = json.loads(readiness.render(planned, "json", "de"))["data"]
    ids = [[c["id"] for c in s["changes"]] for s in en["steps"]]
    assert ids == [[c["id"] for c in s["changes"]] for s in de["steps"]] and any(ids)
    assert [s["step"] for s in en["steps"]] == [s["step"] for s in de["steps"]]
    assert [s["title"] for s in en["steps"]] != [s["title"] for s in de["steps"]]
    kinds = {c["kind"]: c["kind_label"] for s in de["steps"] for c in s["changes"]}
    assert kinds and all(label == text(f"steps.kinds.{kind}", "de") for kind, label in kinds.items())
    assert en["estimate"]["requests"] == de["estimate"]["requests"] == planned.estimate["requests"]
    assert "Anfragen" in de["estimate"]["text"] and "requests" in en["estimate"]["text"]


def test_the_cli_plan_json_follows_readiness_lang(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.render.test_reports import demo_snapshot

    snap = tmp_path / "s.json.gz"
    demo_snapshot().save(snap)
    monkeypatch.setenv("READINESS_LANG", "de")
    r = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", "--from-snapshot", str(snap),
                                 "-p", "usage_location=DE", "-o", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["data"]["steps"][0]["title"] == text("steps.shipped.enable_plans", "de")


def test_estimate_and_parameter_lines_come_from_the_catalogue_with_plurals() -> None:
    one = {"requests": 1, "polls": 0, "seconds": 1.1}
    many = {"requests": 58, "polls": 2, "seconds": 7.8}
    assert estimate_text(one, "en") == "Estimate: about 1 request, 1.1 s to apply."
    assert "about 58 requests (2 polls" in estimate_text(many, "en")
    assert "1 Anfrage," in estimate_text(one, "de") and "1,1 s" in estimate_text(one, "de")
    assert "58 Anfragen (davon 2 Statusabfragen" in estimate_text(many, "de")
    from readiness.playbook.steps import SPECS

    de = param_lines(SPECS["add_to_group"].params, "de")
    assert "group: str, erforderlich" in de
    en = param_lines(SPECS["assign_licence"].params, "en")
    assert any(line.startswith("sku: ") and ", default None" in line for line in en)
    assert not any("PydanticUndefined" in line for line in en + de)


def test_run_json_has_words_in_the_language_and_stable_codes() -> None:
    run = readiness.Run("20261130-120000-abcdef", "incomplete", 3, 1, [("s:1", "403 Forbidden")])
    de = json.loads(render_run_json(run, lang="de"))["data"]
    en = json.loads(render_run_json(run, lang="en"))["data"]
    assert de["status"] == en["status"] == "incomplete"
    assert de["status_label"] == text("run.status.incomplete", "de") != en["status_label"]
    assert de["failed"] == en["failed"] == [{"change": "s:1", "error": "403 Forbidden"}]
