"""From command-line options to a Graph connection: a tenant profile, or --graph-url with a token."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import Phrase, UsageError
from ..graph.auth import credential_for_profile, token_from_env
from ..graph.clouds import Endpoint, cloud_endpoint, custom_endpoint
from .profiles import ProfileStore, TenantProfile


@dataclass
class Connection:
    label: str  # what to call the tenant in messages: the profile name or the URL
    endpoint: Endpoint
    profile: TenantProfile | None
    credential_factory: Callable[[], Any]  # called inside the event loop
    usage_location: str = ""
    client_options: dict = field(default_factory=dict)  # defaults for open(): concurrency, transport, policy
    default_used: bool = False  # no tenant was named; the default profile was taken

    def describe(self) -> Phrase:
        """Which tenant, for the line every command prints first: ``kunde-a (default profile, tenant ...)``, said in
        the language of the line it is put in (a Phrase: English where a plain string is wanted)."""
        if self.profile is None:
            return Phrase("cli.announce.which.url", label=self.label)
        kind = "default" if self.default_used else "profile"
        return Phrase(f"cli.announce.which.{kind}", label=self.label, tenant=self.profile.tenant)

    def open(self, **kwargs: Any) -> Any:
        """A GraphClient for this tenant (inside a running event loop); kwargs override client_options."""
        from ..graph.client import build_client

        options = {"concurrency": 8, "transport": None, "policy": None, **self.client_options, **kwargs}
        return build_client(self.endpoint, self.credential_factory(), **options)


def profile_endpoint(profile: TenantProfile) -> Endpoint:
    return custom_endpoint(profile.graph_url) if profile.graph_url else cloud_endpoint(profile.cloud)


def resolve(tenant: str | None, graph_url: str | None, *, writes: bool = False,
            store: ProfileStore | None = None) -> Connection:
    """Pick the tenant a command talks to.

    + writes: a command that changes a tenant must name it; it never falls back to the default profile.
    """
    if tenant and graph_url:
        raise UsageError.keyed("config.two_tenants")
    if graph_url:
        endpoint = custom_endpoint(graph_url)
        token_from_env()  # fail early with the fix, before any work
        return Connection(graph_url, endpoint, None, token_from_env)
    store = store or ProfileStore()
    if tenant:
        profile = store.get(tenant)
    else:
        if writes:
            raise UsageError.keyed("config.change_needs_tenant")
        profile = store.default()
        if profile is None:
            raise UsageError.keyed("config.no_tenant")
    endpoint = profile_endpoint(profile)
    # a client secret is looked up now (environment, then keyring), so that a missing one fails before any work
    secret = _client_secret(profile) if profile.auth == "client-secret" else None

    def factory(p: TenantProfile = profile) -> Any:
        from ..paths import data_dir

        return credential_for_profile(p, endpoint, record_dir=data_dir() / "auth", secret=secret)

    return Connection(profile.name, endpoint, profile, factory, profile.usage_location, default_used=not tenant)


def _client_secret(profile: TenantProfile) -> str:
    from .keystore import load_secret

    return load_secret(profile.name)
