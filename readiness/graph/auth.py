"""Credentials: azure-identity for real tenants, a static bearer token for the simulator or a proxy.

azure-identity and kiota are imported inside functions only. Sync credentials are wrapped so that a
token refresh (or a device-code prompt) never stalls the event loop (notes/msgraph-sdk.md 4.5).
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..errors import AuthError, ConfigError, Phrase, UsageError
from .clouds import Endpoint, is_loopback


class SignInSettings(Protocol):
    """What sign-in needs from a tenant profile (config.profiles.TenantProfile has these fields).

    graph/ never imports config/: the caller passes its profile in.
    """

    name: str
    tenant: str
    auth: str
    client_id: str
    cert_path: str

TOKEN_ENV = "READINESS_ACCESS_TOKEN"
AUTH_METHODS = ("device-code", "browser", "client-secret", "certificate", "azure-cli", "managed-identity", "token")
# A public client id for interactive sign-in when the profile names none: Microsoft Graph Command
# Line Tools (the app Microsoft documents for admin scripts). Organisations can register their own.
DEFAULT_PUBLIC_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"


class _Token:
    __slots__ = ("token", "expires_on")

    def __init__(self, token: str, expires_on: int) -> None:
        self.token = token
        self.expires_on = expires_on


class StaticTokenCredential:
    """A bearer token the caller already has (READINESS_ACCESS_TOKEN, the simulator)."""

    sign_in_hint: str = Phrase("errors.auth.hints.token", env=TOKEN_ENV)

    def __init__(self, token: str) -> None:
        if not token or any(c.isspace() for c in token):
            raise UsageError.keyed("auth.bad_token", env=TOKEN_ENV)
        self._token = token

    async def get_token(self, *scopes: str, **kwargs: Any) -> _Token:
        return _Token(self._token, int(time.time()) + 3600)

    def expired(self) -> bool:
        """True when the token is a JWT whose ``exp`` has passed (read, not verified: to word an error)."""
        exp = token_claims(self._token).get("exp")
        return isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp < time.time()

    async def close(self) -> None:
        return None


class CachedAsyncCredential:
    """Run a sync azure-identity credential in a thread; one acquisition at a time; cache the token."""

    def __init__(self, credential: Any, sign_in_hint: str = "") -> None:
        self._cred = credential
        self._lock = asyncio.Lock()
        self._cache: dict[tuple, Any] = {}
        self.sign_in_hint = sign_in_hint or Phrase("errors.auth.hints.generic")

    async def get_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> Any:
        key = (scopes, claims)
        token = self._cache.get(key)
        if token is not None and token.expires_on - 300 > time.time():
            return token
        async with self._lock:
            token = self._cache.get(key)
            if token is not None and token.expires_on - 300 > time.time():
                return token
            try:
                token = await asyncio.to_thread(self._cred.get_token, *scopes, claims=claims, **kwargs)
            except Exception as exc:  # azure-identity raises several unrelated types
                raise _auth_error(exc) from exc
            self._cache[key] = token
            return token

    async def close(self) -> None:
        close = getattr(self._cred, "close", None)
        if close:
            close()


def no_encrypted_cache_error() -> AuthError:
    """Without libsecret, azure-identity advises unencrypted storage; readiness says what works instead."""
    return AuthError.keyed("auth.no_token_cache")


def _no_encrypted_cache(exc: BaseException | None) -> bool:
    """azure-identity's 'cache encryption is impossible' (Linux without libsecret) or no persistent cache at all.

    azure-identity raises it as a ValueError, or wrapped in ClientAuthenticationError during sign-in.
    """
    seen = 0
    while exc is not None and seen < 8:
        text = str(exc)
        if "allow_unencrypted_storage" in text or (isinstance(exc, NotImplementedError) and "persistent cache" in text):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _auth_error(exc: Exception) -> AuthError:
    name = type(exc).__name__
    if _no_encrypted_cache(exc):
        return no_encrypted_cache_error()
    if name == "AuthenticationRequiredError":
        return AuthError.keyed("auth.interactive_needed")
    text = str(exc).splitlines()[0] if str(exc) else name
    return AuthError.keyed("auth.sign_in_failed", name=name, text=text)


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, the port filled in from the scheme: what "the same origin" compares."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: no origin matches it
        return (scheme, "", -1)
    return (scheme, (parts.hostname or "").lower(), port if port is not None else {"https": 443, "http": 80}.get(scheme, -1))


def sign_in_hint(profile: TenantProfile) -> str:
    """How to get a token Graph accepts again, in the words of how this profile signs in."""
    name, method = profile.name, profile.auth
    if method in ("device-code", "browser"):
        return Phrase("errors.auth.hints.login", name=name)
    if method == "client-secret":
        return Phrase("errors.auth.hints.client_secret", name=name, tenant=profile.tenant)
    if method == "certificate":
        return Phrase("errors.auth.hints.certificate", name=name, tenant=profile.tenant)
    if method == "azure-cli":
        return Phrase("errors.auth.hints.azure_cli", tenant=profile.tenant)
    if method == "managed-identity":
        return Phrase("errors.auth.hints.managed_identity", name=name, tenant=profile.tenant)
    if method == "token":
        return _token_profile_hint(name)
    return StaticTokenCredential.sign_in_hint


class BearerAuthProvider:
    """kiota AuthenticationProvider: adds the token only for the exact origin (scheme, host, port) of
    the Graph endpoint it was issued for, and only over https or to a loopback address."""

    def __init__(self, credential: Any, *, scope: str, allowed_origin: str) -> None:
        self._cred = credential
        self._scope = scope
        self._origin = origin_of(allowed_origin)

    async def authenticate_request(self, request: Any, additional_authentication_context: dict | None = None) -> None:
        url = str(request.url)
        if origin_of(url) != self._origin:
            return  # never send the token anywhere but Graph (report downloads go elsewhere)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" and not is_loopback(host):
            raise AuthError.keyed("auth.plain_http", host=host)
        claims = (additional_authentication_context or {}).get("claims")
        kwargs = {"claims": base64.b64decode(claims).decode()} if claims else {}
        token = self._cred.get_token(self._scope, **kwargs)
        if asyncio.iscoroutine(token):
            token = await token
        request.headers.try_add("Authorization", f"Bearer {token.token}")


def token_claims(token: str) -> dict:
    """The (unverified) claims of a JWT access token, for showing granted permissions; {} if opaque."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_env_name(profile: str) -> str:
    """READINESS_ACCESS_TOKEN_<PROFILE>: the profile name upper-cased, every other character ``_``."""
    return f"{TOKEN_ENV}_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in profile.upper())


def token_from_env(profile: str | None = None) -> StaticTokenCredential:
    """The bearer token for a token profile: READINESS_ACCESS_TOKEN_<PROFILE> when set, else READINESS_ACCESS_TOKEN."""
    token = os.environ.get(token_env_name(profile), "").strip() if profile else ""
    token = token or os.environ.get(TOKEN_ENV, "").strip()
    if not token and profile:
        raise UsageError.keyed("auth.token_profile_no_env", profile=profile, profile_env=token_env_name(profile),
                               env=TOKEN_ENV)
    if not token:
        raise UsageError.keyed("auth.graph_url_needs_token", env=TOKEN_ENV)
    cred = StaticTokenCredential(token)
    if profile:
        cred.sign_in_hint = _token_profile_hint(profile)
    return cred


def _token_profile_hint(profile: str) -> str:
    return Phrase("errors.auth.hints.token_profile", profile=profile, env=token_env_name(profile))


def credential_for_profile(profile: SignInSettings, endpoint: Endpoint, *, interactive: bool = False,
                           record_dir: Path | None = None, secret: str | None = None,
                           prompt: Any = None) -> Any:
    """Build the azure-identity credential a profile names, wrapped for asyncio.

    + interactive: allow a device-code or browser prompt (``tenant login``); otherwise a missing
      sign-in raises AuthError telling the user to log in once.
    + secret: the client secret for client-secret profiles (from the keyring; never an argument).
    + prompt: shows the device-code instructions (the CLI writes them to stderr); required for device code.
    """
    if profile.auth == "token":
        return token_from_env(profile.name)
    try:
        import azure.identity as ai
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError.keyed("auth.no_azure_identity") from exc

    # azure-identity logs every failed get_token at WARNING with its own advice (for example "allow unencrypted
    # storage"); readiness raises its own error for each failure, so its warnings stay quiet unless configured
    azure_log = logging.getLogger("azure.identity")
    if azure_log.level == logging.NOTSET:
        azure_log.setLevel(logging.ERROR)
    authority = endpoint.authority_host or "login.microsoftonline.com"
    tenant = profile.tenant
    method = profile.auth
    cache = ai.TokenCachePersistenceOptions(name=f"readiness.{profile.name}", allow_unencrypted_storage=False)
    try:
        if method == "client-secret":
            if not secret:
                raise ConfigError.keyed("auth.no_secret", name=profile.name)
            cred = ai.ClientSecretCredential(tenant, profile.client_id, secret, authority=authority)
        elif method == "certificate":
            if not profile.cert_path:
                raise ConfigError.keyed("auth.no_cert_path", name=profile.name)
            cred = ai.CertificateCredential(tenant, profile.client_id, certificate_path=profile.cert_path,
                                            authority=authority, send_certificate_chain=True)
        elif method == "azure-cli":
            cred = ai.AzureCliCredential(tenant_id=tenant, process_timeout=30)
        elif method == "managed-identity":
            cred = ai.ManagedIdentityCredential(client_id=profile.client_id or None)
        elif method in ("device-code", "browser"):
            cred = _interactive_credential(ai, profile, authority, cache, interactive, record_dir, prompt)
        else:
            raise ConfigError.keyed("auth.unknown_method", method=method, name=profile.name,
                                    items=', '.join(AUTH_METHODS))
    except (ConfigError, AuthError):
        raise
    except Exception as exc:
        raise _auth_error(exc) from exc
    return CachedAsyncCredential(cred, sign_in_hint(profile))


def _interactive_credential(ai: Any, profile: SignInSettings, authority: str, cache: Any,
                            interactive: bool, record_dir: Path | None, show: Any) -> Any:
    record_path = (record_dir / f"{profile.name}.json") if record_dir else None
    record = None
    if record_path and record_path.exists():
        record = ai.AuthenticationRecord.deserialize(record_path.read_text("utf-8"))
    if record is None and not interactive:
        raise AuthError.keyed("auth.not_signed_in", name=profile.name)

    def prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
        if show is None:
            raise AuthError.keyed("auth.device_code_needs_terminal", name=profile.name)
        show(f"To sign in, open {verification_uri} and enter the code {user_code}")

    common = dict(tenant_id=profile.tenant, client_id=profile.client_id or DEFAULT_PUBLIC_CLIENT_ID,
                  authority=authority, authentication_record=record,
                  disable_automatic_authentication=not interactive)
    try:
        common["cache_persistence_options"] = cache
        if profile.auth == "device-code":
            return ai.DeviceCodeCredential(prompt_callback=prompt, **common)
        return ai.InteractiveBrowserCredential(**common)
    except (ValueError, NotImplementedError) as exc:  # no libsecret: encrypted cache impossible
        if _no_encrypted_cache(exc):
            raise no_encrypted_cache_error() from exc
        raise
