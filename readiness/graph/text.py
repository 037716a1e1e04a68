"""Words for what Graph (or whatever answers at its address) sent: safe to print, and the usual fix."""
from __future__ import annotations

from typing import Any

def clean(text: Any, limit: int = 200) -> str:
    """A server-controlled string made safe for one line of a message: no control or bidi characters."""
    text = str(text)[:limit]
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
