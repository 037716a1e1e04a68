"""Playbooks from a script: plan, apply, resume, verify, undo (one event loop each), runs and timelines.

These wrap ``readiness.playbook.service`` (the workflows) and ``readiness.playbook.runs`` (the journal);
async twins are in ``readiness.aio``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import aio
from ..config.connection import Connection
from ..errors import UsageError
from . import arguments
from .plan_files import load_plan  # noqa: F401 - readiness.load_plan (one reader of plan files: api/plan_files.py)
from .results import Plan, RunInfo, Run, Timeline, Verification

Progress = Callable[[str], None]


def plan(playbook: Any, conn_or_snapshot: Any, params: dict | None = None, *, usage_location: str = "",
         progress: Progress | None = None) -> Plan:
    """What a playbook (shipped name, YAML file or Playbook) would change.

    + conn_or_snapshot: a Connection (reads the tenant now; the plan knows the token's permissions) or a
      Snapshot (offline). + params: the playbook's parameters, e.g. {"team_owners": "chefin@kunde-a.de"}.
    """
    from ..collect.snapshot import Snapshot

    arguments.params(params, "plan")
    if isinstance(conn_or_snapshot, Snapshot):
        return aio.plan_offline(playbook, conn_or_snapshot, params, usage_location=usage_location)
    if not isinstance(conn_or_snapshot, Connection):
        raise UsageError.keyed("api.plan_needs_source", kind=arguments.kind(conn_or_snapshot))
    return aio.run_sync(aio.plan(playbook, conn_or_snapshot, params, usage_location=usage_location, progress=progress))


def apply(plan: Any, conn: Connection, confirm: Any = True, progress: Progress | None = None, *,
          params: dict | None = None) -> Run:
    """Apply a Plan (refused when stale or blocked), a saved plan file, or a playbook with ``params`` (planned and
    applied in one read of the tenant); see readiness.aio.apply."""
    arguments.connection(conn, "apply")
    return aio.run_sync(aio.apply(plan, conn, confirm, progress, params=params))


def save_plan(plan: Plan, path: Path | str) -> None:
    """Save a plan as a signed plan file (0600) for ``load_plan`` and ``readiness playbook apply PLAN``."""
    if not isinstance(plan, Plan):
        raise UsageError.keyed("api.apply_needs_plan")
    plan.save(path)


def resume(run_id: str, conn: Connection, progress: Progress | None = None) -> Run:
    arguments.run_id(run_id, "resume")
    arguments.connection(conn, "resume")
    return aio.run_sync(aio.resume(run_id, conn, progress))


def verify(run_id: str, conn: Connection, progress: Progress | None = None) -> Verification:
    arguments.run_id(run_id, "verify")
    arguments.connection(conn, "verify")
    return aio.run_sync(aio.verify(run_id, conn, progress))


def undo(run_id: str, conn: Connection, confirm: Any = True, progress: Progress | None = None, *,
         preview: Callable[[Any], None] | None = None) -> Run:
    """Undo a run as a new run; ``preview(UndoPreview)`` is called before ``confirm`` (see readiness.aio.undo)."""
    arguments.run_id(run_id, "undo")
    arguments.connection(conn, "undo")
    return aio.run_sync(aio.undo(run_id, conn, confirm, progress, preview=preview))


def undo_preview(run_id: str) -> Any:
    """What ``undo(run_id, conn)`` would do, from the run's journal (nothing is sent): ``.plan`` (the inverse),
    ``.data_loss`` (changes whose undo destroys data, with what: a deleted team's chats and files, a mailbox whose
    licence goes, removed members' access) and ``.cannot_undo`` (a sent mail, ...), each a list of
    ``(Change, text)``; render a text with ``readiness.i18n.resolve(text, lang)``."""
    from ..playbook.service import undo_preview as preview

    return preview(arguments.run_id(run_id, "undo_preview"))


def run_info(run_id: str) -> RunInfo:
    """One run's ``RunInfo`` (which playbook and tenant, how many changes, how far), from its journal."""
    from ..playbook.runs import RunStore
    from ..playbook.service import run_status

    run = RunStore().get(arguments.run_id(run_id, "run_info"))
    meta, info = run.meta(), run_status(run)
    return RunInfo(run.id, info.created, run.plan().playbook, info.tenant, meta.get("endpoint", ""), info.done,
                   info.total, info.status, meta.get("undo_of") or "")


def runs() -> list[RunInfo]:
    """Every run on this machine, oldest first: when, which playbook, which tenant, how far.

    ``status``: complete, incomplete, failed, or unknown (a change was sent but whether it took is not known)."""
    from ..playbook.runs import RunStore

    return [run_info(run.id) for run in RunStore().all()]


def run_ids() -> list[str]:
    """The ids of the runs on this machine, oldest first, without reading their journals (creates nothing)."""
    from ..paths import data_dir

    try:
        root = data_dir() / "runs"
        return sorted(d.name for d in root.iterdir() if (d / "meta.json").exists()) if root.is_dir() else []
    except OSError:
        return []


def timeline(run_id: str) -> Timeline:
    """A run's journal as dated entries (what succeeded, what failed and why)."""
    from ..playbook.runs import RunStore

    run = RunStore().get(arguments.run_id(run_id, "timeline"))
    return Timeline(run.id, run.meta(), list(run.entries()), run.plan().playbook)


def list_playbooks() -> list[str]:
    from ..playbook.loader import builtin_names

    return list(builtin_names())


def load_playbook(ref: str) -> Any:
    """A playbook by shipped name or YAML file, validated (``PlaybookError`` names the line): ``.steps``, ``.description``."""
    from ..playbook.loader import load

    arguments.text(ref, "load_playbook", "ref", optional=False)
    return load(ref)


def playbook_source(ref: str) -> str:
    """A playbook's YAML text as written (shipped name or file); a file is validated first."""
    from ..playbook.loader import builtin_names, load
    from ..resources import data_root

    if ref in builtin_names():
        return data_root("playbooks").joinpath(f"{ref}.yaml").read_text("utf-8")
    load(ref)  # validated first: a bad file is an error naming the line, not a printout
    return Path(ref).read_text("utf-8")


def list_actions() -> list[Any]:
    """The action types a step can use: ``.name``, ``.title``, ``.irreversible``, ``.permissions``, ``.params`` (a model)."""
    from ..playbook.service import actions
    from ..playbook.steps import SPECS

    return [ActionType(a.name, a.title, a.irreversible, tuple(a.permissions), SPECS[a.name].params) for a in actions()]


@dataclass(frozen=True)
class ActionType:
    """``readiness.ActionType``: one action a playbook step can use and the parameters it takes (a pydantic model)."""

    name: str
    title: Any
    irreversible: bool
    permissions: tuple[str, ...]
    params: Any
