"""Every visible label comes from reports/translations/<lang>.json (one source for all formats)."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..errors import UsageError
from ..resources import data_root

LANGS = ("en", "de")


@lru_cache(maxsize=None)
def labels(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise UsageError(f"Unknown language '{lang}'", f"Use one of: {', '.join(LANGS)}")
    return json.loads(data_root("reports").joinpath("translations", f"{lang}.json").read_text("utf-8"))


def number(value: float | int, lang: str) -> str:
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return text.replace(",", ".") if lang == "de" and isinstance(value, int) else (
        text.replace(",", "X").replace(".", ",").replace("X", ".") if lang == "de" else text)


def when(iso: str, lang: str) -> str:
    """An ISO timestamp in the language's date format (22.11.2026, 14:03 UTC / 22 Nov 2026, 14:03 UTC)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime(labels(lang)["date_format"])
    except (ValueError, AttributeError):
        return str(iso)
