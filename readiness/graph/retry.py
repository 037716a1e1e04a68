"""Retry middleware for the SDK's pipeline: Graph's throttling rules, done properly.

Replaces kiota's RetryHandler (notes/msgraph-sdk.md 3.2), which adds a 3 s base delay to every
back-off, gives up silently when Retry-After is 180 s or more, sleeps per request instead of per
tenant, retries every POST and never retries a dropped connection. This one:

- honours Retry-After (seconds or HTTP date) on 429/503/504, and pauses the whole tenant (ThrottleGate);
- backs off exponentially with full jitter where no Retry-After is sent (Conditional Access sends none);
- retries dropped connections and timeouts, but only for idempotent requests;
- never retries a non-idempotent POST except on 429, which Graph sends *before* doing anything;
  creates are reconciled by looking the object up by its natural key (playbook engine);
- caps attempts per request, then hands the last answer back;
- caps the total time a command waits (WaitBudget, --max-wait): a wait that would pass it is not
  started, the request fails with WaitCapReached (its section fails), and every wait is reported.
"""
from __future__ import annotations

import asyncio
import email.utils
import random
import time
from dataclasses import dataclass

import httpx
from kiota_abstractions.request_option import RequestOption
from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY, BaseMiddleware

from ..errors import Phrase, WaitCapReached
from .bounds import read_bounded
from .paging import request_sent, trace_sent
from .stats import RequestStats, ThrottleGate, WaitBudget

RETRY_STATUSES = frozenset({429, 503, 504})
THROTTLE_STATUSES = frozenset({429, 503})
CONNECT_RETRIES = 2  # a refused connection is mostly a wrong address, rarely a full backlog
TIMEOUT_RETRIES = 1  # a server that let one request time out is asked once more, not for minutes on end
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


@dataclass
class RetryPolicy:
    max_retries: int = 6
    max_total_wait: float = 600.0  # seconds, per logical request
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    answer_deadline: float = 180.0  # seconds for one whole answer: a server dripping bytes never hits the read timeout


class IdempotentOption(RequestOption):
    """Marks a POST as safe to repeat (assignLicense, $batch of reads, ...)."""

    KEY = "ReadinessIdempotentOption"

    def __init__(self, idempotent: bool = True) -> None:
        self.idempotent = idempotent

    @staticmethod
    def get_key() -> str:
        return IdempotentOption.KEY


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """Exponential back-off with full jitter: uniform(0, min(cap, base * 2**attempt)), at least 50 ms."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * (2**attempt))
    return max(0.05, rng.uniform(0, ceiling))


def _is_idempotent(request: httpx.Request) -> bool:
    if request.method.upper() in IDEMPOTENT_METHODS:
        return True
    options = request.extensions.get(REQUEST_OPTIONS_KEY) or {}
    opt = options.get(IdempotentOption.KEY)
    return bool(opt and opt.idempotent)


class RetryMiddleware(BaseMiddleware):
    def __init__(self, stats: RequestStats, gate: ThrottleGate, policy: RetryPolicy | None = None,
                 budget: WaitBudget | None = None) -> None:
        super().__init__()
        self.stats = stats
        self.gate = gate
        self.policy = policy or RetryPolicy()
        self.budget = budget or WaitBudget()

    def _claim(self, delay: float, why: str, status: int) -> None:
        if not self.budget.claim(delay, why):
            raise WaitCapReached(key="graph.wait_cap", params=self.budget.refusal_params(delay, why), status=status)

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        idempotent = _is_idempotent(request)
        # kiota strips its options from the request once the last middleware runs; keep a copy so
        # that a retried request carries them again.
        options = request.extensions.get(REQUEST_OPTIONS_KEY)
        sent = request_sent.get()
        if sent is not None:  # a chain's next page: its reader waits until the bytes are out (paging.until_sent)
            request.extensions["trace"] = trace_sent(sent)
        attempt = 0
        waited = 0.0
        while True:
            await self.gate.wait()
            if options is not None:
                request.extensions[REQUEST_OPTIONS_KEY] = options
            self.stats.attempts += 1
            try:
                response = await super().send(request, transport)
                await self._read_in_time(response, request)
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                self.stats.transport_errors += 1
                delay = backoff_delay(attempt, self.policy)
                refused = isinstance(exc, httpx.ConnectError)  # nobody listening, or no such host
                timed_out = isinstance(exc, httpx.TimeoutException)  # each attempt already cost the whole timeout
                limit = min(self.policy.max_retries, CONNECT_RETRIES if refused else TIMEOUT_RETRIES if timed_out
                            else self.policy.max_retries)
                # where it failed: below the redirect handler, so a report's download host, which httpx's own
                # exception forgets (its client puts the first request back on it: GraphClient.send says which host)
                exc.readiness_url = str(request.url)  # type: ignore[union-attr]
                if not idempotent or attempt >= limit or waited + delay > self.policy.max_total_wait:
                    raise
                why = (Phrase("errors.graph.why.refused", path=_path(request)) if refused
                       else Phrase("errors.graph.why.timeout", path=_path(request), error_type=type(exc).__name__)
                       if timed_out else Phrase("errors.graph.why.dropped", path=_path(request)))
                if not self.budget.claim(delay, why):
                    raise  # the transport error itself: the caller says the server could not be reached
                await asyncio.sleep(delay)
            else:
                status = response.status_code
                self.stats.by_status[status] += 1
                if status not in RETRY_STATUSES:
                    return response
                if status in THROTTLE_STATUSES:
                    self.stats.throttled += 1
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                delay = retry_after if retry_after is not None else backoff_delay(attempt, self.policy)
                if retry_after is not None:
                    self.gate.heard(retry_after)  # kept at once, even if this process gives up or is killed now
                allowed = idempotent or status == 429
                if not allowed or attempt >= self.policy.max_retries or waited + delay > self.policy.max_total_wait:
                    return response
                await response.aclose()
                why = (Phrase("errors.graph.why.retry_after", seconds=f"{delay:.0f}", status=status, path=_path(request))
                       if retry_after is not None else Phrase("errors.graph.why.status", status=status, path=_path(request)))
                self._claim(delay, why, status)
                if status in THROTTLE_STATUSES:
                    self.stats.throttled_seconds += delay
                    self.gate.pause(delay)  # every worker for this tenant waits, not only this one
                else:
                    await asyncio.sleep(delay)
            waited += delay
            attempt += 1
            self.stats.retries += 1
            request.headers["Retry-Attempt"] = str(attempt)


    async def _read_in_time(self, response: httpx.Response, request: httpx.Request) -> None:
        """Read the whole answer within ``answer_deadline``; httpx's read timeout is per chunk, not per answer. Its bytes
        are bounded as they are read (bounds.py)."""
        try:
            await asyncio.wait_for(read_bounded(response, f"{request.method} {_path(request)}"), self.policy.answer_deadline)
        except asyncio.TimeoutError:
            await response.aclose()
            raise httpx.ReadTimeout(f"the answer did not finish within {self.policy.answer_deadline:.0f} s",
                                    request=request) from None


def _path(request: httpx.Request) -> str:
    """The request's path without the version, for messages: ``/users``."""
    path = request.url.path
    for prefix in ("/v1.0", "/beta"):
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return path
