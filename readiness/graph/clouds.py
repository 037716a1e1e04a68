"""Graph endpoints: the global cloud, the national clouds by name, or any base URL."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import UsageError


@dataclass(frozen=True)
class Cloud:
    name: str
    graph_root: str  # scheme + host, no version
    authority_host: str  # sign-in host for azure-identity
    label: str


CLOUDS: dict[str, Cloud] = {
    c.name: c
    for c in (
        Cloud("global", "https://graph.microsoft.com", "login.microsoftonline.com", "Global (incl. GCC)"),
        Cloud("usgov", "https://graph.microsoft.us", "login.microsoftonline.us", "US Government L4 (GCC High)"),
        Cloud("usgov-dod", "https://dod-graph.microsoft.us", "login.microsoftonline.us", "US Government L5 (DoD)"),
        Cloud("china", "https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn", "China (21Vianet)"),
    )
}


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: ``base_url`` is ``<root>/v1.0`` without a trailing slash."""

    base_url: str
    cloud: str  # a CLOUDS key, or "custom" for --graph-url
    authority_host: str | None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def root(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def scope(self) -> str:
        return f"{self.root}/.default"



def cloud_endpoint(name: str) -> Endpoint:
    try:
        cloud = CLOUDS[name]
    except KeyError:
        raise UsageError.keyed("config.unknown_cloud_name", name=name, items=', '.join(CLOUDS)) from None
    return Endpoint(f"{cloud.graph_root}/v1.0", cloud.name, cloud.authority_host)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def custom_endpoint(url: str) -> Endpoint:
    """Validate ``--graph-url``: https anywhere, plain http only on loopback; version path required."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError.keyed("config.graph_url_not_http", url=url)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError.keyed("config.graph_url_plain_http", url=url)
    path = parts.path.rstrip("/")
    if not path.endswith(("/v1.0", "/beta")):
        raise UsageError.keyed("config.graph_url_no_version", url=url)
    if parts.query or parts.fragment:
        raise UsageError.keyed("config.graph_url_query", url=url)
    return Endpoint(f"{parts.scheme}://{parts.netloc}{path}", "custom", None)
