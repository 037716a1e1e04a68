"""The tokens are HMAC-SHA256 made from two keyed hashlib states copied per token (RFC 2104: a key longer than the
hash's 64-byte block is hashed first, a shorter one padded with zeros), not ``hmac.digest`` per token: every pseudonym a
report ever printed must stay the same, so they are checked against the standard library's hmac for keys of every
length around the block size, and ``tokens`` against ``token``."""
from __future__ import annotations

import base64
import hashlib
import hmac
import random

import pytest

from readiness.audit.privacy import Pseudonymizer


def _expected(key: bytes, tenant: str, kind: str, value: object) -> str:
    digest = hmac.new(key, f"{tenant}|{kind}|{value}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()


@pytest.mark.parametrize("length", [0, 1, 32, 63, 64, 65, 100, 200])
def test_tokens_are_the_hmac_of_keys_of_every_length(length: int) -> None:
    rng = random.Random(length)
    key = bytes(rng.randrange(256) for _ in range(length))
    p = Pseudonymizer(key, "tenant-ä")
    values = ["", "u1", "Zoë", "x" * 200, None, 42] + [f"{rng.getrandbits(128):032x}" for _ in range(300)]
    for kind in ("user", "id", "device"):
        want = [_expected(key, "tenant-ä", kind, v) for v in values]
        assert p.tokens(kind, values) == want
        assert p.tokens(kind, values, "Device-") == ["Device-" + w for w in want]
        assert [p.token(kind, v) for v in values] == want
