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
