"""A snapshot line is checked part by part as it is read, and refused as soon as it is over a bound, before the rest of
it is read (session 9; the bombs left by session 8's attack, /tmp/attack-work/gen.py):

- ``codes_bomb``: a palette column of 500 MB of codes in a section declaring 2,000,000 rows peaked at 1,696 MB before its
  row mismatch was refused; base64 is exactly 4 bytes for 3 rows, so its line is bounded by its rows: 39 MB after;
- ``nulls_bomb`` (a values column of 100 million nulls, 981 MB) and ``lengths_bomb`` (a Lists column of 200 million
  lengths, 791 MB) were refused only after their 400-500 MB line was read (and joined into a second copy): 204 and 75 MB.

Each test here refuses a line of a few MB in a section of 100 rows; the stream is read in blocks of 64 KB and the test
counts the blocks taken when the line is refused."""
from __future__ import annotations

import gzip
import io
import tracemalloc
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.collect.inflating import Blocks, Inflating, Plain
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import _at, lines2, snap  # noqa: F401 - fixtures

ROWS = 100
BLOCK = 64 * 1024


@pytest.fixture
def blocks_taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small blocks, and how many bytes of blocks the reader took."""
    monkeypatch.setattr(Blocks, "BLOCK", BLOCK)
    monkeypatch.setattr(Inflating, "BLOCK", BLOCK)
    taken: list[int] = []
    real = Blocks._next

    def counted(self: Blocks) -> bool:
        got = real(self)
        if got:
            taken.append(len(self._buf))
        return got
    monkeypatch.setattr(Blocks, "_next", counted)
    return taken


def _devices_of(lines: list[bytes], rows: int, column: bytes, tmp_path: Path, gzipped: bool) -> Path:
    """The file with its devices section declaring ``rows`` rows and ``column`` as its first column's line."""
    bad = list(lines)
    at = _at(bad, "devices")
    count = int(bad[at].split(b'"count":', 1)[1].split(b",", 1)[0])
    bad[at] = bad[at].replace(b'"count":%d,' % count, b'"count":%d,' % rows, 1).replace(
        b'"rows":%d,' % count, b'"rows":%d,' % rows, 1)
    bad[at + 1] = column
    text = b"\n".join(bad)
    path = tmp_path / ("bad.json.gz" if gzipped else "bad.json")
    path.write_bytes(gzip.compress(text, 1) if gzipped else text)
    return path


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("column, message", [
    # codes_bomb: 3 MB of codes where 100 rows have 136 bytes of them (the line's 64 KB a row would allow 7.5 MB)
    (b'{"key":"operatingSystem","palette":["x"],"codes":"' + b"A" * (3 << 20) + b'"}',
     r"a column of codes of the section sections\.devices is longer than its 100 rows allow, 1,048,712 bytes"),
    # nulls_bomb: a column of values holds 1 value a row at its top level + VALUES_SLACK (262,244 here; the values its
    # rows nest are bounded apart: test_snapshot_nested_licences); 1.2 million nulls are 6 MB
    (b'{"key":"id","values":[' + b"null," * 1_200_000 + b'null]}',
     r"the section sections\.devices holds more values than its 100 rows allow, 1 a row"),
    # lengths_bomb: a Lists column holds 8 a row + VALUES_SLACK (262,944); 3 million lengths are 6 MB
    (b'{"key":"owners","items":[],"lengths":[' + b"0," * 3_000_000 + b'0]}',
     r"the section sections\.devices holds more values than its 100 rows allow, 8 a row"),
])
def test_a_column_line_over_its_encodings_bound_is_refused_before_it_is_read_whole(
        column: bytes, message: str, gzipped: bool, lines2: list[bytes], tmp_path: Path,  # noqa: F811
        blocks_taken: list[int]) -> None:
    assert len(column) < snapshot_file.BYTES_PER_ROW * ROWS + snapshot_file.BYTES_SLACK  # within the line's byte bound
    path = _devices_of(lines2, ROWS, column, tmp_path, gzipped)
    with pytest.raises(SnapshotError, match=message):
        readiness.load_snapshot(path)
    before = sum(map(len, lines2[:_at(lines2, "devices") + 1]))
    assert sum(blocks_taken) - before < 2 << 20 < len(column) // 1.5  # refused within its first 2 MB


def test_a_palette_column_within_its_bound_is_read(lines2: list[bytes], tmp_path: Path) -> None:  # noqa: F811
    # the bound is exact: 100 rows' codes (136 bytes) and a palette fill their line and it is read as it was
    codes = b"AQAB" * 33 + b"AQ=="
    path = _devices_of(lines2, ROWS, b'{"key":"operatingSystem","palette":["a","b"],"codes":"' + codes + b'"}', tmp_path,
                       True)
    with pytest.raises(SnapshotError, match=r"has [\d,]+ rows, not 100 like the columns before it") as err:
        readiness.load_snapshot(path)  # the next column still has the fixture's rows: refused there, not before
    assert "codes" not in str(err.value)


def test_a_line_across_blocks_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a line of 24 MB read in blocks of 1 MB: held once as it is built, not as a list of its blocks joined (2x)
    monkeypatch.setattr(Plain, "BLOCK", 1 << 20)
    line = b"x" * (24 << 20) + b"\n"
    stream = Plain(io.BytesIO(line + b"next\n"))
    tracemalloc.start()
    try:
        got = stream.readline()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == line and stream.readline() == b"next\n" and stream.readline() == b""
    assert peak < 1.25 * len(line), f"{peak / 2**20:.0f} MB"


def test_each_part_of_a_line_is_shown_before_it_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Plain, "BLOCK", 10)
    seen: list[bytes] = []

    def watch(buf: bytes, pos: int, stop: int, held: tuple | None) -> None:
        before = bytes(held[0][held[1]:held[2]]) if held else b""
        assert before == b"".join(seen)  # what is kept of the line so far
        seen.append(buf[pos:stop])
        if len(b"".join(seen)) > 15:
            raise ValueError("over")

    stream = Plain(io.BytesIO(b"0123456789abcdefghij\nklmnopqrstuvwxyz0123456789\n"))
    assert stream.readline() == b"0123456789abcdefghij\n"
    with pytest.raises(ValueError):
        stream.readline(-1, None, watch)
    assert seen == [b"klmnopqrs", b"tuvwxyz012"]  # refused at its second part: the third never read
    assert stream._buf == b"tuvwxyz012"


# -- a whole document (the oldest form: read whole, not a line at a time) --------------------------------------------
def _whole_doc(sections: bytes) -> bytes:
    head = b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z"'
    return head + b',"sections":' + sections + b"}"


@pytest.mark.parametrize("sections, where", [
    # orjson keeps the last of repeated keys: the empty second copy of the users would be the users
    (b'{"users":{"status":"complete","count":1,"data":[{"id":"a"}]},"users":{"status":"complete","count":0,"data":[]}}',
     r"sections\.users"),
    # the same key written another way: the bytes cannot tell, the keys as parsed can
    (b'{"users":{"status":"complete","count":1,"data":[{"id":"a"}]},"us\\u0065rs":{"status":"complete","count":0,"data":[]}}',
     r"sections\.users"),
])
def test_a_whole_document_that_gives_a_section_twice_is_refused(sections: bytes, where: str, tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_bytes(_whole_doc(sections))
    with pytest.raises(SnapshotError, match=rf"gives {where} twice, and a snapshot gives each section once"):
        readiness.load_snapshot(path)
    once = tmp_path / "once.json"  # each alone is read
    once.write_bytes(_whole_doc(b'{"users":{"status":"complete","count":0,"data":[]}}'))
    assert readiness.load_snapshot(once)


def test_a_whole_document_that_gives_its_sections_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_bytes(_whole_doc(b'{},"sections":{"users":{"status":"complete","count":0,"data":[]}}'))
    with pytest.raises(SnapshotError, match=r"gives sections twice"):
        readiness.load_snapshot(path)


# -- the two limits from the environment: one parser, each its own message (review D6, session 8) ----------------------
@pytest.mark.parametrize("env, read, default", [
    (snapshot_file.MAX_BYTES_ENV, snapshot_file.max_bytes, snapshot_file.DEFAULT_MAX_BYTES),
    (snapshot_file.MAX_ROWS_ENV, snapshot_file.max_rows, snapshot_file.DEFAULT_MAX_ROWS),
])
def test_both_limits_read_a_positive_whole_number_and_name_a_wrong_one(
        env: str, read: object, default: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for given, got in [("", default), ("  ", default), ("7", 7), (" 12 ", 12)]:
        monkeypatch.setenv(env, given)
        assert read() == got  # type: ignore[operator]
    for wrong in ["0", "-3", "lots", "1.5", "x" * 500]:
        monkeypatch.setenv(env, wrong)
        with pytest.raises(SnapshotError, match=rf"{env}='{wrong[:40]}' is not a positive number") as err:
            read()  # type: ignore[operator]
        assert "x" * 41 not in str(err.value)  # the value shown is cut at 40 characters, in both


# -- a string value bounded on its own (before: only by its line, 64 KB a declared row: one of 128 MB in 2,000 rows) ---
@pytest.mark.parametrize("column", [
    b'{"key":"displayName","values":["' + b"a" * (200 << 10) + b'"' + b',"x"' * (ROWS - 1) + b"]}",
    b'{"key":"displayName","values":["' + b'a\\"' * (70 << 10) + b'"' + b',"x"' * (ROWS - 1) + b"]}",  # escaped quotes
    b'{"key":"displayName","text":"' + b"a" * (200 << 10) + b"\\u001f" * ROWS + b'"}',  # a Packed text's row
    b'{"key":"owners","items":["' + b"\xc3\xa9" * (100 << 10) + b'"],"lengths":[1' + b",0" * (ROWS - 1) + b"]}",
])
def test_a_string_of_200_kb_is_refused_as_it_is_read(column: bytes, lines2: list[bytes], tmp_path: Path) -> None:  # noqa: F811
    assert len(column) < snapshot_file.BYTES_PER_ROW * ROWS  # its line's bound alone lets it through
    path = _devices_of(lines2, ROWS, column, tmp_path, True)
    with pytest.raises(SnapshotError, match=r"line \d+: a value of the section sections\.devices is a string of more "
                                            r"than 32,768 bytes"):
        readiness.load_snapshot(path)


def test_a_string_of_20_kb_is_read(lines2: list[bytes], tmp_path: Path) -> None:  # noqa: F811
    # 20 KB of display name, far over Graph's 256 characters: only the next column's rows refuse the section
    column = b'{"key":"displayName","values":["' + b"a" * (20 << 10) + b'"' + b',"x"' * (ROWS - 1) + b"]}"
    path = _devices_of(lines2, ROWS, column, tmp_path, True)
    with pytest.raises(SnapshotError, match=r"has [\d,]+ rows, not 100 like the columns before it"):
        readiness.load_snapshot(path)


@pytest.mark.parametrize("stretch, inside", [
    (b"1234567,0,12," * 3000, False),  # pooled ids, lengths
    (b"null," * 8000, False), (b"[true,false]," * 3000, False), (b"[-1.5e+07,{}]," * 3000, False),
    (b"a" * 32768, True), (b"truefalse," * 3000 + b"x", True), (b"\xc3\xa9" * 16000, True), (b" 0 : x" * 5000, True),
])
def test_a_stretch_is_in_a_string_when_it_has_a_byte_json_has_only_there(stretch: bytes, inside: bool) -> None:
    assert snapshot_file._in_a_string(stretch) is inside
