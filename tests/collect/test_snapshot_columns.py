"""Snapshot files of layout lines/2 (issue 15): a big section's columns one a line, each in the compact form it has in
memory (Coded: palette and codes; Packed: one text; Lists: items and lengths; Records: key sets and fields). Files of
lines/1 (every snapshot saved before) still load, to the same snapshot; what a lines/2 file holds is validated like a
file of items, and an encoding whose parts do not fit together is a clear error naming the section and the column."""
from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.collect import snapshot_file
from readiness.collect.columns import for_section
from readiness.collect.snapshot import Section, Snapshot
from readiness.collect.table import SEP, Coded, Lists, Packed, Records, Table
from readiness.errors import SnapshotError
from tests.collect.lines1 import save_lines1

# Written by the lines/1 writer of main 19d3f8f (a simulated "enterprise" tenant of 300 people, collected over HTTP with
# READINESS_NOW=2026-12-01T00:00:00Z); tests/collect/lines1.py writes the same bytes from what it loads to.
FIXTURE = Path(__file__).parent / "fixtures" / "lines1-enterprise-300.json.gz"
NOW = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def old() -> Snapshot:
    return readiness.load_snapshot(FIXTURE)


def _lines(path: Path) -> list[bytes]:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).split(b"\n")


def _columns(path: Path, section: str) -> dict[str, dict]:
    """The column lines of a section of a lines/2 file, by key."""
    lines = _lines(path)
    start = next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(json.dumps(section).encode() + b":{"))
    end = lines.index(b"]}}", start)
    cols = [json.loads(line.lstrip(b",")) for line in lines[start + 1:end]]
    return {c["key"]: c for c in cols}


def test_the_helper_writes_what_the_lines1_writer_wrote(old: Snapshot, tmp_path: Path) -> None:
    again = save_lines1(old, tmp_path / "again.json.gz")
    assert gzip.decompress(again.read_bytes()) == gzip.decompress(FIXTURE.read_bytes())


def test_a_lines1_file_saved_as_lines2_loads_to_the_same_snapshot(old: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "new.json.gz"
    old.save(path)
    assert json.loads(_lines(path)[0] + b"}}")["layout"] == "lines/2"
    new = readiness.load_snapshot(path)
    assert new.sections.keys() == old.sections.keys()
    for name, sec in old.sections.items():
        assert new.sections[name].to_dict(tables=True) == sec.to_dict(tables=True), name  # Table.__eq__ for the big ones
        if isinstance(sec.data, Table):  # held the same way: the same kind of column for every key
            assert new.sections[name].data.keys == sec.data.keys
            assert [c.__class__ for c in new.sections[name].data.cols] == [c.__class__ for c in sec.data.cols], name
    assert new.fingerprint() == old.fingerprint()


@pytest.mark.parametrize("fmt", ["json", "html", "csv"])
def test_reports_of_the_lines1_and_the_lines2_file_are_byte_identical(fmt: str, old: Snapshot, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_NOW", NOW)
    new = tmp_path / "new.json.gz"
    old.save(new)
    outs = []
    for src in (FIXTURE, new):
        out = tmp_path / f"{src.name}.{fmt}"
        result = CliRunner().invoke(cli, ["report", str(src), "-o", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and len(outs[0]) > 1000


def _pooled(path: Path) -> dict[tuple[str, str], list]:
    """Every column written as numbers into the file's pool (new strings, then ids), decoded in file order."""
    pool: list = []
    out = {}
    lines = _lines(path)
    section = ""
    for line in lines:
        if line.endswith(b',"columns":['):
            section = next(iter(json.loads(b"{" + line.lstrip(b",") + b"]}}}")))
        elif section and line.lstrip(b",").startswith(b'{"key":'):
            col = json.loads(line.lstrip(b","))
            if "ids" in col:
                pool += col["new"]
                out[section, col["key"]] = [pool[i] for i in col["ids"]]
            plain = col.get("values", col.get("items"))
            if plain and all(v is None or isinstance(v, str) for v in plain):  # strings written as they are join the pool
                pool += plain
                out[section, col["key"]] = plain
    return out


def test_each_column_is_written_in_the_form_it_has_in_memory(old: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    old.save(path)
    users, devices = _columns(path, "users"), _columns(path, "devices")
    table = old.data("users")
    pooled = _pooled(path)
    assert table.cols[table.keys.index("id")].__class__ is list and pooled["users", "id"] == table.column("id")
    assert pooled["mfa", "userPrincipalName"] == old.data("mfa").column("userPrincipalName")
    assert users["id"]["new"] == [] and len(users["id"]["ids"]) == len(table)  # every id was in an earlier section
    owners = old.data("devices").column("owners")
    assert pooled["devices", "owners"] == [o for row in owners if row for o in row]
    assert "values" in users["createdDateTime"] and "items" in devices["owners"]  # strings no earlier column had
    enabled = table.cols[table.keys.index("accountEnabled")]
    assert isinstance(enabled, Coded) and users["accountEnabled"]["palette"] == enabled.palette
    assert set(users["signInActivity"]) == {"key", "shapes", "fields"}
    names = old.data("devices").column("displayName")
    assert devices["displayName"]["text"] == "".join(n + SEP for n in names)  # one string: no per-row JSON
    assert sum(devices["owners"]["lengths"]) == len(devices["owners"]["items"])


def _snapshot(sections: dict[str, list[dict]]) -> Snapshot:
    snap = Snapshot("t", "T", "global", "https://graph.microsoft.com/v1.0", NOW)
    for name, items in sections.items():
        build = for_section(name).builder(name)
        build.add_items(items)
        table = build.table()
        snap.sections[name] = Section(name, "complete", table, count=len(table))
    return snap


def _odd_tenant() -> Snapshot:
    """Values the compact forms keep aside: accented names, nulls, numbers, key sets that differ, more than 256 values."""
    users = [{"id": f"u{i}", "userPrincipalName": f"p{i}@x", "displayName": "Zoë" if i % 7 == 0 else f"P {i}",
              "accountEnabled": i % 3 != 0, "department": None if i % 5 else "Vertrieb",
              "signInActivity": [None, {"lastSignInDateTime": "2026-11-01T00:00:00Z"},
                                 {"lastSignInDateTime": "2026-11-02T00:00:00Z",
                                  "lastNonInteractiveSignInDateTime": "2026-11-03T00:00:00Z"},
                                 {"lastNonInteractiveSignInDateTime": "2026-11-04Tü"}][i % 4],
              "assignedLicenses": [] if i % 2 else [{"skuId": "s1", "disabledPlans": ["p1"]}]} for i in range(300)]
    devices = [{"id": f"d{i}", "deviceId": None if i == 3 else f"dev-{i}", "displayName": f"Büro {i}" if i % 4 == 0 else f"PC{i}",
                "owners": None if i % 9 == 0 else [f"u{i}", f"u{i + 1}"][: i % 3], "accountEnabled": True,
                "approximateLastSignInDateTime": "2026-11-01T00:00:00Z"} for i in range(280)]
    return _snapshot({"users": users, "devices": devices})


def test_values_kept_aside_and_odd_shapes_round_trip(tmp_path: Path) -> None:
    snap = _odd_tenant()
    kinds = {k: c.__class__ for k, c in zip(snap.data("devices").keys, snap.data("devices").cols)}
    assert kinds["displayName"] is Packed and kinds["owners"] is Lists
    assert snap.data("users").cols[snap.data("users").keys.index("signInActivity")].__class__ is Records
    for name in ("s.json", "s.json.gz"):
        path = tmp_path / name
        snap.save(path)
        back = readiness.load_snapshot(path)
        for section in ("users", "devices"):
            assert back.data(section) == snap.data(section), section
            assert list(back.data(section)) == list(snap.data(section))
        assert back.fingerprint() == snap.fingerprint()


def test_a_lines2_document_read_whole_loads_the_same(old: Snapshot, tmp_path: Path) -> None:
    lines: list[bytes] = []
    snapshot_file.write_document(old.to_dict(tables=True), lines.append)
    doc = json.loads(b"".join(lines))
    doc.pop("layout")  # not the line layout any more: read whole, the columns/2 sections built from the document
    path = tmp_path / "one-line.json"
    path.write_text(json.dumps(doc))
    back = readiness.load_snapshot(path)
    assert back.fingerprint() == old.fingerprint() and back.data("devices") == old.data("devices")


def test_equal_strings_are_shared_across_sections_when_loaded(old: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "s.json.gz"
    old.save(path)
    back = readiness.load_snapshot(path)
    ids = {i: i for i in back.data("users").column("id")}
    mfa = back.data("mfa").column("id")
    assert mfa and all(i is ids[i] for i in mfa if i in ids)
    owners = [o for row in back.data("devices").column("owners") for o in row or () if o in ids]
    assert owners and all(o is ids[o] for o in owners)


# -- hostile lines/2 files: a clear error naming the section and the column, never a traceback ----------------------
def _spoil(snap: Snapshot, tmp_path: Path, section: str, key: str, change: Callable[[dict], Any]) -> Path:
    good = tmp_path / "good.json"
    snap.save(good)
    lines = good.read_bytes().split(b"\n")
    start = next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(json.dumps(section).encode() + b":{"))
    i = next(j for j in range(start + 1, len(lines)) if json.loads(lines[j].lstrip(b","))["key"] == key)
    col = json.loads(lines[i].lstrip(b","))
    got = change(col)
    lines[i] = (b"," if lines[i].startswith(b",") else b"") + json.dumps(got.col if isinstance(got, Instead) else col).encode()
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b"\n".join(lines)))
    return bad


def _names(row: int, value: Any) -> list:
    """The users' display names as one list, with ``value`` at ``row``."""
    names = readiness.load_snapshot(FIXTURE).data("users").column("displayName")
    names[row] = value
    return names


class Instead:
    """A whole column line in place of the one there."""

    def __init__(self, col: Any) -> None:
        self.col = col


def _set(**parts: Any) -> Callable[[dict], None]:
    return lambda c: c.update(parts)


HOSTILE = [
    ("lengths that do not add up", "devices", "owners", lambda c: c["lengths"].__setitem__(0, c["lengths"][0] + 1),
     "sections.devices.data column owners has lengths"),
    ("a negative length", "devices", "owners",
     lambda c: (c["lengths"].__setitem__(0, -1), c["lengths"].__setitem__(1, c["lengths"][1] + 1 + c["lengths"][0])),
     "sections.devices.data column owners has lengths"),
    ("a length that is no number", "devices", "owners", lambda c: c["lengths"].__setitem__(0, "1"),
     "sections.devices.data column owners has lengths"),
    ("a code beyond the palette", "users", "accountEnabled", lambda c: c.update(palette=c["palette"][:1]),
     "sections.users.data column accountEnabled has codes"),
    ("codes that are not base64", "users", "accountEnabled", _set(codes="%%%"),
     "sections.users.data column accountEnabled has codes"),
    ("a palette of 257 values", "users", "accountEnabled", lambda c: c.update(palette=c["palette"] * 257),
     "sections.users.data column accountEnabled has a palette"),
    ("a wrong type in the palette", "users", "accountEnabled", lambda c: c["palette"].__setitem__(0, "yes"),
     "sections.users.data[0] has 'accountEnabled'"),
    ("a wrong type in a list column", "users", "displayName", lambda c: Instead({"key": "displayName", "values": _names(40, 5)}),
     "sections.users.data[40] has 'displayName'"),
    ("a number among the new strings", "mfa", "userPrincipalName", lambda c: c["new"].__setitem__(3, 5),
     "sections.mfa.data column userPrincipalName has new values"),
    ("an id beyond the pool", "users", "id", lambda c: c["ids"].__setitem__(7, 10 ** 9),
     "sections.users.data column id has new values"),
    ("a negative id", "mfa", "id", lambda c: c["ids"].__setitem__(7, -1), "sections.mfa.data column id has new values"),
    ("an id that is no number", "mfa", "id", lambda c: c["ids"].__setitem__(7, "7"), "sections.mfa.data column id has"),
    ("a wrong sign-in time", "users", "signInActivity", lambda c: c["fields"]["lastSignInDateTime"].update(other=[[2, 7]]),
     "sections.users.data[2].signInActivity"),
    ("a text that is no string", "devices", "displayName", _set(text=5), "sections.devices.data column displayName has a text"),
    ("a text one row short", "devices", "displayName", lambda c: c.update(text=c["text"].split(SEP, 1)[1]),
     "sections.devices.data column displayName has"),
    ("rows aside out of range", "devices", "displayName", _set(other=[[10 ** 9, "x"]]),
     "sections.devices.data column displayName has rows kept aside"),
    ("rows aside that are no pairs", "devices", "displayName", _set(other=[5]),
     "sections.devices.data column displayName has rows kept aside"),
    ("fields that are not the key sets' keys", "users", "signInActivity", lambda c: c["fields"].pop("lastSignInDateTime"),
     "sections.users.data column signInActivity has key sets"),
    ("an unknown encoding", "users", "department", lambda c: Instead({"key": "department", "blob": "x"}),
     "sections.users.data column department is in none"),
    ("values that are no list", "users", "mail", _set(values="x"), "sections.users.data column mail is in none"),
    ("a column with no key", "users", "department", lambda c: Instead({"values": []}), "sections.users.data has a column"),
    ("a column twice", "users", "mail", _set(key="userPrincipalName"), "sections.users.data has the column userPrincipalName twice"),
    ("a required column missing", "users", "id", _set(key="id2"), "'id'"),
]


@pytest.mark.parametrize("case,section,key,change,words", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_column_lines_are_clear_errors(case: str, section: str, key: str, change: Callable[[dict], Any],
                                               words: str, old: Snapshot, tmp_path: Path) -> None:
    path = _spoil(old, tmp_path, section, key, change)
    with pytest.raises(SnapshotError) as err:
        readiness.load_snapshot(path)
    assert words in str(err.value), str(err.value)
    result = CliRunner().invoke(cli, ["report", str(path), "-o", "md"])
    assert result.exit_code == 1, result.output
    assert result.output.count("Error: ") == 1 and "Traceback" not in result.output, result.output


@pytest.mark.parametrize("rows", [10 ** 12, -1, "300", None])
def test_a_declared_row_count_that_is_not_the_columns_is_refused(rows: Any, old: Snapshot, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    old.save(good)
    text = good.read_bytes()
    n = len(old.data("users"))
    at = text.index(b'\n,"users":{"status"')
    head, _, tail = text[at:].partition(b'"rows":%d' % n)
    bad = tmp_path / "bad.json"
    bad.write_bytes(text[:at] + head + b'"rows":' + json.dumps(rows).encode() + tail)
    with pytest.raises(SnapshotError, match=r"sections\.users(\.data)? declares|not a section|sections\.users\.count is"):
        readiness.load_snapshot(bad)


def test_a_huge_declared_count_with_no_columns_allocates_nothing(old: Snapshot, tmp_path: Path) -> None:
    lines = _lines(_save(old, tmp_path / "good.json"))
    start = next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(b'"users":{'))
    end = lines.index(b"]}}", start)
    head = lines[start].replace(b'"rows":%d' % len(old.data("users")), b'"rows":1000000000000')
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\n".join(lines[:start] + [head] + lines[end:]))
    with pytest.raises(SnapshotError, match=r"declares 1,000,000,000,000 rows, more than the 2,000,000 a section may hold"):
        readiness.load_snapshot(bad)


def _save(snap: Snapshot, path: Path) -> Path:
    snap.save(path)
    return path


# -- an object section's rows (the Teams usage report) as columns ----------------------------------------------------
def _section_line(path: Path, name: str) -> dict:
    line = next(ln for ln in _lines(path) if ln.lstrip(b",").startswith(json.dumps(name).encode() + b":{"))
    return json.loads(b"{" + line.lstrip(b",") + b"}")[name]


def test_the_usage_report_rows_are_written_as_columns_and_read_back_as_rows(old: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "s.json.gz"
    old.save(path)
    data = _section_line(path, "teams_usage")["data"]
    usage = old.data("teams_usage")
    assert data["rows"]["layout"] == "rows/2" and data["rows"]["rows"] == len(usage["rows"]) > 32
    assert [c["key"] for c in data["rows"]["columns"]] == list(usage["rows"][0])
    back = readiness.load_snapshot(path).data("teams_usage")
    assert back == usage and [list(r) for r in back["rows"]] == [list(r) for r in usage["rows"]]  # keys in order


def test_usage_rows_share_the_strings_of_the_tables(old: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "s.json.gz"
    old.save(path)
    back = readiness.load_snapshot(path)
    ids = {i: i for i in back.data("users").column("id")}
    rows = [r for r in back.data("teams_usage")["rows"] if r["userId"] in ids]
    assert rows and all(r["userId"] is ids[r["userId"]] for r in rows)


def _one_row_short(col: dict) -> None:
    if "codes" in col:
        col["codes"] = base64.b64encode(base64.b64decode(col["codes"])[:-1]).decode()
    else:
        col["ids" if "ids" in col else "values"].pop()


def _spoil_rows(snap: Snapshot, tmp_path: Path, change: Callable[[dict], Any]) -> Path:
    good = tmp_path / "good.json"
    snap.save(good)
    lines = good.read_bytes().split(b"\n")
    i = next(j for j, ln in enumerate(lines) if ln.lstrip(b",").startswith(b'"teams_usage":{'))
    sec = json.loads(b"{" + lines[i].lstrip(b",") + b"}")
    change(sec["teams_usage"]["data"]["rows"])
    lines[i] = b"," + json.dumps(sec).encode()[1:-1]
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\n".join(lines))
    return bad


@pytest.mark.parametrize("case,change,words", [
    ("a declared count that is not the columns'", lambda r: r.update(rows=10 ** 12),
     "sections.teams_usage.data.rows declares 1000000000000 rows"),
    ("a column one row short", lambda r: _one_row_short(r["columns"][0]),
     "sections.teams_usage.data.rows column userPrincipalName has"),
    ("columns that are no list", lambda r: r.update(columns=5), "sections.teams_usage.data.rows has a column"),
    ("a wrong type in a row", lambda r: r["columns"].__setitem__(-1, {"key": r["columns"][-1]["key"],
                                                                      "values": [7] * r["rows"]}),
     "sections.teams_usage.data"),
])
def test_hostile_usage_rows_are_clear_errors(case: str, change: Callable[[dict], Any], words: str, old: Snapshot,
                                             tmp_path: Path) -> None:
    path = _spoil_rows(old, tmp_path, change)
    with pytest.raises(SnapshotError) as err:
        readiness.load_snapshot(path)
    assert words in str(err.value), str(err.value)
    result = CliRunner().invoke(cli, ["report", str(path), "-o", "md"])
    assert result.exit_code == 1 and result.output.count("Error: ") == 1 and "Traceback" not in result.output


def test_a_lists_column_of_known_strings_reads_through_the_pool() -> None:
    from readiness import bulkjson
    from readiness.collect.snapshot_columns import Reader

    with bulkjson.bulk_objects():
        pool = ["a", "b"]
        reader = Reader("devices", snapshot_file._file_builder("devices"), "sections.devices.data", None, pool)  # type: ignore[arg-type]
        reader.add({"key": "id", "text": f"d1{SEP}d2{SEP}d3{SEP}"})
        reader.add({"key": "owners", "new": ["c"], "ids": [0, 2, 1], "lengths": [2, 0, 1], "other": [[1, None]]})
        table = reader.table(3)
    assert table.column("owners") == [["a", "c"], None, ["b"]] and pool == ["a", "b", "c"]
    owners = table.cols[table.keys.index("owners")]
    assert isinstance(owners, Lists) and owners.items[0] is pool[0]


@pytest.mark.parametrize("section", ["teams_usage", "authorization_policy", "group_members"])
@pytest.mark.parametrize("joined", [False, True], ids=["lines", "one-line"])
def test_an_object_section_written_as_columns_is_refused(old: Snapshot, tmp_path: Path, section: str,
                                                         joined: bool) -> None:
    """Only the Table sections may be columns: the devices' column lines renamed to an object section (whose checks
    read an object) were taken as a Table, and teams_usage then ended in an internal error (found by attacking)."""
    good = tmp_path / "good.json"
    old.save(good)
    lines = good.read_bytes().split(b"\n")
    lines = [ln for ln in lines if not ln.lstrip(b",").startswith(json.dumps(section).encode() + b":{")]
    i = next(j for j, ln in enumerate(lines) if ln.lstrip(b",").startswith(b'"devices":{'))
    lines[i] = lines[i].replace(b'"devices":{', json.dumps(section).encode() + b":{", 1)
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress((b"" if joined else b"\n").join(lines)))
    with pytest.raises(SnapshotError) as err:
        readiness.load_snapshot(bad)
    assert f"sections.{section}.data is written as columns" in str(err.value)
    out = CliRunner().invoke(cli, ["report", str(bad), "-o", "json"])
    assert out.exit_code == 1 and "internal error" not in out.output and "Traceback" not in out.output
    assert "written as columns" in out.output
