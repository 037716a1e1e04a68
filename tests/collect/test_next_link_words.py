"""A device read's nextLink that leaves the version (Graph's origin, another version: ``/beta``) is refused in words
that fit the read: only the owners' pages in $batch rounds say it cannot be read inside $batch; the expanded read and
the owners chains are no batch and say so in their own words, in English and German.

Docs: https://learn.microsoft.com/graph/paging (``@odata.nextLink`` holds the whole URL of the next page of the same
request), https://learn.microsoft.com/graph/json-batching (a request's ``url`` in a batch is relative to the version).
"""
from __future__ import annotations

from readiness import i18n
from tests.collect.test_devices_expanded import ROOT, ExpandGraph
from tests.collect.test_owner_rounds import Graph
from tests.helpers import read_devices as _read

OTHER_VERSION = "http://127.0.0.1:9/beta"


def _said(sec) -> tuple[str, str]:  # noqa: ANN001
    assert sec.status == "failed" and not sec.data, (sec.status, sec.reason)
    return sec.reason.text("en"), sec.reason.text("de")


def _to_beta(n: int, page: dict) -> None:
    if n == 1 and "@odata.nextLink" in page:
        page["@odata.nextLink"] = page["@odata.nextLink"].replace(ROOT, OTHER_VERSION)


def test_the_expanded_read_says_the_link_leaves_the_version_not_that_it_cannot_go_in_a_batch() -> None:
    en, de = _said(_read(ExpandGraph(_to_beta)))
    assert "leads outside http://127.0.0.1:9/v1.0, the version this audit reads" in en, en
    assert "der Version, die diese Prüfung liest" in de, de
    assert "$batch" not in en and "$batch" not in de, (en, de)


def test_the_owner_chains_say_it_in_the_same_words() -> None:
    en, de = _said(_read(Graph(batch_status=404, link_origin=OTHER_VERSION)))  # no $batch here: 16 chains
    assert "the version this audit reads" in en and "$batch" not in en and "$batch" not in de, (en, de)


def test_the_rounds_in_batch_still_say_why_the_link_cannot_be_read_there() -> None:
    en, de = _said(_read(Graph(link_origin=OTHER_VERSION)))
    assert "inside $batch" in en and "in $batch" in de, (en, de)


def test_both_wordings_are_in_both_catalogues() -> None:
    for key in ("errors.graph.next_link_outside_root.what", "errors.graph.next_link_outside_version.what"):
        assert i18n.text(key, "en") != i18n.text(key, "de"), key
