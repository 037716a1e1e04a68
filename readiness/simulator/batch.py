"""JSON batching: at most 20 relative requests, per-item status, items run after what they dependsOn
(https://learn.microsoft.com/graph/json-batching)."""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from .tenant import SimError
from .wire import SimRequest, SimResponse
from .writes import _body

if TYPE_CHECKING:  # app imports the routes, which import these handlers
    from .app import Simulator


def batch(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    from .wire import SimRequest as Req

    body = _body(req)
    items = body.get("requests")
    if not isinstance(items, list) or not items:
        raise SimError(400, "BadRequest", "Invalid batch payload format.")
    if len(items) > 20:
        raise SimError(400, "BadRequest", "The number of batch requests exceeds the limit of 20.")
    ids = [str(i.get("id")) for i in items]
    if len(set(ids)) != len(ids):
        raise SimError(400, "BadRequest", "Batch request ids must be unique.")
    responses, status_by_id, throttle_after = {}, {}, 0.0
    for item in _dependency_order(items):
        rid = str(item.get("id"))
        url = str(item.get("url", ""))
        if url.startswith(("http://", "https://")) or url.startswith(("/v1.0/", "/beta/")):
            resp = sim.error(400, "BadRequest", f"Invalid request URL '{url}': batch URLs are relative to the version.")
        elif any(status_by_id.get(str(d), 200) >= 400 for d in item.get("dependsOn") or []):
            resp = sim.error(424, "FailedDependency", "The request depends on a request that failed.")
        else:
            f = sim.faults
            with sim._lock:
                roll = sim._rng.random()
            wait = sim.take_write() if str(item.get("method", "GET")).upper() != "GET" else None
            if roll < f.rate_429 + f.rate_503 or wait is not None:
                resp = sim.throttled(wait)
                throttle_after = max(throttle_after, float(resp.headers["Retry-After"]))
                sim.conduct.requests.append((time.monotonic(), str(item.get("method", "GET")).upper(), "$batch:" + url, 429))
            else:
                headers = {k.lower(): v for k, v in (item.get("headers") or {}).items()}
                headers["authorization"] = req.headers.get("authorization", "")
                payload = json.dumps(item["body"]).encode() if item.get("body") is not None else b""
                if payload and "content-type" not in headers:
                    resp = sim.error(400, "BadRequest", "Content-Type header is required for a request with a body.")
                else:
                    inner = Req(str(item.get("method", "GET")).upper(), f"{req.origin}/{req.version}{url if url.startswith('/') else '/' + url}", headers, payload)
                    try:
                        resp = sim._dispatch(inner)
                    except SimError as exc:
                        resp = sim.error(exc.status, exc.code, exc.message, exc.headers)
                    except Exception as exc:  # QueryError and friends
                        resp = sim.error(400, getattr(exc, "code", "BadRequest"), str(exc))
                    query = "&".join(f"{k}={v}" for k, v in inner.query.items())  # as a page read on its own is logged
                    sim.conduct.requests.append((time.monotonic(), inner.method, "$batch:" + inner.path + ("?" + query if query else ""),
                                                 resp.status))
        status_by_id[rid] = resp.status
        out: dict[str, Any] = {"id": rid, "status": resp.status,
                               "headers": {k: v for k, v in resp.headers.items() if k.lower() in ("retry-after", "location", "content-type", "content-location")}}
        if resp.body:
            try:
                out["body"] = json.loads(resp.body)
            except ValueError:
                out["body"] = resp.body.decode("utf-8", "replace")
        responses[rid] = out
    out = SimResponse.json(200, {"responses": [responses[i] for i in ids]})
    out.throttle_after = throttle_after  # registered when the answer leaves, not while items are processed
    return out


def _dependency_order(items: list[dict]) -> list[dict]:
    """Items run only after the items they dependsOn, whatever their order in the request
    (https://learn.microsoft.com/graph/json-batching#sequencing-requests-with-the-dependson-property)."""
    by_id = {str(i.get("id")): i for i in items}
    for item in items:
        deps = item.get("dependsOn") or []
        if not isinstance(deps, list) or any(str(d) not in by_id or str(d) == str(item.get("id")) for d in deps):
            raise SimError(400, "BadRequest", f"Invalid dependsOn in batch request '{item.get('id')}': it must name other "
                                              "requests of the same batch.")
    order: list[dict] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(rid: str) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            raise SimError(400, "BadRequest", "The batch requests' dependsOn form a cycle.")
        state[rid] = 1
        for dep in by_id[rid].get("dependsOn") or []:
            visit(str(dep))
        state[rid] = 2
        order.append(by_id[rid])

    for item in items:
        visit(str(item.get("id")))
    return order
