"""Small helpers shared by the check modules."""
from __future__ import annotations

import re
from typing import Any, Iterable

from .model import Finding, Status, t

SAMPLE = 25  # evidence lists at most this many names, plus the total


_BIG = re.compile(r"(?<![\w.,:/-])(\d{4,})(?![\w.,:/-])")


def _grouped(text: str, sep: str) -> str:
    """Thousands separators for counts in a sentence: 2,850 in English, 2.850 in German."""
    return _BIG.sub(lambda m: f"{int(m.group(1)):,}".replace(",", sep), text)


def finding(check_id: str, status: Status, en: str, de: str, target: str = "tenant", **evidence: Any) -> Finding:
    return Finding(check_id, status, t(_grouped(en, ","), _grouped(de, ".")), target, evidence)


def names(people: Iterable[Any]) -> dict[str, Any]:
    items = [p.upn for p in people]
    return {"count": len(items), "sample": items[:SAMPLE]}
