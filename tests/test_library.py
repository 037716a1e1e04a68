"""`import readiness` is the product: the script in docs/library.md runs as written, and the API's
contract (names, keyword arguments, typed results, errors) holds against the simulator over HTTP."""
from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import json
import re
import stat
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import pytest

import readiness
from tests.helpers import emergency_params

ROOT = Path(__file__).resolve().parent.parent
STDLIB_OK = {"os", "tempfile", "pathlib", "asyncio", "json"}


def library_script() -> str:
    text = (ROOT / "docs" / "library.md").read_text("utf-8")
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


@pytest.mark.slow
def test_the_script_in_docs_library_runs_against_the_simulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = library_script()
    imported = {a.name.split(".")[0] for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ImportFrom)}
    assert imported - STDLIB_OK == {"readiness"}  # nothing but the public API
    monkeypatch.setenv("READINESS_EXAMPLE_DIR", str(tmp_path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/library.md", "exec"), {"__name__": "__example__"})  # noqa: S102 - our own doc
    text = out.getvalue()
    run_ids = re.findall(r"^(\d{8}-\d{6}-[0-9a-f]+) (incomplete|complete)", text, re.M)
    # the run without Mail.Send stops short; resume completes the same run; verify finds nothing left
    assert [s for _, s in run_ids] == ["incomplete", "complete"] and run_ids[0][0] == run_ids[1][0]
    assert "verified: True" in text
    html = (tmp_path / "kunde-a.html").read_text("utf-8")
    assert 'lang="de"' in html and "Personen können morgen von zu Hause arbeiten" in html
    snap = tmp_path / "kunde-a.json.gz"
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    assert html_escape(readiness.load_snapshot(snap).tenant_name, quote=False) in html


def test_the_documented_names_and_keywords_exist() -> None:
    # the contract in the issue: scripts and the fleet rely on these names and keyword arguments
    expected = {
        "connect": ["tenant", "graph_url", "token", "credential"], "collect": ["conn", "progress"],
        "load_snapshot": ["path"], "evaluate": ["snap", "previous"],
        "render": ["obj", "format", "lang", "pseudonymize", "aggregate_only"],
        "plan": ["playbook", "conn_or_snapshot", "params"], "apply": ["plan", "conn", "confirm", "progress"],
        "resume": ["run_id", "conn"], "verify": ["run_id", "conn"], "undo": ["run_id", "conn"],
    }
    for name, params in expected.items():
        sig = inspect.signature(getattr(readiness, name))
        assert list(sig.parameters)[: len(params)] == params, (name, sig)
    for name in ("collect", "plan", "apply", "resume", "verify", "undo", "check_tenant", "discover_tenants", "fleet_audit"):
        assert inspect.iscoroutinefunction(getattr(readiness.aio, name)), name
    # issue 9, part 2: what the CLI's commands call
    more = {"add_tenant": ["name", "tenant_id"], "list_tenants": [], "get_tenant": ["name"], "remove_tenant": ["name"],
            "set_default_tenant": ["name"], "store_secret": ["name", "secret"], "login": ["name", "prompt"],
            "check_tenant": ["conn"], "import_tenants": ["path"], "discover_tenants": ["partner"],
            "save_plan": ["plan", "path"], "run_info": ["run_id"], "run_ids": [], "demo": ["profile"],
            "serve_fleet_simulator": ["count"]}
    for name, params in more.items():
        sig = inspect.signature(getattr(readiness, name))
        assert list(sig.parameters)[: len(params)] == params, (name, sig)
        assert getattr(readiness, name).__doc__, name
    assert "params" in inspect.signature(readiness.apply).parameters
    assert "preview" in inspect.signature(readiness.undo).parameters
    assert set(more) <= set(readiness.__all__)
    assert issubclass(readiness.StalePlan, readiness.ReadinessError)
    assert issubclass(readiness.UsageError, readiness.ReadinessError) and readiness.UsageError("x", "y").exit_code == 2


def test_import_readiness_loads_no_network_library() -> None:
    code = ("import sys, readiness\nreadiness.ReadinessError\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('msgraph', 'azure', 'keyring', 'httpx')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_errors_carry_what_fix_and_exit_code() -> None:
    with pytest.raises(readiness.UsageError) as info:
        readiness.connect(tenant="a", graph_url="http://127.0.0.1:9/v1.0", token="t")
    assert info.value.what and info.value.fix and int(info.value.exit_code) == 2
    with pytest.raises(readiness.ReadinessError) as info:
        readiness.connect(graph_url="http://127.0.0.1:9/v1.0")  # no token anywhere
    assert "READINESS_ACCESS_TOKEN" in str(info.value)
    with pytest.raises(readiness.SnapshotError):
        readiness.load_snapshot("/nonexistent/snap.json.gz")
    with pytest.raises(readiness.UsageError):
        readiness.get_check("no.such_check")


def test_one_process_audits_two_tenants_concurrently() -> None:
    with readiness.serve_simulator("unprepared-sme", seed=3) as a, \
            readiness.serve_simulator("enterprise", seed=4, size=120) as b:
        conns = [readiness.connect(graph_url=s.graph_url, token=s.token) for s in (a, b)]

        async def both():  # noqa: ANN202
            return await asyncio.gather(*(readiness.aio.collect(c) for c in conns))

        snaps = asyncio.run(both())
        names = (a.tenant_name, b.tenant_name)
        users = (a.users, b.users)
    assert [s.tenant_name for s in snaps] == list(names)
    audits = [readiness.evaluate(s) for s in snaps]
    assert [len(x.people) for x in audits] == [s.section("users").count and len([u for u in s.data("users")
                                               if u.get("accountEnabled") and u.get("userType") == "Member"]) for s in snaps]
    assert all(len(s.data("users")) == n for s, n in zip(snaps, users))


def test_the_audit_is_finished_and_renders_from_itself(tmp_path: Path) -> None:
    with readiness.serve_simulator() as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    audit = readiness.evaluate(snap)
    people = audit.people
    assert audit.summary["people"] == len(people) and audit.summary["ready"] == sum(1 for p in people if p["ready"] is True)
    assert audit.summary["seats_to_buy"] == audit.seats_to_buy
    assert audit.not_evaluated and all(m.reason_code in {"licence", "permission", "concealed", "fallback", "skipped", "failed"}
                                       for m in audit.not_evaluated)
    assert all(a.status.value in ("fail", "warn") for a in audit.top_actions)
    doc = json.loads(readiness.render(audit, format="json", lang="en"))["data"]
    assert doc["summary"]["ready"] == audit.summary["ready"] and doc["score"]["overall"] == audit.score
    assert [m["section"] for m in doc["not_evaluated"]] == [m.section for m in audit.not_evaluated]
    # the same audit, private, without going back to the caller's snapshot
    private = json.loads(readiness.render(audit, format="json", lang="en", pseudonymize=True, aggregate_only=True))["data"]
    assert private["people"] == [] and private["privacy"] == {"pseudonymized": True, "aggregate_only": True}
    assert private["summary"]["people"] == audit.summary["people"]


def test_trend_against_a_previous_snapshot_and_another_tenant_is_refused() -> None:
    with readiness.serve_simulator(seed=7) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        before = readiness.collect(conn)
        lead = next(p for p in readiness.evaluate(before).people if p["department"] == "IT")
        plan = readiness.plan("emergency-home-office", before, params={"usage_location": "DE",
                              "team_owners": lead["userPrincipalName"], "sender": lead["userPrincipalName"]})
        assert plan.granted is None and plan.changes  # planned offline from the snapshot
        run = readiness.apply(readiness.plan("emergency-home-office", conn, params=plan.params), conn)
        after = readiness.collect(conn)
    assert run.status == "complete" and run.done > 0
    audit = readiness.evaluate(after, previous=before)
    assert audit.trend["ready"] == {"before": readiness.evaluate(before).summary["ready"], "now": audit.summary["ready"]}
    assert audit.trend["ready"]["now"] > audit.trend["ready"]["before"]
    with readiness.serve_simulator("enterprise", seed=9, size=50) as other:
        elsewhere = readiness.collect(readiness.connect(graph_url=other.graph_url, token=other.token))
    with pytest.raises(readiness.UsageError):
        readiness.evaluate(after, previous=elsewhere)


def test_stale_plan_is_refused_and_undo_lists_what_cannot_be_taken_back() -> None:
    with readiness.serve_simulator(seed=7) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        snap = readiness.collect(conn)
        params = emergency_params(snap)
        plan = readiness.plan("emergency-home-office", conn, params=params)
        run = readiness.apply(plan, conn, confirm=lambda p: len(p.changes) == len(plan.changes))
        with pytest.raises(readiness.StalePlan):
            readiness.apply(plan, conn)  # the tenant changed since: the same plan is stale now
        with pytest.raises(readiness.UsageError):
            readiness.undo(run.run_id, conn, confirm=False)
        undone = readiness.undo(run.run_id, conn, confirm=True)
    assert undone.status == "complete" and undone.done > 0
    # and the usage locations set for licences: Graph refuses usageLocation null (graphfid, issue 11)
    assert {c.action for c in undone.irreversible} == {"send_announcement", "set_usage_location"}
    assert all(c.key.startswith("usage:") for c in undone.irreversible if c.action == "set_usage_location")
    text = readiness.render(undone, format="table")
    assert "irreversible, not undone" in text
    info = {r.run_id: r for r in readiness.runs()}
    assert info[undone.run_id].undo_of == run.run_id and info[run.run_id].status == "complete"
    assert readiness.timeline(run.run_id).entries


def test_a_sync_function_inside_an_event_loop_says_to_use_the_async_twin() -> None:
    async def inside() -> None:
        readiness.collect(readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token="t"))

    with pytest.raises(readiness.UsageError, match="readiness.aio"):
        asyncio.run(inside())


def test_an_ellipsis_in_a_fix_stays_as_written() -> None:
    err = readiness.UsageError("Profile 'kunde-a' signs in with a bearer token, but no token is set.",
                               "export READINESS_ACCESS_TOKEN_KUNDE_A=...")
    assert str(err).endswith("export READINESS_ACCESS_TOKEN_KUNDE_A=...") and err.fix.endswith("=...")
    assert str(readiness.UsageError("What happened.", "How to fix it.")) == "What happened. How to fix it."


@pytest.mark.parametrize("call", [
    lambda snap, conn: readiness.collect("kunde-a"),                                  # a profile name, not a Connection
    lambda snap, conn: readiness.collect(None),
    lambda snap, conn: readiness.evaluate("kunde-a.json.gz"),                         # a path, not a Snapshot
    lambda snap, conn: readiness.evaluate(readiness.evaluate(snap)),                  # an Audit, not a Snapshot
    lambda snap, conn: readiness.evaluate(snap, previous="last-week.json.gz"),
    lambda snap, conn: readiness.render(readiness.evaluate(snap), lang="fr"),
    lambda snap, conn: readiness.render(readiness.evaluate(snap), lang=None),
    lambda snap, conn: readiness.load_snapshot(None),
    lambda snap, conn: readiness.load_snapshot(123),
    lambda snap, conn: readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token="t", concurrency=0),
    lambda snap, conn: readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token="t", concurrency="8"),
    lambda snap, conn: readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token=123),
    lambda snap, conn: readiness.plan("emergency-home-office", "kunde-a.json.gz", params={}),
    lambda snap, conn: readiness.plan("emergency-home-office", snap, params=["usage_location=DE"]),
    lambda snap, conn: readiness.plan("emergency-home-office", snap, params={"usage_location": "DE"}).save(123),
    lambda snap, conn: readiness.resume(None, conn),
    lambda snap, conn: readiness.verify(123, conn),
    lambda snap, conn: readiness.undo("some-run", "kunde-a"),
    lambda snap, conn: readiness.timeline(None),
    lambda snap, conn: readiness.get_check(None),
    lambda snap, conn: readiness.list_checks(area="no-such-area"),
    lambda snap, conn: readiness.serve_simulator("no-such-profile"),
    lambda snap, conn: readiness.serve_simulator(port=70000),
    lambda snap, conn: asyncio.run(readiness.aio.collect("kunde-a")),
    lambda snap, conn: asyncio.run(readiness.aio.plan("emergency-home-office", "kunde-a.json.gz")),
    lambda snap, conn: asyncio.run(readiness.aio.resume("some-run", "kunde-a")),
], ids=lambda _c: "")
def test_api_misuse_is_a_usage_error_that_says_what_to_pass(call) -> None:  # noqa: ANN001
    from readiness.collect.snapshot import Snapshot

    snap = Snapshot(tenant_id="t", tenant_name="T", cloud="global", endpoint="http://127.0.0.1:9/v1.0",
                    collected_at="2026-01-01T00:00:00Z")
    conn = readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token="t")
    with pytest.raises(readiness.UsageError) as info:
        call(snap, conn)
    assert info.value.what and info.value.fix and int(info.value.exit_code) == 2


def test_a_refused_token_stops_plan_and_apply_and_confirm_must_be_a_bool() -> None:
    with readiness.serve_simulator("unprepared-sme", seed=7) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        expired = readiness.connect(graph_url=sim.graph_url, token="expired")
        with pytest.raises(readiness.AuthError, match="refused"):  # not a plan with nothing to do
            readiness.plan("emergency-home-office", expired, params={"usage_location": "DE"})
        plan = readiness.plan("emergency-home-office", conn, params={"usage_location": "DE"})
        with pytest.raises(readiness.AuthError, match="refused"):  # not "the tenant changed since the plan"
            readiness.apply(plan, expired)
        with pytest.raises(readiness.UsageError, match="confirm must be"):
            readiness.apply(plan, conn, confirm="no")
        assert readiness.runs() == []  # nothing was applied


# -- issue 9, part 2: every command of the CLI is reachable through the API ------------------------------------------
class _MemoryKeyring:
    """An encrypted-looking keyring in memory (the suite's default backend refuses everything)."""

    priority = 1

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, user: str, value: str) -> None:
        self.saved[(service, user)] = value

    def get_password(self, service: str, user: str) -> str | None:
        return self.saved.get((service, user))

    def delete_password(self, service: str, user: str) -> None:
        self.saved.pop((service, user), None)


def test_tenant_profiles_from_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    added = readiness.add_tenant("kunde-a", "kunde-a.example", auth="token", graph_url="http://127.0.0.1:9/v1.0",
                                 tags=["msp", "msp"])
    assert added.became_default and added.previous_default is None and not added.needs_login  # the first profile
    assert added.profile.tags == ["msp"]
    second = readiness.add_tenant("kunde-b", "kunde-b.example", usage_location="de")
    assert not second.became_default and second.needs_login and second.profile.usage_location == "DE"
    with pytest.raises(readiness.UsageError):
        readiness.add_tenant("kunde-b", "other.example")  # the name exists
    listed = readiness.list_tenants()
    assert [p.name for p in listed.profiles] == ["kunde-a", "kunde-b"] and listed.default == "kunde-a"
    assert readiness.set_default_tenant("kunde-b") == "kunde-a" and readiness.list_tenants().default == "kunde-b"
    removed = readiness.remove_tenant("kunde-b")
    assert removed.was_default and removed.others_left and readiness.list_tenants().default is None
    with pytest.raises(readiness.ConfigError):
        readiness.get_tenant("kunde-b")


def test_a_client_secret_comes_from_a_function_and_goes_only_to_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    store = _MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: store)
    monkeypatch.setattr(keyring, "set_password", store.set_password)
    monkeypatch.setattr(keyring, "get_password", store.get_password)
    monkeypatch.setattr(keyring, "delete_password", store.delete_password)
    with pytest.raises(readiness.UsageError) as info:  # a value could have come from a command line
        readiness.add_tenant("kunde-s", "kunde-s.example", auth="client-secret", client_id="app", secret="s3cret")
    assert "function" in info.value.what and "s3cret" not in str(info.value)
    asked = []
    added = readiness.add_tenant("kunde-s", "kunde-s.example", auth="client-secret", client_id="app",
                                 secret=lambda: asked.append(1) or "s3cret-1")
    assert asked == [1] and added.secret_from == "keyring" and list(store.saved.values()) == ["s3cret-1"]
    assert "s3cret" not in json.dumps(readiness.tenant_record(added.profile))  # where it is kept, never what it is
    readiness.store_secret("kunde-s", lambda: "s3cret-2")
    assert list(store.saved.values()) == ["s3cret-2"]
    monkeypatch.setenv("READINESS_CLIENT_SECRET_KUNDE_T", "from-env")
    env = readiness.add_tenant("kunde-t", "kunde-t.example", auth="client-secret", client_id="app",
                               secret=lambda: pytest.fail("not asked: the environment holds it"))
    assert env.secret_from == "environment" and len(store.saved) == 1  # nothing stored
    readiness.remove_tenant("kunde-s")
    assert store.saved == {}  # the secret goes with the profile


def test_check_tenant_says_what_the_token_grants_without_the_token() -> None:
    with readiness.serve_simulator() as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.issue_token(without=("Mail.Send",)))
        result = readiness.check_tenant(conn)
        again = asyncio.run(readiness.aio.check_tenant(conn))
    assert result.status == 200 and result.subscriptions > 0 and result.permissions_readable
    rows = [r for rows in result.features.values() for r in rows if r.permission == "Mail.Send"]
    assert rows and not any(r.granted for r in rows) and result.missing >= len(rows)
    assert result.token_expires is None or result.token_expires.endswith("Z")
    assert again.missing == result.missing and sim.token not in repr(result)


def test_apply_knows_a_plan_file_by_its_content_and_refuses_a_file_that_is_neither(tmp_path: Path) -> None:
    with readiness.serve_simulator(seed=11) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        snap = readiness.collect(conn)
        params = emergency_params(snap)
        plan = readiness.plan("emergency-home-office", conn, params=params)
        saved = tmp_path / "emergency.plan"  # no .json: the content says what it is
        readiness.save_plan(plan, saved)
        assert json.loads(saved.read_text("utf-8"))["kind"] == "readiness.plan"
        with pytest.raises(readiness.UsageError) as info:
            readiness.apply(str(saved), conn, params={"sender": "x@example.com"})  # a plan carries its parameters
        assert info.value.key == "plan.plan_has_params"
        snap.save(tmp_path / "snapshot.json")
        snap.save(tmp_path / "snapshot.json.gz")  # not even text
        for neither in (tmp_path / "snapshot.json", tmp_path / "snapshot.json.gz", tmp_path / "numbers.json"):
            if not neither.exists():
                neither.write_text("[1, 2, 3]", "utf-8")
            with pytest.raises(readiness.UsageError) as info:
                readiness.apply(str(neither), conn)
            assert info.value.key == "plan.neither" and str(neither) in info.value.what
        run = readiness.apply(str(saved), conn)
        assert run.status == "complete" and run.done == len(plan.changes)
        assert readiness.run_info(run.run_id).total == len(plan.changes) and run.run_id in readiness.run_ids()
        # a playbook by name with its parameters: planned and applied in one read, nothing left to do now
        again = readiness.apply("emergency-home-office", conn, params=params)
    assert again.status == "nothing_to_do" and again.run_id is None


@pytest.mark.slow
def test_a_fleet_is_served_onboarded_and_audited_in_one_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with readiness.serve_fleet_simulator(2, folder=tmp_path) as fleet:
        for line in fleet.env_path.read_text("utf-8").splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            monkeypatch.setenv(name, value)
        report = readiness.import_tenants(fleet.csv_path)
        names = [r.name for r in report.added]
        assert len(names) == 2 and not report.invalid
        assert inspect.iscoroutinefunction(readiness.aio.fleet_audit)
        result = asyncio.run(readiness.aio.fleet_audit(names, tmp_path / "audits", html=False))
    assert sorted(e["name"] for e in result.entries) == sorted(names) and result.failed == [] and result.exit_code == 0
    assert all((tmp_path / "audits" / n).is_dir() for n in names)


def test_demo_from_a_script_writes_a_private_report_and_plans_offline(tmp_path: Path) -> None:
    shown = readiness.demo(seed=7, size=40, lang="de", report=tmp_path / "demo.html")
    assert stat.S_IMODE(shown.report.stat().st_mode) == 0o600 and 'lang="de"' in shown.report.read_text("utf-8")
    assert shown.plan.granted is None and shown.plan.changes  # planned from the snapshot
    assert shown.params["team_owners"] in {p["userPrincipalName"] for p in shown.audit.people}
    assert shown.params["team_owners"] in shown.plan_command
