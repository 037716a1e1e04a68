"""A 403 to a later page of a collection, after Graph answered its first pages, is a failed read said with Graph's
answer (graph/client.py ``RefusedMidway``), never a success and never "permission missing"; a 403 to the first page is
the permission (or licence) missing, as before. Over real HTTP against a small server.

Docs: https://learn.microsoft.com/graph/errors (403 Forbidden: "Access is denied to the requested resource. The user
might not have enough permission or might not have a required license"; with Conditional Access, "HTTP 403;
Forbidden error=insufficient_claims"), https://learn.microsoft.com/graph/paging (every page of a read is a request
of the same query; follow @odata.nextLink as given).
"""
from __future__ import annotations

import pytest

from readiness.collect.reading import _collection, _guard
from tests.helpers import HttpDouble, url_client, using

DENIED = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}
UNLICENSED = {"error": {"code": "Forbidden", "message": "The tenant is not licensed for this feature."}}


def _read(denied_page: int, error: dict = DENIED, name: str = "domains"):  # noqa: ANN202
    """Read a 3-page collection whose page ``denied_page`` answers 403 with ``error``."""

    def answer(h) -> tuple[int, dict]:  # noqa: ANN001
        page = int(h.path.rsplit("page=", 1)[1]) if "page=" in h.path else 1
        if page == denied_page:
            return 403, error
        body: dict = {"value": [{"id": f"{page}-{n}"} for n in range(3)]}
        if page < 3:
            body["@odata.nextLink"] = f"{h.url}/domains?page={page + 1}"
        return 200, body

    with HttpDouble(answer) as srv:
        return using(url_client(srv.url), lambda c: _guard(name, "/domains", "Domain.Read.All",
                                                           _collection(c, name, "/domains", "/domains"),
                                                           licence="SharePoint Online"))


@pytest.mark.parametrize("page", [2, 3])
def test_a_403_on_a_later_page_is_a_failed_read_with_graphs_answer(page: int) -> None:
    sec = _read(page)
    assert sec.status == "failed" and not sec.data and not sec.permission, (sec.status, sec.reason)
    en, de = sec.reason.text("en"), sec.reason.text("de")
    assert "Authorization_RequestDenied" in en and "Insufficient privileges" in en and f"page {page}" in en, en
    assert "Authorization_RequestDenied" in de and f"Seite {page}" in de and "spätere Seite" in de, de


def test_a_licence_403_on_a_later_page_is_a_failed_read_too() -> None:
    sec = _read(2, UNLICENSED)
    assert sec.status == "failed" and not sec.licence and not sec.permission, (sec.status, sec.reason)


def test_a_403_on_the_first_page_is_the_permission_or_licence_missing() -> None:
    sec = _read(1)
    assert sec.status == "forbidden" and sec.permission == "Domain.Read.All", (sec.status, sec.reason)
    sec = _read(1, UNLICENSED)
    assert sec.status == "forbidden" and sec.licence == "SharePoint Online", (sec.status, sec.reason)


def test_the_whole_collection_is_read_when_no_page_is_refused() -> None:
    sec = _read(0)
    assert sec.status == "complete" and [d["id"] for d in sec.data] == [f"{p}-{n}" for p in (1, 2, 3) for n in range(3)]


def test_a_refusal_midway_is_not_a_permission_missing() -> None:
    from readiness.graph.client import RefusedMidway

    assert RefusedMidway(status=403, graph_code="Authorization_RequestDenied").is_forbidden is False
