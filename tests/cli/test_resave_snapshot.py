"""`audit --from-snapshot A --snapshot-out B` writes B (the snapshot read, in today's format): it said nothing, wrote
nothing and exited 0 (session 12's attack). B is 0600, holds the same sections and counts, and gives the same audit
as A (written as a collection writes it: direct, active licence states, which say nothing new, are not kept)."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner

import readiness
from readiness.cli import cli

SNAP = Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json"


def test_from_snapshot_with_snapshot_out_writes_it(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    out = tmp_path / "again.json.gz"
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(SNAP), "--snapshot-out", str(out), "-o", "json"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and stat.S_IMODE(os.stat(out).st_mode) == 0o600, out
    a, b = readiness.load_snapshot(SNAP), readiness.load_snapshot(out)
    assert {n: (s.status, s.count) for n, s in b.sections.items()} == {n: (s.status, s.count) for n, s in a.sections.items()}
    again = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(out), "-o", "json"])
    assert json.loads(again.stdout)["data"] == json.loads(result.stdout)["data"]
