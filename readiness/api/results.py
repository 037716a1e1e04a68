"""Typed results of the playbook API: a plan ready to apply, a run's outcome, runs and timelines."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..playbook.loader import Playbook
from ..playbook import model as _model
from ..playbook.model import Change


@dataclass
class Plan:
    """``readiness.Plan``: what a playbook would change in one tenant, with what ``apply`` needs to re-check it.

    + plan: every change, before and after, per step (``plan.changes``, ``plan.blocked``).
    + granted: the permissions the token holds (None when planned offline from a snapshot).
    """

    plan: _model.Plan
    playbook: Playbook
    params: dict[str, str]
    granted: set[str] | None = None
    tenant: str = ""
    endpoint: str = ""

    @property
    def changes(self) -> list[Change]:
        return self.plan.changes

    @property
    def blocked(self) -> list[Any]:
        return self.plan.blocked

    @property
    def estimate(self) -> dict:
        """The requests applying it will send: ``requests`` in all (batches, look-ups, polls counted as the applier
        sends them), ``seconds`` roughly; see ``readiness.playbook.planner.estimate``."""
        from ..playbook.planner import estimate

        return estimate(self.plan)

    def save(self, path: Path | str) -> None:
        """A signed plan file (0600) that ``load_plan`` and ``readiness playbook apply`` accept."""
        from ..playbook.runs import save_plan_file

        from .arguments import path as _path

        save_plan_file(self.plan, _path(path, "save"), {"tenant": self.tenant, "endpoint": self.endpoint,
                                               "playbook_source": self.playbook.source, "overrides": self.params})


@dataclass
class Run:
    """``readiness.Run``: how an apply, resume or undo ended. ``status``: complete, incomplete, or nothing_to_do."""

    run_id: str | None
    status: str
    done: int = 0
    adopted: int = 0  # found already in effect
    failed: list[tuple[str, str]] = field(default_factory=list)  # (change id, error)
    plan: _model.Plan | None = None
    irreversible: list[Change] = field(default_factory=list)  # undo only: changes that cannot be taken back
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (change id, why): sent, but whether it took is not known
    skipped_steps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.status in ("complete", "nothing_to_do")


@dataclass
class Verification:
    run_id: str
    verified: bool  # True when re-planning finds nothing left to do and every change the run made reads back whole
    plan: _model.Plan
    problems: list[tuple[Any, Any]] = field(default_factory=list)  # (target, what is missing): i18n.resolve(.., lang)


@dataclass
class RunInfo:
    run_id: str
    created: str
    playbook: str
    tenant: str
    endpoint: str
    done: int
    total: int
    status: str  # complete, incomplete, failed
    undo_of: str = ""


@dataclass
class Timeline:
    run_id: str
    meta: dict
    entries: list[dict]
    playbook: str = ""


PlaybookPlan = Plan  # the names before issue 9's contract; kept for scripts that use them
RunResult = Run
