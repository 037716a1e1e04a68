"""A playbook as data: its steps, parameters and where it came from (what the loader reads and the schema checks).

Kept apart from the loader so that the schema can name these types without importing the loader back."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError


class PlaybookError(UsageError):
    code = "playbook"


@dataclass
class Step:
    id: str
    action: str
    title: Any  # str or i18n.Message (model.Text)
    params: dict
    select: dict
    line: int


@dataclass
class Playbook:
    name: str
    description: str
    parameters: dict[str, Any]
    steps: list[Step]
    source: str  # file path or "builtin:NAME"
    sha256: str
    base_dir: Path | None = None
    lines: dict[str, int] = field(default_factory=dict)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value
