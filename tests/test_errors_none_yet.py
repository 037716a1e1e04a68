"""Regression (verify9): `READINESS_LANG=de readiness audit --tenant nosuch` said "(vorhanden: none yet)"."""
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
