"""A read that Graph refuses for a missing licence without the read naming one (a 403 "...doesn't have premium
license" on a collection read with no licence of its own) is said as a sentence in both languages, never "the tenant
has no a required licence" (session 15's attack found that wording); a named licence is said as before."""
from __future__ import annotations

import pytest

from readiness.checks.unavailable import describe
from readiness.collect.collectors import classify
from readiness.collect.snapshot import FORBIDDEN, SOME_LICENCE
from readiness.errors import GraphError
from readiness.i18n import resolve, text

PREMIUM = GraphError("Neither tenant is B2C or tenant doesn't have premium license", status=403,
                     graph_code="Authentication_RequestFromNonPremiumTenantOrB2CTenant")


@pytest.mark.parametrize("lang, expected", [
    ("en", "the tenant lacks a licence this needs"),
    ("de", "dem Mandanten fehlt eine Lizenz, die dafür nötig ist"),
])
def test_an_unnamed_missing_licence_reads_as_a_sentence(lang: str, expected: str) -> None:
    sec = classify("users", "/users", PREMIUM, permission="User.Read.All")
    assert sec.status == FORBIDDEN and sec.licence == SOME_LICENCE  # still a licence (not a permission) for the checks
    assert resolve(describe(sec), lang) == expected
    reason = text(sec.reason_key, lang, **sec.reason_params)
    assert "no a " not in reason and "kein a " not in reason and "403" in reason


def test_the_reason_names_graphs_answer_in_both_languages() -> None:
    sec = classify("users", "/users", PREMIUM, permission="User.Read.All")
    assert sec.reason == ("the tenant lacks a licence this read needs (Graph answered 403 "
                          "Authentication_RequestFromNonPremiumTenantOrB2CTenant)")
    assert text(sec.reason_key, "de", **sec.reason_params) == (
        "dem Mandanten fehlt eine Lizenz, die dieses Lesen braucht (Graph antwortete 403 "
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant)")


def test_a_named_licence_is_said_as_before() -> None:
    sec = classify("mfa", "/reports/authenticationMethods/userRegistrationDetails", PREMIUM,
                   permission="AuditLog.Read.All", licence="Microsoft Entra ID P1")
    assert resolve(describe(sec), "en") == "the tenant has no Microsoft Entra ID P1"
    assert resolve(describe(sec), "de") == "der Mandant hat kein Microsoft Entra ID P1"



@pytest.mark.parametrize("lang, word", [("en", "a licence"), ("de", "Lizenz")])
def test_json_names_an_unnamed_licence_in_the_reports_language(lang: str, word: str) -> None:
    """attack16: `-o json` under --lang de kept the English placeholder "a required licence" in not_evaluated[].licence."""
    import json

    import readiness
    from tests.collect.test_snapshot_limits import FIXTURE

    snap = readiness.load_snapshot(FIXTURE)
    snap.sections["sharing"] = classify("sharing", "/admin/sharepoint/settings", PREMIUM, permission="SharePointTenantSettings.Read.All")
    out = json.loads(readiness.render(readiness.evaluate(snap), "json", lang))
    data = out.get("data", out)
    licences = [m["licence"] for m in data["not_evaluated"] if m["section"] == "sharing"]
    assert licences == [word]
