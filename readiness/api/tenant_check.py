"""``readiness.check_tenant``: can the token reach the tenant, and which permissions does it grant for what?"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class PermissionRow:
    permission: str
    granted: bool
    via: str | None  # the granted permission that covers it (a broader one), None when missing
    purpose: str


@dataclass
class TenantCheck:
    """What ``readiness tenant test`` shows. The token itself is never part of it.

    + status: the HTTP status of one read (``/subscribedSkus``); subscriptions: how many it listed.
    + expires_at: the token's ``exp`` claim (seconds since 1970, not verified: display only), None when opaque.
    + features: feature -> the permissions it needs and whether they are granted (empty when the token's
      permissions cannot be read: ``permissions_readable`` is False).
    """

    tenant: str
    url: str
    by_profile: bool
    status: int
    subscriptions: int
    expires_at: float | None
    permissions_readable: bool
    features: dict[str, list[PermissionRow]] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return sum(not row.granted for rows in self.features.values() for row in rows)

    @property
    def token_expires(self) -> str | None:
        """The expiry as an ISO time (UTC, ``...Z``), or None."""
        if self.expires_at is None:
            return None
        return datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat().replace("+00:00", "Z")


def token_expires_at(token: str) -> float | None:
    """A JWT access token's ``exp`` claim (seconds since 1970), None for an opaque token. Not verified: display only."""
    from ..graph.auth import token_claims

    exp = token_claims(token).get("exp")
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


async def check_tenant_async(conn: Any) -> TenantCheck:
    """One token, one read; a 401 raises TokenRejected (the token is refused, not "signed in")."""
    from ..graph.permissions import FEATURES, check, granted_permissions

    client = conn.open()
    try:
        token = await client.access_token()
        resp = await client.request("GET", "/subscribedSkus", check=False)
        page = resp.json() if resp.ok else None
        value = page.get("value") if isinstance(page, dict) else None
        status, skus = resp.status, len(value) if isinstance(value, list) else 0
    finally:
        await client.aclose()
    granted = granted_permissions(token)
    features = {feature: [PermissionRow(need.permission, ok, via if ok else None, need.purpose)
                          for need, ok, via in check(granted, needs)] for feature, needs in FEATURES.items()} \
        if granted is not None else {}
    return TenantCheck(conn.label, conn.endpoint.base_url, conn.profile is not None, status, skus, token_expires_at(token),
                       granted is not None, features)
