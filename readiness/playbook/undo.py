"""undo: the inverse of a run, from its journal, newest first. Resumable and idempotent.

- changes that are done are reversed with the ids the journal holds;
- changes that were in flight (started, created or accepted, never confirmed) are looked up when the undo
  runs and reversed only if they took effect (a create whose answer was lost is found by natural key);
- what an earlier undo of the same run already reversed is not planned again; a DELETE answered 404 counts
  as done (the object is gone), so a second undo succeeds;
- what cannot be undone (a sent mail, a change whose object cannot be found again) is listed, never dropped.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from ..i18n import Message
from .model import Change, Plan, StepPlan
from .runs import Run, RunStore
from .steps import spec



def undone_before(run: Run, store: RunStore | None) -> set[str]:
    """Ids of undo changes (``undo:<change>``) that earlier undo runs of ``run`` finished."""
    out: set[str] = set()
    for other in (store.all() if store else []):
        try:
            if other.meta().get("undo_of") != run.id:
                continue
        except (OSError, ValueError):
            continue
        out |= {cid for cid, st in other.state().items() if st.get("phase") == "done"}
    return out


def undo_plan(run: Run, store: RunStore | None = None) -> tuple[Plan, list[Change]]:
    """The undo plan of ``run`` and the changes that cannot be undone (irreversible, or not found again)."""
    plan = run.plan()
    state = run.state()
    finished = undone_before(run, store)
    inverse: list[Change] = []
    cannot: list[Change] = []
    for c in reversed(plan.changes):
        st = state.get(c.id)
        if not st:
            continue  # never started
        a = spec(c.action)
        result = st.get("result") or {}
        phase = st.get("phase")
        if phase == "failed" and "id" not in result and not st.get("parts"):
            continue  # refused by Graph: nothing happened
        if c.irreversible or a.irreversible:
            cannot.append(c)
            continue
        in_flight = phase != "done"
        data = {**c.data, **result, "phase": -c.data.get("phase", 1)}  # undo runs backwards
        if in_flight and "id" not in result:
            data["id"] = "{id}"  # learned by looking the object up when the undo runs
        merged = Change(c.id, c.step, c.action, c.kind, c.target, c.key, c.before, c.after, c.requests, c.irreversible, data)
        inv = a.inverse(merged)
        if inv is None:
            cannot.append(c)
            continue
        for x in inv:
            if x.id in finished:
                continue
            if in_flight:
                x = Change(x.id, x.step, x.action, x.kind, x.target, x.key, x.before, x.after, x.requests, x.irreversible,
                           {**x.data, "undo_of_change": c.to_dict()})
            inverse.append(x)
    steps: dict[str, StepPlan] = {}
    for c in inverse:
        steps.setdefault(c.step, StepPlan(f"undo-{c.step}", c.action, Message("plan.undo_step", {"step": c.step}),
                                          [])).changes.append(c)
    undo = Plan(f"undo:{run.id}", hashlib.sha256(run.id.encode()).hexdigest(), {}, plan.tenant, plan.tenant_id,
                plan.snapshot_fingerprint, datetime.now(timezone.utc).isoformat(timespec="seconds"), list(steps.values()))
    return undo, cannot


__all__ = ["undo_plan", "undone_before"]
