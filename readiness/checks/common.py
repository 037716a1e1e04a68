"""Small helpers shared by the check modules."""
from __future__ import annotations

from typing import Any, Iterable

from ..i18n import Message
from .model import Finding, Status

SAMPLE = 25  # evidence lists at most this many names, plus the total


def finding(status: Status, outcome: str | Message, params: dict[str, Any] | None = None, target: str = "tenant",
            **evidence: Any) -> Finding:
    """A finding of the running check: its message is ``checks.<check id>.<outcome>`` with ``params``.

    The engine fills in the check id; pass a Message instead of an outcome for a text shared by checks.
    Numbers in ``params`` are formatted for the reader's language when the report is rendered.
    """
    message = outcome if isinstance(outcome, Message) else Message(outcome, dict(params or {}))
    return Finding("", status, message, target, evidence)


def names(people: Iterable[Any]) -> dict[str, Any]:
    if not isinstance(people, list):
        people = list(people)
    return {"count": len(people), "sample": [p.upn for p in people[:SAMPLE]]}
