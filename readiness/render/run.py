"""A run's outcome for people (table) and scripts (json)."""
from __future__ import annotations

from typing import Any

from .envelope import envelope
from .safe import terminal as esc


def render_run_text(result: Any) -> str:
    """+ result: readiness.api.results.RunResult."""
    if result.run_id is None:
        return "Nothing to do: the tenant already matches the playbook.\n"
    out = [f"Run {result.run_id}: {result.done} changes made, {result.adopted} found already in effect, "
           f"{len(result.failed)} failed."]
    out += [f"  failed: {esc(cid)}: {esc(error)}" for cid, error in result.failed[:10]]
    out += [f"irreversible, not undone: {esc(c.target)} ({c.action})" for c in result.irreversible]
    return "\n".join(out) + "\n"


def render_run_json(result: Any, *, command: str = "playbook apply", exit_code: int = 0) -> str:
    data = {"run": result.run_id, "status": result.status, "done": result.done, "adopted": result.adopted,
            "failed": [{"change": cid, "error": error} for cid, error in result.failed],
            "irreversible": [c.id for c in result.irreversible]}
    return envelope(command, data, exit_code=exit_code, status="success" if result.complete else "error")
