"""Regressions (verify9): error texts that said English words or fake plurals in German."""
# `READINESS_LANG=de readiness audit --tenant nosuch` said "(vorhanden: none yet)".
from __future__ import annotations

import pytest

from readiness.config.profiles import ProfileStore
from readiness.errors import ConfigError, UsageError
from readiness.playbook.runs import RunStore


def test_an_unknown_profile_with_no_profiles_says_none_in_german(tmp_path) -> None:
    with pytest.raises(ConfigError) as err:
        ProfileStore(tmp_path / "tenants.json").get("nosuch")
    assert "none yet" in str(err.value)
    de = err.value.text("de")
    assert "none" not in de and "noch keine" in de


def test_an_unknown_run_with_no_runs_says_none_in_german(tmp_path) -> None:
    with pytest.raises(UsageError) as err:
        RunStore(tmp_path).get("20260101-000000-abcdef")
    assert "none" not in err.value.text("de") and "noch keine" in err.value.text("de")


@pytest.mark.parametrize("n", [1, 2])
def test_plan_errors_count_with_real_plurals(n: int) -> None:
    """verify9: "1 geplante Änderungen" / "1 Abschnitt(e)": the counts in plan errors take the language's plural."""
    from readiness import DataIncomplete, StalePlan

    stale = StalePlan.keyed("plan.stale", created_at="2026-01-01", n=n, n2=0)
    lost = DataIncomplete.keyed("plan.sections_failed", n=n, items="users", reason="503")
    assert ("1 geplante Änderung," in stale.text("de")) == (n == 1)
    assert ("1 planned change," in str(stale)) == (n == 1)
    assert "(e)" not in lost.text("de") and "(s)" not in str(lost)
    assert ("Abschnitte" in lost.text("de")) == (n != 1)
