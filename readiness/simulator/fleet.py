"""A simulator that serves a fleet: one host, many tenants, chosen by the token's ``tid`` claim (as Graph does).

``FleetSimulator`` holds one ``Simulator`` per tenant and routes each request by the bearer token's
``tid``; the chosen tenant's simulator then verifies the token with its own key, so a token issued for
one tenant never reads another. It has the ``handle`` / ``answered`` / ``faults`` surface that
server.py and transport.py use, so it is served exactly like a single tenant.

``generate_fleet(n)`` builds ``n`` varied client tenants (10 to 2,000 people, with and without Entra ID
P1 and Intune, one whose admin consent is missing, one that throttles hard) plus the MSP's own partner
tenant with GDAP relationships to every client (``GET /tenantRelationships/delegatedAdminRelationships``,
shaped as documented at https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships
and https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship).
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from typing import Iterable

from .app import Faults, Simulator
from .wire import Collection, SimRequest, SimResponse
from .generate import generate_tenant
from .tenant import SimError, Tenant
from .tokens import ALL_ROLES

GDAP_ROLE = "DelegatedAdminRelationship.Read.All"
GDAP_ROLES = (GDAP_ROLE, "DelegatedAdminRelationship.ReadWrite.All")
# Entra built-in role template ids (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference)
ROLE_GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
ROLE_USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
ROLE_INTUNE_ADMIN = "3a2c62db-5318-420d-8d74-23affee5d9d5"
ROLE_LICENSE_ADMIN = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
GDAP_RELATIONSHIPS = Collection("delegatedAdminRelationships", default_top=300, max_top=300, directory=False,
                                needs_select=False, filterable={"status"})

# name, generator profile, size (enterprise), seed, kind
_PLAN = [
    ("baeckerei-schmidt", "enterprise", 10, 101, "ok"),
    ("mueller-soehne", "unprepared-sme", None, 7, "ok"),
    ("kanzlei-weber", "unprepared-sme", None, 23, "ok"),
    ("praxis-fischer", "enterprise", 25, 103, "no-consent"),
    ("autohaus-wagner", "enterprise", 60, 104, "ok"),
    ("stadtwerke-nord", "enterprise", 2000, 105, "ok"),
    ("hotel-becker", "unprepared-sme", None, 41, "throttle"),
    ("logistik-hoffmann", "enterprise", 300, 107, "ok"),
    ("ingenieure-koch", "enterprise", 150, 108, "no-p1"),
    ("verlag-richter", "unprepared-sme", None, 59, "ok"),
    ("klinik-klein", "enterprise", 800, 110, "ok"),
    ("spedition-wolf", "enterprise", 40, 111, "no-intune"),
]


@dataclass
class FleetMember:
    name: str
    sim: Simulator
    kind: str = "ok"  # ok | no-consent | throttle | no-p1 | no-intune | partner
    roles: tuple[str, ...] = ALL_ROLES

    @property
    def tenant_id(self) -> str:
        return self.sim.tenant.tenant_id

    def token(self) -> str:
        return self.sim.issue_token(self.roles)


def _claims(req: SimRequest) -> dict:
    """The unverified claims of the bearer token: only to pick the tenant; its simulator verifies."""
    auth = req.headers.get("authorization", "")
    parts = auth[7:].strip().split(".") if auth.startswith("Bearer ") else []
    if len(parts) != 3:
        return {}
    try:
        doc = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


class FleetSimulator:
    """Many tenants behind one host; requests go to the tenant named by the token's tid."""

    def __init__(self, members: Iterable[FleetMember], *, latency: float = 0.0, partner: str | None = None) -> None:
        self.members = {m.name: m for m in members}
        self.by_tid = {m.tenant_id: m for m in self.members.values()}
        self.faults = Faults(latency=latency)  # the server sleeps this long after each answer
        self.partner = partner
        self._lock = threading.Lock()
        self._errors = Simulator(Tenant("00000000-0000-0000-0000-000000000000", "invalid.example", "-", "-", "2026-01-01"))

    # the server sets these on the simulator it serves; every tenant needs them
    @property
    def download_host(self) -> str | None:
        return self._errors.download_host

    @download_host.setter
    def download_host(self, value: str | None) -> None:
        for s in self._sims():
            s.download_host = value

    @property
    def grace(self) -> float:
        return self._errors.grace

    @grace.setter
    def grace(self, value: float) -> None:
        for s in self._sims():
            s.grace = value

    def _sims(self) -> list[Simulator]:
        return [m.sim for m in self.members.values()] + [self._errors]

    def __getitem__(self, name: str) -> FleetMember:
        return self.members[name]

    def handle(self, req: SimRequest) -> SimResponse:
        if req.path.startswith("/_download/"):
            token = req.raw_path.rsplit("/", 1)[-1]
            sim = next((s for s in self._sims() if token in s._downloads), self._errors)
            return self._tag(sim, sim.handle(req))
        member = self.by_tid.get(str(_claims(req).get("tid", "")))
        if member is None:
            return self._tag(self._errors, self._errors.handle(req))  # no or unknown token: 401 as Graph
        if member.kind == "no-consent":
            # admin consent missing in the client tenant: the app holds no permission there
            return self._tag(member.sim, member.sim.error(
                403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
        if member.kind == "partner" and req.path.rstrip("/") == "/tenantRelationships/delegatedAdminRelationships":
            return self._tag(member.sim, self._gdap(member.sim, req))
        return self._tag(member.sim, member.sim.handle(req))

    @staticmethod
    def _tag(sim: Simulator, resp: SimResponse) -> SimResponse:
        resp.sim = sim  # type: ignore[attr-defined]  # answered() must reach the tenant that answered
        return resp

    def summary_lines(self) -> list[str]:
        """What `simulator serve --fleet` prints when it stops: each tenant that was asked something (its conduct, as
        one tenant's `serve` prints it), the requests no tenant's token named, and how many tenants were not asked."""
        lines: list[str] = []
        quiet = 0
        for m in sorted(self.members.values(), key=lambda x: x.name):
            if not m.sim.conduct.requests and m.sim.conduct.summary()["clean"]:
                quiet += 1
                continue
            first, *rest = m.sim.conduct.summary_lines()
            lines += [f"{m.name}: {first}", *rest]
        if self._errors.conduct.requests:  # no token, or one of no tenant in the fleet: answered 401 by the fleet
            first, *rest = self._errors.conduct.summary_lines()
            lines += [f"(no tenant's token): {first}", *rest]
        if quiet:
            lines.append(f"{quiet} of {len(self.members)} tenants were not asked anything")
        return lines

    def answered(self, resp: SimResponse) -> None:
        sim = getattr(resp, "sim", None)
        if sim is not None:
            sim.answered(resp)

    # -- the partner tenant's GDAP relationships ---------------------------------------------------
    def _gdap(self, sim: Simulator, req: SimRequest) -> SimResponse:
        try:
            claims = sim._authenticate(req)
        except SimError as exc:
            return sim.error(exc.status, exc.code, exc.message)
        if not set(claims.get("roles") or []).intersection(GDAP_ROLES):
            return sim.error(403, "Authorization_RequestDenied",
                             f"Insufficient privileges to complete the operation. Requires one of: {', '.join(GDAP_ROLES)}.")
        if req.version != "v1.0" and req.version != "beta":
            return sim.error(400, "BadRequest", "Invalid version.")
        rows = self.gdap_relationships()
        return sim.page(req, GDAP_RELATIONSHIPS, lambda: rows,
                        context=sim.context(req, "tenantRelationships/delegatedAdminRelationships"))

    def gdap_relationships(self) -> list[dict]:
        out = []
        for n, m in enumerate(sorted(self.members.values(), key=lambda x: x.name)):
            if m.kind == "partner":
                continue
            roles = [ROLE_GLOBAL_READER, ROLE_USER_ADMIN, ROLE_LICENSE_ADMIN, ROLE_INTUNE_ADMIN]
            if m.kind == "no-intune":  # a narrower relationship: user and licence work only
                roles = [ROLE_USER_ADMIN, ROLE_LICENSE_ADMIN]
            out.append({
                "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
                "@odata.etag": f'W/"{n}"',
                "id": f"{m.tenant_id[:8]}-gdap-readiness",
                "displayName": f"readiness-{m.name}"[:50],
                "duration": "P730D",
                "status": "active",
                "autoExtendDuration": "P180D",
                "createdDateTime": "2026-01-05T09:00:00Z",
                "activatedDateTime": "2026-01-06T10:00:00Z",
                "lastModifiedDateTime": "2026-01-06T10:00:00Z",
                "endDateTime": "2028-01-06T10:00:00Z",
                "customer": {"tenantId": m.tenant_id, "displayName": m.sim.tenant.display_name},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]},
            })
        return out


def _tweak(t: Tenant, name: str, kind: str) -> None:
    t.display_name = " ".join(w.capitalize() for w in name.split("-")) + (" GmbH" if "gmbh" not in name else "")
    if kind == "no-p1":
        # no Entra ID P1 and no Intune plans: mail, Teams and files only (capabilities come from service plans)
        for sku in t.skus:
            sku["servicePlans"] = [p for p in sku["servicePlans"]
                                   if not p["servicePlanName"].startswith(("AAD_PREMIUM", "INTUNE_A", "MFA_PREMIUM"))]
        t.ca_policies.clear()
        t.managed_devices.clear()
        t.compliance_policies.clear()
        t.reindex()
    if kind == "no-intune":
        for sku in t.skus:
            sku["servicePlans"] = [p for p in sku["servicePlans"] if not p["servicePlanName"].startswith("INTUNE_A")]
        t.managed_devices.clear()
        t.compliance_policies.clear()
        t.reindex()


def generate_fleet(count: int = 12, *, latency: float = 0.0, max_size: int | None = None,
                   throttle_retry_after: float = 30.0) -> FleetSimulator:
    """``count`` client tenants (cycling through a varied plan, seeds shifted on each round) and a partner.

    + max_size: cap tenant sizes (tests and benchmarks that need many small tenants).
    + throttle_retry_after: the hard-throttling tenant answers every request 429 with this Retry-After.
    """
    members = []
    for i in range(count):
        name, profile, size, seed, kind = _PLAN[i % len(_PLAN)]
        if i >= len(_PLAN):
            name, seed = f"{name}-{i // len(_PLAN) + 1}", seed + 1000 * (i // len(_PLAN))
        if size and max_size:
            size = min(size, max_size)
        tenant = generate_tenant(profile, seed=seed, size=size)
        _tweak(tenant, name, kind)
        faults = Faults(latency=latency)
        if kind == "throttle":
            faults = Faults(latency=latency, rate_429=1.0, retry_after=throttle_retry_after)
        members.append(FleetMember(name, Simulator(tenant, faults), kind))
    partner = generate_tenant("unprepared-sme", seed=999)
    partner.display_name = "IT-Partner Nord GmbH"
    members.append(FleetMember("partner", Simulator(partner, Faults(latency=latency)), "partner",
                               ALL_ROLES + (GDAP_ROLE,)))
    return FleetSimulator(members, latency=latency, partner="partner")
