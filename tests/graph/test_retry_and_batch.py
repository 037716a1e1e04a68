"""Retry-After, back-off, dropped connections, creates never blindly retried, $batch item retries."""
from __future__ import annotations

import random

import pytest

from readiness.errors import GraphUnavailable
from readiness.graph.batch import BatchRequest, run_batch
from readiness.graph.retry import RetryPolicy, backoff_delay, parse_retry_after
from readiness.simulator import Faults, Simulator, generate_tenant
from tests.helpers import HttpDouble, inproc_client, url_client, using


def test_parse_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert 9 <= parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=0.0) <= 10


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0)
    rng = random.Random(1)
    delays = [backoff_delay(a, policy, rng) for a in range(10) for _ in range(20)]
    assert max(delays) <= 8.0 and min(delays) >= 0.05
    assert len({round(d, 3) for d in delays}) > 100  # jitter, not a fixed schedule


def _sim(**faults) -> Simulator:
    return Simulator(generate_tenant("unprepared-sme"), Faults(retry_after=0.1, **faults))


def test_429_waits_for_retry_after_and_counts_it() -> None:
    sim = Simulator(generate_tenant("unprepared-sme"), Faults(retry_after=0.4, rate_429=0.35, seed=4))
    client = inproc_client(sim)
    users = using(client, lambda c: c.collect("/users?$top=5&$select=id"))
    assert len(users) == len(sim.tenant.users)
    assert client.stats.throttled > 0 and client.stats.retries >= client.stats.throttled
    assert client.stats.throttled_seconds == pytest.approx(0.4 * client.stats.throttled)
    assert sim.conduct.retry_after_violations == []


def test_dropped_connections_are_retried_for_reads() -> None:
    sim = _sim(rate_drop=0.3, seed=2)
    client = inproc_client(sim)
    users = using(client, lambda c: c.collect("/users?$top=5&$select=id"))
    assert len(users) == len(sim.tenant.users)
    assert client.stats.transport_errors > 0


def test_a_create_is_not_repeated_after_a_dropped_connection() -> None:
    sim = _sim(rate_drop=1.0)
    owner = sim.tenant.users[0]["id"]
    body = {"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "X",
            "members": [{"roles": ["owner"], "user@odata.bind": f"https://graph.microsoft.com/v1.0/users('{owner}')"}]}
    client = inproc_client(sim)
    with pytest.raises(GraphUnavailable):
        using(client, lambda c: c.request("POST", "/teams", body))
    assert sim.conduct.count("POST", "/teams") == 1  # sent once, never blindly again


def test_a_create_is_retried_after_429_because_graph_did_nothing() -> None:
    sim = Simulator(generate_tenant("unprepared-sme"), Faults(rate_429=0.4, retry_after=0.05, seed=9))
    sku = next(s for s in sim.tenant.skus if s["skuPartNumber"] == "O365_BUSINESS_ESSENTIALS")["skuId"]
    email = "partner@example.org"
    body = {"invitedUserEmailAddress": email, "inviteRedirectUrl": "https://myapps.microsoft.com"}
    resp = using(inproc_client(sim), lambda c: c.request("POST", "/invitations", body))
    assert resp.status == 201 and sku
    assert sum(1 for u in sim.tenant.users if u.get("mail") == email) == 1


def test_batch_retries_only_the_throttled_items_after_their_retry_after() -> None:
    sim = _sim(rate_429=0.25, seed=11)
    users = [u for u in sim.tenant.users if u["userType"] == "Member"]
    reqs = [BatchRequest(u["id"], "GET", f"/users/{u['id']}/authentication/methods") for u in users]
    client = inproc_client(sim)
    results = using(client, lambda c: run_batch(c, reqs))
    assert set(results) == {u["id"] for u in users}
    assert all(r.status == 200 for r in results.values())
    inner = [p for _, m, p, s in sim.conduct.requests if p.startswith("$batch:")]
    # every user answered once with 200; throttled items were repeated, the others were not
    ok_inner = [p for _, m, p, s in sim.conduct.requests if p.startswith("$batch:") and s == 200]
    assert len(ok_inner) == len(users)
    assert len(inner) > len(users)
    assert sim.conduct.retry_after_violations == []


def test_batch_chunks_by_twenty() -> None:
    sim = _sim()
    reqs = [BatchRequest(str(i), "GET", "/users?$top=1&$select=id") for i in range(45)]
    using(inproc_client(sim), lambda c: run_batch(c, reqs))
    assert sim.conduct.count("POST", "/$batch") == 3


def test_a_server_that_never_answers_is_asked_once_more_not_for_minutes(capsys) -> None:  # noqa: ANN001
    # seen from a fresh clone: a hanging /users cost 5 full read timeouts (306 s) with --max-wait 5,
    # each retry announced as "The connection dropped"
    import socket
    import threading

    from readiness.graph.auth import StaticTokenCredential
    from readiness.graph.client import build_client
    from readiness.graph.clouds import custom_endpoint
    from readiness.graph.retry import TIMEOUT_RETRIES

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # take connections, read nothing, answer nothing
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1.0"
        client = build_client(custom_endpoint(url), StaticTokenCredential("t"), timeout=0.3,
                              policy=RetryPolicy(max_retries=6, max_total_wait=60, backoff_base=0.05, backoff_cap=0.1))
        with pytest.raises(GraphUnavailable) as err:
            using(client, lambda c: c.get_json("/users"))
        assert client.stats.attempts == 1 + TIMEOUT_RETRIES and "Timeout" in str(err.value)
    finally:
        stop.set()
        for s in accepted:
            s.close()
        listener.close()


def test_an_answer_dripped_byte_by_byte_ends_at_the_answer_deadline() -> None:
    # seen from a fresh clone: 200 with Content-Length 100000 and one byte a second never hit the read
    # timeout (it is per chunk); the audit was still waiting after 400 s with --max-wait 5
    import threading
    import time

    from readiness.graph.retry import TIMEOUT_RETRIES

    stop = threading.Event()

    def drip(h) -> None:  # noqa: ANN001
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        try:
            while not stop.is_set():
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return

    with HttpDouble(drip) as srv:
        try:
            policy = RetryPolicy(max_retries=6, max_total_wait=60, backoff_base=0.05, backoff_cap=0.1, answer_deadline=0.5)
            client = url_client(srv.url, timeout=5, policy=policy)
            with pytest.raises(GraphUnavailable) as err:
                using(client, lambda c: c.get_json("/users"))
            assert client.stats.attempts == 1 + TIMEOUT_RETRIES and "did not finish within" in str(err.value)
        finally:
            stop.set()
