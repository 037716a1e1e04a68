"""Sizes in the bound messages read sensibly: the size never as a figure equal to its bound ("2.0 MB, more than the
2 MB"), the bound as it is, in English and German (graph/bounds.py ``megabytes``, batch.py's item bound)."""
from __future__ import annotations

import pytest

from readiness.errors import GraphBadResponse, Phrase, error_phrase
from readiness.graph import batch
from readiness.graph.bounds import megabytes, too_large
from readiness.i18n import decimal_text

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
    assert "ist 2,04 MB groß, mehr als die erlaubten 2 MB" in de, de  # the German decimal comma


def test_an_answer_a_byte_over_its_bound_is_not_said_to_be_the_bound() -> None:
    exc = too_large("GET /users", 64 * MB, 64 * MB + 1)
    for lang, said in (("en", "64.000001 MB"), ("de", "64,000001 MB")):
        text = error_phrase(exc).text(lang)
        assert said in text and "64.0 MB" not in text and "64,0 MB" not in text, text


def test_sizes_are_said_in_the_language_s_number_format_also_from_a_snapshot() -> None:
    """The figures stay text to the places the bound needs ("1024.5"), so a snapshot's stored reason says them in the
    language of the report read later: 1,024.5 MB in English, 1.024,5 MB in German."""
    exc = too_large("GET /users", 1000 * MB, int(1024.5 * MB))
    stored = error_phrase(exc).as_data()
    assert stored["params"]["value"] == "1024.5"  # the snapshot keeps the text, not a float
    later = Phrase.from_data(stored["key"], stored["params"])
    assert "is 1,024.5 MB, more than the 1,000 MB" in later.text("en"), later.text("en")
    assert "ist 1.024,5 MB groß, mehr als die 1.000 MB" in later.text("de"), later.text("de")


@pytest.mark.parametrize("value", ["n/a", "1e999999", "NaN", "x" * 50, True, None])
def test_a_decimal_placeholder_says_anything_else_as_it_is(value) -> None:  # noqa: ANN001
    assert decimal_text(value, "de") == str(value)


def test_waits_are_said_in_the_language_s_number_format() -> None:
    """A wait line and the wait cap's refusal said "0.7 s" and "4.1 s" in German too (lang17 A5)."""
    from readiness.graph.stats import WaitBudget

    heard: list = []
    budget = WaitBudget(5.0, heard.append, clock=lambda: 100.0)
    assert budget.claim(4.1, "Graph asked to wait")
    en, de = heard[0].text("en"), heard[0].text("de")
    assert "waiting 4.1 s (total waited 4.1 of 5 s)" in en, en
    assert "es wird 4,1 s gewartet (insgesamt 4,1 von 5 s gewartet)" in de, de
    refused = Phrase("errors.graph.wait_cap.what", **budget.refusal_params(1.5, "Graph asked to wait"))
    assert "(4,1 s wurden schon gewartet)" in refused.text("de") and "1,5 s" in refused.text("de"), refused.text("de")
    assert "(4.1 s waited already)" in refused.text("en"), refused.text("en")
