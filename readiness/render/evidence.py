"""A finding's evidence written for people: labelled counts, names with "and N more", yes/no, no Python repr.

Evidence is the dict a check stored with its finding (keys are stable ids such as ``without_mfa``; values are
counts, booleans, ``{"count": n, "sample": [...]}``, lists of names or of SKU rows). The JSON output keeps it as
data; HTML (and anything else read by a manager) goes through ``evidence_text``.
"""
from __future__ import annotations

from typing import Any

from ..i18n import labels, money_text, number, text

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


def _names(items: list[Any], total: int, lang: str, key: str = "") -> str:
    shown = [_item(x, lang, key) for x in items[:NAMES_SHOWN]]
    more = total - len(shown)
    out = ", ".join(shown)
    if more > 0:
        out += " " + text("report_words.and_n_more", lang, n=more)
    return out


def coded(key: str, value: Any, lang: str) -> str | None:
    """A coded value (an enum of Graph's, a state, a section id) in words; None when ``value`` is not one.

    ``evidence_values.<key>`` holds the words per code; a pair written "part: state" (a service and its
    provisioning state) has each side looked up; a section id is the section's name.
    """
    if not isinstance(value, str) or isinstance(value, bool):
        return None
    L = labels(lang)
    if key == "section" and value in L.get("sections", {}) and value != "other":
        return str(L["sections"][value])
    words = L.get("evidence_values", {}).get(key, {})
    if value in words:
        return str(words[value])
    first, sep, second = value.partition(": ")
    if sep and (first in words or second in words):
        return f"{words.get(first, first)}: {words.get(second, second)}"
    return None


MONEY_FIELDS = ("monthly", "idle_cost", "cost")  # amounts in a row that names its currency (seat costs)
MONEY_KEYS = {"idle_total"}  # evidence keys whose values are amounts written "2154.65 EUR"


def _field(k: str, v: Any, row: dict, lang: str) -> str:
    if k in MONEY_FIELDS and isinstance(row.get("currency"), str):
        said = money_text(f"{v} {row['currency']}", lang)
        return said if said != f"{v} {row['currency']}" else _scalar(v, lang)
    return coded(k, v, lang) or _scalar(v, lang)


def _pairs(row: dict, lang: str, skip: tuple[str, ...] = (), scalars: bool = False) -> list[str]:
    """``Label value`` for a row's keys but ``skip``: nothing for a value that is None, the currency said with the
    amounts (``_field``) rather than on its own; ``scalars``: lists and objects left out."""
    priced = isinstance(row.get("currency"), str) and any(m in row for m in MONEY_FIELDS)
    return [f"{_label(k, lang)} {_field(k, v, row, lang)}" for k, v in row.items()
            if k not in skip and v is not None and not (priced and k == "currency")
            and not (scalars and isinstance(v, (dict, list)))]


def _item(value: Any, lang: str, key: str = "") -> str:
    if isinstance(value, dict):
        name = value.get("name") or value.get("displayName") or value.get("sku")
        rest = _pairs(value, lang, ("name", "displayName", "sku", "skuId", "id"), scalars=True)
        return f"{name} ({', '.join(rest)})" if name and rest else str(name or ", ".join(rest))
    if key in MONEY_KEYS and isinstance(value, str):
        return money_text(value, lang)
    return coded(key, value, lang) or _scalar(value, lang)


def value_text(value: Any, lang: str, key: str = "") -> str:
    """``value`` for people; ``key`` (the evidence key) names the words of coded values inside it."""
    if isinstance(value, dict) and "count" in value:
        sample = list(value.get("sample") or [])
        count = number(value["count"], lang)
        return f"{count} ({_names(sample, value['count'], lang)})" if sample else count
    if isinstance(value, (list, tuple)):
        return _names(list(value), len(value), lang, key)
    if isinstance(value, dict):
        return ", ".join(_pairs(value, lang))
    return coded(key, value, lang) or _scalar(value, lang)


def _value(key: str, value: Any, lang: str) -> str:
    """A coded value (a section's status, what is missing, a setting's state) in words; anything else as it is."""
    return value_text(value, lang, key)


def evidence_text(evidence: dict, lang: str) -> str:
    """One line: ``Label: value; Label: value`` in the report's language, at most LIMIT characters."""
    parts = [f"{_label(k, lang)}: {_value(k, v, lang)}" for k, v in evidence.items()
             if k not in SKIP and v not in (None, [], {}, "")]
    out = "; ".join(parts)
    if len(out) <= LIMIT:
        return out
    cut = max(out.rfind(sep, 0, LIMIT - 1) for sep in ("; ", ", "))
    return out[:cut if cut > 0 else LIMIT - 1].rstrip(" ,;") + " …"
