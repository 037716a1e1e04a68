"""What every action type shares: the planning context, people selection, small request helpers."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...audit.facts import COMPLIANT_MANAGED, ENTRA_ONLY, Facts, Person, ready_capabilities
from ...collect.snapshot import Snapshot
from ...i18n import Message
from ..model import Change, Request, StepPlan, Text


@dataclass
class Ctx:
    snapshot: Snapshot
    facts: Facts
    step_id: str
    title: Text
    select: dict
    usage_location: str = ""  # the profile's default usage location
    history: dict[str, dict] = field(default_factory=dict)  # change id -> data, from earlier runs' journals
    base_dir: Path | None = None
    tenant_name: str = ""
    earlier: tuple[StepPlan, ...] = ()  # the plans of the playbook's steps before this one

    def planned_earlier(self, key: str) -> bool:
        """An earlier step of this plan already makes the change with natural key ``key`` (e.g. ``usage:<upn>``)."""
        return any(c.key == key for s in self.earlier for c in s.changes)

    def people(self) -> list[Person]:
        """Apply the step's selection: enabled members by default, then filters."""
        sel = self.select or {}
        pool = self.facts.members if sel.get("members", True) else [p for p in self.facts.people if p.enabled]
        if sel.get("users"):
            wanted = {u.lower() for u in sel["users"]}
            pool = [p for p in pool if p.upn.lower() in wanted]
        if sel.get("departments"):
            deps = {d.lower() for d in sel["departments"]}
            pool = [p for p in pool if p.department.lower() in deps]
        if sel.get("exclude_users"):
            skip = {u.lower() for u in sel["exclude_users"]}
            pool = [p for p in pool if p.upn.lower() not in skip]
        missing = set(sel.get("missing") or [])
        if missing:
            pool = [p for p in pool if missing & lacks(p, self.facts)]
        return pool

    def step(self, action: str, changes: list[Change], *, noop: Text = "", blocked: Text = "", permissions: tuple = (),
             seats: dict | None = None) -> StepPlan:
        return StepPlan(self.step_id, action, self.title, changes, "" if changes else noop, blocked, permissions, seats or {})

    def change(self, action: str, kind: str, key: str, target: Text, before: Any, after: Any, requests: list[Request],
               irreversible: bool = False, **data: Any) -> Change:
        return Change(f"{self.step_id}:{key}", self.step_id, action, kind, target, key, before, after, tuple(requests),
                      irreversible, data)

    def no_one(self) -> Message:
        sel = self.select or {}
        if not sel:
            return Message("steps.no_one_enabled")
        return Message("steps.no_one", {"what": ", ".join(f"{k}={v}" for k, v in sel.items())})


def lacks(p: Person, f: Facts) -> set[str]:
    caps = ready_capabilities(p)
    out = {name for name, ok in caps.items() if not ok}
    if not p.skus:
        out.add("licence")
    if p.mfa is False:
        out.add("mfa")
    if f.device_rule == "intune" and p.device != COMPLIANT_MANAGED or f.device_rule == "entra" and p.device not in (ENTRA_ONLY, COMPLIANT_MANAGED):
        out.add("device")
    return out


def get_user(user_id: str, select: str) -> Request:
    return Request("GET", f"/users/{user_id}", query={"$select": select})


def id_named(body: Any, name: str | None = None) -> str | None:
    """The id of the object named ``name`` in a listing, or of the first object when no name is given."""
    for item in (body or {}).get("value") or []:
        if name is None or item.get("displayName") == name:
            return item.get("id")
    return None


def present(change: Change, found: bool) -> bool:
    """A create is done when its object exists; its undo when it no longer does."""
    return not found if change.data.get("undo") else found


def delete_inverse(change: Change, path: str | None, **data: Any) -> list[Change] | None:
    """Undo a create by deleting what it made (None when its id was never learned)."""
    if path is None:
        return None
    return [change.inverted([Request("DELETE", path)], kind="delete", **data)]


__all__ = ["Change", "Ctx", "Request", "StepPlan", "get_user", "lacks"]


def named_object(list_path: str, delete_path: str) -> tuple:
    """Reconcile hooks for objects found by displayName in a listing and undone by DELETE of their id.

    Returns (check, found_id, is_done, inverse) for a step module to export.
    """
    def check(change: Change) -> Request | None:
        return Request("GET", list_path, query={"$select": "id,displayName"})

    def found_id(body: Any, change: Change) -> str | None:
        return id_named(body, change.data["name"])

    def is_done(change: Change, body: Any) -> bool:
        return present(change, found_id(body, change) is not None)

    def inverse(change: Change) -> list[Change] | None:
        pid = change.data.get("id")
        return delete_inverse(change, delete_path.format(id=pid) if pid else None)

    return check, found_id, is_done, inverse
