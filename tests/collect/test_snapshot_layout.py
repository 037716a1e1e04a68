"""The snapshot file's line layout (issue 15): still one JSON document for any reader, written and read a section and
a chunk of items at a time, every field validated as before; older one-line files still load; damaged layouts are
clear errors that name the line."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness import bulkjson
from readiness.cli import cli
from readiness.collect import snapshot_file
from readiness.collect.snapshot import Snapshot
from readiness.collect.table import Table
from readiness.errors import SnapshotError
from tests.collect.lines1 import save_lines1


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    """A genuine snapshot, collected over HTTP from the simulator (a few hundred people, devices and registrations)."""
    with readiness.serve_simulator("enterprise", size=300) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(snapshot_file, "CHUNK_ITEMS", 37)  # several chunk lines per list section
    return 37


def lines_of(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).split(b"\n")


def test_the_file_is_one_json_document_equal_to_the_snapshot(snap: Snapshot, small_chunks: int, tmp_path: Path) -> None:
    for name in ("s.json", "s.json.gz"):
        path = tmp_path / name
        snap.save(path)
        doc = json.loads(b"\n".join(lines_of(path)))  # any JSON reader reads it whole, as before
        assert doc.pop("layout") == snapshot_file.LAYOUT
        doc = snapshot_file.tables_in(doc)  # the big sections as columns, read back as the rows they hold
        for name, sec in doc["sections"].items():
            if isinstance(sec.get("data"), Table):
                sec["data"] = sec["data"].rows()
        assert doc == json.loads(json.dumps(snap.to_dict()))


def test_lines1_files_hold_big_sections_a_chunk_of_columns_per_line_and_load(snap: Snapshot, small_chunks: int,
                                                                             tmp_path: Path) -> None:
    path = save_lines1(snap, tmp_path / "s.json.gz")  # how lines/1 wrote them (lines/2: test_snapshot_columns.py)
    back = readiness.load_snapshot(path)
    assert back.fingerprint() == snap.fingerprint() and back.data("users") == snap.data("users")
    lines = lines_of(path)
    users = snap.data("users")
    assert isinstance(users, Table) and len(users) > 3 * small_chunks
    start = next(i for i, line in enumerate(lines) if line.startswith(b',"users":{') or line.startswith(b'"users":{'))
    assert lines[start].endswith(b',"data":{"layout":"columns","chunks":[')
    end = lines.index(b"]}}", start)
    chunks = [json.loads(line.lstrip(b",")) for line in lines[start + 1:end]]
    assert all(c["keys"] == list(users.keys) for c in chunks)
    sizes = [len(c["columns"][0]) for c in chunks]
    assert sizes[:-1] == [small_chunks] * (len(chunks) - 1) and 0 < sizes[-1] <= small_chunks
    assert [i for c in chunks for i in c["columns"][c["keys"].index("id")]] == [u["id"] for u in users]


def test_other_list_sections_are_written_a_chunk_of_items_per_line(snap: Snapshot, monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    small_chunks = 4
    monkeypatch.setattr(snapshot_file, "CHUNK_ITEMS", small_chunks)
    path = tmp_path / "s.json.gz"
    snap.save(path)
    lines = lines_of(path)
    groups = snap.data("groups")
    assert isinstance(groups, list) and len(groups) > small_chunks
    start = next(i for i, line in enumerate(lines) if line.startswith(b',"groups":{') or line.startswith(b'"groups":{'))
    assert lines[start].endswith(b',"data":[')
    end = lines.index(b"]}", start)
    chunks = [json.loads(b"[" + line.lstrip(b",") + b"]") for line in lines[start + 1:end]]
    assert [len(c) for c in chunks[:-1]] == [small_chunks] * (len(chunks) - 1) and 0 < len(chunks[-1]) <= small_chunks
    assert [g["id"] for c in chunks for g in c] == [g["id"] for g in groups]


def test_a_file_of_items_in_the_line_layout_still_loads_as_tables(snap: Snapshot, small_chunks: int, tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    with open(path, "wb") as fh:  # how PR #15's first step wrote them: every list section as items
        snapshot_file.write_document(snap.to_dict(), fh.write)
    assert b'"layout":"columns"' not in path.read_bytes()
    back = readiness.load_snapshot(path)
    assert isinstance(back.data("users"), Table) and isinstance(back.data("devices"), Table)
    assert back.fingerprint() == snap.fingerprint()
    assert back.data("users") == snap.data("users")


def test_round_trip_gives_the_same_snapshot_and_fingerprint(snap: Snapshot, small_chunks: int, tmp_path: Path) -> None:
    for name in ("s.json", "s.json.gz"):
        path = tmp_path / name
        snap.save(path)
        back = readiness.load_snapshot(path)
        assert back.to_dict() == json.loads(json.dumps(snap.to_dict()))
        assert back.fingerprint() == snap.fingerprint()
        assert {n: s.delta_link for n, s in back.sections.items()} == {n: s.delta_link for n, s in snap.sections.items()}


def test_an_older_one_line_snapshot_still_loads(snap: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "old.json.gz"
    path.write_bytes(gzip.compress(bulkjson.dumps(snap.to_dict())))  # how snapshots were written before the layout
    assert b"\n" not in gzip.decompress(path.read_bytes())
    back = readiness.load_snapshot(path)
    assert back.fingerprint() == snap.fingerprint()


def test_equal_strings_are_shared_when_loaded(snap: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "s.json.gz"
    snap.save(path)
    back = readiness.load_snapshot(path)
    users = {u["id"]: u for u in back.data("users")}
    rows = [r for r in back.data("mfa") if r.get("id") in users]
    assert rows
    # one string object for a person's id and sign-in name, in every section that names them
    assert all(r["id"] is users[r["id"]]["id"] for r in rows)
    assert all(r["userPrincipalName"] is users[r["id"]]["userPrincipalName"] for r in rows)
    owners = [o for d in back.data("devices") for o in d.get("owners") or () if o in users]
    assert owners and all(o is users[o]["id"] for o in owners)


# -- damaged and hostile files in the line layout: a clear error naming the place -----------------------------------
def _write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    return path


def _spoil(snap: Snapshot, tmp_path: Path, change, save=Snapshot.save) -> Path:  # noqa: ANN001
    good = tmp_path / "good.json"
    save(snap, good)
    return _write_lines(tmp_path / "bad.json.gz", change(good.read_bytes().split(b"\n")))


def _users_chunk(lines: list[bytes], n: int = 1) -> int:
    start = next(i for i, line in enumerate(lines) if b'"users":{' in line[:12])
    return start + n


def test_a_file_cut_short_is_refused(snap: Snapshot, small_chunks: int, tmp_path: Path) -> None:
    path = _spoil(snap, tmp_path, lambda lines: lines[:_users_chunk(lines, 2)])
    with pytest.raises(SnapshotError, match="cut short"):
        readiness.load_snapshot(path)
    path = _spoil(snap, tmp_path, lambda lines: lines[:-2])  # the last line, "}}", is missing
    with pytest.raises(SnapshotError, match="cut short"):
        readiness.load_snapshot(path)


def test_a_bad_item_in_a_later_chunk_is_named_by_its_index(snap: Snapshot, small_chunks: int, tmp_path: Path) -> None:
    def change(lines: list[bytes]) -> list[bytes]:
        i = _users_chunk(lines, 2)  # the second chunk: rows 37...73
        chunk = json.loads(lines[i].lstrip(b","))
        chunk["columns"][chunk["keys"].index("accountEnabled")][3] = "yes"
        lines[i] = b"," + json.dumps(chunk).encode()
        return lines
    with pytest.raises(SnapshotError, match=r"sections\.users\.data\[40\] has 'accountEnabled'"):
        readiness.load_snapshot(_spoil(snap, tmp_path, change, save_lines1))


@pytest.mark.parametrize("case,change,words", [
    ("junk line", lambda ls: ls[:3] + [b"\x1b[2J not json"] + ls[3:], "line 4"),
    ("a section that is not one", lambda ls: ls[:1] + [b'"a":1,"b":2'] + ls[1:], "not a section"),
    ("more after the end", lambda ls: ls + [b'{"more": 1}'], "more follows"),
    ("status unknown", lambda ls: [ls[0], ls[1].replace(b'"status":"complete"', b'"status":"hacked"', 1)] + ls[2:], "status"),
    ("newer schema", lambda ls: [ls[0].replace(b'"schema_version":1', b'"schema_version":2', 1)] + ls[1:], "newer"),
    ("a list where an object belongs", lambda ls: [ls[0], b'"group_members":{"status":"complete","data":['] + [b"{}", b"]}"] + ls[1:],
     "sections.group_members.data"),
])
def test_hostile_line_layouts_are_clear_errors(case: str, change, words: str, snap: Snapshot, tmp_path: Path) -> None:  # noqa: ANN001
    path = _spoil(snap, tmp_path, change)
    result = CliRunner().invoke(cli, ["report", str(path), "-o", "md"])
    assert result.exit_code == 1, result.output
    assert result.output.count("Error: ") == 1 and words in result.output, result.output
    assert "Traceback" not in result.output and "\x1b" not in result.output


def test_the_cap_counts_every_line(snap: Snapshot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    snap.save(path)
    size = path.stat().st_size
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, str(size - 1))
    with pytest.raises(SnapshotError, match="more than"):
        readiness.load_snapshot(path)
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, str(size))
    assert readiness.load_snapshot(path).fingerprint() == snap.fingerprint()


def test_equal_strings_are_shared_when_collected(snap: Snapshot) -> None:
    users = {u["id"]: u for u in snap.data("users")}
    rows = [r for r in snap.data("mfa") if r.get("id") in users]
    managed = [d for d in snap.data("managed_devices") if d.get("userId") in users]
    assert rows and managed
    assert all(r["id"] is users[r["id"]]["id"] for r in rows)  # two sections, two pages, one string
    assert all(d["userId"] is users[d["userId"]]["id"] for d in managed)


def test_share_works_only_inside_a_bulk_context_and_keeps_values() -> None:
    def fresh() -> list:
        return json.loads('[{"a": "x-1", "b": ["x-1", {"c": "x-1"}]}, {"a": "x-1", "n": 5, "t": true}]')
    outside = bulkjson.share(fresh())
    assert outside[0]["a"] is not outside[1]["a"]  # no context: left alone (and nothing kept)
    with bulkjson.bulk_objects():
        inside = bulkjson.share(fresh())
        assert inside == fresh()
        assert inside[0]["a"] is inside[1]["a"] is inside[0]["b"][0] is inside[0]["b"][1]["c"]
        deep = bulkjson.share(json.loads('[[[[["x-1"]]]]]'), depth=2)  # bounded depth: hostile nesting costs nothing
        assert deep[0][0][0][0][0] is not inside[0]["a"]
    assert bulkjson._strings is None  # the table goes with the last context


def test_the_heap_is_trimmed_once_when_the_last_bulk_context_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(bulkjson, "give_back", lambda: calls.append("trim"))
    with bulkjson.bulk_objects():
        with bulkjson.bulk_objects():  # a fleet: tenants overlap
            pass
        assert calls == []
    assert calls == ["trim"]
    monkeypatch.undo()
    bulkjson.give_back()  # the real one works where it runs (glibc) and does nothing elsewhere
