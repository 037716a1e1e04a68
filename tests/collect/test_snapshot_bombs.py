"""A snapshot's single line is bounded by what its section declares, tighter than the section (the attack from a fresh
clone, after commit 16f4b15): a lines/2 column line by its rows x a constant for its encoding, an object section's
one line by its count, a line longer than the byte cap refused before its blocks are joined.

Before: a section declaring the row limit (2,000,000 rows) had 256 values a row to spend and one line could spend them
all: a users column line of 20 million "{}" took 1,824 MB, group_members' one line of them 1,938 MB, a line past the
byte cap 1,053 MB (the 512 MB of blocks held, then joined into a copy)."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import orjson
import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import FIXTURE, PROBE, _at, _write

HEAD = b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z","layout":"lines/2","sections":{\n'
BOMB = 20_000_000  # "{}," 20 million times: 60 MB of text, ~59 KB of gzip, ~1.9 GB of objects if parsed


@pytest.fixture(scope="module")
def lines2(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("lines2") / "good.json"
    readiness.load_snapshot(FIXTURE).save(path)
    return path.read_bytes().split(b"\n")


def _bomb(path: Path, form: str) -> Path:
    """The attack's files (/tmp/attack-work/gen.py col_bomb20, gm_bomb): 20 million "{}" in one line of a section that
    declares the row limit, a users column (lines/2) or group_members' one line (an object section)."""
    rows = snapshot_file.DEFAULT_MAX_ROWS
    with gzip.open(path, "wb", compresslevel=9) as z:
        z.write(HEAD)
        if form == "column":
            z.write(b'"users":{"status":"complete","endpoint":"/users","count":%d,"data":{"layout":"columns/2",'
                    b'"rows":%d,"columns":[\n{"key":"id","values":[' % (rows, rows) + b"{}," * BOMB + b"{}]}\n]}}\n}}\n")
        else:
            z.write(b'"group_members":{"status":"complete","endpoint":"/groups/{id}/members","count":%d,"data":{"g":['
                    % rows + b"{}," * BOMB + b"{}]}}\n}}\n")
    return path


@pytest.mark.parametrize("form", ["column", "object"])
def test_one_line_of_a_section_declaring_the_row_limit_cannot_make_gigabytes(form: str, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / f"{form}.json.gz", form)
    assert bomb.stat().st_size < 200_000
    # a fresh interpreter held to 1 GB of address space: parsing the line would need ~1.9 GB (a MemoryError)
    env = {k: v for k, v in os.environ.items() if k not in (snapshot_file.MAX_ROWS_ENV, snapshot_file.MAX_BYTES_ENV)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(bomb), str(1 << 30)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.split()[:2] == ["RC", "1"], done.stdout + done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "holds more values than its 2,000,000 rows allow" in done.stderr, done.stderr[-2000:]
    assert int(done.stdout.split()[3]) < 400 * 1024, done.stdout


def _rows(lines: list[bytes], name: str) -> int:
    return orjson.loads(b"{" + lines[_at(lines, name)].lstrip(b",") + b"]}}}")[name]["data"]["rows"]


@pytest.mark.parametrize("head, per_row", [
    (b'{"key":"id","values":[', 1),  # a column of values: 1 a row at its top level (what its rows nest: 256 a row)
    (b'{"key":"id","new":[],"ids":[', 8),  # pooled ids (with lengths: a pooled Lists column)
    (b'{"key":"owners","items":[', 8),  # Lists
    (b'{"key":"id","palette":[', 1),  # Coded: its values are the palette
    (b'{"key":"id","text":"', 1),  # Packed: one string
])
def test_a_column_line_holds_its_rows_times_its_encodings_constant(
        head: bytes, per_row: int, lines2: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(lines2, "devices")
    line = per_row * rows + snapshot_file.VALUES_SLACK + 1  # one more than the line may hold...
    assert line < snapshot_file.VALUES_PER_ROW * rows + snapshot_file.VALUES_SLACK  # ...within what the section may
    bad = list(lines2)
    at = _at(bad, "devices")
    bad[at + 1] = head + b"0," * line + (b'"}' if head.endswith(b'"') else b"0]}")
    parsed: list[int] = []
    real = snapshot_file._load
    monkeypatch.setattr(snapshot_file, "_load", lambda lines, text: parsed.append(len(text)) or real(lines, text))
    with pytest.raises(SnapshotError, match=rf"sections\.devices holds more values than its {rows:,} rows allow, "
                                            rf"{per_row} a row"):
        readiness.load_snapshot(_write(tmp_path / "bad.json", bad))
    assert max(parsed) < line  # refused from the bytes: the line never reached the parser
    values_line = head.split(b'"')[5] == b"values"  # its top-level values (snapshot_file._Tops), else its encoding's
    documented = snapshot_file.TOP_VALUES_PER_ROW if values_line else snapshot_file.COLUMN_VALUES_PER_ROW[head.split(b'"')[5]]
    assert documented == per_row


def test_an_object_sections_line_holds_its_count_times_a_constant(
        lines2: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = list(lines2)
    at = _at(bad, "group_members")
    sec = orjson.loads(b"{" + bad[at].lstrip(b",") + b"}")["group_members"]
    count = 8 * sec["count"] + snapshot_file.VALUES_SLACK  # OBJECT_VALUES_PER_ROW; values: 2 an "{}"
    filler = b"{}," * (count // 2 + 1)
    bad[at] = bad[at].replace(b'"data":{', b'"data":{"x":[' + filler + b'{}],', 1)
    parsed: list[int] = []
    real = snapshot_file._load
    monkeypatch.setattr(snapshot_file, "_load", lambda lines, text: parsed.append(len(text)) or real(lines, text))
    with pytest.raises(SnapshotError, match=r"sections\.group_members holds more values than its [\d,]+ rows allow, "
                                            r"8 a row"):
        readiness.load_snapshot(_write(tmp_path / "bad.json", bad))
    assert not parsed or max(parsed) < len(filler)


def test_a_line_past_the_byte_cap_is_refused_before_its_blocks_are_joined(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cap = 48 * 1024 * 1024
    path = tmp_path / "over.json.gz"
    with gzip.open(path, "wb", compresslevel=1) as z:  # the attack's over_cap, scaled to a 48 MB cap
        z.write(HEAD + b'"groups":{"status":"complete","endpoint":"/groups","count":%d,"data":[\n{"id":"'
                % snapshot_file.DEFAULT_MAX_ROWS)  # rows enough that the line's own bound is beyond the byte cap
        block = b"0" * (1 << 20)  # digits: a string the per-string check cannot tell from numbers (bounded by its line)
        for _ in range(cap // len(block) + 16):
            z.write(block)
        z.write(b'"}\n]}\n}}\n')
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, str(cap))
    tracemalloc.start()
    try:
        with pytest.raises(SnapshotError, match="bytes of snapshot data"):
            readiness.load_snapshot(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the line's blocks up to the cap and the few inflated ahead (Inflating.AHEAD), never a joined copy of them (2x)
    assert peak < cap * 1.5, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("section", ["devices", "groups"])  # a lines/2 column, a line of items
def test_a_string_longer_than_its_rows_allow_is_refused_before_the_line_is_read_whole(
        section: str, gzipped: bool, lines2: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the attack's text_bomb (a 500 MB device id in a section of one row, accepted) and items_text, at 4 MB: a line
    # holds at most 64 KB a row it declares (Graph's longest kept strings are a few KB) + 1 MB
    bad = list(lines2)
    at = _at(bad, section)
    count = int(bad[at].split(b'"count":', 1)[1].split(b",", 1)[0])
    bad[at] = bad[at].replace(b'"count":%d,' % count, b'"count":1,', 1).replace(b'"rows":%d,' % count, b'"rows":1,', 1)
    long = b"0" * (4 << 20)  # digits: a string the per-string check cannot tell from numbers (test_snapshot_lines_read)
    bad[at + 1] = (b'{"key":"id","text":"' + long + b'\\u001f"}' if section == "devices"
                   else b'[{"id":"' + long + b'"}]')
    path = _write(tmp_path / "long.json", bad)
    if gzipped:
        path = tmp_path / "long.json.gz"
        path.write_bytes(gzip.compress(b"\n".join(bad), 1))
    read: list[int] = []
    real = snapshot_file._Budget.readline
    monkeypatch.setattr(snapshot_file._Budget, "readline", lambda self, *a, **k: (lambda line: read.append(len(line))
                                                                                   or line)(real(self, *a, **k)))
    with pytest.raises(SnapshotError, match=rf"line {at + 2}: a line of the section sections\.{section} is longer than "
                                            r"its 1 rows allow, 1,114,112 bytes at 65,536 a row"):
        readiness.load_snapshot(path)
    assert max(read) < 2 << 20  # never the whole 4 MB line


@pytest.mark.parametrize("raised", [MemoryError(), "orjson"])
def test_running_out_of_memory_while_loading_is_a_clear_error(raised: object, monkeypatch: pytest.MonkeyPatch) -> None:
    def loads(_raw: object) -> None:
        if raised == "orjson":  # orjson under RLIMIT_AS: "<built-in function loads> returned a result with an exception set"
            try:
                raise MemoryError()
            except MemoryError as exc:
                raise SystemError("<built-in function loads> returned a result with an exception set") from exc
        raise raised  # type: ignore[misc]
    monkeypatch.setattr(snapshot_file.bulkjson, "loads", loads)
    with pytest.raises(SnapshotError, match="needs more memory than this computer gives the tool"):
        readiness.load_snapshot(FIXTURE)
