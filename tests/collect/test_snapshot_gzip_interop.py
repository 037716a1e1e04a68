"""A ``.gz`` snapshot is written by ISA-L (python-isal, issue 15: save 2.1 s to 1.3-1.5 s CPU at 100k) but stays plain
gzip (RFC 1952): Python's gzip module and the system's ``gzip -dc`` read it to the very bytes a plain save writes, two
saves of one snapshot are the same bytes (mtime 0, no file name), and it loads back to the same snapshot."""
from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from readiness.collect.snapshot import Snapshot
from tests.checks.test_evaluate_golden import snapshot_of


def test_a_gz_snapshot_is_plain_gzip_any_reader_reads(tmp_path: Path) -> None:
    snap = snapshot_of("enterprise-2000")  # columns (Tables) and rows
    snap.save(tmp_path / "plain.json")
    snap.save(tmp_path / "a.json.gz")
    snap.save(tmp_path / "b.json.gz")
    plain, packed = (tmp_path / "plain.json").read_bytes(), (tmp_path / "a.json.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b" and packed[2] == 8, packed[:4]  # gzip, deflate
    assert gzip.decompress(packed) == plain
    assert packed == (tmp_path / "b.json.gz").read_bytes()  # deterministic: an unchanged tenant saves unchanged bytes
    assert Snapshot.load(tmp_path / "a.json.gz").to_dict() == Snapshot.load(tmp_path / "plain.json").to_dict()


@pytest.mark.skipif(shutil.which("gzip") is None, reason="no gzip program on this machine")
def test_the_gzip_program_reads_it(tmp_path: Path) -> None:
    snap = snapshot_of("unprepared-sme")
    snap.save(tmp_path / "plain.json")
    snap.save(tmp_path / "s.json.gz")
    out = subprocess.run(["gzip", "-dc", str(tmp_path / "s.json.gz")], capture_output=True, check=True).stdout
    assert out == (tmp_path / "plain.json").read_bytes()
