"""READINESS_LANG=de: `playbook plan` and `apply` speak German from the first line to the last.

Found by an independent check: with READINESS_LANG=de the plan itself was rendered in English (the plan, verify
and undo commands passed no language), and "Reading ...", "Run ...: applying N changes" and the per-step
progress lines were English strings in the playbook service.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


def test_plan_and_apply_in_german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_LANG", "de")
    monkeypatch.setattr("readiness.cli.context.stderr_is_terminal", lambda: True)  # progress shows on a terminal only
    t = generate_tenant("unprepared-sme", seed=7)
    owner = next(u["userPrincipalName"] for u in t.users if u.get("userType") != "Guest" and u.get("accountEnabled", True))
    with SimulatorServer(Simulator(t)) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        base = ["--graph-url", server.base_url]
        plan = tmp_path / "plan.json"
        r = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", *base, "-p", f"team_owners={owner}",
                                     "-p", f"sender={owner}", "-p", "usage_location=DE", "--out", str(plan)])
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", *base, "-p", f"team_owners={owner}",
                                     "-p", f"sender={owner}", "-p", "usage_location=DE"])
        assert r.exit_code == 0, r.output
        for english in ("Reading ", " changes", "Permissions needed", "Estimate:", "Tell everyone", "    update "):
            assert english not in r.output, english
        assert "Lese Daten aus" in r.output and "Benötigte Berechtigungen" in r.output and "Änderungen" in r.output
        # the steps' own field names in German, booleans as Graph writes them (lang17 P1); Graph's names stay
        assert "Lizenzen=[" in r.output and "Kanäle=[" in r.output and "Empfänger=" in r.output, r.output
        for english in ("licences=", "channels=", "recipients=", "=True", "=False"):
            assert english not in r.output, english
        r = CliRunner().invoke(cli, ["playbook", "apply", str(plan), *base, "--yes"])
        assert r.exit_code == 0, r.output
        assert "applying" not in r.output and " changes" not in r.output and "Reading " not in r.output
        assert "Änderungen werden vorgenommen" in r.output and "announce: " in r.output
        runs = CliRunner().invoke(cli, ["playbook", "runs"])  # lang17 P4: status word and start as German reads them
        line = runs.output.splitlines()[2]
        assert "abgeschlossen" in line and "complete" not in line and ".2026, " in line, runs.output


def test_a_settings_step_with_nothing_to_do_reads_as_a_sentence_for_a_single_policy() -> None:
    """Found by an independent check: "nothing to do: the guest invitation policy already have the wanted values"."""
    import readiness
    from readiness.playbook.loader import parse
    from tests.render.test_reports import demo_snapshot

    book = parse(b"name: g\ndescription: x\nsteps:\n  - {id: g, action: guest_invitation_policy, params: {allowInvitesFrom: everyone, guest_access: member}}\n",
                 "g.yaml")
    snapshot = demo_snapshot()
    out = readiness.render(readiness.plan(book, snapshot), "table", "en")
    assert "nothing to do: the fields of the guest invitation policy already have the wanted values" in out
