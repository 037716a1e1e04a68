"""`readiness demo --profile enterprise --size N` (and the library's generate_tenant) for an N too small for the
enterprise generator with that seed (its departments, admins and samples; 12 people work with every seed 0-29) is a
usage error in both languages, exit 2; it was "internal error (ValueError: Sample larger than population)" for 1-11
(attack16b), although --size allows 1. Sizes that work with a seed keep working (the fleet's small tenants)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.errors import UsageError
from readiness.simulator.generate import ENTERPRISE_MIN


@pytest.mark.parametrize("size", [1, 5, ENTERPRISE_MIN - 1])
def test_too_small_an_enterprise_is_a_usage_error(size: int) -> None:
    with pytest.raises(UsageError) as err:
        readiness.generate_tenant("enterprise", size=size)
    assert err.value.key == "api.enterprise_too_small"
    assert f"cannot make a tenant of {size} people with seed 7" in str(err.value)
    assert f"--size {ENTERPRISE_MIN} or more" in str(err.value)
    assert f"--size {ENTERPRISE_MIN} oder mehr" in err.value.text("de")


@pytest.mark.parametrize("seed", range(5))
def test_the_smallest_allowed_enterprise_is_made_for_any_seed(seed: int) -> None:
    tenant = readiness.generate_tenant("enterprise", seed=seed, size=ENTERPRISE_MIN)
    assert len([u for u in tenant.users if u["userType"] == "Member"]) >= 1


def test_the_demo_command_says_so_with_exit_2() -> None:
    result = CliRunner().invoke(cli, ["demo", "--profile", "enterprise", "--size", "3"])
    assert result.exit_code == 2
    assert "The enterprise generator cannot make a tenant of 3 people with seed 7" in result.stderr
    assert "internal error" not in result.stderr
