"""Loading a snapshot in a process that goes on ends without a full pass of the cyclic collector (a file makes no
cycles): what it built is aged into the oldest generation at once (bulkjson.bulk_objects(cycles=False)), and nothing is
left frozen, so a dropped snapshot is freed as before (session 13, issue 15: the pass walked every column and row of a
100k snapshot, 0.10-0.14 s, to find nothing). A collection's context (requests: cyclic garbage) still ends with one."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Iterator

import pytest

import readiness
from readiness import bulkjson

FIXTURE = Path(__file__).parent / "fixtures" / "lines1-enterprise-300.json.gz"


@pytest.fixture
def full_passes() -> Iterator[list[int]]:
    """The generations of the collections that start while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])
    gc.collect()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gc") / "snap.json.gz"
    readiness.load_snapshot(FIXTURE).save(path)  # in this version's line layout
    return path


def test_a_load_ends_without_a_full_pass_and_frees_what_is_dropped(saved: Path, full_passes: list[int]) -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    snap = readiness.load_snapshot(saved)
    assert 2 not in full_passes  # no full pass when the load ended
    assert gc.isenabled() and gc.get_freeze_count() == 0  # nothing left frozen: a process that goes on can free it
    users = snap.data("users")
    assert len(users) > 0
    gone = weakref.ref(snap)
    del snap, users
    assert gone() is None  # acyclic: freed as soon as it is dropped


def test_a_collections_context_still_ends_with_a_full_pass(full_passes: list[int]) -> None:
    with bulkjson.bulk_objects():
        pass
    assert 2 in full_passes
    full_passes.clear()
    with bulkjson.bulk_objects():  # a collection open while a snapshot loads: its garbage is collected at the end
        with bulkjson.bulk_objects(cycles=False):
            pass
    assert 2 in full_passes
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_load_leaves_frozen_objects_of_others_frozen(saved: Path, full_passes: list[int]) -> None:
    gc.freeze()  # someone else's (a CLI command's one_shot, say): not thawed by the load
    try:
        frozen = gc.get_freeze_count()
        readiness.load_snapshot(saved)
        assert gc.get_freeze_count() == frozen
        assert 2 in full_passes  # the pass as before, instead of a thaw
    finally:
        gc.unfreeze()
