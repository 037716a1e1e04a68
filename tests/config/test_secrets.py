"""Secrets on every machine: no usable keyring is said before any prompt, with what works instead;
READINESS_CLIENT_SECRET_<PROFILE> is read at run time and never stored; plaintext keyrings are refused;
without libsecret, sign-in shows readiness's message, not azure-identity's advice to store tokens unencrypted.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.config.keystore import env_name
from tests.config.helpers import CLIENT_ID, cli, files_under

SECRET = "s3cret-Value~123"


def test_env_name_upper_cases_the_profile_and_replaces_other_characters() -> None:
    assert env_name("kunde-a") == "READINESS_CLIENT_SECRET_KUNDE_A"
    assert env_name("Kunde.b_2") == "READINESS_CLIENT_SECRET_KUNDE_B_2"


@pytest.mark.parametrize("stdin_flag", [False, True])
def test_without_a_keyring_the_error_comes_before_the_prompt_and_names_what_works(tmp_path: Path, stdin_flag: bool) -> None:
    args = ["tenant", "add", "kunde-a", "--tenant-id", "kunde-a.example", "--auth", "client-secret", "--client-id", CLIENT_ID]
    r = cli(tmp_path, *args, *(["--secret-stdin"] if stdin_flag else []), stdin=SECRET + "\n")
    assert r.returncode == 1, r.stderr
    assert "Client secret" not in r.stderr  # no prompt was shown: nobody typed a secret for nothing
    assert r.stderr.startswith("Error: No secure OS keyring is available")
    for way in ("certificate auth", "encrypted keyring", "READINESS_CLIENT_SECRET_KUNDE_A", "never stored"):
        assert way in r.stderr, way
    assert "PLAINTEXT" not in r.stderr and "Traceback" not in r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert files_under(tmp_path) == []  # no profile half-written


def test_tenant_secret_without_a_keyring_fails_before_the_prompt(tmp_path: Path) -> None:
    env = {"READINESS_CLIENT_SECRET_KUNDE_A": SECRET}
    assert cli(tmp_path, "tenant", "add", "kunde-a", "--tenant-id", "kunde-a.example", "--auth", "client-secret",
               "--client-id", CLIENT_ID, **env).returncode == 0
    r = cli(tmp_path, "tenant", "secret", "kunde-a", stdin=SECRET + "\n")
    assert r.returncode == 1 and "Client secret" not in r.stderr
    assert "No secure OS keyring" in r.stderr and "READINESS_CLIENT_SECRET_KUNDE_A" in r.stderr


def test_the_secret_from_the_environment_is_used_and_never_written(tmp_path: Path) -> None:
    env = {"READINESS_CLIENT_SECRET_KUNDE_A": SECRET}
    r = cli(tmp_path, "tenant", "add", "kunde-a", "--tenant-id", "kunde-a.example", "--auth", "client-secret",
            "--client-id", CLIENT_ID, **env)
    assert r.returncode == 0, r.stderr
    assert "Client secret" not in r.stderr and "read from READINESS_CLIENT_SECRET_KUNDE_A at run time" in r.stderr
    shown = cli(tmp_path, "tenant", "show", "kunde-a", "-o", "json", **env)
    assert json.loads(shown.stdout)["data"]["auth"] == "client-secret"
    for f in files_under(tmp_path):
        assert SECRET.encode() not in f.read_bytes(), f
    assert SECRET not in r.stdout + r.stderr + shown.stdout + shown.stderr
    # without the variable and without a keyring, a command fails before any work and says how to give it
    audit = cli(tmp_path, "audit", "--tenant", "kunde-a")
    assert audit.returncode == 1
    assert "READINESS_CLIENT_SECRET_KUNDE_A" in audit.stderr and "Collecting" not in audit.stderr


def test_resolve_hands_the_environment_secret_to_the_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.config import connection
    from readiness.config.profiles import ProfileStore, TenantProfile

    ProfileStore().add(TenantProfile("kunde-a", "kunde-a.example", "client-secret", CLIENT_ID))
    seen = {}
    monkeypatch.setattr(connection, "credential_for_profile", lambda p, e, **kw: seen.update(kw) or "cred")
    monkeypatch.setenv("READINESS_CLIENT_SECRET_KUNDE_A", SECRET)
    conn = connection.resolve("kunde-a", None)
    monkeypatch.delenv("READINESS_CLIENT_SECRET_KUNDE_A")  # read when the command starts, not kept in the environment
    assert conn.credential_factory() == "cred" and seen["secret"] == SECRET


def test_a_plaintext_keyring_is_refused_even_with_the_old_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    from readiness.config.keystore import store_secret
    from readiness.errors import SecretStoreError

    class PlaintextKeyring(KeyringBackend):  # the name keyrings.alt gives its file backend
        priority = 1
        stored: dict = {}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    monkeypatch.setenv("READINESS_ALLOW_PLAINTEXT_KEYRING", "1")
    keyring.set_keyring(PlaintextKeyring())
    try:
        with pytest.raises(SecretStoreError) as err:
            store_secret("kunde-a", SECRET)
    finally:
        keyring.set_keyring(keyring.backends.fail.Keyring())
    assert "plain file" in str(err.value) and "READINESS_CLIENT_SECRET_KUNDE_A" in str(err.value)
    assert PlaintextKeyring.stored == {}


def test_login_without_libsecret_shows_readiness_message_not_azure_identity_advice(tmp_path: Path) -> None:
    assert cli(tmp_path, "tenant", "add", "kunde-a", "--tenant-id", "kunde-a.example").returncode == 0
    r = cli(tmp_path, "tenant", "login", "kunde-a")
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("Signing in to kunde-a (profile, tenant kunde-a.example)\n")
    assert "Error: The encrypted token cache is not available on this machine" in r.stderr
    assert "gnome-keyring" in r.stderr and "certificate auth" in r.stderr
    assert "allow_unencrypted" not in r.stderr and "Traceback" not in r.stderr
    assert "To sign in, open" not in r.stderr  # no device code was offered for a sign-in that could not be kept
    assert not (tmp_path / "data" / "auth" / "kunde-a.json").exists()


def test_the_cache_failure_is_recognised_when_azure_identity_wraps_it() -> None:
    from readiness.graph.auth import _auth_error

    inner = ValueError('Cache encryption is impossible ... Specify "allow_unencrypted_storage=True" to store ...')
    try:
        try:
            raise inner
        except ValueError as exc:
            raise RuntimeError("Authentication failed: " + str(exc)) from exc
    except RuntimeError as wrapped:
        err = _auth_error(wrapped)
    assert "encrypted token cache is not available" in str(err) and "allow_unencrypted" not in str(err)
    other = _auth_error(ValueError("Invalid tenant id provided"))
    assert "Invalid tenant id" in str(other) and "token cache" not in str(other)
