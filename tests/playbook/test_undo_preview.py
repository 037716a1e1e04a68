"""Issue 12: undo says before it starts what it destroys and what it cannot take back, in both languages, and asks.

The texts come from the action types' contract (``DATA_LOSS`` / ``data_loss``, ``IRREVERSIBLE`` /
``IRREVERSIBLE_WHY``); the API offers them (``readiness.undo_preview``), the CLI only prints them.
Microsoft docs: group-delete.md (a deleted Microsoft 365 group, with its team's conversations and files, stays
restorable for 30 days), user-assignlicense.md (removing a licence), message-send.md (a sent mail).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.i18n import resolve
from readiness.simulator import Simulator
from readiness.simulator.server import SimulatorServer
from tests.playbook.helpers import params, state, tenant, write_playbook


def _apply(server, monkeypatch, book: Path, t) -> str:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
    done = CliRunner().invoke(cli, ["playbook", "apply", str(book), *params(t), "--yes", "--graph-url", server.base_url])
    assert done.exit_code == 0, done.output
    return next(line.split()[1].rstrip(":") for line in done.output.splitlines() if line.startswith("Run "))


@pytest.fixture
def applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    t = tenant()
    before = state(t)
    with SimulatorServer(Simulator(t)) as server:
        run_id = _apply(server, monkeypatch, write_playbook(tmp_path), t)
        yield server, run_id, t, before


def test_the_preview_names_what_undo_destroys_and_what_it_cannot_undo(applied) -> None:
    server, run_id, t, before = applied
    seen = len(server.sim.conduct.requests)
    p = readiness.undo_preview(run_id)
    assert len(server.sim.conduct.requests) == seen  # from the journal alone: nothing sent
    lost = {c.action for c, _ in p.data_loss}
    assert {"create_team", "assign_licence", "add_to_group", "invite_guests"} <= lost, lost
    assert not lost & {"sharing_settings", "conditional_access", "compliance_policy"}  # settings lose no data
    team = next(why for c, why in p.data_loss if c.action == "create_team")
    assert "Krisenstab" in resolve(team, "en") and "chats" in resolve(team, "en") and "Dateien" in resolve(team, "de")
    cannot = {c.action: why for c, why in p.cannot_undo}
    assert "send_announcement" in cannot
    assert "sent mail cannot be called back" in resolve(cannot["send_announcement"], "en")
    assert "gesendete E-Mail" in resolve(cannot["send_announcement"], "de")
    # every undo change that loses data is one the undo will really send
    assert {c.id for c, _ in p.data_loss} <= {c.id for c in p.plan.changes}
    assert state(t) != before
    # the same in any output: JSON keeps ids and action types, words in the language asked for
    import json

    doc = json.loads(readiness.render(p, "json", "de"))["data"]
    assert doc["run"] == run_id and {r["action"] for r in doc["data_loss"]} == lost
    assert any("Dateien" in r["text"] for r in doc["data_loss"]) and doc["cannot_undo"][0]["change"]
    assert "Undoing this run loses data" in readiness.render(p, "table", "en")
    titles = {s.step: s.title for s in p.plan.steps}  # lang17 P3: "Undo crisis-team" in German too
    assert all(resolve(t, "de").endswith(" rückgängig machen") for t in titles.values()), titles
    assert all(resolve(t, "en").startswith("Undo ") for t in titles.values()), titles


def test_undo_warns_and_asks_first_and_no_sends_nothing(applied, monkeypatch: pytest.MonkeyPatch) -> None:
    server, run_id, t, before = applied
    monkeypatch.setattr("readiness.cli.context.interactive", lambda: True)  # as on a terminal (else refused: issue 12)
    seen = len([r for r in server.sim.conduct.requests if r[1] != "GET"])
    no = CliRunner().invoke(cli, ["playbook", "undo", run_id, "--graph-url", server.base_url], input="n\n")
    assert no.exit_code != 0
    out = no.output
    assert "Undoing this run loses data" in out and "deleting the team deletes its chats" in out
    assert "Cannot be undone" in out and "a sent mail cannot be called back" in out
    assert out.index("loses data") < out.index("Data named above will be lost")  # warned before the question
    assert len([r for r in server.sim.conduct.requests if r[1] != "GET"]) == seen  # "no": nothing changed
    monkeypatch.setenv("READINESS_LANG", "de")
    german = CliRunner().invoke(cli, ["playbook", "undo", run_id, "--graph-url", server.base_url], input="n\n")
    assert "Beim Rückgängigmachen dieses Laufs gehen Daten verloren" in german.output
    assert "Eine gesendete E-Mail lässt sich nicht zurückholen" in german.output
    monkeypatch.delenv("READINESS_LANG")
    yes = CliRunner().invoke(cli, ["playbook", "undo", run_id, "--yes", "--graph-url", server.base_url])
    assert yes.exit_code == 0, yes.output
    assert "loses data" in yes.output  # -y skips the question, not the warning
    assert state(t) == before
