"""The big sections held as Tables (issue 15): built a page of columns at a time, checked a column at a time with the
errors check_item gives item by item, compacted and shared as before; written and read back as column chunks."""
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
from readiness.collect.columns import TABLE_SECTIONS, Builder, for_section
from readiness.collect.compact import SIGN_IN_FIELDS
from readiness.collect.shapes import FIELDS, check_item
from readiness.collect.snapshot import Snapshot
from readiness.collect.table import Table
from readiness.errors import GraphBadResponse, SnapshotError
from tests.collect.lines1 import save_lines1


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    """Collected over HTTP from the simulator."""
    with readiness.serve_simulator("enterprise", size=120) as sim:
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


def test_the_big_sections_are_collected_as_tables(snap: Snapshot) -> None:
    for name in TABLE_SECTIONS:
        sec = snap.section(name)
        assert sec.usable, name
        assert isinstance(sec.data, Table), name
        assert sec.count == len(sec.data) > 0, name
    assert isinstance(snap.data("groups"), list)  # the small ones stay lists of dicts
    devices = snap.data("devices")
    assert "owners" in devices.keys and all(isinstance(o, list) for o in devices.column("owners"))


def test_users_are_compacted_as_the_compactor_did(snap: Snapshot) -> None:
    users = snap.data("users")
    licences = users.column("assignedLicenses")
    assert all(isinstance(v, list) for v in licences)  # absent or null: the shared empty list, as before
    by_text: dict[str, list] = {}
    for value in licences:  # equal licence lists are one object
        assert by_text.setdefault(json.dumps(value, sort_keys=True), value) is value
    assert len(by_text) < len(users) / 2
    for act in users.column("signInActivity"):  # only the interactive and non-interactive sign-ins are kept
        assert act is None or set(act) <= set(SIGN_IN_FIELDS)
    methods = snap.data("mfa").column("methodsRegistered")
    assert len({id(m) for m in methods}) == len({tuple(m) for m in methods})


def test_equal_strings_are_one_object_across_the_tables(snap: Snapshot) -> None:
    ids = {i: i for i in snap.data("users").column("id")}
    managed = [u for u in snap.data("managed_devices").column("userId") if u in ids]
    owners = [o for row in snap.data("devices").column("owners") for o in row if o in ids]
    assert managed and owners
    assert all(u is ids[u] for u in managed) and all(o is ids[o] for o in owners)
    states = snap.data("managed_devices").column("complianceState")
    assert len({id(s) for s in states}) == len(set(states))  # a state is one string however many devices have it


def _pages(*pages: list) -> Table:
    with bulkjson.bulk_objects():
        build = for_section("users").builder("users", "/users")
        for page in pages:
            build.add_items(page)
        return build.table()


def test_keys_that_come_and_go_between_pages_read_as_none() -> None:
    t = _pages([{"id": "a", "department": "Sales"}], [{"id": "b", "mail": "b@x"}])
    assert t.column("department") == ["Sales", None]
    assert t.column("mail") == [None, "b@x"]
    assert t.column("assignedLicenses") == [[], []]  # every row has licences, as the Compactor gave them


ALL_KINDS = ["text", 5, 2.5, True, None, [], [{"skuId": 1}], ["x"], {"a": 1}]


@pytest.mark.parametrize("field", sorted(FIELDS["users"]))
def test_a_wrong_type_gives_the_error_check_item_gives(field: str) -> None:
    """Every field, every kind of JSON value, in the second page: the Builder raises exactly when check_item does,
    with the same words (the field named, never the value)."""
    good = {"id": "u-1", "userPrincipalName": "a@x"}
    for value in ALL_KINDS:
        item = dict(good, **{field: value})
        try:
            check_item("users", dict(item), "/users")
            expected = None
        except GraphBadResponse as exc:
            expected = exc.what
        try:
            _pages([dict(good)], [dict(good), item])
            got = None
        except GraphBadResponse as exc:
            got = exc.what
        assert got == expected, (field, value)
        if expected:
            assert field in expected and "text" not in expected.replace(field, "")


def test_an_item_that_is_no_object_and_a_missing_id_are_refused() -> None:
    with pytest.raises(GraphBadResponse, match="list"):
        _pages([{"id": "a"}, ["not", "an", "object"]])
    with pytest.raises(GraphBadResponse, match="'id'"):
        _pages([{"id": "a"}], [{"userPrincipalName": "b@x"}])  # a required field no item of the page has


# -- the snapshot file ---------------------------------------------------------------------------------------------
def _users_line(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if b'"users":{' in line[:12]) + 1


def _spoiled(snap: Snapshot, tmp_path: Path, change) -> Path:  # noqa: ANN001
    good = tmp_path / "good.json"
    save_lines1(snap, good)  # a file in the chunk layout of lines/1 (the lines/2 column lines: test_snapshot_columns.py)
    lines = good.read_bytes().split(b"\n")
    i = _users_line(lines)
    chunk = json.loads(lines[i])
    lines[i] = json.dumps(change(chunk)).encode()
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b"\n".join(lines)))
    return bad


@pytest.mark.parametrize("case,change", [
    ("ragged columns", lambda c: dict(c, columns=[col[:-1] if i == 2 else col for i, col in enumerate(c["columns"])])),
    ("a key that is no string", lambda c: dict(c, keys=[7] + c["keys"][1:])),
    ("a key twice", lambda c: dict(c, keys=c["keys"][:-1] + c["keys"][:1])),
    ("fewer columns than keys", lambda c: dict(c, columns=c["columns"][:-1])),
    ("a column that is no list", lambda c: dict(c, columns=["x"] + c["columns"][1:])),
    ("no columns", lambda c: {"keys": c["keys"]}),
    ("rows instead of columns", lambda c: [dict(zip(c["keys"], row)) for row in zip(*c["columns"])]),
])
def test_damaged_column_chunks_are_clear_errors(case: str, change, snap: Snapshot, tmp_path: Path) -> None:  # noqa: ANN001
    path = _spoiled(snap, tmp_path, change)
    with pytest.raises(SnapshotError, match="sections.users"):
        readiness.load_snapshot(path)
    result = CliRunner().invoke(cli, ["report", str(path), "-o", "md"])
    assert result.exit_code == 1 and result.output.count("Error: ") == 1, result.output
    assert "Traceback" not in result.output


def test_a_wrong_value_in_a_column_is_named_by_its_row(snap: Snapshot, tmp_path: Path) -> None:
    def change(c: dict) -> dict:
        c["columns"][c["keys"].index("signInActivity")][5] = {"lastSignInDateTime": 20260101}
        return c
    with pytest.raises(SnapshotError, match=r"sections\.users\.data\[5\]\.signInActivity"):
        readiness.load_snapshot(_spoiled(snap, tmp_path, change))


def test_a_one_line_file_with_columns_loads_as_tables(snap: Snapshot, tmp_path: Path) -> None:
    lines = []
    snapshot_file.write_document(snap.to_dict(tables=True), lines.append)
    doc = json.loads(b"".join(lines))  # the line layout is one JSON document: written again on one line
    doc.pop("layout")
    path = tmp_path / "one-line.json"
    path.write_text(json.dumps(doc))
    back = readiness.load_snapshot(path)
    assert isinstance(back.data("users"), Table)
    assert back.fingerprint() == snap.fingerprint()
    assert Snapshot.from_dict(doc).data("managed_devices") == snap.data("managed_devices")


def test_changing_rows_from_to_dict_leaves_the_snapshot_as_it_was(snap: Snapshot) -> None:
    before = snap.fingerprint()
    doc = snap.to_dict()
    doc["sections"]["users"]["data"][0]["displayName"] = "changed"  # privacy and the replica change their copies
    assert snap.fingerprint() == before
    assert isinstance(Builder("users").table(), Table)


def _usage_by_dict_reader(text: str) -> tuple[list[dict], str, int]:
    """How the report was read before (csv.DictReader): the reference for the positional reader."""
    import csv
    import io

    rows, refreshed, total = [], "", 0
    for row in csv.DictReader(io.StringIO(text)):
        refreshed = refreshed or row.get("Report Refresh Date") or ""
        if str(row.get("Is Deleted", "")).lower() in ("true", "yes"):
            continue
        total += 1
        if row.get("Last Activity Date"):
            rows.append({"userId": row.get("User Id") or "", "userPrincipalName": row.get("User Principal Name") or "",
                         "lastActivityDate": row["Last Activity Date"]})
    return rows, refreshed, total


def test_the_usage_report_reads_as_csv_dictreader_read_it() -> None:
    from readiness.collect.collectors import usage_rows

    text = ("Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted,User Id\n"
            "2026-11-28,u1,a@x,2026-11-20,False,u1-last\n"
            "\n"
            "2026-11-28,u2,b@x,,False,u2\n"
            "2026-11-28,u3,\"c,d@x\",2026-11-01,True,u3\n"
            "2026-11-28,u4,e@x,2026-11-02\n"  # a short line: the missing cells are empty
            "2026-11-28,u5,f@x,2026-11-03,No,u5,extra,cells\n")
    assert usage_rows(text, "/r") == _usage_by_dict_reader(text)
    rows, refreshed, total = usage_rows(text, "/r")
    assert (refreshed, total, [r["userId"] for r in rows]) == ("2026-11-28", 4, ["u1-last", "", "u5"])
    with pytest.raises(GraphBadResponse):
        usage_rows("not,a,report\n1,2,3\n", "/r")
    assert usage_rows("", "/r") == ([], "", 0)
