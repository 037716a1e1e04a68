"""`audit --snapshot-out` saves in a thread while evaluate runs (issue 15): the same file as ``Snapshot.save`` writes
(0600, atomic), and a save that fails still stops the command before the report is written."""
from __future__ import annotations

import gzip
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.api.saving import start_saving
from readiness.cli import cli
from readiness.safe_io import OutputError
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.checks.test_evaluate_golden import snapshot_of


def test_the_thread_writes_what_save_writes(tmp_path: Path) -> None:
    snap = snapshot_of("unprepared-sme")
    snap.save(tmp_path / "direct.json.gz")
    saving = start_saving(snap, tmp_path / "thread.json.gz")
    saving.wait()
    assert (tmp_path / "thread.json.gz").read_bytes() == (tmp_path / "direct.json.gz").read_bytes()  # gzip mtime 0
    assert stat.S_IMODE(os.stat(tmp_path / "thread.json.gz").st_mode) == 0o600
    assert b'"schema_version":1' in gzip.decompress((tmp_path / "thread.json.gz").read_bytes())[:200]
    assert not any(t.name == "readiness-save" for t in threading.enumerate())


def test_a_failed_save_is_raised_by_wait(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    saving = start_saving(snapshot_of("unprepared-sme"), tmp_path / "a-file" / "snap.json.gz")
    with pytest.raises(OutputError):
        saving.wait()


def test_audit_stops_before_the_report_when_the_snapshot_cannot_be_saved(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / "report.json"
    with SimulatorServer(Simulator(generate_tenant("unprepared-sme", seed=7))) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
        bad = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "--out", str(out),
                                       "--snapshot-out", str(tmp_path / "a-file" / "snap.json.gz")])
        errors = [line for line in bad.output.splitlines() if line.startswith("Error: ")]  # (and the JSON error document)
        assert bad.exit_code == 1 and len(errors) == 1 and "Traceback" not in bad.output, bad.output
        assert not out.exists()  # nothing emitted: the failed save stopped the command first
        good = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "--out", str(out),
                                        "--snapshot-out", str(tmp_path / "snap.json.gz")])
    assert good.exit_code == 0, good.output
    assert out.exists() and (tmp_path / "snap.json.gz").exists()
    assert "snap.json.gz" in good.output  # the note that it was saved, after the thread finished
