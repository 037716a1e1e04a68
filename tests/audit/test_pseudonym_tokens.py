"""A pseudonym is eight base32 letters of a keyed HMAC-SHA256 of the tenant, the kind and the value: what
``base64.b32encode(digest[:5])`` writes. Session 13 made them by a table of letter pairs (b32encode is written in
Python: 8 µs a token, about 415,000 tokens for a 100,000-person report); every pseudonym a report ever printed must
stay the same, so the table is checked against the standard library for values of every kind and length."""
from __future__ import annotations

import base64
import hashlib
import hmac
import random

from readiness.audit.privacy import Pseudonymizer


def _expected(key: bytes, tenant: str, kind: str, value: str) -> str:
    digest = hmac.new(key, f"{tenant}|{kind}|{value}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode().rstrip("=")


def test_tokens_are_the_standard_librarys_base32_of_the_keyed_digest() -> None:
    rng = random.Random(13)
    key = bytes(rng.randrange(256) for _ in range(32))
    p = Pseudonymizer(key, "8f3a-tenant")
    values = ["", "a", "ä", "Zoë Müller", "x" * 300, "a170b338-3926-4059-b28c-105d1fb17c23"]
    values += ["".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(1, 40))) for _ in range(5000)]
    for value in values:
        for kind in ("user", "id", "device"):
            assert p.token(kind, value) == _expected(key, "8f3a-tenant", kind, value), (kind, value)
    assert p.person("u1") == "Person-" + _expected(key, "8f3a-tenant", "user", "u1")
    assert p.device("d1") == "Device-" + _expected(key, "8f3a-tenant", "device", "d1")
