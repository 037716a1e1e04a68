"""Client secrets: in an encrypted OS keyring, or from the environment at run time; never in a plain file.

Order when a command needs the secret: the environment variable READINESS_CLIENT_SECRET_<PROFILE> (CI,
containers; read at run time, never stored), then the keyring. Where no encrypted keyring exists (headless
Linux without Secret Service), ``require_keyring`` says so before anyone types a secret, and names what
works. Plaintext keyring backends (keyrings.alt's PlaintextKeyring) are refused: a secret in a plain file is
what this module exists to prevent.
"""
from __future__ import annotations

import os
import re
from typing import Any

from ..errors import SecretStoreError

SERVICE = "readiness"
_NO_BACKEND = ("fail.Keyring", "null.Keyring", "chainer.ChainerBackend")


def env_name(profile: str) -> str:
    """READINESS_CLIENT_SECRET_<PROFILE>: the profile upper-cased, every other character ``_``."""
    return "READINESS_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]", "_", profile.upper())


def secret_from_env(profile: str) -> str | None:
    value = os.environ.get(env_name(profile), "")
    return value.strip() or None


def _username(profile: str) -> str:
    return f"{profile}:client-secret"


def _backend_name(backend: Any) -> str:
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:  # a chainer with nothing in it is no keyring at all
        return "keyring.backends.chainer.ChainerBackend"
    return f"{type(backend).__module__}.{type(backend).__name__}"


def require_keyring(profile: str) -> Any:
    """The keyring module if an encrypted backend is usable; otherwise SecretStoreError naming the ways out."""
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - broken install
        raise SecretStoreError.keyed("config.keyring_missing") from exc
    name = _backend_name(keyring.get_keyring())
    if any(name.endswith(x) for x in _NO_BACKEND):
        raise SecretStoreError.keyed("config.no_keyring", fix_key="config.keyring_ways_out", name=name,
                                     env=env_name(profile))
    if "plaintext" in name.lower() or "uncrypted" in name.lower():
        raise SecretStoreError.keyed("config.plaintext_keyring", fix_key="config.keyring_ways_out", name=name,
                                     env=env_name(profile))
    return keyring


def store_secret(profile: str, secret: str) -> None:
    if not secret:
        raise SecretStoreError.keyed("config.secret_empty")
    kr = require_keyring(profile)
    try:
        kr.set_password(SERVICE, _username(profile), secret)
    except Exception as exc:  # keyring raises backend-specific errors
        raise SecretStoreError.keyed("config.keyring_refused", error_type=type(exc).__name__,
                                     env=env_name(profile)) from exc


def load_secret(profile: str) -> str:
    from_env = secret_from_env(profile)
    if from_env:
        return from_env
    kr = require_keyring(profile)
    try:
        value = kr.get_password(SERVICE, _username(profile))
    except Exception as exc:
        raise SecretStoreError.keyed("config.keyring_unreadable", error_type=type(exc).__name__) from exc
    if not value:
        raise SecretStoreError.keyed("config.no_secret_stored", profile=profile, env=env_name(profile))
    return value


def delete_secret(profile: str) -> bool:
    try:
        kr = require_keyring(profile)
        kr.delete_password(SERVICE, _username(profile))
        return True
    except Exception:
        return False
