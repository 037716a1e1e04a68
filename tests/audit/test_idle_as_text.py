"""Idleness from sign-ins compared as text (audit/people.py, issue 15): where every sign-in time is in Graph's usual
form, "no sign-in for more than IDLE_DAYS" is found by comparing each newest sign-in with that day's ISO text. It must
give what depth_facts.idle_by_sign_in gives one person at a time, on both sides of the boundary day and in a leap year."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from readiness.audit import depth_facts
from readiness.audit.columns import Days
from readiness.audit.people import _newest_of, people_of
from tests.audit.test_people_columns import CAPS, SKUS

IDLE = depth_facts.IDLE_DAYS


def _users(today: date) -> list[dict]:
    users = []
    for n, back in enumerate(range(IDLE - 3, IDLE + 4)):
        day = today - timedelta(days=back)
        for t, (first, second) in enumerate([("00:00:00", "00:00:00"), ("23:59:59", "00:00:01")]):
            for created in ("2020-01-01T00:00:00Z", f"{(today - timedelta(days=IDLE - 1)).isoformat()}T12:00:00Z"):
                users.append({"id": f"u-{n}-{t}-{len(users)}", "userPrincipalName": f"p{len(users)}@contoso.example",
                              "displayName": "P", "accountEnabled": True, "userType": "Member",
                              "signInActivity": {"lastSignInDateTime": f"{day.isoformat()}T{first}Z",
                                                 "lastNonInteractiveSignInDateTime": f"{(day - timedelta(days=n % 2)).isoformat()}T{second}Z"},
                              "createdDateTime": created, "assignedLicenses": [], "licenseAssignmentStates": []})
    return users


@pytest.mark.parametrize("today", [date(2026, 11, 20), date(2024, 3, 1), date(2025, 1, 15)])
def test_idle_by_text_is_idle_by_sign_in(today: date) -> None:
    users = _users(today)
    acts = [u["signInActivity"] for u in users]
    assert _newest_of(Days(today), [a["lastSignInDateTime"] for a in acts],
                      [a["lastNonInteractiveSignInDateTime"] for a in acts])[1]  # the usual form: compared as text
    got = people_of(users, Days(today), CAPS, SKUS, None, None, True)
    want = [depth_facts.idle_by_sign_in(p, today) for p in got]
    assert [p.idle for p in got] == want
    assert True in want and False in want
    # the boundary itself: a sign-in exactly IDLE days ago is not idle, one a day earlier is (an old account)
    by_sign_in = {(p.last_sign_in[:10], p.created[:4]): p.idle for p in got}
    assert by_sign_in[((today - timedelta(days=IDLE)).isoformat(), "2020")] is False
    assert by_sign_in[((today - timedelta(days=IDLE + 1)).isoformat(), "2020")] is True


def test_one_sign_in_not_in_the_usual_form_judges_each_value() -> None:
    today = date(2026, 11, 20)
    users = _users(today)
    users[0]["signInActivity"]["lastSignInDateTime"] = f"{(today - timedelta(days=IDLE + 5)).isoformat()}T00:00:00.5Z"
    users[1]["signInActivity"] = {"lastSignInDateTime": None, "lastNonInteractiveSignInDateTime": None}
    got = people_of(users, Days(today), CAPS, SKUS, None, None, True)
    assert [p.idle for p in got] == [depth_facts.idle_by_sign_in(p, today) for p in got]
