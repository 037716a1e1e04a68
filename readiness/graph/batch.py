"""JSON $batch: 20 requests per call, relative URLs, per-item status, retry only throttled items.

msgraph-core's batch classes send absolute inner URLs, drop JSON bodies and cost ~6 ms per item
(notes/msgraph-sdk.md 2.5); this is ~0.2 ms per item.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

try:  # msgspec: the answers' bodies kept as their JSON text, for callers that decode them typed (collect/devices.py)
    import msgspec
except ImportError:  # pragma: no cover - msgspec is a dependency
    msgspec = None  # type: ignore[assignment]

from .. import bulkjson
from ..errors import GraphBadResponse, Phrase, WaitCapReached
from .bounds import megabytes
from .client import GraphClient, GraphResponse, _endpoint_key, token_rejected
from .retry import RETRY_STATUSES, THROTTLE_STATUSES, RetryPolicy, backoff_delay, parse_retry_after
from .tasks import gather_all

MAX_BATCH = 20
# Byte bounds, checked before anything is parsed (a batch answer of 75 MB of made-up devices took 794 MB). An item's
# body is one Graph page or object: Graph pages hold at most 999 objects ($top), and the largest this tool sends in
# a $batch is an expanded owners page of 100 devices (about 15 kB in the simulator; at most 100 devices x 20 owners,
# about 130 kB, on Graph, whose $expand returns at most 20 directory objects). An answer carries at most MAX_BATCH
# items (json-batching.md), so it may be MAX_BATCH times an item, plus its envelope.
MAX_ITEM_BYTES = 2 << 20
MAX_ANSWER_BYTES = MAX_BATCH * MAX_ITEM_BYTES + (64 << 10)
_BACKOFF = RetryPolicy()  # for items throttled without a Retry-After


@dataclass
class BatchRequest:
    id: str
    method: str
    url: str  # relative to the version: "/users/{id}/authentication/methods"
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotent: bool | None = None  # None: GET/PATCH/PUT/DELETE yes, POST no

    @property
    def safe_to_repeat(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() != "POST"


@dataclass
class BatchResult:
    id: str
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def run_batch(client: GraphClient, requests: list[BatchRequest], *, max_rounds: int = 10,
                    raw_bodies: bool = False) -> dict[str, BatchResult]:
    """Send requests in $batch calls of 20 (concurrently, bounded by the client); return results by id.

    Throttled items (429, and 503/504 for requests safe to repeat) are sent again after the largest
    Retry-After of their round, and the whole tenant pauses meanwhile. Anything still failing after
    ``max_rounds`` comes back with its last status. An item answered 401 ends the command
    (TokenRejected); an answer that is not a $batch response is a GraphBadResponse; a wait past
    the client's total wait cap is a WaitCapReached. An answer over MAX_ANSWER_BYTES (refused while it is read), or
    an item's body over MAX_ITEM_BYTES, is a GraphBadResponse before it is parsed.

    ``raw_bodies``: each result's body is its JSON text as it came (bytes-like, ``msgspec.Raw``), not parsed: for
    callers that decode pages typed (collect/pages.py); None when the item had no body.
    """
    ids = [r.id for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError("batch request ids must be unique")
    chunks = [requests[i:i + MAX_BATCH] for i in range(0, len(requests), MAX_BATCH)]
    results: dict[str, BatchResult] = {}
    outcomes = await gather_all(*(_run_chunk(client, chunk, max_rounds, raw_bodies) for chunk in chunks))
    for part in outcomes:
        results.update(part)
    return results


async def _run_chunk(client: GraphClient, chunk: list[BatchRequest], max_rounds: int,
                     raw_bodies: bool = False) -> dict[str, BatchResult]:
    pending = {r.id: r for r in chunk}
    done: dict[str, BatchResult] = {}
    for round_no in range(max_rounds):
        payload = []
        for r in pending.values():
            item: dict[str, Any] = {"id": r.id, "method": r.method.upper(), "url": r.url}
            headers = dict(r.headers)
            if r.body is not None:
                item["body"] = r.body
                headers.setdefault("Content-Type", "application/json")
            if headers:
                item["headers"] = headers
            payload.append(item)
        all_safe = all(r.safe_to_repeat for r in pending.values())
        client.stats.batch_items += len(payload)
        for r in pending.values():  # Graph counts (and throttles) each item as a request of its own (json-batching.md)
            client.stats.batch_items_by_endpoint[_endpoint_key(client.endpoint.base_url + r.url, client.endpoint.base_url)] += 1
        # refused while it is read past MAX_ANSWER_BYTES (graph/bounds.py), so never read whole
        resp = await client.request("POST", "/$batch", {"requests": payload}, idempotent=all_safe, limit=MAX_ANSWER_BYTES)
        wait = 0.0
        throttled = 0
        for answer in _raw_answers(resp):  # each body as its text: bounded before it is parsed
            rid = str(answer.get("id"))
            req = pending.get(rid)
            if req is None:
                continue
            status = answer["status"]
            body = answer.get("body")
            _bounded(_body_size(body), MAX_ITEM_BYTES, f"{req.method.upper()} {req.url.split('?', 1)[0]} ($batch)")
            headers = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
            if status == 401:
                raise token_rejected(GraphResponse(401, headers, _body_bytes(body), req.method, req.url),
                                     client.sign_in_hint)
            if not raw_bodies and body is not None:
                body = _parsed(body, status, headers, req)
            result = BatchResult(rid, status, headers, body)
            retryable = status in RETRY_STATUSES and (req.safe_to_repeat or status == 429)
            if retryable and round_no < max_rounds - 1:
                if status in THROTTLE_STATUSES:
                    client.stats.throttled += 1
                throttled += 1
                ra = parse_retry_after(headers.get("retry-after"))
                wait = max(wait, ra if ra is not None else backoff_delay(round_no, _BACKOFF))
                done[rid] = result  # provisional: replaced if the retry answers
                continue
            done[rid] = result
            del pending[rid]
        if not pending:
            break
        why = Phrase("errors.graph.why.batch_throttled", seconds=f"{wait:.0f}", n=throttled, total=len(payload))
        if not client.budget.claim(wait, why):
            raise WaitCapReached(key="graph.wait_cap", params=client.budget.refusal_params(wait, why), status=429,
                                 path="/$batch")
        client.stats.retries += len(pending)
        client.stats.throttled_seconds += wait
        client.gate.pause(wait)  # Graph throttles per app and tenant: everyone waits
        await client.gate.wait()
    return done



def _bounded(size: int, limit: int, path: str) -> None:
    """An item's body larger than ``limit`` is refused before it is parsed."""
    if size > limit:
        value, mb = megabytes(size, limit)
        raise GraphBadResponse(key="graph.batch_too_large", params={"path": path, "value": value,
                                                                    "limit": int(mb) if mb.isdigit() else mb},
                               fix_key="graph.bad_answer", path=path)


def _parsed(body: Any, status: int, headers: dict[str, str], req: BatchRequest) -> Any:
    """An item's body (its JSON text) parsed, without a copy; what cannot be parsed is said as a page's would be."""
    try:
        return bulkjson.loads(memoryview(body))
    except (ValueError, RecursionError):
        return GraphResponse(status, headers, bytes(body), req.method, req.url.split("?", 1)[0]).json()


def _body_size(body: Any) -> int:
    """The bytes of an item's body as it came (``_raw_answers`` gives each as its JSON text)."""
    return 0 if body is None else len(body)


def _answers(resp: GraphResponse) -> list[dict]:
    """The ``responses`` of a $batch answer, each with an int ``status``; anything else is a bad answer."""
    doc = resp.json()
    answers = doc.get("responses") if isinstance(doc, dict) else None
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise GraphBadResponse(key="graph.batch_not_list", fix_key="graph.bad_answer", status=resp.status,
                               path="/$batch")
    _statuses(answers, resp)
    return answers


if msgspec is not None:  # an answer's members as parsed values, its body as text (an empty Raw: no body)
    _RawAnswer = msgspec.defstruct("_RawAnswer", [("id", Any, None), ("status", Any, 0), ("headers", Any, None),
                                                  ("body", msgspec.Raw, msgspec.Raw(b""))], gc=False)
    _decode_raw = msgspec.json.Decoder(msgspec.defstruct("_RawEnvelope", [("responses", list[_RawAnswer])])).decode


def _raw_answers(resp: GraphResponse) -> list[dict]:
    """``_answers``, each body kept as its JSON text (``msgspec.Raw``; None for an answer without one). An answer
    msgspec cannot take is read the usual way and its bodies written back as JSON text."""
    if msgspec is not None:
        try:
            got = _decode_raw(resp.content)
        except (msgspec.ValidationError, msgspec.DecodeError):
            got = None
        if got is not None:
            answers = [{"id": a.id, "status": a.status, "headers": a.headers, "body": a.body if len(a.body) else None}
                       for a in got.responses]
            _statuses(answers, resp)
            return answers
    answers = _answers(resp)
    for a in answers:
        if a.get("body") is not None:
            a["body"] = bulkjson.dumps(a["body"])
    return answers


def _statuses(answers: list[dict], resp: GraphResponse) -> None:
    for a in answers:
        try:
            a["status"] = int(a.get("status", 0))
        except (TypeError, ValueError):
            raise GraphBadResponse(key="graph.batch_bad_status", fix_key="graph.bad_answer", status=resp.status,
                                   path="/$batch") from None


def _body_bytes(body: Any) -> bytes:
    if msgspec is not None and isinstance(body, msgspec.Raw):
        return bytes(body)
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    try:
        return json.dumps(body).encode() if body is not None else b""
    except (TypeError, ValueError):
        return b""
