"""Every command that prints a result speaks the same way (issue 12): `-o json --query EXPR` prints what the JMESPath
expression selects from the JSON envelope, `--out FILE` writes the result into a file readable by the user alone
(and nothing to stdout), and --query with any other format is refused before anything is collected or changed.

One simulated tenant over real HTTP serves every command; a profile, a snapshot, a run and a fleet audit are made
once per module in a readiness home of its own. CliRunner's streams are pipes, not terminals.
"""
from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

BOOK = "name: sharing\ndescription: links for people in the organisation only\nsteps:\n" \
       "  - {id: s, action: sharing_settings, params: {sharingCapability: existingExternalUserSharingOnly}}\n"


@dataclass
class World:
    home: Path
    url: str
    token: str
    snapshot: Path
    book: Path
    run: str
    fleet_dir: Path
    clients_csv: Path
    owner: str
    sim: Simulator

    def env(self) -> dict[str, str]:
        return {"READINESS_HOME": str(self.home), "READINESS_ACCESS_TOKEN": self.token, "READINESS_LANG": "en"}

    def invoke(self, args: list[str]):
        return CliRunner().invoke(cli, args, env=self.env())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("every-command")
    t = generate_tenant("unprepared-sme", seed=7)
    owner = next(u["userPrincipalName"] for u in t.users if u["department"] == "IT" and u["accountEnabled"])
    with SimulatorServer(Simulator(t)) as server:
        book = root / "sharing.yaml"
        book.write_text(BOOK, encoding="utf-8")
        clients = root / "clients.csv"
        clients.write_text(f"name,tenant_id,auth,graph_url\nneu,neu.example,token,{server.base_url}\n", encoding="utf-8")
        w = World(root / "home", server.base_url, server.sim.issue_token(), root / "snap.json.gz", book, "",
                  root / "fleet", clients, owner, server.sim)
        steps = [["tenant", "add", "lab", "--tenant-id", "lab.example", "--auth", "token", "--graph-url", w.url, "--default"],
                 ["audit", "--tenant", "lab", "--snapshot-out", str(w.snapshot), "-o", "json"],
                 ["measures", "add", "--tenant", "lab", "--check", "identity.mfa_registration", "--owner", "IT"],
                 ["fleet", "audit", "--tenants", "lab", "--out-dir", str(w.fleet_dir), "--no-html", "-o", "json"]]
        for args in steps:
            r = w.invoke(args)
            assert r.exit_code == 0, (args, r.output)
        applied = w.invoke(["playbook", "apply", str(book), "--graph-url", w.url, "-y", "-o", "json"])
        assert applied.exit_code == 0, applied.output
        w.run = json.loads(applied.stdout)["data"]["run"]
        yield w


# (id, arguments, JMESPath expression, what the selection must satisfy)
Args = Callable[[World], list[str]]
COMMANDS: list[tuple[str, Args, str, Callable[[object], bool]]] = [
    ("audit", lambda w: ["audit", "--graph-url", w.url], "data.summary.people", lambda v: isinstance(v, int) and v > 0),
    ("audit-profile", lambda w: ["audit", "--tenant", "lab"], "command", lambda v: v == "audit"),
    ("report", lambda w: ["report", str(w.snapshot)], "data.summary.ready", lambda v: isinstance(v, int)),
    ("checks-list", lambda w: ["checks", "list"], "data[?id=='identity.mfa_registration'].severity",
     lambda v: v == ["critical"]),
    ("checks-show", lambda w: ["checks", "show", "identity.mfa_registration"], "data.requires",
     lambda v: isinstance(v, list) and v),
    ("tenant-list", lambda w: ["tenant", "list"], "data[?default].name", lambda v: v == ["lab"]),
    ("tenant-show", lambda w: ["tenant", "show", "lab"], "data.graph_url", lambda v: v.startswith("http://127.0.0.1:")),
    ("tenant-test", lambda w: ["tenant", "test", "lab"], "data.status", lambda v: v == 200),
    ("tenant-import", lambda w: ["tenant", "import", str(w.clients_csv), "--dry-run"], "data.rows[0].name",
     lambda v: v == "neu"),
    ("playbook-list", lambda w: ["playbook", "list"], "data[].name", lambda v: "emergency-home-office" in v),
    ("playbook-show", lambda w: ["playbook", "show", "emergency-home-office"], "data.playbook.name",
     lambda v: v == "emergency-home-office"),
    ("playbook-actions", lambda w: ["playbook", "actions"], "data[?name=='add_to_group'].params[0].required",
     lambda v: v == [True]),
    ("playbook-validate", lambda w: ["playbook", "validate", str(w.book)], "data.steps[0].action",
     lambda v: v == "sharing_settings"),
    ("playbook-plan", lambda w: ["playbook", "plan", str(w.book), "--graph-url", w.url], "command",
     lambda v: v == "playbook plan"),
    ("playbook-apply", lambda w: ["playbook", "apply", str(w.book), "--graph-url", w.url, "-y"], "data.nothing_to_do",
     lambda v: v is True),
    ("playbook-resume", lambda w: ["playbook", "resume", w.run, "--graph-url", w.url, "-y"], "status",
     lambda v: v == "success"),
    ("playbook-verify", lambda w: ["playbook", "verify", w.run, "--graph-url", w.url], "data.verified", lambda v: v is True),
    ("playbook-runs", lambda w: ["playbook", "runs"], "data[0].run", lambda v: isinstance(v, str) and v),
    ("playbook-timeline", lambda w: ["playbook", "timeline", w.run], "data.run", lambda v: isinstance(v, str) and v),
    ("playbook-lessons", lambda w: ["playbook", "lessons", w.run], "data.run_id", lambda v: isinstance(v, str) and v),
    ("measures-list", lambda w: ["measures", "list", "--tenant", "lab"], "data.measures[0].owner", lambda v: v == "IT"),
    ("measures-export", lambda w: ["measures", "export", "--tenant", "lab"], "data.measures[0].source",
     lambda v: "identity.mfa_registration" in json.dumps(v)),
    ("fleet-report", lambda w: ["fleet", "report", str(w.fleet_dir)], "data.tenants[0].name", lambda v: v == "lab"),
    ("history", lambda w: ["history", "--tenant", "lab"], "data", lambda v: bool(v)),
    ("demo", lambda w: ["demo", "--report", str(w.home.parent / "demo.html")], "data.audit.summary.people",
     lambda v: isinstance(v, int) and v > 0),
    ("drill", lambda w: ["drill", str(w.book), "--from-snapshot", str(w.snapshot)], "command", lambda v: v == "drill"),
]
SLOW = {"demo", "drill", "audit", "audit-profile"}


def _params():
    return [pytest.param(*c, id=c[0], marks=[pytest.mark.slow] if c[0] in SLOW else []) for c in COMMANDS]


@pytest.mark.parametrize("name,args,query,ok", _params())
def test_json_query_on_every_result_command(world: World, name: str, args: Args, query: str, ok) -> None:
    r = world.invoke([*args(world), "-o", "json", "--query", query])
    assert r.exit_code == 0, (name, r.output)
    selected = json.loads(r.stdout)
    assert ok(selected), (name, query, selected)


@pytest.mark.parametrize("name,args,query,ok", _params())
def test_out_file_on_every_result_command(world: World, name: str, args: Args, query: str, ok, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    r = world.invoke([*args(world), "-o", "json", "--out", str(out)])
    assert r.exit_code == 0, (name, r.output)
    doc = json.loads(out.read_text("utf-8"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, name  # results name people and tenants: the user's alone
    if name == "playbook-plan":  # plan --out saves the signed plan for `playbook apply`; the plan is still shown
        assert doc["plan"]["playbook"] == "sharing" and "signature" in doc
        assert json.loads(r.stdout)["command"] == "playbook plan"
        return
    assert r.stdout == "", name  # the result went to the file, not also to stdout
    assert doc["schema_version"] == 1 and doc["status"] in ("success", "partial") and doc["errors"] == [], name
    words = [a for a in args(world) if not a.startswith(("-", "/", "http"))]
    assert doc["command"] in (words[0], " ".join(words[:2])), (name, doc["command"])


@pytest.mark.parametrize("name,args,query,ok", [c for c in _params() if c.id not in ("demo", "drill")])
def test_query_without_json_is_refused_before_any_request(world: World, name: str, args: Args, query: str, ok) -> None:
    before = len(world.sim.conduct.requests)
    r = world.invoke([*args(world), "-o", _other_format(name), "--query", query])
    assert r.exit_code == 2, (name, r.output)
    assert "--query works on JSON output only" in r.output and "Traceback" not in r.output
    assert len(world.sim.conduct.requests) == before, name  # refused up front: nothing read, nothing changed


def _other_format(name: str) -> str:
    return {"playbook-show": "yaml", "playbook-lessons": "md", "drill": "md", "measures-export": "csv"}.get(name, "table")


@pytest.mark.parametrize("args,command,code", [
    (["tenant", "show", "nope"], "tenant show", 1),
    (["playbook", "timeline", "nope"], "playbook timeline", 2),
    (["checks", "show", "nope"], "checks show", 2),
    (["playbook", "show", "nope.yaml"], "playbook show", 2),
])
def test_errors_of_every_command_come_as_the_envelope_with_json(world: World, args: list[str], command: str, code: int) -> None:
    r = world.invoke([*args, "-o", "json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == code == doc["exit_code"] and doc["status"] == "error" and doc["command"] == command
    assert doc["errors"][0]["message"].startswith("Error: ") and "Traceback" not in r.output


def test_undo_speaks_json_with_query_and_out_and_keeps_its_warnings_on_stderr(tmp_path: Path) -> None:
    """`playbook undo -o json --query` and `--out`: the result alone on stdout or in the file, the warnings on stderr."""
    t = generate_tenant("unprepared-sme", seed=7)
    with SimulatorServer(Simulator(t)) as server:
        book = tmp_path / "sharing.yaml"
        book.write_text(BOOK, encoding="utf-8")
        env = {"READINESS_HOME": str(tmp_path / "home"), "READINESS_ACCESS_TOKEN": server.sim.issue_token(),
               "READINESS_LANG": "en"}
        runner = CliRunner()
        applied = runner.invoke(cli, ["playbook", "apply", str(book), "--graph-url", server.base_url, "-y", "-o", "json"], env=env)
        assert applied.exit_code == 0, applied.output
        run = json.loads(applied.stdout)["data"]["run"]
        out = tmp_path / "undo.json"
        undone = runner.invoke(cli, ["playbook", "undo", run, "--graph-url", server.base_url, "-y", "-o", "json",
                                     "--out", str(out)], env=env)
        assert undone.exit_code == 0, undone.output
        assert undone.stdout == "" and "sharing" in undone.stderr.lower()
        doc = json.loads(out.read_text("utf-8"))
        assert doc["command"] == "playbook undo" and doc["data"]["done"] == 1 and doc["status"] == "success"
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        again = runner.invoke(cli, ["playbook", "undo", run, "--graph-url", server.base_url, "-y", "-o", "json",
                                    "--query", "data.nothing_to_do"], env=env)
        assert again.exit_code == 0 and json.loads(again.stdout) is True, again.output
