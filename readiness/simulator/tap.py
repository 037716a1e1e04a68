"""Temporary Access Pass endpoints: a user's pass (list, get, create, delete) and the TAP method's configuration.

Documented behaviour imitated (microsoft-graph-docs-contrib, api-reference/v1.0):
- POST /users/{id}/authentication/temporaryAccessPassMethods (authentication-post-temporaryaccesspassmethods.md):
  UserAuthenticationMethod.ReadWrite.All; 201 with the object, ``temporaryAccessPass`` holding the pass. "A user can
  only have one Temporary Access Pass that's usable within its specified lifetime": a second create while one
  exists deletes the previous pass and creates a new one (so a blind retry silently invalidates the first pass).
  ``lifetimeInMinutes`` must be between 10 and 43200 and within the policy's minimum and maximum; a multi-use pass
  (``isUsableOnce: false``) only where the policy allows it. Creating one for a user the policy does not target
  (state disabled, or not in includeTargets) is refused with 400 (Graph's text for it is not documented; ours says what).
- GET .../temporaryAccessPassMethods (authentication-list-temporaryaccesspassmethods.md): at most one object;
  ``temporaryAccessPass`` is null on every read (resources/temporaryaccesspassauthenticationmethod.md: "Returned
  only on creation"). UserAuthenticationMethod.Read.All.
- DELETE .../temporaryAccessPassMethods/{id} (temporaryaccesspassauthenticationmethod-delete.md): 204; 404 when gone.
- GET|PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass
  (authenticationmethodconfiguration-get.md, temporaryaccesspassauthenticationmethodconfiguration-update.md):
  Policy.Read.AuthenticationMethod / Policy.ReadWrite.AuthenticationMethod; PATCH answers 204.
"""
from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .tenant import SimError
from .wire import Route, SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

UID = r"(?P<uid>[^/()]+)"
MID = r"(?P<mid>[0-9a-fA-F-]{36})"
TAP_READ = ("UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All")
TAP_WRITE = ("UserAuthenticationMethod.ReadWrite.All",)
POLICY_READ = ("Policy.Read.AuthenticationMethod", "Policy.ReadWrite.AuthenticationMethod")
POLICY_WRITE = ("Policy.ReadWrite.AuthenticationMethod",)
CONFIG_KEYS = {"@odata.type", "state", "includeTargets", "excludeTargets", "defaultLifetimeInMinutes", "defaultLength",
               "minimumLifetimeInMinutes", "maximumLifetimeInMinutes", "isUsableOnce"}
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@#$%&*+-=?"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(d: datetime) -> str:
    return d.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _config(sim: Simulator, cid: str) -> dict:
    for cfg in sim.tenant.auth_methods_policy.get("authenticationMethodConfigurations") or []:
        if str(cfg.get("id", "")).lower() == cid.lower():
            return cfg
    raise SimError(404, "itemNotFound", f"Authentication method configuration '{cid}' was not found.")


def _taps(sim: Simulator, uid: str) -> dict[str, dict]:
    """The user's passes by id (at most one); a generated 'temporaryAccessPass' method gets its object lazily."""
    t = sim.tenant
    mine = t.tap_methods.setdefault(uid, {})
    if not mine and "temporaryAccessPass" in (t.auth_methods.get(uid) or []):
        mid = f"{uid[:8]}-0000-4000-8000-{secrets.token_hex(6)}"
        mine[mid] = {"id": mid, "temporaryAccessPass": None, "createdDateTime": f"{t.created}T07:00:00.000Z",
                     "startDateTime": f"{t.created}T07:00:00.000Z", "lifetimeInMinutes": 60, "isUsableOnce": True,
                     "_pass": None}
    return mine


def _view(tap: dict) -> dict:
    out = {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod"}
    out.update({k: v for k, v in tap.items() if not k.startswith("_")})
    start = datetime.fromisoformat(tap["startDateTime"].replace("Z", "+00:00"))
    end = start + timedelta(minutes=tap["lifetimeInMinutes"])
    now = _now()
    usable = start <= now < end and not tap.get("_used")
    out["isUsable"] = usable
    out["methodUsabilityReason"] = "EnabledByPolicy" if usable else ("NotYetValid" if now < start else "Expired")
    out["temporaryAccessPass"] = None  # returned only on creation
    return out


def list_taps(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    u = sim.tenant.user(m.group("uid"))
    value = [_view(x) for x in _taps(sim, u["id"]).values()]
    return SimResponse.json(200, {"@odata.context": sim.context(req, f"users('{u['id']}')/authentication/temporaryAccessPassMethods"),
                                  "value": value})


def get_tap(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    u = sim.tenant.user(m.group("uid"))
    tap = _taps(sim, u["id"]).get(m.group("mid"))
    if tap is None:
        raise SimError(404, "itemNotFound", "The requested Temporary Access Pass method was not found.")
    return SimResponse.json(200, _view(tap))


def _targeted(sim: Simulator, cfg: dict, uid: str) -> bool:
    if cfg.get("state") != "enabled":
        return False
    t = sim.tenant

    def hit(targets: list) -> bool:
        ids = {str(x.get("id")) for x in targets or []}
        return "all_users" in ids or any(uid in (t.group_members.get(g) or []) for g in ids)

    return hit(cfg.get("includeTargets")) and not hit([x for x in cfg.get("excludeTargets") or [] if x.get("id") != "all_users"])


def create_tap(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    from .writes import _body

    t = sim.tenant
    u = t.user(m.group("uid"))
    body = _body(req)
    unknown = set(body) - {"@odata.type", "isUsableOnce", "lifetimeInMinutes", "startDateTime"}
    if unknown:
        raise SimError(400, "BadRequest", f"Property '{sorted(unknown)[0]}' cannot be set when creating a Temporary Access Pass.")
    cfg = _config(sim, "TemporaryAccessPass")
    if not _targeted(sim, cfg, u["id"]):
        raise SimError(400, "BadRequest", "The Temporary Access Pass authentication method is not enabled for this user "
                                          "by the authentication methods policy.")
    lifetime = body.get("lifetimeInMinutes", cfg.get("defaultLifetimeInMinutes", 60))
    low, high = max(10, cfg.get("minimumLifetimeInMinutes", 10)), min(43200, cfg.get("maximumLifetimeInMinutes", 43200))
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not low <= lifetime <= high:
        raise SimError(400, "BadRequest", f"lifetimeInMinutes must be between {low} and {high} (the policy's limits).")
    once = body.get("isUsableOnce", cfg.get("isUsableOnce", False))
    if once is False and cfg.get("isUsableOnce") is True:
        raise SimError(400, "BadRequest", "The policy allows only one-time Temporary Access Passes (isUsableOnce).")
    now = _now()
    start = now
    if body.get("startDateTime"):
        try:
            start = datetime.fromisoformat(str(body["startDateTime"]).replace("Z", "+00:00"))
        except ValueError:
            raise SimError(400, "BadRequest", "startDateTime is not a valid date and time.") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
    value = "".join(secrets.choice(ALPHABET) for _ in range(int(cfg.get("defaultLength") or 8)))
    mid = str(uuid.uuid4())
    tap = {"id": mid, "temporaryAccessPass": None, "createdDateTime": _iso(now), "startDateTime": _iso(start),
           "lifetimeInMinutes": lifetime, "isUsableOnce": bool(once), "_pass": value}
    mine = _taps(sim, u["id"])  # the app holds the tenant's write lock for a write
    mine.clear()  # one pass per user: the previous one is deleted (v1.0 doc)
    mine[mid] = tap
    methods = t.auth_methods.setdefault(u["id"], [])
    if "temporaryAccessPass" not in methods:
        methods.append("temporaryAccessPass")
    t.tap_issued.append((u["id"], mid, value))
    out = _view(tap)
    out["temporaryAccessPass"] = value
    return SimResponse.json(201, {"@odata.context": sim.context(req, f"users('{u['id']}')/authentication/temporaryAccessPassMethods/$entity"),
                                  **out})


def delete_tap(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    t = sim.tenant
    u = t.user(m.group("uid"))
    mine = _taps(sim, u["id"])
    if m.group("mid") not in mine:
        raise SimError(404, "itemNotFound", "The requested Temporary Access Pass method was not found.")
    del mine[m.group("mid")]
    methods = t.auth_methods.get(u["id"]) or []
    if "temporaryAccessPass" in methods:
        methods.remove("temporaryAccessPass")
    return SimResponse(204)


def get_config(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    cfg = _config(sim, m.group("cid"))
    return SimResponse.json(200, {"@odata.context": sim.context(req, "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"),
                                  **cfg})


def patch_config(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    from .writes import _body

    cfg = _config(sim, m.group("cid"))
    body = _body(req)
    if cfg.get("id") != "TemporaryAccessPass":
        raise SimError(400, "BadRequest", "Only the TemporaryAccessPass configuration can be changed in this simulator.")
    if str(body.get("@odata.type", cfg["@odata.type"])) != cfg["@odata.type"]:
        raise SimError(400, "BadRequest", f"@odata.type must be {cfg['@odata.type']}.")
    bad = set(body) - CONFIG_KEYS
    if bad:
        raise SimError(400, "BadRequest", f"Property '{sorted(bad)[0]}' does not exist on this configuration.")
    if "state" in body and body["state"] not in ("enabled", "disabled"):
        raise SimError(400, "BadRequest", f"Invalid value '{body['state']}' for property 'state'.")
    merged = {**cfg, **body}
    if not 10 <= merged.get("minimumLifetimeInMinutes", 60) <= merged.get("defaultLifetimeInMinutes", 60) \
            <= merged.get("maximumLifetimeInMinutes", 480) <= 43200:
        raise SimError(400, "BadRequest", "defaultLifetimeInMinutes must lie between minimumLifetimeInMinutes and "
                                          "maximumLifetimeInMinutes (10 to 43200).")
    cfg.update({k: v for k, v in body.items() if k != "@odata.type"})
    return SimResponse(204)


def _r(method: str, path: str, handler: Any, roles: tuple[str, ...]) -> Route:
    return Route(method, re.compile(path), handler, roles, ("v1.0", "beta"))


TAPS = rf"/users/{UID}/authentication/temporaryAccessPassMethods"
CONFIG = r"/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/(?P<cid>[A-Za-z0-9]+)"
ROUTES = [
    _r("GET", TAPS, list_taps, TAP_READ),
    _r("GET", rf"{TAPS}/{MID}", get_tap, TAP_READ),
    _r("POST", TAPS, create_tap, TAP_WRITE),
    _r("DELETE", rf"{TAPS}/{MID}", delete_tap, TAP_WRITE),
    _r("GET", CONFIG, get_config, POLICY_READ),
    _r("PATCH", CONFIG, patch_config, POLICY_WRITE),
]
