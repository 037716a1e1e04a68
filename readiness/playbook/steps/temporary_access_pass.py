"""temporary_access_pass: issue a one-time Temporary Access Pass to people who have no way to sign in with MFA.

Who: the step's selection (enabled members by default) narrowed to people with no MFA method registered
(``Person.mfa is False``) and no pass yet. What: ``POST /users/{id}/authentication/temporaryAccessPassMethods``
with ``isUsableOnce``, ``lifetimeInMinutes`` and, when given, ``startDateTime``
(UserAuthenticationMethod.ReadWrite.All; https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods).
The plan refuses (blocked) when the TAP method is off, or the lifetime lies outside its limits, and no
``tap_policy`` step before it changes that.

**The pass value.** Graph returns ``temporaryAccessPass`` only in the answer to the create, never on a read.
It is written to exactly one place: ``passes.json`` in the run's folder (0600 in a 0700 folder, replaced
atomically through safe_io), ``{"schema_version": 1, "passes": {"<user id>": {"pass", "valid_until", "upn",
"method_id"}}}``, the file ``readiness letters SNAPSHOT --passes FILE`` reads. The journal, the run's values,
progress lines, errors and reports hold the method's id and the validity only; nothing here puts the value into
an exception text or a log record.

**Exactly once** (Graph: "a user can only have one Temporary Access Pass"; a second create *replaces* the first,
which would silently invalidate a pass already printed in a letter). So every create is preceded by a read of the
user's passes, and the journal records ``asked_at`` (a "part" entry) before the POST:

1. the passes file already holds this person's pass and Graph still has that method: done (a resume after the
   file was written but before the journal said so);
2. Graph has a pass created at or after ``asked_at`` that is not in the passes file: this run made it and its
   value never reached the file (killed between the answer and the write, or the answer was lost). The value
   cannot be read back, so that pass is **deleted and a new one issued** on this resume; the journal says so
   (``reissued``, with the reason) and the run's values carry ``reissued: true``. The person gets one pass, the
   one in the file;
3. Graph has an older pass, not issued by this run (someone made it after the plan): it is left alone and the
   change is done with ``foreign: true`` (nothing of ours to undo; the person's letter has no pass from us);
4. otherwise: create, write the file, then journal the method id.

Verify reads the method by id. Undo deletes the pass this run issued (by id; a change in flight only a pass
created at or after ``asked_at``) and removes it from the passes file. Not irreversible: an unused pass can be
deleted; a pass already used to sign in has done its work (undo still deletes it).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...errors import GraphError
from ...i18n import Message
from ...safe_io import write_file
from ..contract import Cost, Io, Lost
from ..model import Change, Request, StepPlan
from . import tap_policy
from .base import Ctx

NAME = "temporary_access_pass"
TITLE = "Issue a one-time Temporary Access Pass to people without MFA"  # = steps.temporary_access_pass.title
PERMISSIONS = ("UserAuthenticationMethod.ReadWrite.All",)
PASSES_FILE = "passes.json"
SCHEMA_VERSION = 1


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    issue: bool = True  # a shipped playbook sets it from an opt-in parameter (issue_passes)
    lifetime_minutes: int = Field(480, ge=10, le=43200)  # Graph: 10 to 43200, and within the policy's limits
    usable_once: bool = True
    start: str = ""  # ISO 8601 date and time the pass becomes valid (e.g. tomorrow 07:00); empty: at once

    @field_validator("start")
    @classmethod
    def _iso(cls, v: str) -> str:
        if v:
            try:
                when = datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("start must be an ISO 8601 date and time, e.g. 2026-12-01T07:00:00+01:00") from None
            if when.tzinfo is None:
                raise ValueError("start needs a time zone, e.g. 2026-12-01T07:00:00+01:00")
        return v


def _path(user_id: str) -> str:
    return f"/users/{user_id}/authentication/temporaryAccessPassMethods"


def plan(p: Params, ctx: Ctx) -> StepPlan:
    if not p.issue:
        return ctx.step(NAME, [], noop=Message("steps.temporary_access_pass.opt_in"), permissions=PERMISSIONS)
    cfg = tap_policy.effective(ctx.snapshot, ctx.earlier)
    preceded = any(sp.action == tap_policy.NAME and not sp.blocked for sp in ctx.earlier)
    if cfg is None:
        reason = ctx.snapshot.section("auth_methods_policy").reason
        return ctx.step(NAME, [], blocked=Message("steps.temporary_access_pass.policy_unknown", {"reason": reason}),
                        permissions=PERMISSIONS)
    if cfg.get("state") != "enabled":
        return ctx.step(NAME, [], blocked=Message("steps.temporary_access_pass.policy_off"), permissions=PERMISSIONS)
    low, high = cfg.get("minimumLifetimeInMinutes", 60), cfg.get("maximumLifetimeInMinutes", 480)
    if not low <= p.lifetime_minutes <= high:
        return ctx.step(NAME, [], blocked=Message("steps.tap_policy.lifetime", {"minutes": p.lifetime_minutes, "low": low,
                                                                               "high": high}), permissions=PERMISSIONS)
    if cfg.get("isUsableOnce") is True and not p.usable_once:
        return ctx.step(NAME, [], blocked=Message("steps.temporary_access_pass.once_only"), permissions=PERMISSIONS)
    pool = ctx.people()
    people = [x for x in pool if x.mfa is False and "temporaryAccessPass" not in (x.methods or [])]
    if not people:
        held = sum(1 for x in pool if "temporaryAccessPass" in (x.methods or []))
        reason = Message("steps.temporary_access_pass.all_have", {"n": len(pool), "held": held}) if pool else ctx.no_one()
        return ctx.step(NAME, [], noop=reason, permissions=PERMISSIONS)
    body: dict[str, Any] = {"isUsableOnce": p.usable_once, "lifetimeInMinutes": p.lifetime_minutes}
    if p.start:
        body["startDateTime"] = p.start
    after = {"lifetimeInMinutes": p.lifetime_minutes, "isUsableOnce": p.usable_once, **({"startDateTime": p.start} if p.start else {})}
    changes = [ctx.change(NAME, "create", f"tap:{x.id}", x.upn, None, after,
                          [Request("POST", _path(x.id), body, idempotent=False)], user_id=x.id, upn=x.upn,
                          policy_step=preceded)
               for x in people]
    return ctx.step(NAME, changes, permissions=PERMISSIONS)


# -- the passes file ------------------------------------------------------------------------------------------
def read_passes(path: Path) -> dict[str, dict]:
    """The passes in ``path`` by user id ({} when there is no file yet)."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise GraphError(key="playbook.passes_unreadable", params={"path": path}, status=0) from None
    passes = doc.get("passes") if isinstance(doc, dict) else None
    return dict(passes) if isinstance(passes, dict) else {}


def _write_passes(path: Path, passes: dict[str, dict]) -> None:
    """Atomically (temporary file, fsync, rename), 0600; the run's folder is 0700 already."""
    write_file(path, json.dumps({"schema_version": SCHEMA_VERSION, "passes": passes}, ensure_ascii=False, indent=1))


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _valid_until(method: dict) -> str:
    start = _when(method.get("startDateTime")) or _when(method.get("createdDateTime")) or datetime.now(timezone.utc)
    end = start + timedelta(minutes=int(method.get("lifetimeInMinutes") or 0))
    return end.isoformat(timespec="seconds").replace("+00:00", "Z")


def _ours(method: dict, asked_at: str | None) -> bool:
    """Made by this change: created at or after the moment it asked (a few seconds' clock skew allowed)."""
    created, asked = _when(method.get("createdDateTime")), _when(asked_at)
    return bool(created and asked and created >= asked - timedelta(seconds=30))


async def _methods(io: Io, user_id: str) -> list[dict]:
    resp = await io.request("GET", _path(user_id))
    return list((resp.json() or {}).get("value") or [])


# -- apply (and undo) -------------------------------------------------------------------------------------------
async def apply(change: Change, io: Io) -> str:
    if change.data.get("undo"):
        return await _undo(change, io)
    uid = change.data["user_id"]
    file = Path(io.folder) / PASSES_FILE
    io.values["passes_file"] = str(file)
    for _attempt in range(3):
        passes = read_passes(file)
        existing = await _methods(io, uid)
        ids = {m.get("id") for m in existing}
        saved = passes.get(uid) or {}
        if saved.get("method_id") in ids:
            io.values.update(id=saved["method_id"], valid_until=saved.get("valid_until"))
            return "done"
        if existing:
            m = existing[0]
            if m.get("id") == io.values.get("id") or _ours(m, io.values.get("asked_at")):
                # ours, but the value never reached the passes file: it cannot be read back, so re-issue
                await io.request("DELETE", f"{_path(uid)}/{m['id']}")
                io.values["reissued"] = True
                io.journal({"phase": "part", "how": "reissued: the first pass was created but its value never reached "
                                                    "the passes file; that pass was deleted", "result": {"reissued": True}})
            else:
                io.values.update(foreign=True, confirmed="already held a pass not issued by this run: left alone")
                return "done"
        asked_at = _now()
        io.values["asked_at"] = asked_at
        io.journal({"phase": "part", "how": "asking", "result": {"asked_at": asked_at}})
        req = change.requests[0]
        try:
            resp = await io.request(req.method, req.path, req.body, idempotent=False)
        except Lost:
            continue  # made or not: the next round reads the user's passes first
        body = resp.json() or {}
        value, mid = body.get("temporaryAccessPass"), body.get("id")
        if not value or not mid:
            raise GraphError(key="playbook.pass_without_value", params={"upn": change.data.get("upn")}, status=resp.status)
        passes[uid] = {"pass": value, "valid_until": _valid_until(body), "upn": change.data.get("upn", ""), "method_id": mid,
                       "issued_at": body.get("createdDateTime") or asked_at}
        _write_passes(file, passes)
        io.values.update(id=mid, valid_until=passes[uid]["valid_until"])
        io.journal({"phase": "created", "result": {"id": mid, "valid_until": passes[uid]["valid_until"]}})
        return "done"
    raise Lost(f"the pass for {change.data.get('upn')} could not be confirmed")


async def _undo(change: Change, io: Io) -> str:
    uid = change.data["user_id"]
    if change.data.get("foreign"):
        return "done"
    target = change.data.get("id")
    target = target if target and "{" not in str(target) else None
    for m in await _methods(io, uid):
        if m.get("id") == target or (target is None and _ours(m, change.data.get("asked_at"))):
            await io.request("DELETE", f"{_path(uid)}/{m['id']}")
    file = change.data.get("passes_file")
    if file and Path(file).exists():
        passes = read_passes(Path(file))
        if uid in passes:
            del passes[uid]
            _write_passes(Path(file), passes)
    return "done"


def requests(change: Change) -> Cost:
    """The estimate (contract.Cost): the user's passes are read, then a pass is issued (or, undoing, deleted); an
    undo is looked up first in the step's look-up $batch."""
    return Cost(direct=2, lookups=1 if change.data.get("undo") else 0)


def check(change: Change) -> Request | None:
    """Undo only: whether the pass is gone. A forward change is never adopted blindly (its value must be in the
    passes file): ``apply`` reads the user's passes itself."""
    return Request("GET", _path(change.data["user_id"])) if change.data.get("undo") else None


def is_done(change: Change, body: Any) -> bool:
    ids = {m.get("id") for m in (body or {}).get("value") or []}
    target = change.data.get("id")
    if change.data.get("foreign"):
        return True
    return target not in ids if target and "{" not in str(target) else not ids


def inverse(change: Change) -> list[Change] | None:
    if change.data.get("foreign"):
        return []
    pid = change.data.get("id") or "{id}"
    return [change.inverted([Request("DELETE", f"{_path(change.data['user_id'])}/{pid}")], kind="delete")]


def verify_reads(change: Change, values: dict) -> list[Request]:
    mid = values.get("id")
    return [Request("GET", _path(change.data["user_id"]))] if mid and not values.get("foreign") else []


def missing(change: Change, values: dict, bodies: list) -> list[Any]:
    ids = {m.get("id") for b in bodies for m in (b if isinstance(b, list) else (b or {}).get("value") or [])}
    return [] if values.get("id") in ids else [Message("steps.verify.not_in_effect")]
