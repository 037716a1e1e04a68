"""The versioned JSON envelope every command's ``-o json`` output uses (scripts rely on it)."""
from __future__ import annotations

import json
from typing import Any

from .safe import json_safe

ENVELOPE_VERSION = 1


def envelope(command: str, data: Any, *, exit_code: int = 0, status: str = "success",
             errors: list[dict] | None = None) -> str:
    doc = {"schema_version": ENVELOPE_VERSION, "command": command, "status": status, "exit_code": exit_code,
           "data": data, "errors": errors or []}
    return json_safe(json.dumps(doc, ensure_ascii=False, indent=2, default=str)) + "\n"
