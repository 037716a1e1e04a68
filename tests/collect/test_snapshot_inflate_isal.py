"""A snapshot file inflated by ISA-L (python-isal, issue 15) reads and refuses exactly as with zlib: the same lines from
several members with zero padding between them, and every damaged file named as GzipFile names it, never an internal
error (IsalError is no zlib.error)."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

import readiness
from readiness.collect import inflating as inflating_mod
from readiness.collect.inflating import Inflating
from readiness.errors import SnapshotError

isal_zlib = pytest.importorskip("isal.isal_zlib")
TEXT = b"".join(b'{"line": %d, "pad": "%s"}\n' % (i, b"y" * (i * 11 % 400)) for i in range(4000))
DAMAGED = [
    ("cut short", lambda raw: raw[:len(raw) // 2], EOFError),
    ("wrong CRC", lambda raw: raw[:-8] + bytes([raw[-8] ^ 1]) + raw[-7:], gzip.BadGzipFile),
    ("wrong length", lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), gzip.BadGzipFile),
    ("junk after a member", lambda raw: raw + b"junk after the end", gzip.BadGzipFile),
    ("damaged body", lambda raw: raw[:20] + b"\xff" * 40 + raw[60:], (gzip.BadGzipFile, EOFError)),
]


@pytest.fixture(params=["isal", "zlib"])
def inflater(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "zlib":
        monkeypatch.setattr(inflating_mod, "_inflater", zlib)
    return request.param


def test_isal_inflates_when_it_is_installed() -> None:
    assert inflating_mod._inflater is isal_zlib
    assert isal_zlib.error in inflating_mod._DAMAGED and zlib.error in inflating_mod._DAMAGED


def _lines(path: Path) -> list[bytes]:
    with open(path, "rb") as fh:
        stream = Inflating(fh, 1 << 30)
        try:
            out = []
            while line := stream.readline():
                out.append(bytes(line))
            return out
        finally:
            stream.close()


def test_members_and_zero_padding_read_as_gzip_reads_them(inflater: str, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setattr(Inflating, "BLOCK", 1500)  # blocks end inside lines and inside members
    monkeypatch.setattr(Inflating, "READ", 700)
    third = len(TEXT) // 3
    parts = [TEXT[:third], TEXT[third:2 * third], TEXT[2 * third:]]
    path = tmp_path / "m.gz"
    path.write_bytes(b"\0\0\0".join(gzip.compress(p, compresslevel=1 + 4 * i) for i, p in enumerate(parts)))
    assert _lines(path) == TEXT.splitlines(keepends=True)


@pytest.mark.parametrize("case,spoil,error", DAMAGED, ids=[c[0] for c in DAMAGED])
def test_a_damaged_file_is_named_as_gzip_names_it(inflater: str, tmp_path: Path, case: str, spoil, error) -> None:  # noqa: ANN001
    raw = spoil(gzip.compress(TEXT))
    path = tmp_path / "d.gz"
    path.write_bytes(raw)
    with pytest.raises(error):
        _lines(path)
    snap = tmp_path / "s.json.gz"
    snap.write_bytes(raw)
    with pytest.raises(SnapshotError, match="damaged gzip|not JSON"):  # told it is damaged, not shown a traceback
        readiness.load_snapshot(snap)


def test_a_snapshot_reads_the_same_with_either_inflater(monkeypatch: pytest.MonkeyPatch, saved: Path) -> None:
    with_isal = readiness.load_snapshot(saved)
    monkeypatch.setattr(inflating_mod, "_inflater", zlib)
    with_zlib = readiness.load_snapshot(saved)
    assert with_isal.fingerprint() == with_zlib.fingerprint() and with_isal.to_dict() == with_zlib.to_dict()
