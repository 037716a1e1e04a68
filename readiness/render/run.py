"""A run's outcome for people (table) and scripts (json)."""
from __future__ import annotations

from typing import Any

from ..i18n import resolve, text
from .envelope import envelope
from .safe import terminal as esc


def render_run_text(result: Any, lang: str = "en") -> str:
    """+ result: readiness.api.results.RunResult."""
    if result.run_id is None:
        return text("run.nothing_to_do", lang) + "\n"
    out = [text("run.result", lang, run=result.run_id, n=result.done, adopted=result.adopted, failed=len(result.failed))]
    out += ["  " + text("run.failed", lang, change=esc(cid), error=esc(error)) for cid, error in result.failed[:10]]
    out += [text("run.irreversible", lang, target=esc(resolve(c.target, lang)), action=c.action) for c in result.irreversible]
    return "\n".join(out) + "\n"


def render_run_json(result: Any, *, command: str = "playbook apply", exit_code: int = 0) -> str:
    data = {"run": result.run_id, "status": result.status, "done": result.done, "adopted": result.adopted,
            "failed": [{"change": cid, "error": error} for cid, error in result.failed],
            "irreversible": [c.id for c in result.irreversible]}
    return envelope(command, data, exit_code=exit_code, status="success" if result.complete else "error")
