"""``json_safe_bytes`` (issue 15): the JSON output's escaping done on UTF-8 bytes, skipped where a search for a few
bytes finds nothing to escape. It must give ``json_safe``'s text exactly, for every character."""
from __future__ import annotations

import re

from readiness.render import safe
from readiness.render.safe import json_safe, json_safe_bytes

EVERY = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)  # every character UTF-8 can hold
ESCAPED = safe._JSON_RAW.findall(EVERY)  # the characters json_safe writes as \uXXXX


def test_every_character_comes_out_as_json_safe_writes_it() -> None:
    assert json_safe_bytes(EVERY.encode("utf-8")) == json_safe(EVERY).encode("utf-8")


def test_each_escaped_character_alone_is_found() -> None:
    escaped = ESCAPED
    assert all(json_safe(c) != c for c in escaped) and len(escaped) == 32 + 1 + 1 + 3 + 2 + 5 + 4 + 1  # C1, DEL, U+061C, U+200B/E/F, U+2028/9, bidi, U+FEFF
    for c in escaped:
        raw = f'{{"name": "Eva{c} Müller – 5 €"}}'.encode("utf-8")
        assert json_safe_bytes(raw) == json_safe(raw.decode("utf-8")).encode("utf-8") != raw, hex(ord(c))


def test_text_with_nothing_to_escape_is_returned_as_is() -> None:
    raw = '{"name": "Jürgen Weiß – Qualitätssicherung", "price": "5 €", "quote": "’"}'.encode("utf-8")
    assert json_safe_bytes(raw) is raw
    # the pattern's first bytes are the searched bytes: every escaped character starts with one of them
    leads = {bytes([c.encode("utf-8")[0]]) for c in ESCAPED}
    assert leads <= set(safe._JSON_RAW_LEADS)
    assert all(re.fullmatch(safe._JSON_RAW_UTF8, c.encode("utf-8")) for c in ESCAPED)
