"""MSP safety with profiles: every command that uses a profile names it on stderr first; making or changing
the default is announced; removing the default promotes no other profile."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.config.profiles import ProfileStore
from readiness.simulator import Simulator
from readiness.simulator.server import SimulatorServer
from tests.playbook.helpers import params, tenant, write_playbook


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def add(name: str, *extra: str):
    r = invoke("tenant", "add", name, "--tenant-id", f"{name}.example", *extra)
    assert r.exit_code == 0, r.output
    return r


def test_first_profile_becomes_default_and_says_so() -> None:
    r = add("kunde-a")
    assert "kunde-a is now the default profile (there was none before)." in r.stderr
    second = add("kunde-b")
    assert "default" not in second.stderr  # a second profile never takes the default silently
    assert ProfileStore().list()[1] == "kunde-a"


def test_changing_the_default_is_announced_with_the_previous_one() -> None:
    add("kunde-a")
    add("kunde-b")
    r = invoke("tenant", "default", "kunde-b")
    assert r.exit_code == 0 and r.stderr == "kunde-b is now the default profile (was kunde-a).\n"
    again = invoke("tenant", "default", "kunde-b")
    assert again.stderr == "kunde-b is already the default profile.\n"
    made = add("kunde-c", "--default")
    assert "kunde-c is now the default profile (was kunde-b)." in made.stderr
    assert ProfileStore().list()[1] == "kunde-c"


def test_removing_the_default_leaves_no_default_and_says_so() -> None:
    add("kunde-a")
    add("kunde-b")
    r = invoke("tenant", "remove", "kunde-a", "--yes")
    assert r.exit_code == 0
    assert "'kunde-a' was the default profile; there is no default now" in r.stderr
    assert "readiness tenant default NAME" in r.stderr
    assert ProfileStore().list()[1] is None
    listing = invoke("tenant", "list")
    assert "No default profile" in listing.stderr and "*" not in listing.stdout
    # a reading command without --tenant does not fall back to the remaining profile
    audit = invoke("audit")
    assert audit.exit_code == 2 and "no default profile" in audit.output and "kunde-b" not in audit.output
    # a profile added while others exist does not become the default either
    later = add("kunde-c")
    assert ProfileStore().list()[1] is None and "There is no default profile" in later.stderr


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two token profiles on the simulator; kunde-a is the default."""
    t = tenant()
    with SimulatorServer(Simulator(t)) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        add("kunde-a", "--auth", "token", "--graph-url", server.base_url)
        add("kunde-b", "--auth", "token", "--graph-url", server.base_url)
        yield t, write_playbook(tmp_path)


def first_line(result) -> str:
    return result.stderr.splitlines()[0]


def test_audit_names_the_default_profile_first(served) -> None:
    r = invoke("audit", "-o", "json")
    assert r.exit_code == 0, r.output
    assert first_line(r) == "Auditing kunde-a (default profile, tenant kunde-a.example)"
    assert json.loads(r.stdout)["data"]["summary"]["people"] > 0
    named = invoke("audit", "--tenant", "kunde-b", "-o", "json")
    assert first_line(named) == "Auditing kunde-b (profile, tenant kunde-b.example)"


def test_tenant_test_names_the_profile_first(served) -> None:
    r = invoke("tenant", "test", "kunde-b")
    assert r.exit_code == 0, r.output
    assert first_line(r) == "Testing kunde-b (profile, tenant kunde-b.example)"
    assert "subscribed SKUs and free seats" in r.output


def test_tenant_test_speaks_german_throughout(served, monkeypatch: pytest.MonkeyPatch) -> None:
    """lang17 A2, T1: the tenant line, what each permission is needed for, the headings and the token's date."""
    monkeypatch.setenv("READINESS_LANG", "de")
    r = invoke("tenant", "test", "kunde-b")
    assert r.exit_code == 0, r.output
    assert first_line(r).endswith("kunde-b (Profil, Mandant kunde-b.example)"), first_line(r)
    assert "gekaufte Lizenzen (SKUs) und freie Plätze" in r.output and "\nPrüfung:" in r.output
    for english in ("subscribed SKUs", "(profile, tenant", "\naudit:", "create the crisis team"):
        assert english not in r.output, english


def test_every_playbook_command_names_the_profile_first(served) -> None:
    t, book = served
    plan = invoke("playbook", "plan", str(book), *params(t), "--tenant", "kunde-b", "-o", "json")
    assert plan.exit_code == 0, plan.output
    assert first_line(plan) == "Planning on kunde-b (profile, tenant kunde-b.example)"
    applied = invoke("playbook", "apply", str(book), *params(t), "--tenant", "kunde-b", "--yes")
    assert applied.exit_code == 0, applied.output
    assert first_line(applied) == "Applying to kunde-b (profile, tenant kunde-b.example)"
    run = next(line.split()[1].rstrip(":") for line in applied.output.splitlines() if line.startswith("Run "))
    verified = invoke("playbook", "verify", run, "--tenant", "kunde-b")
    assert first_line(verified) == "Verifying on kunde-b (profile, tenant kunde-b.example)"
    resumed = invoke("playbook", "resume", run, "--tenant", "kunde-b", "--yes")
    assert first_line(resumed) == "Resuming on kunde-b (profile, tenant kunde-b.example)"
    undone = invoke("playbook", "undo", run, "--tenant", "kunde-b", "--yes")
    assert undone.exit_code == 0, undone.output
    assert first_line(undone) == "Undoing on kunde-b (profile, tenant kunde-b.example)"


def test_graph_url_runs_say_so(served) -> None:
    from readiness.config.profiles import ProfileStore as Store

    url = Store().get("kunde-a").graph_url
    r = invoke("audit", "--graph-url", url, "-o", "json")
    assert first_line(r) == f"Auditing {url} (--graph-url)"
