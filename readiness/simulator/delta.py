"""Delta queries on users, groups and devices, as Graph serves them.

Documented behaviour imitated (microsoft-graph-docs-contrib concepts/delta-query-overview.md,
api-reference/v1.0/api/user-delta.md, group-delta.md, device-delta.md):

* the first round pages with ``@odata.nextLink``; its last page carries ``@odata.deltaLink``;
  ``$deltatoken=latest`` answers no objects, only a deltaLink for the current state;
* ``$select`` is honoured (and kept in the token: a deltaLink carries no other query option);
  ``$top`` is not honoured (shared/notes/graph-api.md); pages hold at most PAGE objects;
* later rounds hold only changed objects with only the changed properties (plus id); removed objects
  come as ``{"id": ..., "@removed": {"reason": "changed"}}`` (users and groups: soft-deleted, restorable)
  or ``"deleted"`` (devices); group membership comes as ``members@delta`` when members are selected;
* a token the service no longer knows answers 410 Gone, code ``syncStateNotFound`` (the client must
  read in full again). Tokens live in a bounded table: the oldest expire (``expire_tokens`` drops all).

The change log is the state a token remembers: per object, the values of the selected properties as
they were when the token was issued (a version of each object); a later round compares them with the
tenant now. That needs no hook in the write handlers and sees every change, however it was made.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Iterable, Iterator
from urllib.parse import quote

import orjson

from .odata import QueryError, parse_select
from .tenant import SimError
from .wire import Route, SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

# the read permissions of simulator/routes.py (least privileged first)
USER_READ_ROLES = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
GROUP_READ_ROLES = ("Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "Directory.Read.All")
DEVICE_READ_ROLES = ("Device.Read.All", "Directory.Read.All")
PAGE = 200  # objects per delta page
# members@delta per group object: a group with more member changes comes again, with the same properties and the
# next members, and ends its page ("Paging through members in a large group", concepts/delta-query-groups.md: "you may
# receive a response again containing the same group object ... members@delta now contains a different list")
MEMBER_CHUNK = 100
MAX_TOKENS = 64  # issued tokens the simulator remembers; older ones answer 410
_GUARD = threading.RLock()  # _store() is also called with it held
REMOVED_REASON = {"users": "changed", "groups": "changed", "devices": "deleted"}
DEFAULT_SELECT = {"users": ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
                            "preferredLanguage", "surname", "userPrincipalName"],
                  "groups": ["displayName", "description", "mailEnabled", "securityEnabled", "groupTypes"],
                  "devices": ["displayName", "deviceId", "operatingSystem", "accountEnabled"]}
NOT_IN_DELTA = {"signInActivity"}  # user-delta.md: not returned by delta


def _store(sim: Simulator) -> dict[str, Any]:
    with _GUARD:
        st = sim.__dict__.get("_delta_state")
        if st is None:
            st = sim.__dict__["_delta_state"] = {"tokens": OrderedDict(), "rounds": {}}
        return st


def expire_tokens(sim: Simulator) -> None:
    """Forget every delta token (as Graph does after its retention period): their next use answers 410."""
    st = _store(sim)
    with _GUARD:
        st["tokens"].clear()
        st["rounds"].clear()


def _items(sim: Simulator, coll: str) -> list[dict]:
    t = sim.tenant
    return {"users": t.users, "groups": t.groups, "devices": t.devices}[coll]


def _values(sim: Simulator, coll: str, select: list[str]) -> Iterator[tuple[str, tuple]]:
    """Each object's id and its selected values, frozen, one object at a time (a round never holds them all)."""
    if coll == "users":  # computed properties (assignedPlans, provisionedPlans) as the list read serves them
        from .reads import _user_view

        cache: dict = {}
        for o in _items(sim, coll):
            yield o["id"], tuple(_freeze(v) for v in _user_view(sim.tenant, o, select, cache).values())
    else:
        for o in _items(sim, coll):
            yield o["id"], tuple(_freeze(o.get(k)) for k in select)


def _members(sim: Simulator, coll: str, select: list[str], ids: Iterable[str]) -> dict[str, frozenset]:
    if coll != "groups" or "members" not in select:
        return {}
    gm, alive = sim.tenant.group_members, sim.tenant.users_by_id  # a deleted user leaves its groups
    return {gid: frozenset(uid for uid in gm.get(gid, ()) if uid in alive) for gid in ids}


def _state(sim: Simulator, coll: str, select: list[str]) -> tuple[dict[str, tuple], dict[str, frozenset]]:
    rows = dict(_values(sim, coll, select))
    return rows, _members(sim, coll, select, rows)


def _freeze(value: Any) -> Any:
    """A value as a hashable one that compares equal exactly when the value is equal: objects and lists as their
    JSON with sorted keys (one C call: a round's state for 100,000 users took 3 s of tuples), others as they are."""
    if isinstance(value, (dict, list)):
        try:
            return ("__j", orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return _freeze_tuples(value)
    return value


def _freeze_tuples(value: Any) -> Any:
    if isinstance(value, dict):
        return ("__d", tuple(sorted((k, _freeze_tuples(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("__l", tuple(_freeze_tuples(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__j":
        return orjson.loads(value[1])
    if isinstance(value, tuple) and value and value[0] == "__d":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and value and value[0] == "__l":
        return [_thaw(v) for v in value[1]]
    return value


def _member_refs(ids: Any, removed: bool = False) -> list[dict]:
    out = []
    for uid in sorted(ids):
        ref: dict[str, Any] = {"@odata.type": "#microsoft.graph.user", "id": uid}
        if removed:
            ref["@removed"] = {"reason": "deleted"}
        out.append(ref)
    return out


def _kept(value: Any) -> Any:
    """What a token keeps of a frozen value: enough to tell whether it changed. An object or a list (kept as its JSON,
    a user's assignedPlans some kilobytes) as a 16-byte digest of that JSON: the whole values of 400,000 users in a
    few tokens took the simulator from 2 to 13 GB (issue 15's 400k run); scalars as they are."""
    if value.__class__ is tuple and value and value[0] == "__j":
        return ("__h", hashlib.blake2b(value[1], digest_size=16).digest())
    if value.__class__ is tuple and value and value[0] in ("__d", "__l"):
        return ("__h", hashlib.blake2b(repr(value).encode(), digest_size=16).digest())
    return value


def _issue(sim: Simulator, coll: str, select: list[str], kept: dict, members: dict) -> str:
    st = _store(sim)
    token = secrets.token_urlsafe(24)
    with _GUARD:
        st["tokens"][token] = {"coll": coll, "select": select, "rows": kept, "members": members}
        while len(st["tokens"]) > MAX_TOKENS:
            st["tokens"].popitem(last=False)
    return token


def _round(sim: Simulator, coll: str, select: list[str], old: dict | None, latest: bool) -> tuple[list[dict], str]:
    """The round's changes since ``old`` (none for ``latest``) and the new token, which keeps each object's values as
    ``_kept`` digests: the values are frozen one object at a time, compared, and let go."""
    props = [k for k in select if k != "members"]
    out: list[dict] = []
    old_rows = old["rows"] if old else {}
    old_members = old["members"] if old else {}
    members = _members(sim, coll, select, (o["id"] for o in _items(sim, coll)))
    kept: dict[str, tuple] = {}
    for oid, values in _values(sim, coll, select):
        now = kept[oid] = tuple(map(_kept, values))
        if latest:
            continue
        before = old_rows.get(oid)
        item: dict[str, Any] = {"id": oid}
        if before is None:
            item.update({k: _thaw(v) for k, v in zip(props, values[:len(props)]) if k != "id"})
        else:
            item.update({k: _thaw(v) for k, v, n, b in zip(props, values, now, before) if n != b and k != "id"})
        refs: list[dict] = []
        if members:
            now_m, was = members.get(oid, frozenset()), old_members.get(oid, frozenset())
            if now_m != was:
                refs = _member_refs(now_m - was) + _member_refs(was - now_m, removed=True)
                item["members@delta"] = refs[:MEMBER_CHUNK]
        if before is None or len(item) > 1:
            out.append(item)
        for at in range(MEMBER_CHUNK, len(refs), MEMBER_CHUNK):  # a large group again, with the next of its members
            out.append(dict(item, **{"members@delta": refs[at: at + MEMBER_CHUNK]}))
    if not latest:
        out.extend({"id": oid, "@removed": {"reason": REMOVED_REASON[coll]}} for oid in old_rows.keys() - kept.keys())
    return out, _issue(sim, coll, select, kept, members)


def delta(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    coll = m.group("coll")
    q = req.query
    st = _store(sim)
    for key in q:
        if key.startswith("$") and key not in ("$select", "$deltatoken", "$skiptoken", "$top"):
            raise QueryError(f"Query option '{key}' is not supported on {coll}/delta.", "BadRequest")
    base = f"{req.origin}/{req.version}/{coll}/delta"
    context = f"{req.origin}/{req.version}/$metadata#{coll}"
    skip = q.get("$skiptoken")
    if skip is not None:
        with _GUARD:
            pages = st["rounds"].get(skip)
        if pages is None:
            raise SimError(410, "syncStateNotFound", "The sync state generation is not found. Please restart the sync.")
        return _page(sim, base, context, *pages)
    token = q.get("$deltatoken")
    if token is not None and token != "latest":
        with _GUARD:
            old = st["tokens"].get(token)
        if old is None or old["coll"] != coll:
            # concepts/delta-query-overview.md "Synchronization reset": 410 Gone, restart with a full round
            raise SimError(410, "syncStateNotFound", "The sync state generation is not found. Please restart the sync.")
        select = old["select"]
    else:
        old = None
        select = parse_select(q.get("$select"), None) or DEFAULT_SELECT[coll]
        select = ["id"] + [s for s in select if s != "id"]
        for bad in NOT_IN_DELTA & set(select):
            raise QueryError(f"Property '{bad}' is not supported in a delta query.", "BadRequest")
    items, new_token = _round(sim, coll, select, old, token == "latest")
    return _page(sim, base, context, items, 0, new_token)


def _page(sim: Simulator, base: str, context: str, items: list[dict], offset: int, token: str) -> SimResponse:
    end = min(offset + PAGE, len(items))
    for i in range(offset, end - 1):  # a group whose members go on in the next object fills out its page
        if items[i]["id"] == items[i + 1]["id"]:
            end = i + 1
            break
    chunk = items[offset: end]
    doc: dict[str, Any] = {"@odata.context": context}  # the links before "value", as Graph (user-delta.md)
    if end < len(items):
        skip = secrets.token_urlsafe(18)
        with _GUARD:
            _store(sim)["rounds"][skip] = (items, end, token)
        doc["@odata.nextLink"] = f"{base}?$skiptoken={skip}"
    else:
        doc["@odata.deltaLink"] = f"{base}?$deltatoken={quote(token)}"
    doc["value"] = chunk
    return SimResponse.json(200, doc)


def registered_owners(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    """GET /devices/{id}/registeredOwners (device-list-registeredowners.md)."""
    t = sim.tenant
    did = m.group("did")
    if not any(d["id"] == did for d in t.devices):
        raise SimError(404, "Request_ResourceNotFound", f"Resource '{did}' does not exist.")
    value = [{"@odata.type": "#microsoft.graph.user", "id": uid} for uid in t.device_owners.get(did, []) if uid in t.users_by_id]
    return SimResponse.json(200, {"@odata.context": sim.context(req, "directoryObjects"), "value": value})


ROUTES = [
    Route("GET", re.compile(r"/(?P<coll>users)/delta"), delta, USER_READ_ROLES, ("v1.0", "beta")),
    Route("GET", re.compile(r"/(?P<coll>groups)/delta"), delta, GROUP_READ_ROLES, ("v1.0", "beta")),
    Route("GET", re.compile(r"/(?P<coll>devices)/delta"), delta, DEVICE_READ_ROLES, ("v1.0", "beta")),
    Route("GET", re.compile(r"/devices/(?P<did>[0-9a-fA-F-]{36})/registeredOwners"), registered_owners,
          DEVICE_READ_ROLES, ("v1.0", "beta")),
]
