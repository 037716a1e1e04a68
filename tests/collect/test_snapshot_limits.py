"""A snapshot file is bounded by what it declares before it is parsed (issue 15, the attack on the snapshot file):
a section's rows and count within a limit, each line's JSON values within what those rows allow (counted from the
bytes, not by parsing), a section once, and its count the number of things its data holds.

Before: a 60 KB gzip file whose column line was 20 million "{}" made 1.9 GB of Python objects before its row count
was refused (the 512 MB byte cap bounds bytes, not objects)."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.collect import snapshot_file
from readiness.collect.snapshot import Snapshot
from readiness.errors import SnapshotError
from tests.collect.lines1 import save_lines1

FIXTURE = Path(__file__).parent / "fixtures" / "lines1-enterprise-300.json.gz"
BOMB_VALUES = 20_000_000  # "{}," 20 million times: 60 MB of text, ~59 KB of gzip, ~1.9 GB of objects if parsed


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return readiness.load_snapshot(FIXTURE)


@pytest.fixture(scope="module")
def lines2(snap: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("lines2") / "good.json"
    snap.save(path)
    return path.read_bytes().split(b"\n")


def _at(lines: list[bytes], name: str) -> int:
    """The index of the line that opens section ``name``."""
    key = json.dumps(name).encode() + b':{"status"'
    return next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(key))


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines))
    return path


def _gzip_bomb(path: Path, form: str) -> Path:
    """A tiny gzip snapshot with one line of BOMB_VALUES empty objects: lines/2 (a column of the users), lines/1 (a
    line of groups) or a whole document (the oldest form); every section it declares holds one row."""
    head = orjson.dumps({"schema_version": 1, "collected_at": "2026-12-01T00:00:00Z", "layout": "lines/2"})[:-1]
    with gzip.open(path, "wb", compresslevel=9) as z:
        if form == "whole":
            z.write(b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z","sections":{"groups":{"status":'
                    b'"complete","count":1,"data":[' + b"{}," * BOMB_VALUES + b"{}]}}}")
            return path
        z.write(head + b',"sections":{\n')
        if form == "lines2":
            z.write(b'"users":{"status":"complete","endpoint":"/users","count":1,"data":{"layout":"columns/2","rows":1,'
                    b'"columns":[\n{"key":"id","values":[' + b"{}," * BOMB_VALUES + b'{}]}\n]}}\n}}\n')
        else:
            z.write(b'"groups":{"status":"complete","endpoint":"/groups","count":1,"data":[\n['
                    + b"{}," * BOMB_VALUES + b"{}]\n]}\n}}\n")
    return path


PROBE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from readiness.cli import main
try:
    main(['report', sys.argv[1]])
except SystemExit as e:
    code = e.code
# this process's own peak (VmHWM: its memory since exec). ru_maxrss also carries the high-water mark of the process it
# was started from (a pytest worker holding 400 MB made a refused bomb read "411 MB")
try:
    peak = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print('RC', code, 'MAXRSS_KB', peak)
"""


@pytest.mark.parametrize("form", ["lines2", "lines1", "whole"])
def test_a_tiny_gzip_file_cannot_make_gigabytes_of_objects(form: str, tmp_path: Path) -> None:
    bomb = _gzip_bomb(tmp_path / f"{form}.json.gz", form)
    assert bomb.stat().st_size < 200_000
    # A fresh interpreter held to 1 GB of address space: parsing the line would need ~1.9 GB (a MemoryError, an
    # internal error); refused from the bytes, the read peaks at the line's 60 MB of text and the interpreter.
    env = {k: v for k, v in os.environ.items() if k != snapshot_file.MAX_ROWS_ENV}  # the default limits
    done = subprocess.run([sys.executable, "-c", PROBE, str(bomb), str(1 << 30)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.split()[:2] == ["RC", "1"], done.stdout + done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert any(w in done.stderr for w in ("more values than", "values in one document",
                                          "is longer than its")), done.stderr[-2000:]  # its 1 row's bytes (1d)
    assert int(done.stdout.split()[3]) < 400 * 1024, done.stdout


def test_a_line_of_items_holds_no_more_than_a_line_can_whatever_the_section_declares(
        lines2: list[bytes], tmp_path: Path) -> None:
    # a section that declares the most rows allowed still gets one line's worth of values a line (CHUNK_ITEMS items,
    # as every writer wrote them): a 2,000,000-item declaration no longer lets one line of {} be parsed to gigabytes
    bad = list(lines2)
    at = _at(bad, "groups")
    count = orjson.loads(b"{" + bad[at].lstrip(b",") + b"]}}")["groups"]["count"]
    bad[at] = bad[at].replace(b'"count":%d,' % count, b'"count":%d,' % snapshot_file.DEFAULT_MAX_ROWS, 1)
    most = snapshot_file.VALUES_PER_ROW * snapshot_file.CHUNK_ITEMS + snapshot_file.VALUES_SLACK
    bad[at + 1] = b"{}," * most + b"{}"
    with pytest.raises(SnapshotError, match=r"sections\.groups holds more values than its 1,000 rows allow"):
        readiness.load_snapshot(_write(tmp_path / "bad.json", bad))


def test_values_in_is_an_upper_bound_of_what_parsing_makes() -> None:
    def made(value: Any) -> int:  # every value and every key
        if isinstance(value, dict):
            return 1 + sum(1 + made(v) for v in value.values())
        if isinstance(value, list):
            return 1 + sum(made(v) for v in value)
        return 1
    for doc in ([], {}, [[]], [{}, {}], {"a": [1, 2, {"b": None}]}, "x", 3, [[[[]]]], {"a": {}, "b": []},
                ["a,b", "[{", {"k": "v,"}]):
        raw = orjson.dumps(doc)
        values = made(doc) - sum(1 for _ in _keys(doc))  # keys: at most one a value (they follow '{' or ',')
        assert values <= snapshot_file.values_in(raw), raw
        assert made(doc) <= 2 * snapshot_file.values_in(raw), raw


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def test_a_column_line_with_more_values_than_its_rows_is_refused_before_parsing(
        lines2: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _at(lines2, "devices")
    rows = orjson.loads(b"{" + lines2[at].lstrip(b",") + b"]}}}")["devices"]["data"]["rows"]
    limit = snapshot_file.VALUES_PER_ROW * rows + snapshot_file.VALUES_SLACK
    bad = list(lines2)
    bad[at + 1] = b'{"key":"id","values":[' + b"[]," * limit + b"[]]}"
    path = _write(tmp_path / "bad.json", bad)
    parsed: list[int] = []
    real = snapshot_file._load
    monkeypatch.setattr(snapshot_file, "_load", lambda lines, text: parsed.append(len(text)) or real(lines, text))
    with pytest.raises(SnapshotError, match=r"line [\d,]+: the section sections\.devices holds more values than its"):
        readiness.load_snapshot(path)
    assert max(parsed) < 3 * limit  # the column's line never reached the parser


def test_rows_beyond_the_limit_are_refused_and_the_limit_can_be_raised(
        lines2: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "good.json", lines2)
    most = max(sec.count for sec in readiness.load_snapshot(path).sections.values())
    monkeypatch.setenv(snapshot_file.MAX_ROWS_ENV, str(most - 1))
    result = CliRunner().invoke(cli, ["report", str(path)])
    assert result.exit_code == 1
    assert "declares" in result.output and "READINESS_MAX_SNAPSHOT_ROWS" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv(snapshot_file.MAX_ROWS_ENV, str(most))
    assert max(sec.count for sec in readiness.load_snapshot(path).sections.values()) == most
    monkeypatch.setenv(snapshot_file.MAX_ROWS_ENV, "many")
    with pytest.raises(SnapshotError, match="READINESS_MAX_SNAPSHOT_ROWS='many' is not a positive number of rows"):
        readiness.load_snapshot(path)


@pytest.mark.parametrize("rows", [snapshot_file.DEFAULT_MAX_ROWS + 1, 10 ** 15])
def test_an_absurd_declared_count_is_refused_before_its_lines_are_read(rows: int, lines2: list[bytes], tmp_path: Path) -> None:
    bad = list(lines2)
    at = _at(bad, "groups")
    count = orjson.loads(b"{" + bad[at].lstrip(b",") + b"]}}")["groups"]["count"]
    bad[at] = bad[at].replace(b'"count":%d,' % count, b'"count":%d,' % rows, 1)
    bad[at + 1] = b"[" + b"{}," * (snapshot_file.VALUES_SLACK + 10) + b"{}]"  # never read
    with pytest.raises(SnapshotError, match=r"sections\.groups declares [\d,]+ rows, more than the 2,000,000"):
        readiness.load_snapshot(_write(tmp_path / "bad.json", bad))


def test_a_section_twice_is_refused(lines2: list[bytes], tmp_path: Path) -> None:
    at = _at(lines2, "authorization_policy")
    bad = lines2[:at + 1] + [b"," + lines2[at].lstrip(b",")] + lines2[at + 1:]
    with pytest.raises(SnapshotError, match=r"line [\d,]+: the section sections\.authorization_policy a second time"):
        readiness.load_snapshot(_write(tmp_path / "twice.json", bad))
    at = _at(lines2, "groups")
    end = lines2.index(b"]}", at)
    bad = lines2[:end + 1] + [b"," + lines2[at].lstrip(b",")] + lines2[at + 1:end + 1] + lines2[end + 1:]
    with pytest.raises(SnapshotError, match=r"sections\.groups a second time"):
        readiness.load_snapshot(_write(tmp_path / "twice-list.json", bad))


def _recount(lines: list[bytes], name: str, change: int) -> list[bytes]:
    bad = list(lines)
    at = _at(bad, name)
    count = int(bad[at].split(b'"count":', 1)[1].split(b",", 1)[0])
    bad[at] = bad[at].replace(b'"count":%d,' % count, b'"count":%d,' % (count + change), 1)
    return bad


@pytest.mark.parametrize("name", ["users", "devices", "groups", "authorization_policy", "group_members", "teams_usage"])
@pytest.mark.parametrize("change", [-1, 1])
def test_a_count_that_is_not_what_the_data_holds_is_refused(name: str, change: int, lines2: list[bytes],
                                                              tmp_path: Path) -> None:
    bad = _recount(lines2, name, change)
    with pytest.raises(SnapshotError, match=rf"sections\.{name}\.count is -?[\d,]+, but its data holds [\d,]+"):
        readiness.load_snapshot(_write(tmp_path / "bad.json", bad))


def test_a_count_is_compared_in_a_whole_document_and_in_a_lines1_file(snap: Snapshot, lines2: list[bytes],
                                                                       tmp_path: Path) -> None:
    doc = json.loads(b"\n".join(lines2))
    doc.pop("layout")
    doc["sections"]["groups"]["count"] += 1
    path = tmp_path / "whole.json"
    path.write_text(json.dumps(doc))  # one line: read whole
    with pytest.raises(SnapshotError, match=r"sections\.groups\.count is [\d,]+, but its data holds"):
        readiness.load_snapshot(path)
    old = save_lines1(snap, tmp_path / "old.json").read_bytes().split(b"\n")
    with pytest.raises(SnapshotError, match=r"sections\.users\.count is [\d,]+, but its data holds"):
        readiness.load_snapshot(_write(tmp_path / "old-bad.json", _recount(old, "users", -1)))
    assert readiness.load_snapshot(_write(tmp_path / "old-good.json", old)).fingerprint() == snap.fingerprint()


def test_the_errors_are_said_in_german(lines2: list[bytes], tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.json", _recount(lines2, "groups", 1))
    result = CliRunner().invoke(cli, ["report", str(path), "--lang", "de"])
    assert result.exit_code == 1
    assert "sections.groups.count des Snapshots ist" in result.output, result.output


def test_the_limits_leave_room_for_the_largest_supported_tenant() -> None:
    # the 400,000-person benchmark: ~2.06 million objects in all, its largest section ~420,000 managed devices
    assert snapshot_file.DEFAULT_MAX_ROWS >= 4 * 420_000
