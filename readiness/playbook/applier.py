"""apply(): send exactly the recorded requests, journaling every change, and every part of it, before and after.

- a create is never sent before looking its object up by natural key; when its answer is lost (a dropped
  connection, a 5xx) the object is looked up again before anything else is sent;
- a change of several requests (a team and its members, a policy and its assignment) is journaled as its
  parts: resume sends only the parts that are missing, whatever the crash point;
- in-doubt changes (started, never finished) are reconciled by reading the tenant, not re-sent blind;
- safe requests (GET, PATCH, PUT, DELETE, idempotent POSTs) are retried within a budget; 429 is always
  retried (Graph throttles before doing anything); every Retry-After is remembered for the next process;
- apply stops after the first step with a failure and reports the run as incomplete.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import GraphError, GraphUnavailable
from ..graph.batch import BatchRequest, run_batch
from ..graph.client import graph_error
from ..graph.retry import RetryPolicy, backoff_delay, parse_retry_after
from ..i18n import say as text_for_ui
from .contract import Lost
from .model import Change, Plan
from .query import url
from .runs import Run
from .steps import spec
from .throttle import Deadline

WAVE = 160  # changes in flight per wave: 8 concurrent $batch calls of 20
PARTS_AT_ONCE = 4
TRIES = 10  # attempts per logical request here; the retry middleware retries safe requests inside each
RETRYABLE = frozenset({0, 429, 500, 502, 503, 504})
_BACKOFF = RetryPolicy(backoff_base=0.25, backoff_cap=4.0)
_GUID = re.compile(r"\('([0-9a-fA-F-]{36})'\)")
Progress = Callable[[str], None]


@dataclass
class ApplyResult:
    done: int = 0
    adopted: int = 0  # found already in effect (resume, or made by someone else meanwhile)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # could not be confirmed (a mail): never "sent"
    skipped_steps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.unknown and not self.skipped_steps


def _json(resp: Any) -> Any:
    try:
        return resp.json() if resp.content else {}
    except ValueError:
        return {}


class _Io:
    """One change's view of the engine (contract.Io): requests within the budget, the journal, its values."""

    def __init__(self, engine: Engine, change: Change, prior: dict) -> None:
        self.engine = engine
        self.change = change
        self.values: dict = dict(prior.get("result") or {})
        self.in_doubt = bool(prior)
        self.marker = f"readiness:{engine.run.id}:{change.id}"[:250]
        self.folder = engine.run.dir  # the run's private folder (0700), for a step's own files (passes.json)

    async def request(self, method: str, path: str, body: Any = None, *, idempotent: bool = True,
                      query: dict | None = None, headers: dict | None = None) -> Any:
        return await self.engine.send(method, path, body, idempotent=idempotent, query=query, headers=headers)

    def journal(self, entry: dict) -> None:
        self.engine.run.write({"change": self.change.id, **entry})


class Engine:
    def __init__(self, client: Any, run: Run, deadline: Deadline | None = None, say: Progress | None = None) -> None:
        self.client = client
        self.run = run
        self.deadline = deadline or Deadline()
        self.say = say or (lambda _m: None)

    # -- one request, within the budget ------------------------------------------------------
    async def _pause(self, seconds: float) -> None:
        self.client.gate.pause(seconds)  # the whole tenant waits, as the retry middleware does
        await self.client.gate.wait()

    async def send(self, method: str, path: str, body: Any = None, *, idempotent: bool = True, query: dict | None = None,
                   headers: dict | None = None, already: Callable[[int, Any], bool] | None = None,
                   not_found_tries: int = 0) -> Any:
        """Send one logical request. Returns the answer (2xx, "already in effect", or 404 on a DELETE: gone is
        what a delete wants); raises Lost when an unsafe request's fate is unknown, GraphError when refused."""
        target = url(path, query)
        resp = None
        for attempt in range(TRIES):
            try:
                resp = await self.client.request(method, target, body, headers=headers, idempotent=idempotent, check=False)
            except GraphUnavailable as exc:
                if not idempotent:
                    raise Lost(str(exc)) from exc
                await asyncio.sleep(backoff_delay(attempt, _BACKOFF))
                continue
            if resp.ok or (already is not None and already(resp.status, _json(resp))):
                return resp
            if method.upper() == "DELETE" and resp.status == 404:
                return resp  # already gone: an undo that is repeated succeeds
            if resp.status == 404 and attempt < not_found_tries:
                await asyncio.sleep(backoff_delay(attempt, _BACKOFF) + 0.2)  # a new object is not visible everywhere yet
                continue
            ra = parse_retry_after(resp.headers.get("retry-after"))
            if resp.status in (429, 503):
                self.deadline.saw(ra)
                if ra:
                    self.client.gate.pause(ra)  # nothing goes to the tenant before Retry-After, not even a look-up
            if resp.status == 429 or (resp.status in RETRYABLE and idempotent):
                await self._pause(ra if ra is not None else backoff_delay(attempt, _BACKOFF))
                continue
            if resp.status in RETRYABLE:
                raise Lost(f"HTTP {resp.status}")
            raise graph_error(resp, method.upper(), path)
        raise GraphError(key="playbook.graph_kept_failing",
                         params={"method": method.upper(), "path": path, "tries": TRIES},
                         status=resp.status if resp is not None else 0)

    async def batch(self, reqs: list[BatchRequest]) -> dict[str, Any]:
        """$batch of requests that are all safe to repeat (reads, idempotent updates), within the budget: a
        $batch call that fails as a whole (503 after the middleware's retries, a dropped connection) is sent again."""
        for attempt in range(TRIES):
            try:
                return await run_batch(self.client, reqs)
            except GraphError as exc:
                if exc.status not in RETRYABLE or attempt == TRIES - 1:
                    raise
                await asyncio.sleep(backoff_delay(attempt, _BACKOFF))
        return {}

    # -- looking things up -------------------------------------------------------------------
    async def lookup(self, changes: list[Change]) -> dict[str, tuple[bool, Any]]:
        """Read the tenant (one $batch of GETs) to learn whether changes are in effect: id -> (done, body)."""
        reqs, index = [], {}
        for c in changes:
            probe = spec(c.action).check(c)
            if probe is not None:
                rid = str(len(reqs))
                index[rid] = c
                reqs.append(BatchRequest(rid, "GET", url(probe.path, probe.query)))
        out: dict[str, tuple[bool, Any]] = {}
        if not reqs:
            return out
        results = await self.batch(reqs)
        for rid, c in index.items():
            res = results.get(rid)
            if res is not None and res.ok:
                out[c.id] = (bool(spec(c.action).is_done(c, res.body)), res.body)
            elif res is None or res.status in RETRYABLE:  # not judged: one more try on its own
                probe = spec(c.action).check(c)
                try:
                    got = await self.send("GET", probe.path, query=probe.query)
                except (GraphError, Lost):
                    continue
                body = _json(got)
                out[c.id] = (bool(spec(c.action).is_done(c, body)), body)
        return out

    async def find_one(self, c: Change) -> tuple[bool, Any]:
        return (await self.lookup([c])).get(c.id, (False, None))

    # -- one change ----------------------------------------------------------------------------
    async def apply_change(self, c: Change, prior: dict) -> str:
        """Apply one change (or finish it); returns "done" or "unknown"; raises GraphError/Lost on failure."""
        a = spec(c.action)
        io = _Io(self, c, prior)
        if not prior or prior.get("phase") == "failed":
            io.journal({"phase": "start", "request": {"method": c.requests[0].method, "path": c.requests[0].path},
                        "before": c.before, "after": c.after})
        if c.data.get("undo_of_change") and not await self._undo_target(c, io):
            return "done"
        if a.apply is not None:
            outcome = await a.apply(c, io)
            if outcome == "unknown":
                return "unknown"
        else:
            first = c.requests[0]
            parts_done = set(prior.get("parts") or [])
            if not first.idempotent:
                if "id" not in io.values:
                    await self._create(c, io)
                if io.values.get("operation") and not io.values.get("ready"):
                    await self._poll(io.values["operation"])
                    io.values["ready"] = True
                    io.journal({"phase": "created", "result": {"ready": True}})
            elif 0 not in parts_done:
                resp = await self.send(first.method, first.path.format(**io.values), first.body, query=first.query,
                                       already=a.already_done)
                body = _json(resp)
                if isinstance(body, dict) and body.get("id") and c.parts:
                    io.values.setdefault("id", body["id"])
                if c.parts:
                    io.journal({"phase": "part", "part": 0, "result": io.values})
            await self._parts(c, io, parts_done)
        entry = {"phase": "done", "result": io.values}
        if io.values.get("confirmed"):
            entry["confirmed"] = io.values["confirmed"]  # the mail: "accepted (202)" or "found in Sent Items"
        io.journal(entry)
        return "done"

    async def _undo_target(self, c: Change, io: _Io) -> bool:
        """An undo of a change that was in flight: reverse it only if it took effect (learning its id)."""
        if "id" in io.values and "{id}" in c.requests[0].path:
            return True
        original = Change.from_dict(c.data["undo_of_change"])
        if spec(original.action).check(original) is None:
            return True
        done, body = await self.find_one(original)
        if not done:
            io.journal({"phase": "done", "how": "not in effect: nothing to undo", "result": io.values})
            return False
        found = spec(original.action).found_id(body, original)
        if found:
            io.values["id"] = found
        elif "{id}" in c.requests[0].path:
            io.journal({"phase": "done", "how": "not found: nothing to undo", "result": io.values})
            return False
        return True

    async def _create(self, c: Change, io: _Io) -> None:
        """Look up, then create; after a lost answer look up again before anything is sent again."""
        a = spec(c.action)
        req = c.requests[0]
        for attempt in range(TRIES):
            if attempt or io.in_doubt:
                done, body = await self.find_one(c)
                found = a.found_id(body, c) if done else None
                if done and found:
                    io.values["id"] = found
                    io.journal({"phase": "created", "how": "found in effect", "result": io.values})
                    return
                if done:  # in effect but its id cannot be learned: nothing is created again
                    return
                if a.check(c) is None and attempt:
                    raise Lost(f"{_who(c)}: the answer was lost and it cannot be looked up")
            try:
                resp = await self.send(req.method, req.path.format(**io.values), req.body, idempotent=False, query=req.query)
            except Lost:
                await asyncio.sleep(min(0.3 * (attempt + 1), 2.0))  # let the directory catch up before looking
                continue
            body = _json(resp)
            location = resp.headers.get("location", "") or resp.headers.get("content-location", "")
            new_id = a.created_id(body)
            if not new_id and _GUID.search(location):
                new_id = _GUID.search(location).group(1)
            if new_id:
                io.values["id"] = new_id
            if resp.status == 202 and resp.headers.get("location"):
                io.values["operation"] = resp.headers["location"]
            io.journal({"phase": "accepted" if resp.status == 202 else "created", "status": resp.status,
                        "request_id": resp.request_id, "result": io.values})
            return
        raise GraphError(key="playbook.create_lost", params={"who": _who(c)}, status=503)

    async def _poll(self, location: str, tries: int = 30) -> None:
        """A long-running operation (202 + Location): poll until it succeeded."""
        delay = 0.2
        for _ in range(tries):
            op = _json(await self.send("GET", location)) or {}
            if op.get("status") == "succeeded":
                return
            if op.get("status") == "failed":
                raise GraphError(key="playbook.operation_failed", params={"detail": op.get('error')}, status=500)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
        raise GraphError(key="playbook.operation_timeout", status=504)

    async def _parts(self, c: Change, io: _Io, parts_done: set) -> None:
        a = spec(c.action)
        todo = [n for n in range(1, len(c.requests)) if n not in parts_done]
        if todo and "id" not in io.values and any("{id}" in c.requests[n].path for n in todo):
            raise GraphError(key="playbook.id_unknown", params={"who": _who(c)}, status=0)

        async def one(n: int) -> None:
            req = c.requests[n]
            await self.send(req.method, req.path.format(**io.values), req.body, query=req.query, already=a.already_done,
                            not_found_tries=6)
            io.journal({"phase": "part", "part": n})

        for i in range(0, len(todo), PARTS_AT_ONCE):
            await asyncio.gather(*(one(n) for n in todo[i:i + PARTS_AT_ONCE]))


async def apply_plan(client: Any, plan: Plan, run: Run, progress: Progress | None = None,
                     deadline: Deadline | None = None) -> ApplyResult:
    engine = Engine(client, run, deadline, progress)
    say = engine.say
    result = ApplyResult()
    state = run.state()
    total = len(plan.changes)
    count = 0
    for step in plan.steps:
        if not step.changes:
            continue
        try:
            pending = [c for c in step.changes if state.get(c.id, {}).get("phase") != "done"]
            count += len(step.changes) - len(pending)
            creates = [c for c in pending if not c.requests[0].idempotent and "id" not in (state.get(c.id, {}).get("result") or {})]
            # in doubt: started and not confirmed; and every undo (an earlier undo may have reversed it already)
            in_doubt = [c for c in pending if (c.id in state or c.data.get("undo")) and c not in creates and not c.parts
                        and not c.data.get("undo_of_change")]
            checked = await engine.lookup(in_doubt + creates) if (in_doubt or creates) else {}
            todo = []
            for c in pending:
                done, body = checked.get(c.id, (False, None))
                found = spec(c.action).found_id(body, c) if done else None
                if done and c.parts and found:  # the object exists: record its id, then send the parts still missing
                    run.write({"change": c.id, "phase": "created", "how": "found in effect", "result": {"id": found}})
                    state.setdefault(c.id, {"parts": []})
                    state[c.id] = {**state[c.id], "phase": "created", "result": {**(state[c.id].get("result") or {}), "id": found}}
                    todo.append(c)
                elif done and not c.parts:
                    run.write({"change": c.id, "phase": "done", "how": "found in effect", "result": {"id": found} if found else {}})
                    result.adopted += 1
                    count += 1
                else:
                    todo.append(c)
            simple = [c for c in todo if len(c.requests) == 1 and c.requests[0].idempotent and "{" not in c.requests[0].path
                      and spec(c.action).apply is None and not c.data.get("undo_of_change")]
            complex_ = [c for c in todo if c not in simple]
            # prerequisites first (a usage location before the licence): phase by phase, never mixed in one wave
            waves = [w for phase in sorted({c.data.get("phase", 1) for c in simple})
                     for group in [[c for c in simple if c.data.get("phase", 1) == phase]]
                     for w in (group[i:i + WAVE] for i in range(0, len(group), WAVE))]
            for wave in waves:
                run.write_many([{"change": c.id, "phase": "start", "request": {"method": c.requests[0].method, "path": c.requests[0].path},
                                 "before": c.before, "after": c.after} for c in wave])
                answers = await engine.batch([BatchRequest(c.id, r.method, url(r.path, r.query), r.body, idempotent=True)
                                                   for c in wave for r in c.requests])
                entries, again = [], []
                for c in wave:
                    res = answers.get(c.id)
                    ok = res is not None and (res.ok or spec(c.action).already_done(res.status, res.body)
                                              or (c.requests[0].method == "DELETE" and res.status == 404))
                    if ok:
                        entries.append({"change": c.id, "phase": "done", "status": res.status,
                                        "request_id": (res.headers or {}).get("request-id", "")})
                        result.done += 1
                        count += 1
                    elif res is None or res.status in RETRYABLE:
                        again.append(c)  # safe to send again: on its own, within the budget
                    else:
                        err = _error_text(res)
                        entries.append({"change": c.id, "phase": "failed", "status": res.status, "error": err})
                        result.failed.append((c.id, err))
                        count += 1
                run.write_many(entries)
                complex_ = again + complex_
                say("  " + text_for_ui("run.step_progress", step=step.step, count=count, n=total))
            for c in complex_:
                await _one(engine, c, state.get(c.id, {"phase": "start"} if c in simple else {}), result)
                count += 1
                say("  " + text_for_ui("run.step_progress", step=step.step, count=count, n=total))
        except (GraphError, Lost) as exc:  # a look-up or a $batch that kept failing: stop here, resumable
            result.failed.append((step.step, str(exc)))
        if result.failed or result.unknown:
            result.skipped_steps = [s.step for s in plan.steps[plan.steps.index(step) + 1:] if s.changes]
            break
    return result


async def _one(engine: Engine, c: Change, prior: dict, result: ApplyResult) -> None:
    try:
        outcome = await engine.apply_change(c, prior)
    except Lost as exc:
        engine.run.write({"change": c.id, "phase": "unknown", "error": f"the answer was lost: {exc}"})
        result.unknown.append((c.id, f"not confirmed ({exc})"))
        return
    except GraphError as exc:
        engine.run.write({"change": c.id, "phase": "failed", "status": exc.status, "request_id": exc.request_id,
                          "error": str(exc)})
        result.failed.append((c.id, str(exc)))
        return
    if outcome == "unknown":
        result.unknown.append((c.id, "sent or not: it could not be confirmed"))
    else:
        result.done += 1


def _error_text(res: Any) -> str:
    if res is None:
        return "no answer"
    err = (res.body or {}).get("error") if isinstance(res.body, dict) else None
    return f"{res.status} {err.get('code', '')}: {err.get('message', '')}".strip() if err else f"HTTP {res.status}"


__all__ = ["ApplyResult", "Engine", "Lost", "apply_plan"]


def _who(change: Change) -> str:
    """The change's target for an error text, in the language of the person at the terminal."""
    from ..i18n import resolve, ui_lang

    return str(resolve(change.target, ui_lang()))
