"""A 403 after Graph answered pages of the same devices read is a failed read, said with Graph's answer, never a
permission missing (collect/devices.py ``_midway``: graph/client.py ``RefusedMidway``); a 403 to the first request is the permission missing.

Docs: https://learn.microsoft.com/graph/errors (403 Forbidden: "Access is denied to the requested resource. The user
might not have enough permission or might not have a required license"; with Conditional Access, "HTTP 403;
Forbidden error=insufficient_claims"), https://learn.microsoft.com/graph/paging (every page of a read is a request
of the same query).
"""
from __future__ import annotations

from readiness import i18n
from tests.collect.test_owner_checks import ChainGraph
from tests.collect.test_owner_rounds import Graph
from tests.helpers import read_devices

DENIED = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}


def _denied_at(round_no: int):  # noqa: ANN202
    def fault(item: dict, n: int):  # noqa: ANN202
        if n >= round_no and item["id"] == "7":
            return 403, {}, DENIED
        return None
    return fault


def _said(sec, lang: str) -> str:  # noqa: ANN001
    return sec.reason.text(lang) if hasattr(sec.reason, "text") else str(sec.reason)


def test_a_403_on_a_later_owners_round_fails_the_section_with_graphs_answer_not_forbidden() -> None:
    sec = read_devices(Graph(_denied_at(2)))
    assert sec.status == "failed" and not sec.data and not sec.permission, (sec.status, sec.reason)
    en, de = _said(sec, "en"), _said(sec, "de")
    assert "Authorization_RequestDenied" in en and "Insufficient privileges" in en and "later page" in en, en
    assert "Authorization_RequestDenied" in de and "spätere Seite" in de, de


def test_a_403_on_the_first_round_is_the_permission_missing() -> None:
    sec = read_devices(Graph(_denied_at(1)))
    assert sec.status == "forbidden" and sec.permission == "Device.Read.All", (sec.status, sec.reason)


class DeniedChain(ChainGraph):
    """The 16 chains (no $batch); read 7's second page answers 403."""

    def __call__(self, request):  # noqa: ANN001, ANN204
        from urllib.parse import unquote

        import httpx

        q = unquote(request.url.query.decode())
        if "startsWith(deviceId,'7')" in q and "skiptoken" in q:
            return httpx.Response(403, json=DENIED)
        return super().__call__(request)


def test_a_403_on_a_later_page_of_an_owners_chain_is_a_failed_read() -> None:
    sec = read_devices(DeniedChain())
    assert sec.status == "failed" and not sec.data and not sec.permission, (sec.status, sec.reason)
    assert "Authorization_RequestDenied" in _said(sec, "en")


def test_the_message_is_in_both_catalogues_with_the_same_placeholders() -> None:
    for part in ("what", "fix"):
        en = i18n.text(f"errors.graph.denied_midway.{part}", "en", answer="A", request="")
        de = i18n.text(f"errors.graph.denied_midway.{part}", "de", answer="A", request="")
        assert en != de and en and de
