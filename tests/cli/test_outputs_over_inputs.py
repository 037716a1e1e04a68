"""An output never replaces another output or an input (the attack from a fresh clone): `audit --snapshot-out s.json
--out s.json` left the result where the snapshot was, `report s.json --out s.json` and `audit --from-snapshot s.json
--out s.json` replaced the snapshot they read. Refused before anything is collected or read, compared by the resolved
path and os.path.samefile; what is written into and never replaced (/dev/null) may be given twice."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from tests.cli.test_audit_outputs import _refused_before_collecting, audit, server  # noqa: F401 - the fixture
from tests.collect.test_snapshot_limits import FIXTURE


@pytest.fixture()
def snap(tmp_path: Path) -> Path:
    path = tmp_path / "s.json.gz"
    path.write_bytes(FIXTURE.read_bytes())
    return path


@pytest.mark.parametrize("pair", [("--snapshot-out", "--out"), ("--snapshot-out", "--report"), ("--out", "--report")])
def test_two_outputs_in_one_file_are_refused_before_collecting(pair: tuple[str, str], server,  # noqa: F811
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = len(server.sim.conduct.requests)
    same = tmp_path / "s.json"
    result = audit(server, monkeypatch, tmp_path, pair[0], str(same), pair[1], str(tmp_path / "." / "s.json"))
    _refused_before_collecting(server, result, before, f"is given for both {pair[0]} and {pair[1]}",
                               "the second would replace the first")
    assert not same.exists()


def test_an_output_that_is_the_previous_snapshot_is_refused_before_collecting(
        server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, snap: Path) -> None:  # noqa: F811
    before = len(server.sim.conduct.requests)
    kept = snap.read_bytes()
    os.link(snap, tmp_path / "hard.json.gz")  # another name of the same file
    result = audit(server, monkeypatch, tmp_path, "--previous-snapshot", str(snap),
                   "--snapshot-out", str(tmp_path / "hard.json.gz"))
    _refused_before_collecting(server, result, before, "is also read as --previous-snapshot")
    assert snap.read_bytes() == kept


@pytest.mark.parametrize("command", ["report", "audit"])
def test_an_output_that_is_the_snapshot_read_is_refused_and_the_snapshot_kept(
        command: str, snap: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    kept = snap.read_bytes()
    args = ["report", str(snap)] if command == "report" else ["audit", "--from-snapshot", str(snap)]
    read: list[Path] = []
    real = readiness.load_snapshot
    monkeypatch.setattr(readiness, "load_snapshot", lambda path, **kw: read.append(path) or real(path, **kw))
    os.symlink(snap, tmp_path / "link.json.gz")
    for out in (snap, tmp_path / "link.json.gz"):
        result = CliRunner().invoke(cli, [*args, "-o", "json", "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "is also read as" in result.output and "Traceback" not in result.output, result.output
        assert snap.read_bytes() == kept
    assert read == []  # refused before the snapshot was read
    result = CliRunner().invoke(cli, [*args, "-o", "json", "--out", str(tmp_path / "r.json")])
    assert result.exit_code in (0, 3, 4, 5), result.output  # another file: written (its findings' exit code)
    assert (tmp_path / "r.json").exists()


def test_dev_null_may_be_given_twice(snap: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(snap), "-o", "json", "--out", "/dev/null",
                                      "--snapshot-out", "/dev/null"])
    assert "is given for both" not in result.output and "Traceback" not in result.output, result.output
    assert result.exit_code != 1, result.output


def test_the_refusal_in_german(snap: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["report", str(snap), "--lang", "de", "--out", str(snap)])
    assert result.exit_code == 1
    assert "wird auch als SNAPSHOT gelesen: die Ausgabe würde ersetzen, was gelesen wird" in result.output, result.output
    assert "Schreiben Sie --out in eine andere Datei" in result.output
