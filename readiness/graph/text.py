"""Words for what Graph (or whatever answers at its address) sent: safe to print, and the usual fix."""
from __future__ import annotations

from typing import Any

BAD_ANSWER_FIX = ("Check that --graph-url (or the profile's cloud) points at Microsoft Graph, not a proxy or a sign-in "
                  "page; if it does, try again later")


def clean(text: Any, limit: int = 200) -> str:
    """A server-controlled string made safe for one line of a message: no control or bidi characters."""
    text = str(text)[:limit]
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
