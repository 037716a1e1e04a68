"""Every visible label exists in both languages; every reason code has words."""
from __future__ import annotations

from readiness.audit.matrix import REASON_CODES
from readiness.render.i18n import labels


def _keys(d: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in d.items():
        out |= _keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
    return out


def test_english_and_german_have_the_same_labels() -> None:
    assert _keys(labels("en")) == _keys(labels("de"))


def test_every_reason_has_words_in_both_languages() -> None:
    for lang in ("en", "de"):
        assert set(REASON_CODES) == set(labels(lang)["reason_words"])
    assert labels("de")["reason_words"]["no_mfa"] != labels("en")["reason_words"]["no_mfa"]
