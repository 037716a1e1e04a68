"""Units of trust: origins, the token's destination, the wait budget, page checks and task cleanup."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from readiness.errors import GraphBadResponse, TokenRejected, WaitCapReached
from readiness.graph.auth import BearerAuthProvider, StaticTokenCredential, origin_of
from readiness.graph.client import GraphResponse, build_client, token_rejected
from readiness.graph.clouds import custom_endpoint
from readiness.graph.retry import RetryPolicy
from readiness.graph.stats import WaitBudget
from readiness.graph.tasks import gather_all
from tests.helpers import using

BASE = "http://127.0.0.1:8123/v1.0"


def test_origin_is_scheme_host_and_port() -> None:
    assert origin_of("https://graph.microsoft.com/v1.0/users") == ("https", "graph.microsoft.com", 443)
    assert origin_of("https://GRAPH.microsoft.com:443/x") == origin_of("https://graph.microsoft.com/y")
    assert origin_of("http://127.0.0.1:8123/v1.0") != origin_of("http://127.0.0.1:8124/v1.0")
    assert origin_of("http://127.0.0.1:8123/v1.0") != origin_of("https://127.0.0.1:8123/v1.0")
    assert origin_of("http://127.0.0.1:notaport/") == ("http", "", -1)


@pytest.mark.parametrize("url,sent", [
    (BASE + "/users", True),
    ("http://127.0.0.1:8124/v1.0/users", False),  # same host, other port: was sent before (host-only check)
    ("https://127.0.0.1:8123/v1.0/users", False),  # other scheme
    ("http://localhost:8123/v1.0/users", False),  # other host name for the same machine
])
def test_the_token_goes_only_to_the_exact_origin(url: str, sent: bool) -> None:
    from kiota_abstractions.request_information import RequestInformation

    provider = BearerAuthProvider(StaticTokenCredential("tok"), scope="x/.default", allowed_origin=BASE)
    info = RequestInformation()
    info.url = url
    asyncio.run(provider.authenticate_request(info))
    assert (info.headers.get("Authorization") == {"Bearer tok"}) is sent


@pytest.mark.parametrize("message,reason", [
    ("Lifetime validation failed, the token is expired.", "expired"),
    ("Access token has expired or is not yet valid.", "expired"),
    ("Access token validation failure. Invalid audience.", "wrong tenant"),
    ("CompactToken parsing failed with error code: 80049217", "invalid"),
])
def test_a_401_names_its_cause(message: str, reason: str) -> None:
    body = json.dumps({"error": {"code": "InvalidAuthenticationToken", "message": message}}).encode()
    err = token_rejected(GraphResponse(401, {}, body), "Sign in again with `readiness tenant login kunde-a`")
    assert isinstance(err, TokenRejected) and err.reason == reason
    assert str(err) == f"Graph refused the token ({reason}). Sign in again with `readiness tenant login kunde-a`."


def test_the_wait_budget_counts_overlapping_waits_once_and_refuses_past_the_cap() -> None:
    now = [100.0]
    heard: list[str] = []
    budget = WaitBudget(10, heard.append, clock=lambda: now[0])
    assert budget.claim(4, "Graph asked to wait 4 s (429 on /users)")
    assert budget.claim(4, "Graph asked to wait 4 s (429 on /groups)")  # the same 4 s, waited together
    assert budget.waited == 4 and len(heard) == 1
    assert heard[0] == "Graph asked to wait 4 s (429 on /users); waiting 4 s (total waited 4 of 10 s)"
    now[0] += 4
    assert budget.claim(6, "again")
    now[0] += 6
    assert not budget.claim(1, "once more")  # 11 s would pass the cap of 10
    assert budget.waited == 10
    assert "total wait cap of 10 s" in budget.refusal(1, "once more")


def _client(handler, **kw):
    return build_client(custom_endpoint(BASE), StaticTokenCredential("tok"), transport=httpx.MockTransport(handler),
                        policy=RetryPolicy(max_retries=20, backoff_base=0.01, backoff_cap=0.02), **kw)


def test_retry_after_past_the_cap_fails_at_once_and_waits_are_reported() -> None:
    heard: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "30"}, json={"error": {"code": "TooManyRequests"}})

    client = _client(handler).limit_waiting(5, heard.append)
    with pytest.raises(WaitCapReached) as err:
        using(client, lambda c: c.get_json("/users"))
    assert "Graph asked to wait 30 s (429 on /users)" in str(err.value) and "--max-wait" in str(err.value)
    assert client.stats.attempts == 1 and heard == []


def test_a_page_must_be_an_object_with_a_list_of_objects() -> None:
    pages = iter([b'{"value": [{"id": "a"}], "@odata.nextLink": "' + BASE.encode() + b'/users?$skiptoken=2"}', b'{"value": "x"}'])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=next(pages), headers={"Content-Type": "application/json"})

    with pytest.raises(GraphBadResponse, match="has a 'value' that is str"):
        using(_client(handler), lambda c: c.collect("/users"))


def test_a_collection_stops_at_its_page_bound_even_with_fresh_links() -> None:
    count = [0]

    def handler(request: httpx.Request) -> httpx.Response:  # a new link every time: no loop to spot
        count[0] += 1
        return httpx.Response(200, json={"value": [], "@odata.nextLink": f"{BASE}/users?$skiptoken={count[0]}"})

    client = _client(handler)
    client.max_pages = 25
    with pytest.raises(GraphBadResponse, match="went on past 25 pages"):
        using(client, lambda c: c.collect("/users"))
    assert count[0] == 26


def test_gather_all_cancels_and_awaits_the_rest_on_error() -> None:
    state = {"cancelled": 0}

    async def slow() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            state["cancelled"] += 1
            raise

    async def boom() -> None:
        await asyncio.sleep(0.01)
        raise TokenRejected("Graph refused the token (invalid)", "Sign in again")

    async def go() -> None:
        with pytest.raises(TokenRejected):
            await gather_all(slow(), boom(), slow())
        assert state["cancelled"] == 2  # both ended before the error went on
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    asyncio.run(go())


def test_the_readme_documents_every_exit_code() -> None:
    from pathlib import Path

    from readiness.exitcodes import ExitCode

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(line.split("|")[1]) for line in table.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()}
    assert documented == {int(c) for c in ExitCode}
    assert "some data could not be read; the result is incomplete" in table


def test_the_fix_for_a_refused_token_repeats_how_the_profile_signs_in() -> None:
    from readiness.graph.auth import sign_in_hint
    from readiness.config.profiles import TenantProfile

    def hint(auth: str) -> str:
        return sign_in_hint(TenantProfile("kunde-a", "kunde-a.onmicrosoft.com", auth, "11111111-2222-3333-4444-555555555555"))

    assert hint("device-code") == "Sign in again with `readiness tenant login kunde-a`"
    assert hint("browser") == "Sign in again with `readiness tenant login kunde-a`"
    assert "readiness tenant secret kunde-a" in hint("client-secret")
    assert "az login --tenant kunde-a.onmicrosoft.com" in hint("azure-cli")
    assert hint("token") == "Sign in again with a fresh token for profile 'kunde-a': export READINESS_ACCESS_TOKEN_KUNDE_A=..."


def test_playbook_plan_refuses_to_plan_on_data_it_could_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from readiness.cli import cli
    from tests.trust.hostile import HostileServer

    monkeypatch.setenv("READINESS_ACCESS_TOKEN", "tok")
    with HostileServer("only_org") as srv:
        result = CliRunner().invoke(cli, ["playbook", "plan", "emergency-home-office", "--graph-url", srv.base_url,
                                          "--max-wait", "0.5"])
    assert result.exit_code == 6, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "could not be read" in errors[0] and "Nothing was planned or changed" in errors[0]
    assert "nothing to do" not in result.output.lower()


def test_an_incomplete_snapshot_fails_the_gate_offline_too(tmp_path) -> None:
    from click.testing import CliRunner

    from readiness.cli import cli
    from readiness.collect.snapshot import COMPLETE, FAILED, Section, Snapshot

    snap = Snapshot("t1", "Kunde A", "global", "https://graph.microsoft.com/v1.0", "2026-01-01T00:00:00Z", sections={
        "organization": Section("organization", COMPLETE, [{"id": "t1"}], "/organization", 1),
        "users": Section("users", FAILED, endpoint="/users", reason="Graph answered 503 to GET /users"),
    })
    assert snap.completeness() == "partial" and [s.name for s in snap.failed_sections()] == ["users"]
    path = tmp_path / "snap.json"
    snap.save(path)
    result = CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path), "-o", "json", "--fail-on", "critical"])
    assert result.exit_code == 6, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "partial" and doc["exit_code"] == 6
    assert doc["errors"] == [{"code": "data_incomplete", "section": "users", "endpoint": "/users",
                              "message": "Graph answered 503 to GET /users"}]
    nothing = Snapshot("t1", "Kunde A", "global", "", "2026-01-01T00:00:00Z",
                       sections={"users": Section("users", FAILED, reason="x")})
    assert nothing.completeness() == "failed"


@pytest.mark.parametrize("section,item,words", [
    ("users", {"id": 5}, "'id' as a number"),
    ("users", {"displayName": "no id"}, "without 'id'"),
    ("users", {"id": "a", "accountEnabled": "yes"}, "'accountEnabled' as a string"),
    ("users", {"id": "a", "assignedLicenses": ["x"]}, "holding a string where an object belongs"),
    ("users", {"id": "a", "assignedLicenses": [{"skuId": 3}]}, "'assignedLicenses.skuId' as a number"),
    ("skus", {"skuId": "s", "prepaidUnits": {"enabled": "10"}}, "'prepaidUnits.enabled' as a string"),
    ("skus", {"skuId": "s", "consumedUnits": True}, "'consumedUnits' as true/false"),
    ("security_defaults", {"isEnabled": "maybe"}, "'isEnabled' as a string"),
])
def test_fields_the_audit_reads_must_have_graphs_types(section: str, item: dict, words: str) -> None:
    from readiness.collect.shapes import check_item

    with pytest.raises(GraphBadResponse, match=words):
        check_item(section, item, f"/{section}")


def test_documented_shapes_pass_the_field_checks() -> None:
    from readiness.collect.shapes import check_item
    from tests.helpers import example

    for name, section in (("get-subscribedskus.json", "skus"), ("get-users-filter-assignedlicenses.json", "users")):
        for item in example(name)["body"]["value"]:
            assert check_item(section, item) is item


def test_the_library_caps_waiting_per_connection_and_reports_each_wait() -> None:
    import readiness
    from tests.trust.hostile import HostileServer

    heard: list[str] = []
    with HostileServer("429", retry_after=1) as srv:
        conn = readiness.connect(graph_url=srv.base_url, token="tok")
        conn.client_options.update(max_wait=1.5, on_wait=heard.append)
        snap = readiness.collect(conn)
    assert snap.completeness() == "failed"
    assert heard and heard[0].startswith("Graph asked to wait 1 s (429 on /")
    assert all("total wait cap of 1.5 s" in s.reason for s in snap.failed_sections())
    assert snap.requests["waited_seconds"] <= 1.5


def test_a_collection_stops_at_its_byte_bound() -> None:
    count = [0]
    filler = "x" * 300_000

    def handler(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        return httpx.Response(200, json={"value": [{"id": str(count[0]), "pad": filler}],
                                         "@odata.nextLink": f"{BASE}/users?$skiptoken={count[0]}"})

    client = _client(handler)
    client.max_collection_bytes = 1 << 20
    with pytest.raises(GraphBadResponse) as err:
        using(client, lambda c: c.collect("/users"))
    assert count[0] == 4  # 4 pages of ~300 kB pass 1 MB: nothing more is asked for
    # the message names the bound it hit (bytes, not pages) and the size, never "past 4 pages (1 MB)"
    assert str(err.value).startswith("The collection /users went past 1 MB (1.1 MB in 4 pages)")
    assert "in 4 pages" in str(err.value) and "went on past" not in str(err.value)


def test_a_static_token_past_its_exp_is_called_expired_whatever_graph_says() -> None:
    import base64
    import time

    body = base64.urlsafe_b64encode(json.dumps({"exp": int(time.time()) - 60}).encode()).rstrip(b"=").decode()
    token = f"e30.{body}.sig"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}})

    client = build_client(custom_endpoint(BASE), StaticTokenCredential(token), transport=httpx.MockTransport(handler))
    with pytest.raises(TokenRejected) as err:
        using(client, lambda c: c.get_json("/users"))
    assert err.value.reason == "expired"
