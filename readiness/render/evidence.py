"""A finding's evidence written for people: labelled counts, names with "and N more", yes/no, no Python repr.

Evidence is the dict a check stored with its finding (keys are stable ids such as ``without_mfa``; values are
counts, booleans, ``{"count": n, "sample": [...]}``, lists of names or of SKU rows). The JSON output keeps it as
data; HTML (and anything else read by a manager) goes through ``evidence_text``.
"""
from __future__ import annotations

from typing import Any

from ..i18n import labels, number, text

SKIP = {"source", "source_kind"}
NAMES_SHOWN = 5  # names listed before "and N more"
LIMIT = 600  # characters; longer evidence is cut at a separator and ends with "…"


def _label(key: str, lang: str) -> str:
    words = labels(lang).get("evidence_words", {})
    if key in words:
        return words[key]
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in key).replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:]


def _scalar(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return text("report_words.yes" if value else "report_words.no", lang)
    if isinstance(value, (int, float)):
        return number(value, lang)
    return str(value)


def _names(items: list[Any], total: int, lang: str) -> str:
    shown = [_item(x, lang) for x in items[:NAMES_SHOWN]]
    more = total - len(shown)
    out = ", ".join(shown)
    if more > 0:
        out += " " + text("report_words.and_n_more", lang, n=more)
    return out


def _item(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        name = value.get("name") or value.get("displayName")
        rest = [f"{_label(k, lang)} {_scalar(v, lang)}" for k, v in value.items()
                if k not in ("name", "displayName", "skuId", "id") and not isinstance(v, (dict, list))]
        return f"{name} ({', '.join(rest)})" if name and rest else str(name or ", ".join(rest))
    return _scalar(value, lang)


def value_text(value: Any, lang: str) -> str:
    if isinstance(value, dict) and "count" in value:
        sample = list(value.get("sample") or [])
        count = number(value["count"], lang)
        return f"{count} ({_names(sample, value['count'], lang)})" if sample else count
    if isinstance(value, list):
        return _names(value, len(value), lang)
    if isinstance(value, dict):
        return ", ".join(f"{_label(k, lang)} {_scalar(v, lang)}" for k, v in value.items())
    return _scalar(value, lang)


def _value(key: str, value: Any, lang: str) -> str:
    """A coded value (a section's status, what is missing) in words; anything else as it is."""
    words = labels(lang).get("evidence_values", {}).get(key, {})
    if isinstance(value, str) and value in words:
        return words[value]
    return value_text(value, lang)


def evidence_text(evidence: dict, lang: str) -> str:
    """One line: ``Label: value; Label: value`` in the report's language, at most LIMIT characters."""
    parts = [f"{_label(k, lang)}: {_value(k, v, lang)}" for k, v in evidence.items()
             if k not in SKIP and v not in (None, [], {}, "")]
    out = "; ".join(parts)
    if len(out) <= LIMIT:
        return out
    cut = max(out.rfind(sep, 0, LIMIT - 1) for sep in ("; ", ", "))
    return out[:cut if cut > 0 else LIMIT - 1].rstrip(" ,;") + " …"
