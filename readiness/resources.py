"""Find the shipped data folders (playbooks/, reports/) installed or in a source checkout."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any


def data_root(name: str) -> Any:
    """``name`` is "playbooks" or "reports": a Traversable inside the wheel, or the repo folder."""
    try:
        root = resources.files(f"readiness._{name}")
        if root.is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / name
