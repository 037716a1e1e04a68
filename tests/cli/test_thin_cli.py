"""The CLI as a thin client (issue 9): `playbook apply` tells a saved plan from a playbook by the file's content,
and refuses a file that is neither, over real HTTP against the simulator."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from tests.helpers import emergency_params
from readiness.cli import cli


def _invoke(sim, monkeypatch: pytest.MonkeyPatch, *args: str):  # noqa: ANN001, ANN202
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.token)
    return CliRunner().invoke(cli, [*args, "--graph-url", sim.graph_url])


def _params(sim) -> list[str]:  # noqa: ANN001
    snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    return [arg for k, v in emergency_params(snap).items() for arg in ("-p", f"{k}={v}")]


def test_apply_takes_a_saved_plan_whatever_its_name_and_refuses_what_is_neither(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with readiness.serve_simulator(seed=5) as sim:
        params = _params(sim)
        saved = tmp_path / "monday-plan"  # no suffix at all
        planned = _invoke(sim, monkeypatch, "playbook", "plan", "emergency-home-office", *params, "--out", str(saved))
        assert planned.exit_code == 0, planned.output
        assert json.loads(saved.read_text("utf-8"))["kind"] == "readiness.plan"

        snapshot = tmp_path / "tenant.json"
        readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token)).save(snapshot)
        wrong = _invoke(sim, monkeypatch, "playbook", "apply", str(snapshot), "--yes")
        assert wrong.exit_code == 2, wrong.output
        error = next(line for line in wrong.stderr.splitlines() if line.startswith("Error: "))
        assert "neither a saved plan nor a playbook" in error and "playbook plan NAME --out" in error
        assert "Traceback" not in wrong.output and readiness.runs() == []  # nothing was applied

        with_params = _invoke(sim, monkeypatch, "playbook", "apply", str(saved), "-p", "sender=x@example.com", "--yes")
        assert with_params.exit_code == 2 and "carries its parameters" in with_params.stderr

        applied = _invoke(sim, monkeypatch, "playbook", "apply", str(saved), "--yes", "-o", "json")
        assert applied.exit_code == 0, applied.output
        data = json.loads(applied.stdout)["data"]
        assert data["complete"] and data["done"] > 0 and data["failed"] == [] and data["unknown"] == []

    assert data["run"] in {r.run_id for r in readiness.runs()}


def test_a_yaml_playbook_file_still_applies_and_its_errors_name_the_line(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.json"  # a playbook may be written as JSON too: then its errors are a playbook's
    broken.write_text('{"name": "x", "steps": [{"id": "a", "action": "no_such_action"}]}', "utf-8")
    with readiness.serve_simulator(seed=5) as sim:
        result = _invoke(sim, monkeypatch, "playbook", "apply", str(broken), "--yes")
    assert result.exit_code != 0 and "no_such_action" in result.stderr and "neither" not in result.stderr
