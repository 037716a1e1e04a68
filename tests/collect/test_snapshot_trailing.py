"""After a snapshot's document only a little whitespace may follow, and the file is read to its end: a gzip file's
checksum and length are checked only there. A damaged gzip file (its CRC wrong) followed by megabytes of blank lines
loaded with exit 0, because the reader stopped 4 KB after the document (session 12's attack). Refused now: the damage
as a damaged file, more than TRAIL_MAX of whitespace as more after the end (the attack's 3 MB of blank lines); a line
break or two still loads."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import readiness
from readiness.collect.snapshot_file import TRAIL_MAX
from readiness.errors import ReadinessError

SNAP = Path(__file__).resolve().parents[1] / "checks" / "base_snapshot.json"


def _text(tmp_path: Path) -> bytes:
    readiness.load_snapshot(SNAP).save(tmp_path / "s.json")
    return (tmp_path / "s.json").read_bytes()


@pytest.mark.parametrize("packed", [True, False])
def test_a_few_line_breaks_after_the_document_load(tmp_path: Path, packed: bool) -> None:
    data = _text(tmp_path) + b"\n\n \r\n"
    path = tmp_path / ("t.json.gz" if packed else "t.json")
    path.write_bytes(gzip.compress(data, mtime=0) if packed else data)
    assert readiness.load_snapshot(path).tenant_name == "Contoso Test GmbH"


@pytest.mark.parametrize("packed", [True, False])
def test_more_whitespace_than_allowed_is_more_after_the_end(tmp_path: Path, packed: bool) -> None:
    data = _text(tmp_path) + b"\n" * (TRAIL_MAX + 1)
    path = tmp_path / ("t.json.gz" if packed else "t.json")
    path.write_bytes(gzip.compress(data, mtime=0) if packed else data)
    with pytest.raises(ReadinessError) as err:
        readiness.load_snapshot(path)
    assert "more follows the end of the document" in str(err.value), str(err.value)


def test_text_far_after_the_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(_text(tmp_path) + b"\n" * 100_000 + b'{"sections": {}}\n')
    with pytest.raises(ReadinessError, match="more follows the end"):
        readiness.load_snapshot(path)


def test_a_damaged_checksum_behind_blank_lines_is_a_damaged_file(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(_text(tmp_path) + b"\n" * 600_000, mtime=0))  # within TRAIL_MAX: only the CRC is wrong
    packed[-8] ^= 0xFF  # the CRC-32 (RFC 1952: CRC32, then ISIZE, at the end)
    path = tmp_path / "t.json.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(ReadinessError) as err:
        readiness.load_snapshot(path)
    assert "gzip" in str(err.value).lower() or "damaged" in str(err.value).lower(), str(err.value)
