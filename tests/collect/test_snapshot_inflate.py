"""Reading a snapshot faster without trusting it more (issue 15): gzip inflated by a thread ahead of the reader, and the
file's own field checks made a column at a time. Both must accept and refuse exactly what they did before."""
from __future__ import annotations

import gzip
import itertools
import random
import threading
import zlib
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.collect.snapshot_file import Inflating
from readiness.errors import SnapshotError

TEXT = b"".join(b'{"line": %d, "pad": "%s"}\n' % (i, b"x" * (i * 7 % 300)) for i in range(3000))


def members(text: bytes, pieces: int = 3, padding: bytes = b"") -> bytes:
    """Several gzip members, one after another (as `cat a.gz b.gz` makes them), read by gzip as one stream."""
    cut = len(text) // pieces
    parts = [text[i * cut:(i + 1) * cut if i < pieces - 1 else len(text)] for i in range(pieces)]
    return padding.join(gzip.compress(p, compresslevel=1 + i % 9) for i, p in enumerate(parts))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Inflating, "BLOCK", 1000)  # lines cross blocks, blocks end inside lines
    monkeypatch.setattr(Inflating, "AHEAD", 2)


def inflating(tmp_path: Path, raw: bytes, limit: int = 1 << 30) -> tuple[Inflating, object]:
    path = tmp_path / "x.gz"
    path.write_bytes(raw)
    fh = open(path, "rb")  # noqa: SIM115 - closed by the test after the reader
    return Inflating(fh, limit), fh


@pytest.mark.parametrize("padding", [b"", b"\0" * 7])
def test_lines_and_pieces_read_as_gzip_reads_them(small_blocks: None, tmp_path: Path, padding: bytes) -> None:
    raw = members(TEXT, 4, padding)
    assert gzip.decompress(raw.replace(b"\0" * 7, b"")) == TEXT  # the file is what GzipFile reads
    stream, fh = inflating(tmp_path, raw)
    lines = []
    while line := stream.readline():
        lines.append(line)
    stream.close(), fh.close()
    assert lines == TEXT.splitlines(keepends=True)

    stream, fh = inflating(tmp_path, raw)
    sizes = itertools.cycle([1, 999, 1000, 1001, 4096, 7])
    got, limited = [], []
    while piece := stream.read(next(sizes)):
        got.append(piece)
        limited.append(stream.readline(50))  # a line cut at a limit, as readline(size) cuts it
        got.append(limited[-1])
    stream.close(), fh.close()
    assert b"".join(got) == TEXT and max(map(len, limited)) == 50


@pytest.mark.parametrize("case,spoil,error", [
    ("cut short", lambda raw: raw[:len(raw) // 2], EOFError),
    ("wrong CRC", lambda raw: raw[:-8] + bytes([raw[-8] ^ 1]) + raw[-7:], gzip.BadGzipFile),
    ("junk after a member", lambda raw: raw + b"junk after the end", gzip.BadGzipFile),
    ("damaged body", lambda raw: raw[:20] + b"\xff" * 40 + raw[60:], (gzip.BadGzipFile, EOFError)),
])
def test_damaged_files_raise_what_gzip_raises_where_the_reader_reaches_it(tmp_path: Path, case: str, spoil, error) -> None:  # noqa: ANN001
    raw = spoil(gzip.compress(TEXT))
    with pytest.raises((EOFError, gzip.BadGzipFile, zlib.error)):  # zlib.error: what GzipFile lets through; named here
        gzip.decompress(raw)
    stream, fh = inflating(tmp_path, raw)
    with pytest.raises(error):
        while stream.readline():
            pass
    stream.close(), fh.close()
    # and the user is told the file is damaged, not shown a traceback
    path = tmp_path / "s.json.gz"
    path.write_bytes(raw)
    with pytest.raises(SnapshotError, match="damaged gzip|not JSON"):
        readiness.load_snapshot(path)


def test_the_thread_stops_when_the_reader_stops(small_blocks: None, tmp_path: Path) -> None:
    stream, fh = inflating(tmp_path, gzip.compress(TEXT * 20))
    assert stream.readline() == TEXT.splitlines(keepends=True)[0]
    stream.close()  # the thread was waiting to hand over a block: it must end, not leak
    fh.close()
    assert not any(t.name == "readiness-inflate" for t in threading.enumerate())


def test_the_thread_inflates_no_more_than_the_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    raw = bomb.compress(b"\0" * (64 * 1024 * 1024)) + bomb.flush()  # 64 MB in ~64 KB
    stream, fh = inflating(tmp_path, raw, limit=3 * 1024 * 1024)
    blocks = []
    while stream._next():
        blocks.append(len(stream._buf))
    stream.close(), fh.close()
    assert sum(blocks) <= 3 * 1024 * 1024 + Inflating.BLOCK  # stopped a block past the limit, never 64 MB in


# -- the file's own field checks, a column at a time --------------------------------------------------------------
VALUES = [None, "x", "", 0, 1.5, True, False, [], ["a"], ["a", None], ["a", 1], [{}], [{"id": "a"}], [{"id": 1}],
          [{"id": None}], ["a", ["b"]], [True], {}, {"lastSignInDateTime": "2026-01-01"}, {"lastSignInDateTime": 5},
          {"lastSignInDateTime": None, "lastNonInteractiveSignInDateTime": True}, {"other": 1}]


@pytest.mark.parametrize("section", sorted(snapshot_file.FIELDS))
def test_a_column_passes_the_fast_check_only_if_every_value_passes_the_slow_one(section: str) -> None:
    """The column check may be stricter (the per-value check then decides and names the value), never more lenient."""
    rng = random.Random(15)
    for entry in snapshot_file._compiled(section):
        key, required, kind, pay = entry
        for _ in range(300):
            column = rng.choices(VALUES, k=rng.randint(1, 6))
            fine = snapshot_file._values_fine(list(column), required, kind, pay)
            try:
                for value in column:
                    if value is not None or required:
                        snapshot_file._check({key: value}, [entry], "")
                slow = True
            except SnapshotError:
                slow = False
            assert slow or not fine, (section, key, column)
            if all(v is None for v in column) and not required:
                assert fine


def test_the_owners_and_sign_in_columns_pass_at_c_speed(tmp_path: Path) -> None:
    """The usual columns (the snapshot's owners, sign-in dates) pass the column check without the per-value loop."""
    owners = snapshot_file._compiled("devices")
    sign_in = snapshot_file._compiled("users")
    entry = next(e for e in owners if e[0] == "owners")
    assert snapshot_file._values_fine([["a", "b"], [], ["c"], None], *entry[1:])
    entry = next(e for e in sign_in if e[0] == "signInActivity")
    assert snapshot_file._values_fine([{"lastSignInDateTime": "2026-01-01T00:00:00Z"}, None, {}], *entry[1:])
    assert not snapshot_file._values_fine([{"lastSignInDateTime": 20260101}], *entry[1:])


# -- a one-shot load: frozen, not walked --------------------------------------------------------------------------
def test_a_one_shot_load_freezes_what_it_read_instead_of_walking_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import gc

    from tests.checks.test_evaluate_golden import snapshot_of

    path = tmp_path / "s.json.gz"
    snapshot_of("unprepared-sme").save(path)
    walks = []
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: walks.append(a) or real_collect(*a))
    before = gc.get_freeze_count()
    try:
        loaded = readiness.load_snapshot(path, one_shot=True)
        assert walks == [] and gc.get_freeze_count() > before
    finally:
        gc.unfreeze()  # this test process goes on
    assert gc.isenabled()
    again = readiness.load_snapshot(path)  # a process that goes on: aged, not walked, nothing left frozen (session 13)
    assert walks == [] and gc.get_freeze_count() == 0
    assert again.fingerprint() == loaded.fingerprint()


# -- sharing a report's rows a key at a time ----------------------------------------------------------------------
def test_rows_shared_a_key_at_a_time_are_what_the_item_walk_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    # Random reports: lists of rows just under, at and over bulkjson.ROWS, whose keys hold a string in every row (shared
    # a column at a time), a string or nothing, a string or another value, or nested values (rows again); keys in
    # another order in some rows; shared 1 to 5 levels down. Lists of mixed values are walked item by item.
    import gc
    import json

    from readiness import bulkjson

    rng = random.Random(15)
    words = ["a", "b", "ab", "xxxxx", "é"]

    def scalar():  # noqa: ANN202
        return rng.choice([*words, 1, None, True, 2.5])

    def value(depth: int):  # noqa: ANN202
        r = rng.random()
        if depth <= 0 or r < 0.45:
            return scalar()
        if r < 0.6:
            return rows(depth - 1)
        if r < 0.8:
            return [value(depth - 1) for _ in range(rng.choice([0, 1, 3]))]
        return {rng.choice(["k1", "k2", "k3", "k4"]): value(depth - 1) for _ in range(rng.randint(0, 4))}

    def rows(depth: int) -> list:
        keys = rng.sample(["k1", "k2", "k3", "k4", "k5"], rng.randint(0, 4))
        kinds = {k: rng.choice(["str", "str", "str or none", "str or other", "nested"]) for k in keys}
        out = []
        for _ in range(rng.choice([0, 1, bulkjson.ROWS - 1, bulkjson.ROWS, bulkjson.ROWS + 1])):
            row = {}
            for k, kind in (kinds.items() if rng.random() < 0.8 else reversed(kinds.items())):
                if kind == "nested":
                    row[k] = value(depth)
                elif kind == "str" or rng.random() < 0.8:
                    row[k] = rng.choice(words)
                elif kind == "str or other":
                    row[k] = scalar()
            out.append(row)
        return out

    def string_ids(x, out: list) -> list:  # noqa: ANN001
        if isinstance(x, str):
            out.append(id(x))
        elif isinstance(x, (list, dict)):
            for v in (x.values() if isinstance(x, dict) else x):
                string_ids(v, out)
        return out

    key_at_a_time = []
    real_rows = bulkjson._rows
    monkeypatch.setattr(bulkjson, "_rows", lambda items, *a: key_at_a_time.append(len(items)) or real_rows(items, *a))
    # the contexts' one full collection each (a worker's whole heap, 400 times: minutes on a loaded machine) is not
    # what this test is about: with the collector off before they open, they run none
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(200):
            text = json.dumps(rows(4) if rng.random() < 0.5 else [value(4) for _ in range(rng.choice([1, 3, 40]))])
            fast, slow, depth = json.loads(text), json.loads(text), rng.randint(1, 5)
            with bulkjson.bulk_objects():
                bulkjson.share(fast, depth)
            with monkeypatch.context() as every_item:
                every_item.setattr(bulkjson, "ROWS", 10**9)  # every list walked item by item, as before
                with bulkjson.bulk_objects():
                    bulkjson.share(slow, depth)
            assert json.dumps(fast) == json.dumps(slow)  # the same values, keys in the same order
            assert len(set(string_ids(fast, []))) == len(set(string_ids(slow, [])))  # as many strings made one
    finally:
        if enabled:
            gc.enable()
    assert len(key_at_a_time) > 100 and min(key_at_a_time) >= bulkjson.ROWS  # the reports did take the column path
