"""``Snapshot.save`` writes nothing the reader would refuse: a section whose count is not what its data holds, or a
keyed section holding an id twice (the library's ``Snapshot.from_dict`` accepts both; the file reader refuses them:
collect/snapshot_file._count_fits). Before: saved, then ``load_snapshot`` refused the file ("count is 46, but its data
holds 45"), so a caller lost the snapshot it thought it had kept. Now: the same words, the save's fix, no file
written, and a file already at the path left as it was."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

import readiness
from readiness.collect.snapshot import Snapshot
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import FIXTURE


@pytest.fixture(scope="module")
def doc() -> dict:
    return readiness.load_snapshot(FIXTURE).to_dict()


def test_a_wrong_count_is_refused_before_anything_is_written(doc: dict, tmp_path: Path) -> None:
    bad = copy.deepcopy(doc)
    held = len(bad["sections"]["users"]["data"])
    bad["sections"]["users"]["count"] = held + 1
    snap = Snapshot.from_dict(bad)
    out = tmp_path / "x.json.gz"
    with pytest.raises(SnapshotError) as err:
        snap.save(out)
    assert err.value.key == "snapshot.count_mismatch"
    assert f"sections.users.count is {held + 1}, but its data holds {held}" in str(err.value)
    assert "Nothing was written" in str(err.value)
    assert "Es wurde nichts geschrieben" in err.value.text("de")
    assert not out.exists()


def test_an_existing_file_is_left_as_it_was(doc: dict, tmp_path: Path) -> None:
    bad = copy.deepcopy(doc)
    bad["sections"]["users"]["count"] = 0
    out = tmp_path / "kept.json"
    out.write_text("the earlier snapshot")
    with pytest.raises(SnapshotError):
        Snapshot.from_dict(bad).save(out)
    assert out.read_text() == "the earlier snapshot"
    assert sorted(os.listdir(tmp_path)) == ["kept.json"]  # no temporary file left behind either


def test_an_id_twice_is_refused(doc: dict, tmp_path: Path) -> None:
    bad = copy.deepcopy(doc)
    users = bad["sections"]["users"]
    users["data"].append(dict(users["data"][0]))
    users["count"] += 1
    with pytest.raises(SnapshotError) as err:
        Snapshot.from_dict(bad).save(tmp_path / "x.json")
    assert err.value.key == "snapshot.id_twice"
    assert not (tmp_path / "x.json").exists()


def test_a_good_snapshot_saves_and_reads_back(doc: dict, tmp_path: Path) -> None:
    out = tmp_path / "ok.json.gz"
    Snapshot.from_dict(copy.deepcopy(doc)).save(out)
    again = readiness.load_snapshot(out)
    assert again.to_dict()["sections"]["users"] == doc["sections"]["users"]


@pytest.mark.parametrize("change, key", [
    (lambda d: d["sections"]["users"].update(count=True), "snapshot.count_not_number"),
    (lambda d: d["sections"]["users"].update(count=float(d["sections"]["users"]["count"])), "snapshot.count_not_number"),
    (lambda d: d["sections"]["users"].update(count=str(d["sections"]["users"]["count"])), "snapshot.count_not_number"),
    (lambda d: d["sections"]["users"].update(status="bogus"), "snapshot.bad_status"),
    (lambda d: d["sections"]["users"]["data"].append(7) or d["sections"]["users"].update(
        count=len(d["sections"]["users"]["data"])), "snapshot.item_not_object"),
    (lambda d: d.update(collected_at="yesterday"), "snapshot.bad_collected_at"),
    (lambda d: d["tenant"].update(id=5), None),
    (lambda d: d.update(requests=[1]), None),
    (lambda d: d["sections"]["users"].update(delta_link=5), None),
])
def test_what_the_reader_refuses_save_refuses(doc: dict, tmp_path: Path, change, key: str | None) -> None:
    """attack16's cases: each of these was written by save and then refused by load_snapshot."""
    bad = copy.deepcopy(doc)
    change(bad)
    snap = Snapshot.from_dict(copy.deepcopy(doc))
    snap_doc = bad  # the same change made to a snapshot object, as a library caller makes it
    snap.tenant_id, snap.collected_at = snap_doc["tenant"]["id"], snap_doc["collected_at"]
    snap.requests = snap_doc["requests"]
    users = snap.sections["users"]
    for field in ("count", "status", "delta_link"):
        setattr(users, field, snap_doc["sections"]["users"].get(field, getattr(users, field)))
    users.data = snap_doc["sections"]["users"]["data"]
    out = tmp_path / "x.json.gz"
    with pytest.raises(SnapshotError) as err:
        snap.save(out)
    if key is not None:
        assert err.value.key == key
    assert "Nothing was written" in str(err.value)
    assert not out.exists()


def test_rows_of_a_dict_subclass_repeating_an_id_are_refused(doc: dict, tmp_path: Path) -> None:
    """attack16: rows as OrderedDicts repeating an id passed the id check and were written (the reader then refused
    the file). Refused now: a row must be a plain object, as from_dict wants it."""
    from collections import OrderedDict

    snap = Snapshot.from_dict(copy.deepcopy(doc))
    rows = [OrderedDict(r) for r in doc["sections"]["users"]["data"]]
    snap.sections["users"].data = rows + [OrderedDict(rows[0])]
    snap.sections["users"].count = len(rows) + 1
    with pytest.raises(SnapshotError) as err:
        snap.save(tmp_path / "x.json")
    assert "not an object" in str(err.value) and not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("field, value", [("name", "Contoso \ud800"), ("params", {"x": object()})])
def test_a_value_json_cannot_hold_is_a_clear_refusal(doc: dict, tmp_path: Path, field: str, value: object) -> None:
    snap = Snapshot.from_dict(copy.deepcopy(doc))
    if field == "name":
        snap.tenant_name = value
    else:
        snap.sections["users"].reason_key, snap.sections["users"].reason_params = "errors.x", value
    out = tmp_path / "kept.json.gz"
    out.write_bytes(b"before")
    with pytest.raises(SnapshotError) as err:
        snap.save(out)
    assert err.value.key == "snapshot.unwritable"
    assert "cannot hold" in str(err.value) and "kann" in err.value.text("de")
    assert out.read_bytes() == b"before" and sorted(os.listdir(tmp_path)) == ["kept.json.gz"]


def test_a_file_without_counts_loads_and_saves_again(doc: dict, tmp_path: Path) -> None:
    """attack16b: counts are optional in a file (the reader compares them only when present); a file without them
    loaded, then `save` refused it ("count is 0, but its data holds 3"). The loaded sections count what they hold."""
    import json

    bare = copy.deepcopy(doc)
    for sec in bare["sections"].values():
        sec.pop("count", None)
    src = tmp_path / "bare.json"
    src.write_text(json.dumps(bare))
    snap = readiness.load_snapshot(src)
    assert snap.sections["users"].count == len(doc["sections"]["users"]["data"])
    snap.save(tmp_path / "again.json.gz")
    assert readiness.load_snapshot(tmp_path / "again.json.gz").to_dict()["sections"]["users"] == doc["sections"]["users"]


@pytest.mark.parametrize("status", [{}, [], 5])
def test_a_status_that_is_not_a_string_is_a_refusal(doc: dict, tmp_path: Path, status: object) -> None:
    """attack16b: a status of {} or [] raised a raw TypeError (unhashable) in save and in the reader."""
    snap = Snapshot.from_dict(copy.deepcopy(doc))
    snap.sections["users"].status = status
    with pytest.raises(SnapshotError) as err:
        snap.save(tmp_path / "x.json")
    assert err.value.key == "snapshot.bad_status"
    bad = copy.deepcopy(doc)
    bad["sections"]["users"]["status"] = status
    with pytest.raises(SnapshotError):
        Snapshot.from_dict(bad)
