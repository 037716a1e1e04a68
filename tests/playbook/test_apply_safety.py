"""The promise, point by point: the lock through the prompt, look-ups that survive hostile names, the tenant guard,
Retry-After across processes, verify of the whole state, undo of partial applies, the mail confirmed, no fcntl."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.playbook.crashlib import kill_apply
from tests.playbook.helpers import duplicates, mails, params, state, tenant, write_playbook


def invoke(server, *args, token: str | None = None):  # noqa: ANN001
    return CliRunner().invoke(cli, [*args, "--graph-url", server.base_url],
                              env={"READINESS_ACCESS_TOKEN": token or server.sim.issue_token()})


def run_id_of(output: str) -> str:
    return next(w for line in output.splitlines() if line.startswith("Run ") for w in [line.split()[1].rstrip(":")])


# -- structure ----------------------------------------------------------------------------------------
def test_planning_imports_no_network_code() -> None:
    code = ("import sys, readiness.playbook.planner, readiness.playbook.undo; "
            "print(sorted(m for m in ('httpx', 'kiota_abstractions', 'msgraph', 'readiness.graph.client', "
            "'readiness.playbook.applier') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_engine_and_the_cli_name_no_action_type() -> None:
    from readiness.playbook.steps import ACTIONS

    root = Path(__file__).parents[2] / "readiness"
    files = [root / "playbook" / f for f in ("applier.py", "planner.py", "undo.py", "verify.py", "service.py", "model.py",
                                             "runs.py", "contract.py")] + [root / "cli" / "playbook.py"]
    for f in files:
        text = f.read_text("utf-8")
        named = [a for a in ACTIONS if a in text]
        assert not named, f"{f.name} names {named}"


def test_change_inverted_swaps_before_and_after() -> None:
    from readiness.playbook.model import Change, Request

    c = Change("s:k", "s", "x", "update", "t", "k", {"v": 1}, {"v": 2}, (Request("PATCH", "/a", {"v": 2}),), data={"path": "/a"})
    inv = c.inverted([Request("PATCH", "/a", {"v": 1})])
    assert (inv.id, inv.key, inv.before, inv.after, inv.data["undo"], inv.data["undo_of"]) == ("undo:s:k", "undo:k", {"v": 2}, {"v": 1}, True, "s:k")


# -- the prompt race ----------------------------------------------------------------------------------
def test_two_applies_and_a_prompt_left_open_send_nothing_twice(tmp_path: Path) -> None:
    from readiness.config.connection import resolve
    from readiness.playbook import service

    t = tenant()
    book = write_playbook(tmp_path)
    overrides = dict(p.split("=", 1) for p in params(t)[1::2])
    with SimulatorServer(Simulator(t)) as server:
        token = server.sim.issue_token()
        at_prompt, go = threading.Event(), threading.Event()
        out: dict = {}

        def confirm(_plan) -> bool:  # noqa: ANN001
            at_prompt.set()
            return go.wait(30)

        def first() -> None:
            import os

            os.environ["READINESS_ACCESS_TOKEN"] = token
            conn = resolve(None, server.base_url, writes=True)
            out["a"] = asyncio.run(service.apply(str(book), lambda: conn.open(), conn, params=overrides, confirm=confirm))

        a = threading.Thread(target=first)
        a.start()
        assert at_prompt.wait(30)
        b = invoke(server, "playbook", "apply", str(book), *params(t), "--yes", token=token)  # while A waits at its prompt
        assert b.exit_code == 1 and "Another apply" in b.output, b.output
        go.set()
        a.join(60)
        assert out["a"].result.complete
        again = invoke(server, "playbook", "apply", str(book), *params(t), "--yes", token=token)
        assert again.exit_code == 0 and "Nothing to do" in again.output, again.output
    assert mails(t) == 1 and set(duplicates(t).values()) == {0}


# -- hostile names ------------------------------------------------------------------------------------
HOSTILE = "R&D + Ops 'Süd' #1 100% ?"
HOSTILE_BOOK = """
name: hostile-names
description: natural keys with & + ' # % ? spaces and umlauts
parameters: {owner: ""}
steps:
  - {id: team, action: create_team, params: {name: "R&D + Ops 'Süd' #1 100% ?", owners: ["${owner}"], channels: [Lager]}, select: {departments: [IT]}}
  - {id: compliance, action: compliance_policy, params: {platforms: [android], name_prefix: "Ä&Ö + 'x' #2 50% ?"}}
  - {id: ca, action: conditional_access, params: {name: "MFA & more + 'Zöe' #3 % ?", break_glass: ["${owner}"]}}
  - {id: invite, action: invite_guests, params: {csv: hostile.csv}}
"""
HOSTILE_CSV = "email,displayName\nanna+extern&co@kanzlei.example,Anna\no#b%c?d@kanzlei.example,O\nzoë.müller@kanzlei.example,Zoë\n"


def test_query_values_are_encoded_by_the_sdk() -> None:
    from readiness.playbook.query import odata_string, url

    got = url("/groups", {"$filter": f"displayName eq {odata_string(HOSTILE)}", "$select": "id,displayName"})
    path, _, query = got.partition("?")
    assert path == "/groups" and query.startswith("$filter=") and "&$select=" in query
    value = query.split("&$select=")[0]
    assert not any(ch in value for ch in "&+#?' ") and "%27%27S%C3%BCd%27%27" in value  # '' inside, umlaut as UTF-8


def test_hostile_names_are_found_again_on_resume_not_created_twice(tmp_path: Path) -> None:
    t = tenant()
    (tmp_path / "hostile.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    book = tmp_path / "hostile.yaml"
    book.write_text(HOSTILE_BOOK, encoding="utf-8")
    owner = params(t)[1]
    with SimulatorServer(Simulator(t)) as server:
        first = invoke(server, "playbook", "apply", str(book), "-p", owner, "--yes")
        assert first.exit_code == 0, first.output
        # as if every create had crashed between its request and its answer: only "start" is in the journal
        from readiness.playbook.runs import RunStore

        run = run_id_of(first.output)
        r = RunStore().get(run)
        kept = [e for e in r.entries() if e.get("phase") == "start"]
        r.journal_path.write_text("".join(json.dumps(e) + "\n" for e in kept), encoding="utf-8")
        seen = len(server.sim.conduct.requests)
        again = invoke(server, "playbook", "resume", run, "--yes")
        assert again.exit_code == 0, again.output
        assert "found already in effect" in again.output
        creates = [p for _, m, p, s in server.sim.conduct.requests[seen:] if m == "POST" and p.split("?")[0] in (
            "/teams", "/invitations", "/deviceManagement/deviceCompliancePolicies", "/identity/conditionalAccess/policies")]
        assert creates == []  # every object was found again by its natural key
    assert set(duplicates(t).values()) == {0}, duplicates(t)
    assert sum(1 for g in t.groups if g["displayName"] == HOSTILE) == 1
    assert {"anna+extern&co@kanzlei.example", "o#b%c?d@kanzlei.example", "zoë.müller@kanzlei.example"} <= {
        u["mail"] for u in t.users if u["userType"] == "Guest"}


# -- the tenant guard ---------------------------------------------------------------------------------
def test_a_plan_for_one_tenant_is_refused_with_another_tenants_token(tmp_path: Path) -> None:
    from readiness.simulator import tokens

    a, b = tenant(seed=5), generate_tenant("enterprise", seed=6, size=60)
    assert a.tenant_id != b.tenant_id
    book = tmp_path / "sharing.yaml"
    book.write_text("name: sharing\ndescription: x\nsteps:\n  - {id: s, action: sharing_settings, params: {sharingCapability: disabled}}\n")
    saved = tmp_path / "plan.json"
    with SimulatorServer(Simulator(a)) as server:
        r = invoke(server, "playbook", "plan", str(book), "--out", str(saved))
        assert r.exit_code == 0, r.output
    assert json.loads(saved.read_text())["plan"]["tenant_id"] == a.tenant_id
    with SimulatorServer(Simulator(b)) as server:
        before = dict(b.sharepoint_settings)
        no_org = [x for x in tokens.ALL_ROLES if x not in ("Organization.Read.All", "Directory.Read.All")]
        for token in (server.sim.issue_token(), server.sim.issue_token(no_org)):  # /organization readable or not
            r = invoke(server, "playbook", "apply", str(saved), "--yes", token=token)
            assert r.exit_code == 1 and "plan was made for tenant" in r.output, r.output
        assert b.sharepoint_settings == before


def test_resume_refuses_a_token_of_another_tenant(tmp_path: Path) -> None:
    from readiness.simulator import tokens

    t = tenant()
    book = write_playbook(tmp_path)
    with SimulatorServer(Simulator(t)) as server:
        killed, _ = kill_apply(book, t, server.base_url, server.sim.issue_token(), Path(__import__("os").environ["READINESS_HOME"]),
                               after_lines=10)
        assert killed
        from readiness.playbook.runs import RunStore

        run = RunStore().all()[-1].id
        foreign = tokens.issue(server.sim._secret, "11111111-2222-3333-4444-555555555555", tokens.ALL_ROLES)
        r = invoke(server, "playbook", "resume", run, "--yes", token=foreign)
        assert r.exit_code == 1 and "plan was made for tenant" in r.output, r.output
        assert invoke(server, "playbook", "resume", run, "--yes").exit_code == 0


# -- Retry-After across processes -----------------------------------------------------------------------
def test_a_throttled_create_records_its_retry_after() -> None:
    from readiness.graph.client import GraphResponse
    from readiness.graph.stats import ThrottleGate
    from readiness.playbook.applier import Engine
    from readiness.playbook.contract import Lost
    from readiness.playbook.throttle import Deadline

    class Client:
        gate = ThrottleGate()

        async def request(self, method, path, body=None, **_kw):  # noqa: ANN001, ANN003
            return GraphResponse(503, {"retry-after": "30"}, b"{}")

    deadline = Deadline()
    with pytest.raises(Lost):
        asyncio.run(Engine(Client(), None, deadline).send("POST", "/teams", {}, idempotent=False))
    assert 25 < deadline.left() <= 30


def test_the_next_process_waits_for_the_recorded_not_before_time(tmp_path: Path) -> None:
    from readiness.playbook import throttle

    t = tenant()
    book = tmp_path / "sharing.yaml"
    book.write_text("name: sharing\ndescription: x\nsteps:\n  - {id: s, action: sharing_settings, params: {sharingCapability: disabled}}\n")
    with SimulatorServer(Simulator(t)) as server:
        throttle.record(t.tenant_id, 1.5)  # what the previous process kept after a 429 with Retry-After
        recorded = time.monotonic()
        r = invoke(server, "playbook", "apply", str(book), "--yes")
        assert r.exit_code == 0, r.output
        first = min(at for at, *_ in server.sim.conduct.requests)
    assert first >= recorded + 1.3
    assert "waiting" in r.output


# -- verify reads the whole state ----------------------------------------------------------------------
def test_verify_finds_missing_members_and_assignments(tmp_path: Path) -> None:
    t = tenant()
    book = write_playbook(tmp_path)
    with SimulatorServer(Simulator(t)) as server:
        r = invoke(server, "playbook", "apply", str(book), *params(t), "--yes")
        assert r.exit_code == 0, r.output
        run = run_id_of(r.output)
        assert invoke(server, "playbook", "verify", run).exit_code == 0
        team = next(g["id"] for g in t.groups if g["displayName"] == "Krisenstab")
        t.team_members[team].pop()  # someone removed a member; the team still exists under its name
        next(p for p in t.compliance_policies if p["displayName"].startswith("readiness"))["_assignments"] = []
        v = invoke(server, "playbook", "verify", run)
    assert v.exit_code == 4, v.output
    assert "members missing" in v.output and "not assigned" in v.output


# -- undo after partial applies ------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("line", [6, 21, 38])
def test_undo_after_a_partial_apply_reverses_what_took_effect_and_can_run_again(line: int, tmp_path: Path) -> None:
    import os

    t = tenant()
    before = state(t)
    book = write_playbook(tmp_path)
    with SimulatorServer(Simulator(t, __import__("readiness.simulator", fromlist=["Faults"]).Faults(latency=0.02))) as server:
        killed, _ = kill_apply(book, t, server.base_url, server.sim.issue_token(), Path(os.environ["READINESS_HOME"]), after_lines=line)
        assert killed
        from readiness.playbook.runs import RunStore

        run = RunStore().all()[-1].id
        u = invoke(server, "playbook", "undo", run, "--yes")
        assert u.exit_code == 0, u.output
        again = invoke(server, "playbook", "undo", run, "--yes")  # idempotent: nothing left, no 404 failures
        assert again.exit_code == 0 and "failed" not in again.output.replace("0 failed", ""), again.output
    after = state(t)
    assert after == before, {k for k in before if before[k] != after[k]}
    assert set(duplicates(t).values()) == {0}


# -- the mail, confirmed ------------------------------------------------------------------------------
class FakeIo:
    """A mailbox with Drafts and Sent Items; ``lose`` lists request kinds whose answers are lost."""

    def __init__(self, lose: tuple[str, ...] = (), deliver_lost: bool = True, in_doubt: bool = False) -> None:
        self.drafts: dict[str, dict] = {}
        self.sent: list[dict] = []
        self.lose = list(lose)
        self.deliver_lost = deliver_lost
        self.values: dict = {}
        self.marker = "readiness:run:mail"
        self.in_doubt = in_doubt
        self.entries: list[dict] = []

    async def request(self, method, path, body=None, *, idempotent=True, query=None, headers=None):  # noqa: ANN001, ANN201
        from readiness.errors import GraphError
        from readiness.playbook.contract import Lost

        class Resp:
            def __init__(self, doc):  # noqa: ANN001
                self.doc = doc

            def json(self):  # noqa: ANN201
                return self.doc

        if method == "GET":
            folder = self.sent if "/sentitems/" in path else list(self.drafts.values())
            return Resp({"value": [m for m in folder if m["marker"] in query["$filter"]]})
        kind = "send" if path.endswith("/send") else "draft"
        lost = kind in self.lose
        if lost:
            self.lose.remove(kind)
        if kind == "draft":
            mid = f"m{len(self.drafts) + len(self.sent)}"
            self.drafts[mid] = {"id": mid, "marker": body["singleValueExtendedProperties"][0]["value"]}
            result = {"id": mid}
        else:
            mid = path.split("/messages/")[1].split("/")[0]
            if mid not in self.drafts:
                raise GraphError("not found", status=404)
            if lost and not self.deliver_lost:
                raise Lost("dropped before it arrived")
            self.sent.append(self.drafts.pop(mid))
            result = {}
        if lost:
            raise Lost("dropped")
        return Resp(result)

    def journal(self, entry: dict) -> None:
        self.entries.append(entry)


def _mail_change():  # noqa: ANN202
    from readiness.playbook.model import Change, Request

    return Change("mail:x", "mail", "send_announcement", "send", "3 recipients", "mail:x", None, {}, (
        Request("POST", "/users/u1/messages", {"subject": "s", "singleValueExtendedProperties": [{"id": "x", "value": "{marker}"}]},
                idempotent=False), Request("POST", "/users/u1/messages/{draft}/send", idempotent=False)), True,
        {"sender_id": "u1"})


@pytest.mark.parametrize(("lose", "deliver", "outcome", "sent"), [
    ((), True, "done", 1),
    (("draft",), True, "done", 1),  # the draft's answer lost: found in Drafts by its marker, not made twice
    (("send",), True, "done", 1),  # /send's answer lost after it went out: found in Sent Items, not sent again
    (("send",), False, "done", 1),  # /send lost before it arrived: still a draft, so sent (once)
])
def test_the_announcement_goes_out_exactly_once(lose, deliver, outcome, sent, monkeypatch) -> None:  # noqa: ANN001
    from readiness.playbook.steps import send_announcement

    monkeypatch.setattr(send_announcement, "CONFIRM_WAITS", (0.0,))
    io = FakeIo(lose, deliver)
    assert asyncio.run(send_announcement.apply(_mail_change(), io)) == outcome
    assert len(io.sent) == sent and not io.drafts


def test_a_mail_that_cannot_be_confirmed_is_unknown_not_sent(monkeypatch) -> None:  # noqa: ANN001
    from readiness.playbook.steps import send_announcement

    monkeypatch.setattr(send_announcement, "CONFIRM_WAITS", (0.0,))
    io = FakeIo(("send",), True)
    io.sent_hidden = True

    async def hide(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        return None  # Sent Items and Drafts cannot show it (the mailbox is slow or the message moved elsewhere)

    monkeypatch.setattr(send_announcement, "_find", hide)
    assert asyncio.run(send_announcement.apply(_mail_change(), io)) == "unknown"


def test_the_plan_names_both_mail_permissions(tmp_path: Path) -> None:
    t = tenant()
    book = write_playbook(tmp_path)
    with SimulatorServer(Simulator(t)) as server:
        r = invoke(server, "playbook", "plan", str(book), *params(t), "-o", "json")
    needed = json.loads(r.stdout)["data"]["permissions"]["needed"]
    assert {"Mail.ReadWrite", "Mail.Send"} <= set(needed)


# -- portable locks ------------------------------------------------------------------------------------
def test_plan_and_runs_work_without_fcntl(tmp_path: Path) -> None:
    import os

    t = tenant()
    book = write_playbook(tmp_path)
    snap = tmp_path / "snap.json.gz"
    with SimulatorServer(Simulator(t)) as server:
        r = invoke(server, "audit", "--snapshot-out", str(snap))
        assert snap.exists(), r.output
    script = ("import sys; sys.modules['fcntl'] = None\n"  # import fcntl now raises ImportError, as on Windows
              "from readiness.cli import main\n"
              "from readiness.playbook.runs import TenantLock\n"
              "with TenantLock('t'):\n    pass\n"
              "sys.argv = ['readiness'] + sys.argv[1:]\nmain()\n")
    env = {**os.environ, "READINESS_HOME": str(tmp_path / "home")}
    for args in (["playbook", "plan", str(book), "--from-snapshot", str(snap), *params(t)], ["playbook", "runs"]):
        p = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
        assert p.returncode == 0, p.stderr
        assert "Traceback" not in p.stderr
    assert "fcntl" not in (Path(__file__).parents[2] / "readiness" / "playbook" / "runs.py").read_text()


def test_undo_is_idempotent_and_resumable(tmp_path: Path) -> None:
    from readiness.playbook.runs import RunStore

    t = tenant()
    before = state(t)
    book = write_playbook(tmp_path)
    with SimulatorServer(Simulator(t)) as server:
        r = invoke(server, "playbook", "apply", str(book), *params(t), "--yes")
        assert r.exit_code == 0, r.output
        run = run_id_of(r.output)
        team = next(g for g in t.groups if g["displayName"] == "Krisenstab")
        t.groups.remove(team)  # someone deleted the team already: undo finds nothing to delete, and that is success
        for store in (t.teams, t.channels, t.team_members, t.group_members):
            store.pop(team["id"], None)
        t.reindex()
        u = invoke(server, "playbook", "undo", run, "--yes")
        assert u.exit_code == 0, u.output
        # as if that undo had crashed after sending, before journaling: half its confirmations are gone
        undo_run = next(x for x in RunStore().all() if x.meta().get("undo_of") == run)
        entries = list(undo_run.entries())
        done = [i for i, e in enumerate(entries) if e.get("phase") == "done"]
        drop = set(done[len(done) // 2:])
        undo_run.journal_path.write_text("".join(json.dumps(e) + "\n" for i, e in enumerate(entries) if i not in drop))
        again = invoke(server, "playbook", "undo", run, "--yes")
        assert again.exit_code == 0, again.output
        assert f"{len(drop)} found already in effect" in again.output  # looked up, not sent again
        last = invoke(server, "playbook", "undo", run, "--yes")
        assert last.exit_code == 0 and "Nothing to undo" in last.output, last.output
    after = state(t)
    assert after == {**before, "groups": after["groups"], "teams": after["teams"]}
    assert "Krisenstab" not in after["groups"]


def test_a_guest_with_an_apostrophe_is_invited_once_and_found_again_on_resume(tmp_path: Path) -> None:
    """Found by an independent check: `o'brien@...` (an apostrophe is valid in an address's local part, RFC 5322
    atext) was refused as "not an e-mail address"; the look-up by e-mail doubles it inside the OData string."""
    t = tenant()
    (tmp_path / "g.csv").write_text("email,displayName\no'brien+ext@kanzlei.example,Seán O'Brien\n", encoding="utf-8")
    book = tmp_path / "g.yaml"
    book.write_text("name: g\ndescription: x\nsteps:\n  - {id: invite, action: invite_guests, params: {csv: g.csv}}\n")
    with SimulatorServer(Simulator(t)) as server:
        first = invoke(server, "playbook", "apply", str(book), "--yes")
        assert first.exit_code == 0, first.output
        from readiness.playbook.runs import RunStore

        run = run_id_of(first.output)
        r = RunStore().get(run)
        kept = [e for e in r.entries() if e.get("phase") == "start"]  # as if it crashed before the answer
        r.journal_path.write_text("".join(json.dumps(e) + "\n" for e in kept), encoding="utf-8")
        seen = len(server.sim.conduct.requests)
        again = invoke(server, "playbook", "resume", run, "--yes")
        assert again.exit_code == 0, again.output
        assert [p for _, m, p, s in server.sim.conduct.requests[seen:] if m == "POST" and p.startswith("/invitations")] == []
    assert sum(1 for u in t.users if u.get("mail") == "o'brien+ext@kanzlei.example") == 1
