"""Issue 15: the view's list of people not ready is made only for a format that shows it (Markdown; the table shows
the first 25 and a count), and its reasons in words are the same words ``reason_words`` gives row by row."""
from __future__ import annotations

from pathlib import Path

import pytest

import readiness
from readiness.i18n import labels
from readiness.render import audit_view
from readiness.render.audit_csv import render_findings_csv
from readiness.render.audit_html import render_html
from readiness.render.json_stream import json_data


@pytest.fixture(scope="module")
def audit(saved: Path):
    return readiness.evaluate(readiness.load_snapshot(saved))


def _expected(audit, lang: str) -> list[tuple[str, str, str, str]]:
    words = labels(lang)
    return [(r["displayName"], r["userPrincipalName"], r["department"] or words["no_department"],
             audit_view.reason_words(r["reasons"], lang)) for r in audit.people if r["ready"] is False]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_people_not_ready_in_words_row_by_row(audit, lang: str) -> None:
    expected = _expected(audit, lang)
    assert len(expected) > 3  # the demo tenant has people not ready, with several distinct reason lists
    assert len({e[3] for e in expected}) > 1
    view = audit_view.build(audit, lang)
    assert [(r.name, r.upn, r.department, r.reasons) for r in view.not_ready] == expected


@pytest.mark.parametrize("made_first", [False, True])
def test_the_first_people_not_ready_and_their_number(audit, made_first: bool) -> None:
    expected = _expected(audit, "en")
    for n in (0, 1, 3, len(expected), len(expected) + 5):
        view = audit_view.build(audit, "en")
        if made_first:
            view.not_ready  # noqa: B018 - the whole list made before the head is asked for
        shown, count = view.not_ready_head(n)
        assert count == len(expected)
        assert [(r.name, r.upn, r.department, r.reasons) for r in shown] == expected[:n]


def test_html_csv_and_json_never_make_the_list(audit) -> None:
    view = audit_view.build(audit, "en")
    render_html(view)
    render_findings_csv(view, "labels")
    json_data(audit)
    assert "not_ready" not in vars(view)  # 50,000 rows at 100,000 people that these formats do not show
    assert view.not_ready  # made when read
