"""The first page's recovery line says how many people could not be judged (issue 9): "12 of 39 can get back in
from home" with 27 unknown read as if 27 could not. The summary carries ``recover_unknown`` beside ``can_recover``."""
from __future__ import annotations

import html

import pytest

import readiness
from readiness.simulator import generate_tenant
from readiness.simulator.tokens import ALL_ROLES


@pytest.fixture(scope="module")
def audit():
    """Without Policy.Read.AuthenticationMethod whether a Temporary Access Pass is possible is unknown, so everyone
    not registered for SSPR is unknown (README "What ready means")."""
    roles = [r for r in ALL_ROLES if "AuthenticationMethod" not in r or r.startswith("UserAuthenticationMethod")]
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7), roles=roles) as sim:
        return readiness.evaluate(readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token)))


def test_the_summary_counts_who_can_recover_and_who_is_unknown(audit) -> None:
    s = audit.summary
    unknown = sum(1 for r in audit.people if r["can_recover"] is None)
    assert unknown > 0 and s["recover_unknown"] == unknown
    assert s["can_recover"] == sum(1 for r in audit.people if r["can_recover"] is True)
    assert s["can_recover"] + s["recover_unknown"] <= s["people"]


@pytest.mark.parametrize(("lang", "said"), [("en", "; for {n} it is unknown"), ("de", "; bei {n} ist es unbekannt")])
def test_the_first_page_says_the_unknown_count_in_each_language(audit, lang: str, said: str) -> None:
    n = audit.summary["recover_unknown"]
    for fmt in ("html", "md", "table"):
        out = html.unescape(readiness.render(audit, fmt, lang))
        assert said.format(n=n) in out, fmt


def test_nobody_unknown_says_nothing_more() -> None:
    from readiness.render.seat_money import first_page_lines

    lines = first_page_lines({"people": 5, "can_recover": 5, "recover_unknown": 0}, "en")
    assert lines == ["5 of 5 can get back in from home when locked out (password reset or a Temporary Access Pass)"]
    assert "unknown" in first_page_lines({"people": 5, "can_recover": 2, "recover_unknown": 3}, "en")[0]
