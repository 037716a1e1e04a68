"""A token Graph refuses ends every command with exit 1 and how to sign in again; over real HTTP.

Graph answers a bad token with 401 InvalidAuthenticationToken and names the cause in the message
(microsoft-graph-docs-contrib concepts/resolve-auth-errors.md, concepts/errors.md); the simulator
does the same for a malformed, expired, or other-tenant token (readiness/simulator/tokens.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer

TINY = """
name: tiny
description: one tenant setting
steps:
  - {id: sharing, action: sharing_settings, params: {sharingCapability: existingExternalUserSharingOnly}}
"""

BAD_TOKENS = {
    "invalid": lambda sim: "garbage-token",
    "expired": lambda sim: sim.issue_token(ttl=-60),
    "wrong tenant": lambda sim: sim.issue_token(tenant_id="99999999-9999-9999-9999-999999999999"),
}


@pytest.fixture(scope="module")
def served():
    sim = Simulator(generate_tenant("unprepared-sme", seed=3))
    with SimulatorServer(sim) as server:
        yield server


def run(monkeypatch: pytest.MonkeyPatch, token: str, *args: str):
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", token)
    return CliRunner().invoke(cli, list(args))


def assert_refused(result, reason: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert lines == [f"Error: Graph refused the token ({reason}). Sign in again with a fresh token: "
                     "export READINESS_ACCESS_TOKEN=... (used with --graph-url or a token profile)."]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("reason", sorted(BAD_TOKENS))
def test_audit_and_tenant_test_refuse_a_bad_token(reason: str, served, monkeypatch: pytest.MonkeyPatch) -> None:
    token = BAD_TOKENS[reason](served.sim)
    audit = run(monkeypatch, token, "audit", "--graph-url", served.base_url, "-o", "json")
    assert_refused(audit, reason)
    doc = json.loads(audit.stdout)  # -o json: the error envelope (issue 12), no "0 of 0 people" report
    assert doc["status"] == "error" and doc["data"] is None and doc["exit_code"] == 1
    test = run(monkeypatch, token, "tenant", "test", "--graph-url", served.base_url)
    assert_refused(test, reason)
    assert "Signed in" not in test.output and "granted" not in test.output


def test_playbook_plan_apply_verify_refuse_a_bad_token(served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    book = tmp_path / "tiny.yaml"
    book.write_text(TINY, encoding="utf-8")
    good = run(monkeypatch, served.sim.issue_token(), "playbook", "apply", str(book), "--graph-url", served.base_url, "--yes")
    assert good.exit_code == 0, good.output
    run_id = next(line.split()[1].rstrip(":") for line in good.output.splitlines() if line.startswith("Run "))
    expired = served.sim.issue_token(ttl=-60)
    plan = run(monkeypatch, expired, "playbook", "plan", str(book), "--graph-url", served.base_url)
    assert_refused(plan, "expired")
    assert "Nothing to do" not in plan.output and "nothing to do" not in plan.output
    verify = run(monkeypatch, expired, "playbook", "verify", run_id, "--graph-url", served.base_url)
    assert_refused(verify, "expired")
    assert "Verified" not in verify.output
    apply = run(monkeypatch, "garbage", "playbook", "apply", str(book), "--graph-url", served.base_url, "--yes")
    assert_refused(apply, "invalid")


def test_tenant_test_shows_the_expiry_of_a_good_token(served, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(monkeypatch, served.sim.issue_token(ttl=2 * 3600), "tenant", "test", "--graph-url", served.base_url)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("Token expires at"))
    assert "(in 1 h 59 min)" in line or "(in 2 h 0 min)" in line


def test_token_expiry_line_reads_the_exp_claim_without_verifying() -> None:
    import base64

    from readiness.cli.tenant import token_expiry_line

    def jwt(claims: dict) -> str:
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"e30.{body}.sig"

    assert token_expiry_line(jwt({"exp": 1_000_000}), now=1_000_000 + 5) == "Token expired at 12 Jan 1970, 13:46 UTC."
    assert token_expiry_line(jwt({"exp": 1_000_000 + 90 * 60}), now=1_000_000) == \
        "Token expires at 12 Jan 1970, 15:16 UTC (in 1 h 30 min)."
    assert "unknown" in token_expiry_line("opaque-token")
    assert "unknown" in token_expiry_line(jwt({"exp": "soon"}))


def test_a_failed_batch_fails_its_section_not_the_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.simulator.app import SimResponse

    sim = Simulator(generate_tenant("unprepared-sme", seed=3))
    real = sim.handle

    def handle(req):  # noqa: ANN001, ANN202 - every $batch call is refused, everything else is served
        if req.path.startswith("/$batch"):
            return SimResponse.json(503, {"error": {"code": "serviceNotAvailable", "message": "down"}})
        return real(req)

    sim.handle = handle
    with SimulatorServer(sim) as server:
        result = run(monkeypatch, sim.issue_token(), "audit", "--graph-url", server.base_url, "--max-wait", "1", "-o", "json")
    assert result.exit_code == 6, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "partial"
    failed = {e["section"] for e in doc["errors"]}
    assert "teams" in failed
    assert {"users", "skus", "groups", "organization"}.isdisjoint(failed)
    assert doc["data"]["summary"]["people"] > 0  # the rest of the audit stands


def test_a_refused_token_profile_names_its_variable_with_the_ellipsis_intact(served, monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    # seen from a fresh clone: "... export READINESS_ACCESS_TOKEN_TOK=." (the closing period ate the "...")
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("READINESS_ACCESS_TOKEN", raising=False)
    added = CliRunner().invoke(cli, ["tenant", "add", "tok", "--tenant-id", "contoso.onmicrosoft.com", "--auth", "token",
                                     "--graph-url", served.base_url])
    assert added.exit_code == 0, added.output
    monkeypatch.setenv("READINESS_ACCESS_TOKEN_TOK", BAD_TOKENS["expired"](served.sim))
    for args in (["audit", "--tenant", "tok"], ["tenant", "test", "tok"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert lines == ["Error: Graph refused the token (expired). Sign in again with a fresh token for profile 'tok': "
                         "export READINESS_ACCESS_TOKEN_TOK=..."], lines
