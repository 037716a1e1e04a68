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


def render_run_json(result: Any, *, command: str = "playbook apply", exit_code: int = 0, lang: str = "en") -> str:
    """Ids and status codes stay as they are (scripts key on them); ``*_label``, ``target`` and ``text`` are words in ``lang``."""
    data = {"run": result.run_id, "status": result.status, "status_label": text(f"run.status.{result.status}", lang),
            "done": result.done, "adopted": result.adopted,
            "failed": [{"change": cid, "error": error} for cid, error in result.failed],
            "irreversible": [c.id for c in result.irreversible],
            "irreversible_changes": [{"change": c.id, "action": c.action, "target": resolve(c.target, lang),
                                      "text": text("run.irreversible", lang, target=resolve(c.target, lang), action=c.action)}
                                     for c in result.irreversible]}
    return envelope(command, data, exit_code=exit_code, status="success" if result.complete else "error")


def render_undo_preview_text(preview: Any, lang: str = "en") -> str:
    """Before an undo: what it would destroy and what it cannot take back (+ preview: service.UndoPreview)."""
    out: list[str] = []
    if preview.data_loss:
        out.append(text("run.data_loss_head", lang, n=len(preview.data_loss)))
        out += ["  - " + esc(resolve(why, lang)) for _c, why in preview.data_loss]
    if preview.cannot_undo:
        out.append(text("run.cannot_undo_head", lang, n=len(preview.cannot_undo)))
        out += ["  - " + text("run.irreversible", lang, target=esc(resolve(c.target, lang)), action=c.action) + ": " + esc(resolve(why, lang))
                for c, why in preview.cannot_undo]
    return "\n".join(out) + ("\n" if out else "")


def undo_preview_data(preview: Any, lang: str = "en") -> dict:
    """The preview as plain data (JSON): change ids and action types stable, texts in ``lang``."""
    def rows(pairs: list) -> list[dict]:
        return [{"change": c.id, "action": c.action, "target": resolve(c.target, lang), "text": resolve(why, lang)}
                for c, why in pairs]

    return {"run": preview.run_id, "changes": len(preview.plan.changes), "data_loss": rows(preview.data_loss),
            "cannot_undo": rows(preview.cannot_undo)}
