"""Temporary Access Passes end to end over real HTTP: the TAP policy, passes only in passes.json, letters, exactly
once across a kill, verify, undo.

Documented behaviours the simulator imitates (microsoft-graph-docs-contrib, api-reference/v1.0/api/):
- authentication-post-temporaryaccesspassmethods.md: UserAuthenticationMethod.ReadWrite.All, 201 with the value in
  ``temporaryAccessPass``; "a user can only have one Temporary Access Pass": a second create replaces the first
- authentication-list-temporaryaccesspassmethods.md, resources/temporaryaccesspassauthenticationmethod.md: the value
  is "returned only on creation" (null on reads)
- temporaryaccesspassauthenticationmethod-delete.md: 204
- temporaryaccesspassauthenticationmethodconfiguration-update.md: PATCH the TemporaryAccessPass configuration,
  Policy.ReadWrite.AuthenticationMethod, 204
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.render.safe import md
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

BOOK = """
name: locked-out
description: TAP policy, then passes
parameters: {}
steps:
  - {id: tap-policy, action: tap_policy, params: {default_lifetime_minutes: 480}}
  - {id: tap-issue, action: temporary_access_pass, params: {lifetime_minutes: 240}, select: {members: true, missing: [mfa]}}
"""
ISSUE_ONLY = """
name: passes-only
description: passes without a policy step
parameters: {}
steps:
  - {id: tap-issue, action: temporary_access_pass, select: {members: true, missing: [mfa]}}
"""


def _tenant():  # noqa: ANN202
    return generate_tenant("unprepared-sme", seed=7)


def _without_mfa(t) -> list[str]:  # noqa: ANN001
    from readiness.simulator.generate import NON_MFA_METHODS

    return sorted(u["id"] for u in t.users if u["userType"] == "Member" and u["accountEnabled"]
                  and not set(t.auth_methods.get(u["id"], [])) - {"password", *NON_MFA_METHODS}
                  and "temporaryAccessPass" not in t.auth_methods.get(u["id"], []))


def _live(t) -> dict[str, list[dict]]:  # noqa: ANN001
    return {uid: list(m.values()) for uid, m in t.tap_methods.items() if m}


def _run_dir(home: Path) -> Path:
    runs = sorted(d for d in (home / "data" / "runs").iterdir() if (d / "meta.json").exists())
    return runs[-1]


def _invoke(args: list[str], home: Path, token: str) -> object:
    r = CliRunner().invoke(cli, args, env={"READINESS_HOME": str(home), "READINESS_ACCESS_TOKEN": token, "NO_COLOR": "1"})
    return r


def test_the_simulator_serves_taps_with_graphs_permissions_shapes_and_rules() -> None:
    t = _tenant()
    sim = Simulator(t)
    uid = _without_mfa(t)[0]
    with SimulatorServer(sim) as srv:
        def call(method: str, path: str, body: dict | None = None, roles: tuple | None = None) -> httpx.Response:
            token = sim.issue_token(roles) if roles is not None else sim.issue_token()
            return httpx.request(method, srv.base_url + path, json=body, headers={"Authorization": f"Bearer {token}"})

        taps = f"/users/{uid}/authentication/temporaryAccessPassMethods"
        cfg = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
        assert call("GET", cfg).json()["state"] == "disabled"
        refused = call("POST", taps, {"lifetimeInMinutes": 60})
        assert refused.status_code == 400 and "not enabled" in refused.json()["error"]["message"]
        assert call("PATCH", cfg, {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
                                   "state": "enabled", "includeTargets": [{"id": "all_users", "targetType": "group"}]},
                    roles=("Policy.Read.AuthenticationMethod",)).status_code == 403
        ok = call("PATCH", cfg, {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
                                 "state": "enabled", "includeTargets": [{"id": "all_users", "targetType": "group"}]},
                  roles=("Policy.ReadWrite.AuthenticationMethod",))
        assert ok.status_code == 204
        assert call("POST", taps, {"lifetimeInMinutes": 60}, roles=("UserAuthenticationMethod.Read.All",)).status_code == 403
        assert call("POST", taps, {"lifetimeInMinutes": 5}).status_code == 400  # 10 to 43200, within the policy's limits
        first = call("POST", taps, {"isUsableOnce": True, "lifetimeInMinutes": 60}, roles=("UserAuthenticationMethod.ReadWrite.All",))
        assert first.status_code == 201
        doc = first.json()
        assert doc["temporaryAccessPass"] and doc["isUsableOnce"] is True and doc["lifetimeInMinutes"] == 60
        listed = call("GET", taps, roles=("UserAuthenticationMethod.Read.All",)).json()["value"]
        assert [m["id"] for m in listed] == [doc["id"]] and listed[0]["temporaryAccessPass"] is None  # only on creation
        second = call("POST", taps, {"isUsableOnce": True, "lifetimeInMinutes": 60}).json()
        assert [m["id"] for m in call("GET", taps).json()["value"]] == [second["id"]]  # one per user: the first is gone
        assert call("DELETE", f"{taps}/{second['id']}").status_code == 204
        assert call("DELETE", f"{taps}/{second['id']}").status_code == 404
        assert call("GET", taps).json()["value"] == []


def test_passes_go_only_into_passes_json_and_each_only_into_its_owners_letter(tmp_path: Path) -> None:
    t = _tenant()
    people = _without_mfa(t)
    assert len(people) >= 3
    book = tmp_path / "locked-out.yaml"
    book.write_text(BOOK, encoding="utf-8")
    home = tmp_path / "home"
    sim = Simulator(t)
    outputs = []
    with SimulatorServer(sim) as srv:
        token = sim.issue_token()
        url = ["--graph-url", srv.base_url]
        plan = _invoke(["playbook", "plan", str(book), "-o", "json", *url], home, token)
        assert plan.exit_code == 0, plan.output
        steps = {s["step"]: s for s in json.loads(plan.stdout)["data"]["steps"]}
        assert len(steps["tap-issue"]["changes"]) == len(people) and not steps["tap-issue"]["blocked"]
        applied = _invoke(["playbook", "apply", str(book), "--yes", *url], home, token)
        assert applied.exit_code == 0, applied.output
        run = _run_dir(home)
        outputs += [applied.output, _invoke(["playbook", "timeline", run.name, "-o", "json", *url], home, token).output]
        verified = _invoke(["playbook", "verify", run.name, *url], home, token)
        assert verified.exit_code == 0, verified.output
        outputs.append(verified.output)
        snap = tmp_path / "after.json.gz"
        audit = _invoke(["audit", "--snapshot-out", str(snap), "-o", "json", *url], home, token)
        outputs.append(audit.output)

        passes_file = run / "passes.json"
        assert stat.S_IMODE(passes_file.stat().st_mode) == 0o600 and stat.S_IMODE(run.stat().st_mode) == 0o700
        passes = json.loads(passes_file.read_text("utf-8"))["passes"]
        live = _live(t)
        assert sorted(passes) == people == sorted(live)
        for uid, entry in passes.items():
            assert [m["id"] for m in live[uid]] == [entry["method_id"]]
            assert live[uid][0]["_pass"] == entry["pass"] and live[uid][0]["lifetimeInMinutes"] == 240
        values = [v for _, _, v in t.tap_issued]
        assert len(values) == len(people)  # one pass each, no second one

        # no value anywhere but passes.json: journal, plan, meta, the whole data folder, stdout/stderr, the run's JSON
        for f in home.rglob("*"):
            if f.is_file() and f != passes_file:
                data = f.read_bytes()
                assert not [v for v in values if v.encode() in data], f
        for text in outputs:
            assert not [v for v in values if v in text]

        letters_dir = tmp_path / "letters"
        out = _invoke(["letters", str(snap), "--out-dir", str(letters_dir), "--passes", str(passes_file)], home, token)
        assert out.exit_code == 0, out.output and not [v for v in values if v in out.output]
        upn_of = {u["id"]: u["userPrincipalName"] for u in t.users}
        seen = set()
        for letter in letters_dir.glob("*.md"):
            text = letter.read_text("utf-8")
            found = [uid for uid, e in passes.items() if e["pass"] in text]
            assert len(found) <= 1, letter
            if found:
                assert md(upn_of[found[0]]) in text  # the pass is in its owner's letter only (UPNs escaped)
                seen.add(found[0])
        assert seen == set(people)

        undone = _invoke(["playbook", "undo", run.name, "--yes", *url], home, token)
        assert undone.exit_code == 0, undone.output
        assert _live(t) == {}
        assert json.loads(passes_file.read_text("utf-8"))["passes"] == {}  # undo removes the dead passes
        cfg = next(c for c in t.auth_methods_policy["authenticationMethodConfigurations"] if c["id"] == "TemporaryAccessPass")
        assert cfg["state"] == "disabled" and cfg["includeTargets"] == [] and cfg["defaultLifetimeInMinutes"] == 60


def test_without_a_policy_step_the_pass_step_is_blocked_while_the_method_is_off(tmp_path: Path) -> None:
    t = _tenant()
    book = tmp_path / "passes-only.yaml"
    book.write_text(ISSUE_ONLY, encoding="utf-8")
    sim = Simulator(t)
    with SimulatorServer(sim) as srv:
        r = _invoke(["playbook", "plan", str(book), "-o", "json", "--graph-url", srv.base_url], tmp_path / "home", sim.issue_token())
    step = json.loads(r.stdout)["data"]["steps"][0]
    assert step["changes"] == [] and "switched off" in step["blocked"]


KILLER = """
import os, sys
import readiness.playbook.steps.temporary_access_pass as m
real, calls, point = m._write_passes, [0], sys.argv[1]
def write(path, passes):
    calls[0] += 1
    if calls[0] == 2 and point == "before_write":
        os._exit(137)  # Graph issued the second pass; its value never reaches the file
    real(path, passes)
    if calls[0] == 2 and point == "after_write":
        os._exit(137)  # the value is in the file; the journal never heard of it
m._write_passes = write
from readiness.cli import cli
cli(sys.argv[2:])
"""


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_write", "after_write"])
def test_a_kill_around_the_passes_file_then_resume_leaves_one_pass_each_all_in_the_file(tmp_path: Path, point: str) -> None:
    t = _tenant()
    people = _without_mfa(t)
    book = tmp_path / "locked-out.yaml"
    book.write_text(BOOK, encoding="utf-8")
    home = tmp_path / "home"
    sim = Simulator(t)
    with SimulatorServer(sim) as srv:
        token = sim.issue_token()
        env = {**os.environ, "READINESS_HOME": str(home), "READINESS_ACCESS_TOKEN": token}
        proc = subprocess.run([sys.executable, "-c", KILLER, point, "playbook", "apply", str(book), "--yes",
                               "--graph-url", srv.base_url], env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 137, proc.stderr
        assert len(t.tap_issued) == 2
        run = _run_dir(home)
        resumed = _invoke(["playbook", "resume", run.name, "--yes", "--graph-url", srv.base_url], home, token)
        assert resumed.exit_code == 0, resumed.output
    passes = json.loads((run / "passes.json").read_text("utf-8"))["passes"]
    live = _live(t)
    assert sorted(passes) == people == sorted(live)
    for uid, entry in passes.items():
        assert len(live[uid]) == 1 and live[uid][0]["id"] == entry["method_id"] and live[uid][0]["_pass"] == entry["pass"]
    issued = [uid for uid, _, _ in t.tap_issued]
    second = sorted({uid for uid in issued if issued.count(uid) > 1})
    journal = (run / "journal.jsonl").read_text("utf-8")
    if point == "after_write":
        assert second == [] and "reissued" not in journal  # the value was saved: no second pass
    else:
        assert len(second) == 1 and "reissued" in journal  # the lost value is re-issued, the first pass deleted
    values = [v for _, _, v in t.tap_issued]
    assert not [v for v in values if v in journal + proc.stdout + proc.stderr + resumed.output]


@pytest.mark.slow
def test_the_shipped_secure_remote_access_fixes_the_tap_check_and_issues_passes_only_when_asked(tmp_path: Path) -> None:
    import readiness

    t = _tenant()
    people = _without_mfa(t)
    with readiness.serve_simulator(tenant=t) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token)
        before = readiness.evaluate(readiness.collect(conn))
        assert next(c for c in before.checks if c.spec.id == "identity.temporary_access_pass").spec.fix_playbook == "secure-remote-access"
        upn = next(u["userPrincipalName"] for u in t.users if u["department"] == "IT" and u["userType"] == "Member")
        default = readiness.plan("secure-remote-access", conn, params={"sender": upn, "break_glass": upn})
        steps = {s.step: s for s in default.plan.steps}
        assert steps["tap-policy"].changes and not steps["tap-issue"].changes  # issuing is opt-in
        plan = readiness.plan("secure-remote-access", conn, params={"sender": upn, "break_glass": upn, "issue_passes": "true"})
        steps = {s.step: s for s in plan.plan.steps}
        assert len(steps["tap-issue"].changes) == len(people) and not steps["tap-issue"].blocked
        run = readiness.apply(plan, conn, confirm=True)
        assert run.status == "complete", run
        after = readiness.evaluate(readiness.collect(conn))
    assert next(c for c in after.checks if c.spec.id == "identity.temporary_access_pass").status.value == "pass"
    assert sorted(_live(t)) == people
