"""A $batch answer is bounded as a page is, before it is parsed (graph/batch.py): the answer at MAX_BATCH times an
item's bound, each item's body at MAX_ITEM_BYTES. Served over real HTTP by a small server.

Docs: https://learn.microsoft.com/graph/json-batching (a batch holds at most 20 requests; the answer's ``responses``
carry each request's ``id``, ``status``, ``headers`` and ``body``).
"""
from __future__ import annotations

import json

import pytest

from readiness.errors import GraphBadResponse
from readiness.graph import batch
from readiness.graph.batch import BatchRequest, run_batch
from tests.helpers import HttpDouble, url_client, using


def _batch(answer, n: int = 3):  # noqa: ANN001, ANN202 - answer(items) -> bytes of the $batch answer
    with HttpDouble(lambda h: (200, answer(json.loads(h.body)["requests"])), methods=("POST",)) as srv:
        return using(url_client(srv.url),
                     lambda c: run_batch(c, [BatchRequest(str(i), "GET", f"/devices/d{i}?$select=id") for i in range(n)]))


def _answer(body_of):  # noqa: ANN001, ANN202
    return lambda items: json.dumps({"responses": [{"id": i["id"], "status": 200, "headers": {}, "body": body_of(i)}
                                                   for i in items]}).encode()


def _device(n: int) -> dict:
    return {"id": f"fake{n:08d}", "displayName": "PC" * 20, "deviceId": "00000000-0000-0000-0000-000000000000"}


def test_an_item_over_the_item_bound_is_refused_before_it_is_parsed(monkeypatch) -> None:  # noqa: ANN001
    big = {"value": [_device(n) for n in range(batch.MAX_ITEM_BYTES // 100)]}  # over 2 MB of made-up devices
    assert len(json.dumps(big)) > batch.MAX_ITEM_BYTES
    parsed = []
    monkeypatch.setattr(batch.GraphResponse, "json", lambda self: parsed.append(self) or {})
    with pytest.raises(GraphBadResponse) as caught:
        _batch(_answer(lambda i: big if i["id"] == "1" else {"id": i["id"]}))
    assert caught.value.key == "graph.batch_too_large"
    assert caught.value.params["path"] == "GET /devices/d1 ($batch)" and caught.value.params["limit"] == 2
    assert "/devices/d1" in caught.value.text("en") and "MB" in caught.value.text("de")
    assert len(parsed) <= 1  # the item before it at most; never the big one
    assert all(len(r.content) < 1000 for r in parsed)


def test_an_answer_over_twenty_items_bound_is_refused_before_anything_in_it_is_parsed(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(batch, "MAX_ITEM_BYTES", 20_000)
    monkeypatch.setattr(batch, "MAX_ANSWER_BYTES", 15 * 20_000)
    each = {"value": [_device(n) for n in range(145)]}  # ~19.6 kB: each under its bound, 20 over the answer's
    assert 19_000 < len(json.dumps(each)) < 20_000
    looked = []
    monkeypatch.setattr(batch, "_raw_answers", lambda resp: looked.append(resp) or [])
    with pytest.raises(GraphBadResponse) as caught:
        _batch(_answer(lambda i: each), n=20)
    # refused while it is read (graph/bounds.py: its Content-Length says too much), so never read whole
    assert caught.value.key == "graph.answer_too_large" and caught.value.params["path"] == "POST /$batch"
    assert looked == []


def test_answers_within_the_bounds_are_read_parsed_or_as_text() -> None:
    got = _batch(_answer(lambda i: {"id": i["id"], "value": [_device(1)]}))
    assert sorted(got) == ["0", "1", "2"] and got["2"].body == {"id": "2", "value": [_device(1)]}
    assert all(r.ok for r in got.values())
