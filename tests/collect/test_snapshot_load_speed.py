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


def test_the_values_count_is_the_three_counts_it_replaces() -> None:
    """values_in and a line part's count (_marks) give exactly the count of commas, '[' and '{' they gave before, also
    for parts that start and end inside a window, and in bytes and bytearray alike."""
    import random

    from readiness.collect import snapshot_file

    rng = random.Random(15)
    window = snapshot_file._MARKS_WINDOW
    for size in (0, 1, 7, window - 1, window, window + 1, 3 * window + 17):
        raw = bytes(rng.choice(b',[{]}":ab \\x\x00\xff') for _ in range(size))
        for data in (raw, bytearray(raw)):
            assert snapshot_file.values_in(data) == raw.count(b",") + raw.count(b"[") + raw.count(b"{") + 1
            for start, end in ((0, size), (size // 3, size - size // 5), (size // 2, size // 2)):
                want = raw.count(b",", start, end) + raw.count(b"[", start, end) + raw.count(b"{", start, end)
                assert snapshot_file._marks(data, start, end) == want
