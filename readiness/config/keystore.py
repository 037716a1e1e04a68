"""Client secrets: only in the OS keyring, never on the command line or in a plain file.

Order: the environment variable READINESS_CLIENT_SECRET_<PROFILE> (CI, containers), then the
keyring. Where no secure keyring exists (headless Linux without Secret Service), one clear error
lists the ways out; a plaintext keyring backend is refused unless the user opts in explicitly.
"""
from __future__ import annotations

import os
import re

from ..errors import SecretStoreError

SERVICE = "readiness"
_INSECURE = ("fail.Keyring", "null.Keyring", "PlaintextKeyring", "chainer.ChainerBackend")


def env_name(profile: str) -> str:
    return "READINESS_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]", "_", profile.upper())


def _username(profile: str) -> str:
    return f"{profile}:client-secret"


def _keyring():
    try:
        import keyring
        import keyring.errors
    except ImportError as exc:  # pragma: no cover - broken install
        raise SecretStoreError("The keyring package is missing", "Reinstall readiness: pip install .") from exc
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    insecure = any(name.endswith(x) for x in _INSECURE) or "Plaintext" in name
    if insecure and os.environ.get("READINESS_ALLOW_PLAINTEXT_KEYRING") != "1":
        if "fail" in name or "null" in name or "chainer" in name:
            what = f"No secure OS keyring is available ({name}); on headless Linux there is no Secret Service"
        else:
            what = f"The only keyring backend is a plaintext file ({name})"
        raise SecretStoreError(
            what,
            "Choose one: use certificate auth (--auth certificate --cert-path PEM, no stored secret); "
            "or set READINESS_CLIENT_SECRET_<PROFILE> in the environment (CI, containers); "
            "or run inside a keyring session (dbus-run-session, gnome-keyring-daemon --unlock); "
            "or accept a plaintext keyring with READINESS_ALLOW_PLAINTEXT_KEYRING=1",
        )
    return keyring


def store_secret(profile: str, secret: str) -> None:
    if not secret:
        raise SecretStoreError("The client secret is empty", "Paste the secret's value (not its id) when asked")
    kr = _keyring()
    try:
        kr.set_password(SERVICE, _username(profile), secret)
    except Exception as exc:  # keyring raises backend-specific errors
        raise SecretStoreError(f"The OS keyring refused to store the secret ({type(exc).__name__})",
                               "Unlock the keyring and try again, or use certificate auth") from exc


def load_secret(profile: str) -> str:
    from_env = os.environ.get(env_name(profile))
    if from_env:
        return from_env
    kr = _keyring()
    try:
        value = kr.get_password(SERVICE, _username(profile))
    except Exception as exc:
        raise SecretStoreError(f"The OS keyring could not be read ({type(exc).__name__})",
                               "Unlock the keyring and try again") from exc
    if not value:
        raise SecretStoreError(f"No client secret is stored for profile '{profile}'",
                               f"Run `readiness tenant secret {profile}` or set {env_name(profile)}")
    return value


def delete_secret(profile: str) -> bool:
    try:
        kr = _keyring()
        kr.delete_password(SERVICE, _username(profile))
        return True
    except Exception:
        return False
