"""Escaping tenant-controlled strings for every output format."""
from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def csv_cell(value: object) -> object:
    """Neutralise spreadsheet formulas (=, +, -, @, tab, CR) in tenant-controlled text (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def md(text: object) -> str:
    """Markdown-escape a tenant-controlled string (tables, links, HTML and emphasis stay inert)."""
    s = _CONTROL.sub("", str(text)).replace("\r", " ").replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # inert even where raw HTML is allowed
    return _MD_SPECIAL.sub(r"\\\1", s)


def terminal(text: object) -> str:
    """Strip control characters and bidi overrides so a name cannot rewrite the terminal."""
    return _CONTROL.sub("", str(text)).replace("\r", " ").replace("\n", " ")
