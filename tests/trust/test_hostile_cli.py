"""The real CLI (a subprocess) against a hostile 'Graph' over HTTP: exit codes, one error line, no
traceback, progress while waiting, and no token for any other origin.

What Graph does and the simulator imitates is cited where it matters; the hostile server does what
Graph never does, to prove the client checks before it trusts.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trust.hostile import HostileServer

TOKEN = "hostile-test-token-not-a-secret"
ROOT = Path(__file__).resolve().parents[2]


def readiness(*args: str, home: Path, token: str = TOKEN) -> subprocess.CompletedProcess:
    env = dict(os.environ, READINESS_ACCESS_TOKEN=token, READINESS_HOME=str(home), PYTHONPATH=str(ROOT),
               PYTHONWARNINGS="default")
    return subprocess.run([sys.executable, "-m", "readiness", *args], env=env, capture_output=True, text=True, timeout=120)


def audit(srv: HostileServer, tmp_path: Path, *extra: str, max_wait: str = "1") -> subprocess.CompletedProcess:
    return readiness("audit", "--graph-url", srv.base_url, "--max-wait", max_wait, *extra, home=tmp_path / "home")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def assert_one_clean_error(p: subprocess.CompletedProcess) -> str:
    lines = error_lines(p.stderr)
    assert len(lines) == 1, p.stderr
    for bad in ("Traceback", "Future exception was never retrieved", "internal error", "was never awaited", "Task was destroyed"):
        assert bad not in p.stderr, p.stderr
    assert TOKEN not in p.stderr + p.stdout
    return lines[0]


@pytest.mark.parametrize("mode,words", [
    ("nonjson", "not JSON (text/html)"),
    ("valuenull", "'value' that is null"),
    ("listpage", "JSON list where"),
    ("deep", "nested too deeply"),
    ("badtypes", "where an object belongs"),
    ("redirectloop", "redirect loop"),
    ("wrongfields", "has 'id' as a number"),
])
def test_odd_bodies_fail_their_sections_with_one_clean_line(mode: str, words: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    # in-process (CliRunner) for speed; the subprocess tests below catch what only shows at process exit
    import gc
    import logging

    from click.testing import CliRunner

    from readiness.cli import cli

    monkeypatch.setenv("READINESS_ACCESS_TOKEN", TOKEN)
    with caplog.at_level(logging.ERROR, logger="asyncio"), HostileServer(mode) as srv:
        result = CliRunner().invoke(cli, ["audit", "--graph-url", srv.base_url, "--max-wait", "1", "-o", "json"])
        requests = len(srv.requests)
        gc.collect()
    assert caplog.records == []  # no "Future exception was never retrieved", no "Task was destroyed"
    p = subprocess.CompletedProcess([], result.exit_code, result.stdout, result.stderr)
    assert p.returncode == 6, p.stderr
    line = assert_one_clean_error(p)
    assert "The result is incomplete (exit code 6)" in line
    doc = json.loads(p.stdout)
    # "failed" when nothing could be read; wrongfields' singletons hold no field the audit reads wrongly typed
    assert doc["status"] == ("partial" if mode == "wrongfields" else "failed") and doc["exit_code"] == 6
    assert doc["errors"] and all(e["code"] == "data_incomplete" and e["message"] for e in doc["errors"])
    assert any(words in e["message"] for e in doc["errors"]), doc["errors"]
    assert requests < 200  # a loop ends at once


def test_a_self_referencing_next_link_ends_at_once(tmp_path: Path) -> None:
    # Graph's nextLink leads to the *next* page, until none is sent (microsoft-graph-docs-contrib
    # concepts/paging.md); a link back to a page already read can only loop.
    with HostileServer("selfloop") as srv:
        p = audit(srv, tmp_path, "-o", "json")
        requests = len(srv.requests)
    assert p.returncode == 6
    assert_one_clean_error(p)
    doc = json.loads(p.stdout)
    assert any("leads back to a page already read" in e["message"] for e in doc["errors"])
    # one page and one repeat per read: about 40 reads since the Entra devices are 17 parallel reads (collect/devices.py)
    assert requests < 90  # (it reached 2,888 requests before)


def test_a_next_link_to_another_origin_is_not_followed_and_gets_no_token(tmp_path: Path) -> None:
    # "send the URL value of the @odata.nextLink property to Microsoft Graph" (concepts/paging.md):
    # a link to anywhere else is not Graph's.
    # same host, another port: another origin (RFC 6454), so neither a request nor the token goes there
    with HostileServer("foreign_target") as foreign, HostileServer("foreign", foreign=foreign.origin) as srv:
        p = audit(srv, tmp_path, "-o", "json")
        assert foreign.requests == []
    assert p.returncode == 6
    assert_one_clean_error(p)
    doc = json.loads(p.stdout)
    assert any("points to another origin" in e["message"] for e in doc["errors"])
    assert "evil@foreign.example" not in p.stdout


def test_a_redirect_to_another_origin_is_refused_and_carries_no_token(tmp_path: Path) -> None:
    with HostileServer("foreign_target") as foreign, HostileServer("redirect", foreign=foreign.origin) as srv:
        p = audit(srv, tmp_path, "-o", "json")
        arrived = foreign.requests
    assert all(auth is None for _, _, auth in arrived), arrived  # kiota drops Authorization across origins
    assert all("/reports/get" in path for _, path, _ in arrived), arrived  # only report downloads may leave Graph
    assert p.returncode == 6
    assert_one_clean_error(p)
    assert "evil@foreign.example" not in p.stdout


@pytest.mark.parametrize("fail_on", [[], ["--fail-on", "low"]])
def test_all_503_exits_6_even_with_fail_on(fail_on: list[str], tmp_path: Path) -> None:
    with HostileServer("503") as srv:
        p = audit(srv, tmp_path, "-o", "json", *fail_on)
    assert p.returncode == 6, p.stderr  # was 0 with errors: []
    assert_one_clean_error(p)
    doc = json.loads(p.stdout)
    assert doc["status"] == "failed" and len(doc["errors"]) >= 10
    assert "Graph answered 503 on /" in p.stderr  # the waits were shown while they happened


def test_a_partial_read_is_partial_and_names_what_is_missing(tmp_path: Path) -> None:
    with HostileServer("only_org") as srv:
        p = audit(srv, tmp_path, "-o", "json")
    assert p.returncode == 6
    assert_one_clean_error(p)
    doc = json.loads(p.stdout)
    assert doc["status"] == "partial"
    failed = {e["section"] for e in doc["errors"]}
    assert "organization" not in failed and {"users", "skus", "groups"} <= failed
    assert doc["data"]["tenant"]["name"] == "Hostile Ltd"


def test_a_big_retry_after_fails_at_once_instead_of_waiting(tmp_path: Path) -> None:
    # Graph's 429 carries Retry-After (microsoft-graph-docs-contrib concepts/throttling.md); 100 s ran
    # 21.7 minutes before. With --max-wait 1 nothing waits: the sections fail and say why.
    with HostileServer("429", retry_after=100) as srv:
        p = audit(srv, tmp_path)
    assert p.returncode == 6
    line = assert_one_clean_error(p)
    assert "Graph asked to wait 100 s (429 on /" in line and "total wait cap of 1 s" in line


def test_waiting_is_reported_and_capped(tmp_path: Path) -> None:
    with HostileServer("429", retry_after=1) as srv:
        p = audit(srv, tmp_path, max_wait="2")
    assert p.returncode == 6
    assert_one_clean_error(p)
    progress = [line for line in p.stderr.splitlines() if line.startswith("Graph asked to wait 1 s (429 on /")]
    assert progress and "(total waited 1 of 2 s)" in progress[0]
    assert len(progress) <= 4  # one line per wait of the tenant, not one per waiting request


def test_a_401_ends_the_audit_with_exit_1_and_how_to_sign_in_again(tmp_path: Path) -> None:
    with HostileServer("401") as srv:
        p = audit(srv, tmp_path, "-o", "json")
        requests = len(srv.requests)
    assert p.returncode == 1
    line = assert_one_clean_error(p)
    assert line.startswith("Error: Graph refused the token (expired). Sign in again with a fresh token: export READINESS_ACCESS_TOKEN=")
    doc = json.loads(p.stdout)  # -o json: the error envelope (issue 12), no "0 of 0 people" report
    assert doc["status"] == "error" and doc["data"] is None and doc["exit_code"] == 1
    assert requests <= 20  # everything in flight was cancelled, nothing retried


def test_a_wrong_url_is_one_error_not_a_traceback(tmp_path: Path) -> None:
    p = readiness("audit", "--graph-url", "http://127.0.0.1:9/v1.0", "--max-wait", "1", home=tmp_path / "home")
    assert p.returncode == 1
    assert "Could not reach" in assert_one_clean_error(p)
