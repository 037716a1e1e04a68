"""Small helpers shared by the check modules."""
from __future__ import annotations

from typing import Any, Iterable

from .model import Finding, Status, t

SAMPLE = 25  # evidence lists at most this many names, plus the total


def finding(check_id: str, status: Status, en: str, de: str, target: str = "tenant", **evidence: Any) -> Finding:
    return Finding(check_id, status, t(en, de), target, evidence)


def names(people: Iterable[Any]) -> dict[str, Any]:
    items = [p.upn for p in people]
    return {"count": len(items), "sample": items[:SAMPLE]}


def ratio(part: int, whole: int) -> str:
    return f"{part} of {whole}" if whole else "0 of 0"


def ratio_de(part: int, whole: int) -> str:
    return f"{part} von {whole}"
