"""The performance paths of issue 15 keep their behaviour: the read/write tenant lock, the members handler that
copies only a page, orjson output identical to json's, and the cyclic collector paused only while bulk data is built.
(Speed itself is measured in benchmarks/, never asserted here.)"""
from __future__ import annotations

import gc
import json
import threading

import httpx

import readiness
from readiness import bulkjson
from readiness.render import envelope as envelope_mod
from readiness.simulator.rwlock import ReadWriteLock


def test_readers_share_the_tenant_lock_and_a_writer_waits_for_them() -> None:
    lock = ReadWriteLock()
    first_in, release_first = threading.Event(), threading.Event()
    second_done, writer_in = threading.Event(), threading.Event()

    def long_read() -> None:
        with lock.read():
            first_in.set()
            release_first.wait(10)

    def short_read() -> None:
        with lock.read():
            second_done.set()

    def write() -> None:
        with lock:
            writer_in.set()

    t1 = threading.Thread(target=long_read)
    t1.start()
    assert first_in.wait(10)
    t2 = threading.Thread(target=short_read)
    t2.start()
    assert second_done.wait(10), "a read must not wait for another read"
    t3 = threading.Thread(target=write)
    t3.start()
    assert not writer_in.wait(0.2), "a write must wait until no read is running"
    release_first.set()
    assert writer_in.wait(10)
    for t in (t1, t2, t3):
        t.join(10)


def test_the_writing_thread_may_write_and_read_again() -> None:
    lock = ReadWriteLock()
    with lock:
        with lock:  # re-entrant, as the RLock it replaced
            with lock.read():
                pass
    with lock.read():  # everything released
        pass


def test_group_members_pages_carry_the_type_and_the_members(server, sim) -> None:  # noqa: ANN001
    gid, ids = max(sim.tenant.group_members.items(), key=lambda kv: len(kv[1]))
    token = sim.issue_token()
    url, seen = f"{server.base_url}/groups/{gid}/members?$select=id,displayName&$top=2", []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        while url:
            doc = http.get(url).json()
            for item in doc["value"]:
                assert item["@odata.type"] == "#microsoft.graph.user"
                assert set(item) == {"@odata.type", "id", "displayName"}
                assert item["displayName"] == sim.tenant.users_by_id[item["id"]]["displayName"]
            seen += [i["id"] for i in doc["value"]]
            url = doc.get("@odata.nextLink")
    assert seen == [i for i in ids if i in sim.tenant.users_by_id]


def test_json_output_is_the_same_text_with_orjson_and_with_json(server, sim, monkeypatch) -> None:  # noqa: ANN001
    audit = readiness.evaluate(readiness.collect(readiness.connect(graph_url=server.base_url, token=sim.issue_token())))
    fast = readiness.render(audit, "json")
    monkeypatch.setattr(envelope_mod, "orjson", None)
    assert readiness.render(audit, "json") == fast
    assert json.loads(fast)["command"]


def test_bulk_json_round_trips_like_json() -> None:
    doc = {"name": "Müller <b>\u2028", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
    assert bulkjson.dumps(doc) == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    assert bulkjson.loads(bulkjson.dumps(doc)) == doc
    assert bulkjson.loads(bulkjson.dumps({1: "x"})) == {"1": "x"}  # non-string keys fall back to json


def test_the_collector_is_paused_only_inside_bulk_objects() -> None:
    assert gc.isenabled()
    with bulkjson.bulk_objects():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with bulkjson.bulk_objects():
            pass
        assert not gc.isenabled(), "a caller's choice to keep the collector off is kept"
    finally:
        gc.enable()


def test_bulk_json_accepts_and_refuses_what_json_does() -> None:
    assert bulkjson.loads(b'{"a": NaN}')["a"] != bulkjson.loads(b'{"a": NaN}')["a"]  # NaN, as json reads it
    deep = b"[" * 5000 + b"]" * 5000
    try:
        bulkjson.loads(deep)
    except RecursionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("json refuses nesting this deep with RecursionError; so must bulkjson")
