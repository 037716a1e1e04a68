"""The CLI's contract: fast --help, clear errors with exit codes, profiles without secrets in files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.cli import cli


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_help_does_not_import_msgraph_azure_or_keyring() -> None:
    code = ("import sys, runpy; sys.argv=['readiness','--help']\n"
            "try:\n    runpy.run_module('readiness', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('msgraph','azure','keyring','kiota_http','httpx')]\n"
            "print('IMPORTED', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "IMPORTED []" in out
    assert "Commands" in out and "demo" in out


def test_every_command_has_help() -> None:
    for name in ("demo", "tenant", "simulator", "audit", "checks"):
        result = invoke(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_unknown_profile_is_a_clear_error() -> None:
    result = invoke("tenant", "show", "nope")
    assert result.exit_code == 1
    assert "Error: There is no tenant profile named 'nope'" in result.output
    assert "Traceback" not in result.output


def test_graph_url_over_plain_http_elsewhere_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", "abc")
    result = invoke("tenant", "test", "--graph-url", "http://10.1.2.3/v1.0")
    assert result.exit_code == 2 and "plain http on a non-loopback host" in result.output


def test_graph_url_without_a_token_names_the_variable() -> None:
    result = invoke("tenant", "test", "--graph-url", "http://127.0.0.1:9/v1.0")
    assert result.exit_code == 2 and "READINESS_ACCESS_TOKEN" in result.output


def test_profiles_round_trip_without_secrets(_isolated_home: Path) -> None:
    r = invoke("tenant", "add", "kunde-a", "--tenant-id", "kunde-a.onmicrosoft.com", "--usage-location", "de")
    assert r.exit_code == 0, r.output
    r = invoke("tenant", "add", "lab", "--tenant-id", "lab.example", "--auth", "token", "--graph-url", "http://127.0.0.1:8123/v1.0")
    assert r.exit_code == 0, r.output
    listing = invoke("tenant", "list").output
    assert "kunde-a" in listing and "lab" in listing and "DE" in listing
    shown = json.loads(invoke("tenant", "show", "kunde-a", "-o", "json").output)["data"]
    assert shown["tenant"] == "kunde-a.onmicrosoft.com" and shown["auth"] == "device-code"
    stored = (_isolated_home / "config" / "tenants.json")
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert invoke("tenant", "add", "kunde-a", "--tenant-id", "x.example").exit_code == 2
    assert invoke("tenant", "remove", "kunde-a", "--yes").exit_code == 0
    assert "kunde-a" not in invoke("tenant", "list").output


def test_bad_profile_values_are_usage_errors() -> None:
    assert invoke("tenant", "add", "x", "--tenant-id", "not a tenant").exit_code == 2
    r = invoke("tenant", "add", "x", "--tenant-id", "a.example", "--usage-location", "Germany")
    assert r.exit_code == 2 and "ISO 3166" in r.output
    r = invoke("tenant", "add", "x", "--tenant-id", "a.example", "--auth", "client-secret")
    assert r.exit_code == 2 and "--client-id" in r.output


def test_client_secret_without_a_keyring_fails_cleanly_and_saves_nothing(_isolated_home: Path) -> None:
    r = invoke("tenant", "add", "k", "--tenant-id", "k.example", "--auth", "client-secret",
               "--client-id", "11111111-2222-3333-4444-555555555555", input="s3cret-value\n")
    assert r.exit_code == 1
    assert "No secure OS keyring" in r.output and "certificate" in r.output
    assert "s3cret-value" not in r.output
    assert not (_isolated_home / "config" / "tenants.json").exists()


def test_secret_is_never_written_to_the_profile_file(_isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 10
        store: dict = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    keyring.set_keyring(Memory())
    try:
        r = invoke("tenant", "add", "k", "--tenant-id", "k.example", "--auth", "client-secret",
                   "--client-id", "11111111-2222-3333-4444-555555555555", input="s3cret-value\n")
        assert r.exit_code == 0, r.output
        assert Memory.store[("readiness", "k:client-secret")] == "s3cret-value"
        for f in _isolated_home.rglob("*"):
            if f.is_file():
                assert b"s3cret-value" not in f.read_bytes()
        assert invoke("tenant", "remove", "k", "--yes").exit_code == 0
        assert Memory.store == {}
    finally:
        keyring.set_keyring(keyring.backends.fail.Keyring())


def test_tenant_test_reads_granted_and_missing_permissions(server, monkeypatch: pytest.MonkeyPatch) -> None:
    token = server.sim.issue_token(["User.Read.All", "LicenseAssignment.Read.All"])
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", token)
    r = invoke("tenant", "test", "--graph-url", server.base_url)
    assert r.exit_code == 0, r.output
    assert "HTTP 200" in r.output
    lines = {line.split()[1]: line.split()[0] for line in r.output.splitlines() if line.startswith(("granted", "MISSING"))}
    assert lines["User.Read.All"] == "granted"
    assert lines["AuditLog.Read.All"] == "MISSING"
    assert token not in r.output


def test_writing_to_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from readiness.cli import cli as root

    snap = tmp_path / "s.json"
    from tests.checks.caselib import snapshot_for

    snapshot_for().save(snap)
    r = CliRunner().invoke(root, ["report", str(snap), "--out", str(tmp_path / "nope" / "r.html")])
    # said before the snapshot is read (check_output): which folder is missing, and to create it
    assert r.exit_code == 1 and "Cannot write" in r.output and "does not exist" in r.output, r.output
    assert "Create the folder first" in r.output
