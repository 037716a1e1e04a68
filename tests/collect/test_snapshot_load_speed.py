"""Reading a snapshot file cheaper without trusting it more (issue 15, session 10): what the reader does differently
must leave what it accepts, refuses and builds exactly as it was (the hostile-file and snapshot tests hold that); these
tests pin the changes themselves."""
from __future__ import annotations

from pathlib import Path

import pytest

import readiness
from readiness import bulkjson
from readiness.collect.snapshot import Snapshot


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with readiness.serve_simulator("enterprise", size=120) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    path = tmp_path_factory.mktemp("snap") / "s.json.gz"
    snap.save(path)
    return path


def test_loading_leaves_large_buffers_in_the_heap(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load's short-lived large buffers (inflated blocks, lines) come from the heap, reusing its pages; moving them to
    mmap (what a collection does, for its resident memory) made every one fresh pages: twice the page faults."""
    calls: list[int] = []
    monkeypatch.setattr(bulkjson, "_hold_large_buffers_apart", lambda: calls.append(1))
    Snapshot.load(saved)
    Snapshot.load(saved, one_shot=False)
    assert calls == []
    with bulkjson.bulk_objects():  # a collection's context still holds them apart
        pass
    assert calls == [1]
