"""Plans are data: every change with before and after and the exact requests that make it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Union

from ..i18n import Message

PLAN_VERSION = 1
KNOWN_AFTER_APPLY = "(known after apply)"

Text = Union[str, Message]  # words for people: a catalogue message (key + params), rendered in the reader's language


def encode(value: Any) -> Any:
    """A Message as plain data ({"key", "params"}) for plan files and JSON; other values unchanged."""
    if isinstance(value, Message):
        return {"key": value.key, "params": {k: encode(v) for k, v in value.params.items()}}
    return value


def decode(value: Any) -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(value, dict) and set(value) == {"key", "params"} and isinstance(value["key"], str):
        return Message(value["key"], {k: decode(v) for k, v in (value["params"] or {}).items()})
    return value


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # relative to the version; may contain {placeholder} filled by an earlier request of the change
    body: Any = None
    idempotent: bool = True  # safe to send again (assignLicense, PATCH); creates are not
    query: dict | None = None  # OData query options from tenant data: encoded by the SDK when sent, never by hand


@dataclass(frozen=True)
class Change:
    id: str  # stable within the plan: "<step>:<natural key>"
    step: str
    action: str  # action type
    kind: str  # create | update | delete | send
    target: Text  # what is changed, for people
    key: str  # natural key: how to find the object again (UPN, displayName, email)
    before: Any
    after: Any
    requests: tuple[Request, ...]
    irreversible: bool = False
    data: dict = field(default_factory=dict)  # action-specific facts (user id, sku id, ...)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["target"] = encode(self.target)
        d["requests"] = [asdict(r) for r in self.requests]
        return d

    @property
    def parts(self) -> tuple[Request, ...]:
        """The requests after the first: members, channels, assignments, the send of a draft. Each is journaled."""
        return self.requests[1:]

    def inverted(self, requests: list[Request] | tuple[Request, ...], *, kind: str | None = None, **data: Any) -> Change:
        """The change that undoes this one: after and before swapped, marked as an undo of this change."""
        return Change(f"undo:{self.id}", self.step, self.action, kind or ("delete" if self.kind == "create" else self.kind),
                      self.target, f"undo:{self.key}", self.after, self.before if self.kind != "create" else None,
                      tuple(requests), False, {**self.data, **data, "undo": True, "undo_of": self.id})

    @staticmethod
    def from_dict(d: dict) -> Change:
        return Change(d["id"], d["step"], d["action"], d["kind"], decode(d["target"]), d["key"], d["before"], d["after"],
                      tuple(Request(**r) for r in d["requests"]), d.get("irreversible", False), d.get("data") or {})


@dataclass
class StepPlan:
    step: str
    action: str
    title: Text
    changes: list[Change]
    noop_reason: Text = ""  # why there is nothing to do (never silent)
    blocked: Text = ""  # why the step cannot work (not enough seats, missing licence, no usage location ...)
    permissions: tuple[str, ...] = ()
    seats: dict[str, dict] = field(default_factory=dict)  # sku -> {name, needed, free}


@dataclass
class Plan:
    playbook: str
    playbook_hash: str
    params: dict
    tenant: str
    tenant_id: str
    snapshot_fingerprint: str
    created_at: str
    steps: list[StepPlan]
    version: int = PLAN_VERSION

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.steps for c in s.changes]

    @property
    def blocked(self) -> list[StepPlan]:
        return [s for s in self.steps if s.blocked]

    def permissions(self) -> list[str]:
        return sorted({p for s in self.steps if s.changes for p in s.permissions})

    def to_dict(self) -> dict:
        return {"version": self.version, "playbook": self.playbook, "playbook_hash": self.playbook_hash, "params": self.params,
                "tenant": self.tenant, "tenant_id": self.tenant_id, "snapshot_fingerprint": self.snapshot_fingerprint,
                "created_at": self.created_at,
                "steps": [{"step": s.step, "action": s.action, "title": encode(s.title), "noop_reason": encode(s.noop_reason),
                           "blocked": encode(s.blocked), "permissions": list(s.permissions), "seats": s.seats,
                           "changes": [c.to_dict() for c in s.changes]} for s in self.steps]}

    @staticmethod
    def from_dict(d: dict) -> Plan:
        steps = [StepPlan(s["step"], s["action"], decode(s["title"]), [Change.from_dict(c) for c in s["changes"]],
                          decode(s.get("noop_reason", "")), decode(s.get("blocked", "")), tuple(s.get("permissions") or ()), s.get("seats") or {}) for s in d["steps"]]
        return Plan(d["playbook"], d["playbook_hash"], d["params"], d["tenant"], d.get("tenant_id", ""),
                    d["snapshot_fingerprint"], d["created_at"], steps, d.get("version", PLAN_VERSION))

    def signature(self) -> str:
        """What the plan would change: compared against a fresh plan to refuse stale plans."""
        canon = json.dumps([(c.id, c.before, c.after) for c in self.changes], sort_keys=True, default=str)
        return hashlib.sha256(canon.encode()).hexdigest()
