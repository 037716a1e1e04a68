"""`readiness report` run as its own process (``one_shot()``) leaves what it built to the process's exit instead of
freeing 100,000 people's rows object by object as it returns (issue 15); run inside a process that goes on, it frees
everything as before."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli, options
from tests.checks.caselib import snapshot_for


def _report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_shot: bool) -> weakref.ref:
    snap = tmp_path / "s.json"
    snapshot_for().save(snap)
    built: list[weakref.ref] = []
    evaluate = readiness.evaluate

    def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        audit = evaluate(*args, **kwargs)
        built.append(weakref.ref(audit))
        return audit

    monkeypatch.setattr(readiness, "evaluate", watched)
    monkeypatch.setattr(options, "_ONE_SHOT", one_shot)
    r = CliRunner().invoke(cli, ["report", str(snap), "-o", "json", "--out", str(tmp_path / "r.json")])
    assert r.exit_code == 0, r.output
    assert len(built) == 1
    return built[0]


def test_a_one_shot_report_leaves_the_audit_to_the_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        audit = _report(tmp_path, monkeypatch, one_shot=True)
        gc.collect()
        assert audit() is not None  # held past the command, out of the collector's reach
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on: let the collector have it
        gc.collect()
    assert audit() is None  # held by nothing but its own cycle


def test_a_report_in_a_process_that_goes_on_frees_what_it_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = _report(tmp_path, monkeypatch, one_shot=False)
    gc.collect()
    assert audit() is None
