"""Sizes in the bound messages read sensibly: the size never as a figure equal to its bound ("2.0 MB, more than the
2 MB"), the bound as it is, in English and German (graph/bounds.py ``megabytes``, batch.py's item bound)."""
from __future__ import annotations

import pytest

from readiness.errors import GraphBadResponse, error_phrase
from readiness.graph import batch
from readiness.graph.bounds import megabytes, too_large

MB = 1 << 20


@pytest.mark.parametrize(("size", "limit", "want"), [
    (2 * MB + 40 * 1024, 2 * MB, ("2.04", "2")),       # one decimal would say 2.0, the bound itself
    (2 * MB + 1, 2 * MB, ("2.000001", "2")),           # a byte over still reads over
    (int(2.4 * MB), 2 * MB, ("2.4", "2")),
    (900 * MB, 64 * MB, ("900.0", "64")),
    (41 * MB, batch.MAX_ANSWER_BYTES, ("41.0", "40.06")),  # a bound that is no whole MB said as it is
    (None, 64 * MB, ("", "64")),
])
def test_megabytes_never_reads_as_the_bound(size, limit, want) -> None:  # noqa: ANN001
    value, bound = megabytes(size, limit)
    assert (value, bound) == want
    if size is not None:
        assert float(value) > float(bound)


def test_an_item_over_the_item_bound_is_said_with_a_figure_above_it() -> None:
    with pytest.raises(GraphBadResponse) as caught:
        batch._bounded(batch.MAX_ITEM_BYTES + 40 * 1024, batch.MAX_ITEM_BYTES, "GET /devices/d1 ($batch)")
    en, de = error_phrase(caught.value).text("en"), error_phrase(caught.value).text("de")
    assert "is 2.04 MB, more than the 2 MB allowed" in en, en
    assert "ist 2.04 MB groß, mehr als die erlaubten 2 MB" in de, de


def test_an_answer_a_byte_over_its_bound_is_not_said_to_be_the_bound() -> None:
    exc = too_large("GET /users", 64 * MB, 64 * MB + 1)
    for lang in ("en", "de"):
        text = error_phrase(exc).text(lang)
        assert "64.000001 MB" in text and "64.0 MB" not in text, text
