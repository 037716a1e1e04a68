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
import copy
import dataclasses
import hmac
import os
import secrets
from pathlib import Path

from .. import bulkjson
from ..collect.snapshot import Snapshot
from ..errors import ConfigError
from ..paths import data_dir, write_private
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


class Pseudonymizer:
    def __init__(self, key: bytes, tenant_id: str) -> None:
        self._key = key
        self._tenant = tenant_id

    def token(self, kind: str, value: str) -> str:
        """Eight base32 letters of the keyed digest: ``base64.b32encode(digest[:5])``, by a table of the 1,024 pairs
        of letters instead (b32encode is written in Python: 8 µs a token, about 415,000 tokens at 100,000 people)."""
        digest = hmac.digest(self._key, f"{self._tenant}|{kind}|{value}".encode(), "sha256")
        n, pair = int.from_bytes(digest[:5], "big"), _B32_PAIRS
        return pair[n >> 30] + pair[(n >> 20) & 1023] + pair[(n >> 10) & 1023] + pair[n & 1023]

    def person(self, user_id: str) -> str:
        return f"Person-{self.token('user', user_id)}"

    def device(self, device_id: str) -> str:
        return f"Device-{self.token('device', device_id)}"


def pseudonymize(snapshot: Snapshot, key: bytes) -> Snapshot:
    """A copy of the snapshot with people and devices replaced by stable keyed pseudonyms."""
    p = Pseudonymizer(key, snapshot.tenant_id)
    # the copy made with the cyclic collector paused: it builds millions of objects, and the collector's passes over
    # them while it ran cost about 4 s at 100,000 people (a JSON round trip instead: faster, but twice the memory)
    with bulkjson.bulk_objects(buffers_apart=False):
        snap = Snapshot.from_dict(copy.deepcopy(snapshot.to_dict()))
    ids: dict[str, str] = {}  # original user id -> pseudonymous id
    aliases: dict[str, str] = {}  # original user id -> Person-XXXXXXXX
    by_upn: dict[str, str] = {}
    for u in snap.data("users", []) or []:
        alias = aliases[u["id"]] = p.person(u["id"])
        by_upn[(u.get("userPrincipalName") or "").lower()] = alias
        u["displayName"] = alias
        u["userPrincipalName"] = f"{alias.lower()}@pseudonym.invalid"
        for k in ("mail", "givenName", "surname", "jobTitle"):
            if u.get(k):
                u[k] = None
        ids[u["id"]] = p.token("id", u["id"])
        u["id"] = ids[u["id"]]

    def alias_of(upn: str | None, uid: str | None = None) -> str:
        alias = aliases.get(uid or "") or by_upn.get((upn or "").lower()) or p.person("upn:" + (upn or ""))
        return f"{alias.lower()}@pseudonym.invalid"

    for row in snap.data("mfa", []) or []:
        row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("id"))
        row.pop("userDisplayName", None)
        row["id"] = ids.get(row.get("id"), p.token("id", row.get("id", "")))
    for d in snap.data("managed_devices", []) or []:
        d["deviceName"] = p.device(d.get("id", ""))
        d["userPrincipalName"] = alias_of(d.get("userPrincipalName"), d.get("userId"))
        d["userId"] = ids.get(d.get("userId"), p.token("id", d.get("userId") or ""))
        for k in ("emailAddress", "userDisplayName", "serialNumber"):
            d.pop(k, None)
    for d in snap.data("devices", []) or []:
        d["displayName"] = p.device(d.get("id", ""))
        d["owners"] = [ids.get(o, p.token("id", o)) for o in d.get("owners") or []]
    for row in snap.data("teams_users", []) or []:  # Teams user configurations: by user id
        row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("id"))
        row["id"] = ids.get(row.get("id"), p.token("id", row.get("id", "")))
    usage = snap.data("teams_usage")
    if isinstance(usage, dict):
        for row in usage.get("rows") or []:
            row["userPrincipalName"] = alias_of(row.get("userPrincipalName"), row.get("userId"))
            row["userId"] = ids.get(row.get("userId"), p.token("id", row.get("userId") or ""))
    snap.sections.pop("organization", None)  # verified domains and contacts are not needed in a report
    return snap


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
