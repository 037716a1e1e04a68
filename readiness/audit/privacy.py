"""Privacy for reports that leave the IT team (GDPR): keyed pseudonyms, or counts only.

``pseudonymize(snapshot, key)`` replaces every person-identifying value in a snapshot (names, UPNs,
mail addresses, device names) with a stable pseudonym: HMAC-SHA256 of the tenant id and the object id
under a key that stays with the IT provider. The same key gives the same pseudonyms in every report of
that tenant, so trends still line up; without the key nobody can go back. Because the snapshot itself
is rewritten, every output format is covered. Names that Microsoft's usage reports conceal stay
concealed: those rows are never joined to people.

``aggregate_only(result)`` keeps counts and departments and drops every per-person row and sample.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import secrets
from array import array
from collections.abc import Callable, Iterable
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from ..collect.snapshot import Snapshot
from ..collect.table import Coded, Lists, Packed, Table, held
from ..errors import ConfigError
from ..paths import data_dir, write_private
from .columns import column
from .model import Action, Audit, CheckResult, Privacy

KEY_ENV = "READINESS_PSEUDONYM_KEY"


def key_for(tenant_id: str, key_dir: Path | None = None) -> bytes:
    """The tenant's pseudonym key: READINESS_PSEUDONYM_KEY, else a random key kept in the data folder."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    folder = key_dir or (data_dir() / "pseudonym-keys")
    path = folder / f"{_safe(tenant_id or 'unknown')}.key"
    try:
        if path.exists():
            return base64.b64decode(path.read_text("ascii").strip())
        key = secrets.token_bytes(32)
        write_private(path, base64.b64encode(key).decode() + "\n")
        return key
    except (OSError, ValueError) as exc:
        raise ConfigError.keyed("audit.pseudonym_key", path=path, exc=exc, env=KEY_ENV) from exc


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:80]


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648's alphabet, as base64.b32encode writes it
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # ten bits as two letters
_AT = "@pseudonym.invalid"  # a pseudonymous sign-in name's domain (RFC 2606 reserves .invalid)
_BLOCK = 64  # SHA-256's block size in bytes
_IPAD = bytes(x ^ 0x36 for x in range(256))  # RFC 2104's pads, as the standard library's hmac module makes them
_OPAD = bytes(x ^ 0x5C for x in range(256))


class Pseudonymizer:
    def __init__(self, key: bytes, tenant_id: str) -> None:
        self._key = key
        self._tenant = tenant_id
        # HMAC-SHA256 (RFC 2104) as sha256(key ^ opad || sha256(key ^ ipad || message)), the two keyed states made once
        # and copied per token: 1.0 µs a digest instead of 2.6 µs for hmac.digest, which sets the key up on every call
        # (about 415,000 tokens at 100,000 people, issue 15); a key longer than a block is hashed first, as RFC 2104 says
        padded = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(padded.translate(_IPAD))
        self._outer = hashlib.sha256(padded.translate(_OPAD))

    def token(self, kind: str, value: str) -> str:
        """Eight base32 letters of HMAC-SHA256(key, "tenant|kind|value"): ``base64.b32encode(digest[:5])``, by a table
        of the 1,024 pairs of letters instead (b32encode is written in Python: 8 µs a token)."""
        return self.tokens(kind, (value,))[0]

    def tokens(self, kind: str, values: Iterable, prefix: str = "") -> list[str]:
        """``prefix + self.token(kind, value)`` for each value, in order (the keyed state of "tenant|kind|" made once)."""
        inner = self._inner.copy()
        inner.update(f"{self._tenant}|{kind}|".encode())
        copy_inner, copy_outer, pair = inner.copy, self._outer.copy, _B32_PAIRS
        out = []
        for value in values:
            h = copy_inner()
            h.update(f"{value}".encode())
            o = copy_outer()
            o.update(h.digest())
            n = int.from_bytes(o.digest()[:5], "big")
            out.append(prefix + pair[n >> 30] + pair[(n >> 20) & 1023] + pair[(n >> 10) & 1023] + pair[n & 1023])
        return out

    def person(self, user_id: str) -> str:
        return f"Person-{self.token('user', user_id)}"

    def device(self, device_id: str) -> str:
        return f"Device-{self.token('device', device_id)}"


def pseudonymize(snapshot: Snapshot, key: bytes) -> Snapshot:
    """A copy of the snapshot with people and devices replaced by stable keyed pseudonyms; the original is left as it
    was. Only what changes is new (issue 15: a deep copy of every row of a 100k snapshot as dicts took 12 s of CPU and
    600 MB): the sections it rewrites get new columns, computed once per distinct value and kept as columns where the
    section is a Table; every other section's data is shared (nothing reads a loaded snapshot to change it)."""
    p = Pseudonymizer(key, snapshot.tenant_id)
    # organization (verified domains, contacts) is not needed in a report
    snap = snapshot.sharing_copy(leave_out=("organization",))

    def rewrite(name: str, change: Callable[[Any], Any]) -> None:
        data = snap.data(name)  # a usable section's data only, as before
        if data is not None:
            snap.sections[name] = dataclasses.replace(snap.sections[name], data=change(data))

    users = snap.data("users", []) or []
    user_ids = column(users, "id")
    distinct = list(dict.fromkeys(user_ids))
    aliases = dict(zip(distinct, p.tokens("user", distinct, "Person-")))  # original user id -> Person-XXXXXXXX
    ids = dict(zip(distinct, p.tokens("id", distinct)))  # original user id -> pseudonymous id
    lowered = "\n".join(aliases.values()).lower().split("\n") if aliases else []  # as one text: at C speed
    upn_of = dict(zip(aliases, map(str.__add__, lowered, repeat(_AT))))  # original user id -> person-xxxxxxxx@...
    # a sign-in name -> the pseudonymous one of the last user who has it (ignoring case), as the rows are read
    user_upns = list(map(upn_of.__getitem__, user_ids))
    by_upn = dict(zip([(u or "").lower() for u in column(users, "userPrincipalName")], user_upns))

    def alias_of(upns: list, uids: list) -> list:
        """Each row's pseudonymous sign-in name: by its user id, else by its sign-in name, else one of its own."""
        out = list(map(upn_of.get, uids))  # every row a user's, as a rule: looked up at C speed
        if None not in out and all(uids):
            return out
        get_id, get_upn = upn_of.get, by_upn.get
        return [get_id(uid or "") or get_upn((upn or "").lower()) or p.person("upn:" + (upn or "")).lower() + _AT
                for upn, uid in zip(upns, uids)]

    def id_of(values: list, given: Callable[[], list] | None = None) -> list:
        """Each row's pseudonymous user id: the user's, else a token of what the row says (``given()``: what it says
        with a default for a missing value, asked for only when some row is nobody's; None: the value itself)."""
        out = list(map(ids.get, values))
        if None not in out:
            return out
        return [r or p.token("id", g) for r, g in zip(out, values if given is None else given())]

    def users_of(data: Any) -> Any:
        return _changed(data, {"displayName": list(map(aliases.__getitem__, user_ids)),
                               "userPrincipalName": user_upns, "id": list(map(ids.__getitem__, user_ids))},
                        blank=("mail", "givenName", "surname", "jobTitle"))

    def mfa_of(data: Any) -> Any:
        uids = column(data, "id")
        return _changed(data, {"userPrincipalName": alias_of(column(data, "userPrincipalName"), uids),
                               "id": id_of(uids, lambda: column(data, "id", ""))}, drop=("userDisplayName",))

    def managed_of(data: Any) -> Any:
        uids = column(data, "userId")
        return _changed(data, {"deviceName": p.tokens("device", column(data, "id", ""), "Device-"),
                               "userPrincipalName": alias_of(column(data, "userPrincipalName"), uids),
                               "userId": id_of(uids, lambda: [u or "" for u in uids])},
                        drop=("emailAddress", "userDisplayName", "serialNumber"))

    def owners_of(data: Any) -> Any:
        """Each device's owners by their pseudonymous ids (none: an empty list), each owner looked up once."""
        col = data.held_column("owners") if isinstance(data, Table) else None
        if col.__class__ is Lists and not any(col.other.values()):  # the Table's flat items, their offsets as they are
            distinct = set(col.items)
            mine = dict(zip(distinct, id_of(list(distinct))))
            return Lists.of(list(map(mine.__getitem__, col.items)), array("I", col.offsets), {})
        owners = column(data, "owners")
        distinct = set(chain.from_iterable(filter(None, owners)))
        mine = dict(zip(distinct, id_of(list(distinct))))
        return [list(map(mine.__getitem__, o)) if o else [] for o in owners]

    def devices_of(data: Any) -> Any:
        return _changed(data, {"displayName": p.tokens("device", column(data, "id", ""), "Device-"),
                               "owners": owners_of(data)})

    def teams_users_of(data: Any) -> Any:
        uids = column(data, "id")
        return _changed(data, {"userPrincipalName": alias_of(column(data, "userPrincipalName"), uids),
                               "id": id_of(uids, lambda: column(data, "id", ""))})

    def usage_of(usage: Any) -> Any:
        if not isinstance(usage, dict):
            return usage
        rows = usage.get("rows") or []
        uids = column(rows, "userId")
        new = _changed(rows, {"userPrincipalName": alias_of(column(rows, "userPrincipalName"), uids),
                              "userId": id_of(uids, lambda: [u or "" for u in uids])})
        return dict(usage, rows=new) if usage.get("rows") else usage

    def roles_of(data: Any) -> Any:  # who holds a directory role: joined to people by id (audit/depth_facts.py)
        pids = column(data, "principalId")
        return _changed(data, {"principalId": id_of(pids, lambda: [v or "" for v in pids])})

    def cloud_pcs_of(data: Any) -> Any:
        """A Cloud PC's user by their pseudonymous sign-in name (joined to people by it), its names ("Monika Schwarz's
        Cloud PC", "CPC-MONI-2373") by the PC's pseudonym; a name it lacks stays empty."""
        pcs = column(data, "id", "")
        names = p.tokens("device", pcs, "Device-")
        return _changed(data, {"userPrincipalName": alias_of(column(data, "userPrincipalName"), [None] * len(pcs)),
                               **{k: [n if v else v for n, v in zip(names, column(data, k))]
                                  for k in ("displayName", "managedDeviceName")}})

    def autopilot_of(data: Any) -> Any:
        """An Autopilot device's user by their pseudonymous sign-in name (none: stays empty, which is what marks stock),
        its serial number by the device's pseudonym (attack14: stock serials went out in every report's evidence)."""
        names = p.tokens("device", column(data, "id", ""), "Device-")
        upns = column(data, "userPrincipalName")
        given = alias_of(upns, [None] * len(upns))
        return _changed(data, {"userPrincipalName": [g if u else u for g, u in zip(given, upns)],
                               "serialNumber": [n if v else v for n, v in zip(names, column(data, "serialNumber"))]})

    def group_members_of(data: Any) -> Any:  # licensing groups' members: by their pseudonymous ids, as the users are
        return {g: id_of(list(members)) if isinstance(members, list) else members for g, members in data.items()}

    for name, change in (("users", users_of), ("mfa", mfa_of), ("managed_devices", managed_of),
                         ("devices", devices_of), ("teams_users", teams_users_of), ("teams_usage", usage_of),
                         ("roles", roles_of), ("cloud_pcs", cloud_pcs_of), ("autopilot", autopilot_of),
                         ("group_members", group_members_of)):
        rewrite(name, change)
    return snap


def _changed(data: Any, new: dict[str, list], *, drop: tuple[str, ...] = (), blank: tuple[str, ...] = ()) -> Any:
    """The rows with the keys in ``new`` set to its values (added after the others where a row lacks them), the keys in
    ``drop`` removed and those in ``blank`` set to None where they hold something: a Table as a new Table of the same
    columns otherwise (shared), a list of dicts as a list of new dicts; ``data`` itself is left as it was."""
    if isinstance(data, Table):
        cols = {k: _held_like(data.held_column(k), v) for k, v in new.items()}
        for k in blank:
            if data.held_column(k) is not None:
                cols[k] = held([None if v else v for v in data.column(k)])
        keys = [k for k in data.keys if k not in drop]
        keys += [k for k in cols if k not in keys]
        return Table(keys, [cols[k] if k in cols else data.held_column(k) for k in keys])
    if not blank and not drop:  # a new dict per row: the old one's keys, then those it lacked
        keys = tuple(new)
        if len(keys) == 2:  # a usage report's rows (100,000 at 100k): a dict display, about twice as fast
            k0, k1 = keys
            return [{**row, k0: a, k1: b} for row, a, b in zip(data, *new.values())]
        return [row | dict(zip(keys, values)) for row, values in zip(data, zip(*new.values()))]
    out = []
    for i, row in enumerate(data):
        row = dict(row)
        for k, col in new.items():
            row[k] = col[i]
        for k in blank:
            if row.get(k):
                row[k] = None
        for k in drop:
            row.pop(k, None)
        out.append(row)
    return out


def _held_like(old: Any, values: list) -> Any:
    """New values of a Table's column held as the column they replace was (Packed, Lists; Coded when they still have
    few distinct values), else as a list: trying every form on 100,000 distinct strings (``held``) cost 0.2 s a column."""
    cls = old.__class__
    if values.__class__ is not list:  # held already
        return values
    if cls is Packed:
        return _extended(Packed(), values).finish()
    if cls is Lists:
        return _extended(Lists(), values)
    return held(values) if cls is Coded else values


def _extended(col: Any, values: list) -> Any:
    col.extend(values)
    return col


MIN_GROUP = 5  # departments with fewer people are merged into one "other" row (k-anonymity for small teams)


def merge_small_groups(departments: list[dict], min_group: int = MIN_GROUP) -> list[dict]:
    """Departments of at least ``min_group`` people as they are; the smaller ones summed into one row marked
    ``other: True`` (its ``groups`` says how many), so "Geschäftsführung, 2 people, 1 not ready" names nobody."""
    big = [d for d in departments if d["people"] >= min_group]
    small = [d for d in departments if d["people"] < min_group]
    if not small:
        return big
    merged = {"department": "", "other": True, "groups": len(small),
              **{k: sum(d[k] for d in small) for k in ("people", "ready", "not_ready", "not_evaluable")}}
    reasons: dict[str, int] = {}
    for d in small:
        for code in d.get("top_reasons") or []:
            reasons[code] = reasons.get(code, 0) + 1
    merged["top_reasons"] = sorted(reasons, key=lambda c: -reasons[c])[:3] if merged["people"] >= min_group else []
    return big + [merged]


def check_min_group(min_group: int) -> int:
    """The threshold as given, or a UsageError: below 1 it would hide nobody and everything at once."""
    if isinstance(min_group, bool) or not isinstance(min_group, int) or min_group < 1:
        from ..errors import UsageError

        raise UsageError.keyed("audit.min_group_size", value=repr(min_group), default=MIN_GROUP)
    return min_group


def aggregate_only(audit: Audit, min_group: int = MIN_GROUP) -> Audit:
    """A copy of the audit with counts and departments only: no per-person rows, no samples, no names; departments
    smaller than ``min_group`` people (default MIN_GROUP) merged into one "other" row."""
    check_min_group(min_group)
    def scrub(value):  # noqa: ANN001, ANN202 - evidence lists people only under "sample" (checks/common.py)
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items() if k != "sample"}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    checks = [CheckResult(c.spec, c.status, [dataclasses.replace(f, evidence=scrub(f.evidence)) for f in c.findings])
              for c in audit.checks]
    first = {c.spec.id: c.findings[0] for c in checks}
    actions = [Action(a.spec, a.status, first[a.spec.id]) for a in audit.top_actions]
    trend = dict(audit.trend, newly_ready=[], newly_not_ready=[]) if audit.trend else None
    return dataclasses.replace(audit, checks=checks, people=[], top_actions=actions, trend=trend,
                               departments=merge_small_groups(audit.departments, min_group),
                               privacy=Privacy(audit.privacy.pseudonymized, True), source=None, previous_source=None)
