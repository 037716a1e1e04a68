"""Tenant profiles from a script: add, list, show, remove, the default, the client secret, sign-in, a test.

A profile names a client tenant and how to sign in to it (``readiness tenant add``); the CLI's ``tenant``
commands are clients of these functions. A client secret never passes through an argument that could have come
from a command line: ``add_tenant`` and ``store_secret`` take a function that returns it (a hidden prompt, a line
of stdin, a file read) and hand what it returns straight to the OS keyring.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from ..config.profiles import TenantProfile
from ..errors import UsageError
from ..graph.auth import AUTH_METHODS
from ..graph.clouds import CLOUDS
from . import arguments

SecretSource = Callable[[], str]
CLOUD_NAMES = tuple(sorted(CLOUDS))
INTERACTIVE = ("device-code", "browser")


@dataclass
class TenantAdded:
    """``readiness.add_tenant``'s answer: the saved profile and what changed around it.

    + certificate: (subject, thumbprint, kind) of the checked certificate (auth "certificate"), else None.
    + secret_from: "environment" (READINESS_CLIENT_SECRET_<NAME> holds it; nothing was stored), "keyring", or "".
    + became_default / previous_default: the default profile moved (from previous_default, None if there was none).
    + no_default: there is still no default profile (commands then need --tenant).
    """

    profile: TenantProfile
    certificate: tuple[str, str, str] | None = None
    secret_from: str = ""
    secret_env: str = ""
    became_default: bool = False
    previous_default: str | None = None
    no_default: bool = False

    @property
    def needs_login(self) -> bool:
        return self.profile.auth in INTERACTIVE


@dataclass
class TenantList:
    """``readiness.list_tenants``: every profile (by name) and the default's name (None when there is none)."""

    profiles: list[TenantProfile] = field(default_factory=list)
    default: str | None = None


@dataclass
class TenantRemoved:
    profile: TenantProfile
    was_default: bool
    others_left: bool


def _profiles() -> Any:
    """The profile store (looked up on each call: tests replace ``readiness.config.profiles.ProfileStore``)."""
    from ..config import profiles

    return profiles.ProfileStore()


def add_tenant(name: str, tenant_id: str, *, auth: str = "device-code", client_id: str = "", cloud: str = "global",
               graph_url: str = "", usage_location: str = "", cert_path: str = "", tags: list[str] | tuple[str, ...] = (),
               make_default: bool = False, secret: SecretSource | None = None, secret_from_env: bool = True) -> TenantAdded:
    """Save a tenant profile (validated; refused when the name exists).

    + auth "certificate": ``cert_path`` is checked (PEM with key, or PKCS#12) and kept as an absolute path.
    + auth "client-secret": when ``secret_from_env`` and READINESS_CLIENT_SECRET_<NAME> is set, that is used and
      nothing is stored; otherwise the keyring is checked first, then ``secret()`` is called and what it returns
      goes to the keyring, before the profile is written (nothing half-done when the keyring refuses).
    """
    for argument, value in (("name", name), ("tenant_id", tenant_id), ("client_id", client_id), ("cloud", cloud),
                            ("graph_url", graph_url), ("usage_location", usage_location), ("cert_path", cert_path)):
        arguments.text(value, "add_tenant", argument, optional=False)
    profile = TenantProfile(name, tenant_id, auth, client_id, cloud, graph_url, usage_location.upper(), cert_path,
                            tags=list(dict.fromkeys(tags)))
    profile.validate()
    added = TenantAdded(profile)
    if auth == "certificate":
        from ..config.certificates import check_certificate

        cert = check_certificate(cert_path)
        profile.cert_path = str(cert.path)
        added.certificate = (cert.subject, cert.thumbprint, cert.kind)
    store = _profiles()
    if name in {p.name for p in store.list()[0]}:
        raise UsageError.keyed("config.profile_exists", name=name)
    if auth == "client-secret":
        from ..config import keystore

        added.secret_env = keystore.env_name(name)
        if secret_from_env and keystore.secret_from_env(name):
            added.secret_from = "environment"
        else:
            _store(name, secret)
            added.secret_from = "keyring"
    added.became_default, added.previous_default = store.add(profile, make_default=make_default)
    added.no_default = not added.became_default and store.list()[1] is None
    return added


def _store(name: str, secret: SecretSource | None) -> None:
    from ..config.keystore import require_keyring, store_secret as keep

    if not callable(secret):
        raise UsageError.keyed("api.secret_not_callable", kind=arguments.kind(secret))
    require_keyring(name)  # before anyone types a secret: say at once when it could not be kept
    keep(name, secret())


def store_secret(name: str, secret: SecretSource) -> None:
    """Put a profile's client secret into the OS keyring: ``secret()`` is called once the keyring is known to work."""
    get_tenant(name)
    _store(name, secret)


def list_tenants() -> TenantList:
    """Every saved profile, by name, and the default's name (None when no profile is the default)."""
    profiles, default = _profiles().list()
    return TenantList(profiles, default)


def get_tenant(name: str) -> TenantProfile:
    """A saved profile (ConfigError naming the known ones when there is none of that name)."""
    arguments.text(name, "get_tenant", "name", optional=False)
    return _profiles().get(name)


def tenant_record(profile: TenantProfile) -> dict:
    """A profile as data without secrets: where a client secret is kept stands where the secret would be."""
    doc = asdict(profile)
    doc.pop("extra", None)
    if profile.auth == "client-secret":
        from ..config.keystore import env_name

        doc["secret"] = f"in the OS keyring (or {env_name(profile.name)})"
    return doc


def remove_tenant(name: str) -> TenantRemoved:
    """Remove a profile, its client secret from the keyring and its saved sign-in record. Another profile never
    becomes the default silently."""
    from ..paths import data_dir

    store = _profiles()
    profile, was_default = store.remove(get_tenant(name).name)
    if profile.auth == "client-secret":
        from ..config.keystore import delete_secret

        delete_secret(name)
    record = data_dir() / "auth" / f"{name}.json"
    if record.exists():
        record.unlink()
    return TenantRemoved(profile, was_default, bool(store.list()[0]))


def set_default_tenant(name: str) -> str | None:
    """Make ``name`` the default profile; returns the previous default (None if there was none)."""
    arguments.text(name, "set_default_tenant", "name", optional=False)
    return _profiles().set_default(name)


def login(name: str, prompt: Callable[[str], None], *, starting: Callable[[Any], None] | None = None) -> str:
    """Sign in interactively (device code or browser) and keep the sign-in record, so that later commands do not
    ask again; ``prompt`` shows the device-code text, ``starting`` (if given) is called with the tenant's
    Connection just before the sign-in starts. Returns the signed-in user's name."""
    from ..config.connection import profile_endpoint, resolve
    from ..graph.auth import _auth_error, credential_for_profile
    from ..i18n import text, ui_lang
    from ..paths import data_dir, write_private

    profile = get_tenant(name)
    if profile.auth not in INTERACTIVE:
        raise UsageError(text("cli.tenant.no_interactive", ui_lang(), name=name, auth=profile.auth),
                         text("cli.tenant.no_interactive_fix", ui_lang()))
    if starting is not None:
        starting(resolve(name, None))
    endpoint = profile_endpoint(profile)
    cred = credential_for_profile(profile, endpoint, interactive=True, record_dir=data_dir() / "auth", prompt=prompt)
    try:
        record = cred._cred.authenticate(scopes=[endpoint.scope])
    except Exception as exc:
        raise _auth_error(exc) from exc
    write_private(data_dir() / "auth" / f"{name}.json", record.serialize())
    return str(record.username)


def check_tenant(conn: Any) -> Any:
    """Reach the tenant and read what the token grants (see readiness.aio.check_tenant): a ``TenantCheck``."""
    from .. import aio

    arguments.connection(conn, "check_tenant")
    return aio.run_sync(aio.check_tenant(conn))


__all__ = ["AUTH_METHODS", "CLOUD_NAMES", "TenantAdded", "TenantList", "TenantRemoved", "add_tenant", "check_tenant",
           "get_tenant", "list_tenants", "login", "remove_tenant", "set_default_tenant", "store_secret", "tenant_record"]
