"""Malformed or hostile playbooks fail clearly with the line; shipped playbooks plan cleanly on the demo tenant."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from readiness.checks.registry import registry
from readiness.cli import cli
from readiness.playbook.planner import make_plan
from readiness.playbook.loader import MAX_BYTES, PlaybookError, builtin_names, load, parse
from tests.checks.caselib import snapshot_for

GOOD = """name: t
parameters: {x: 1}
steps:
  - id: a
    action: sharing_settings
"""


@pytest.mark.parametrize("text,expect", [
    ("name: t\nsteps:\n  - &s {id: a, action: sharing_settings}\n  - *s\n", "line 3: YAML anchors and aliases are not allowed"),
    ("name: t\nname: u\nsteps: []\n", "line 2: the key 'name' appears twice"),
    ("name: t\nsteps:\n  - id: a\n    action: format_disk\n", "line 3: unknown action 'format_disk'"),
    ("name: t\nbogus: 1\nsteps:\n  - {id: a, action: sharing_settings}\n", "unknown key(s) bogus"),
    ("name: t\nsteps:\n  - id: a\n    action: sharing_settings\n    params: {sharingCapability: everyone}\n", "line 3: params.sharingCapability"),
    ("name: t\nsteps:\n  - id: a\n    action: create_team\n    params: {name: X, owners: []}\n", "params.owners"),
    ("name: t\nsteps:\n  - {id: a, action: sharing_settings}\n  - {id: a, action: sharing_settings}\n", "used twice"),
    ("name: t\nsteps:\n  - id: a\n    action: sharing_settings\n    select: {missing: [everything]}\n", "select.missing"),
    ("name: t\nsteps:\n  - id: a\n    action: sharing_settings\n    params: {sharingCapability: '${nope}'}\n", "unknown parameter ${nope}"),
    ("name: t\nsteps: [\n", "not valid YAML"),
    ("- just\n- a list\n", "a playbook is a mapping"),
    ("name: t\nsteps:\n  - !!python/object/apply:os.system ['echo pwned']\n", "not valid YAML"),
])
def test_bad_playbooks_fail_with_the_line_and_a_fix(text: str, expect: str) -> None:
    with pytest.raises(PlaybookError) as err:
        parse(text.encode(), "test.yaml")
    assert expect in str(err.value)
    assert err.value.fix


def test_oversized_and_binary_playbooks_are_refused() -> None:
    with pytest.raises(PlaybookError, match="at most"):
        parse(b"#" * (MAX_BYTES + 1), "big.yaml")
    with pytest.raises(PlaybookError, match="not UTF-8"):
        parse(b"\xff\xfe\x00", "bin.yaml")


def test_validate_command(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert CliRunner().invoke(cli, ["playbook", "validate", str(good)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("sharing_settings", "rm_rf"))
    r = CliRunner().invoke(cli, ["playbook", "validate", str(bad)])
    assert r.exit_code == 2 and f"{bad}: line 4: unknown action 'rm_rf'" in r.output


def test_selection_matching_nobody_says_so() -> None:
    from readiness.i18n import resolve

    pb = parse(b"name: t\nsteps:\n  - id: a\n    action: assign_licence\n    select: {departments: [Nowhere]}\n", "t.yaml")
    plan = make_plan(pb, snapshot_for())
    assert plan.changes == [] and "already has" in resolve(plan.steps[0].noop_reason, "en")
    pb = parse(b"name: t\nsteps:\n  - id: a\n    action: add_to_group\n    params: {group: Alle}\n    select: {departments: [Nowhere]}\n", "t.yaml")
    assert "everyone selected" in resolve(make_plan(pb, snapshot_for()).steps[0].noop_reason, "en")


def test_unknown_parameter_override_is_a_usage_error() -> None:
    from readiness.errors import UsageError

    with pytest.raises(UsageError, match="no parameter 'y'"):
        make_plan(parse(GOOD.encode(), "t.yaml"), snapshot_for(), overrides={"y": "1"})


def test_every_fix_playbook_exists_and_plans_cleanly_on_the_demo_tenant() -> None:
    from tests.render.test_reports import demo_snapshot

    named = {s.fix_playbook for s in registry().values() if s.fix_playbook}
    assert named <= set(builtin_names())
    snap = demo_snapshot()
    upn = next(u["userPrincipalName"] for u in snap.data("users") if u.get("department") == "IT")
    overrides = {"emergency-home-office": {"usage_location": "DE", "team_owners": upn, "sender": upn},
                 "secure-remote-access": {"sender": upn, "break_glass": upn}}
    for name in builtin_names():
        plan = make_plan(load(name), snap, overrides=overrides[name])
        assert plan.blocked == [], [(s.step, s.blocked) for s in plan.blocked]
        assert plan.changes
        for step in plan.steps:
            assert step.changes or step.noop_reason


def test_list_show_actions() -> None:
    assert "emergency-home-office" in CliRunner().invoke(cli, ["playbook", "list"]).output
    assert "steps:" in CliRunner().invoke(cli, ["playbook", "show", "secure-remote-access"]).output
    out = CliRunner().invoke(cli, ["playbook", "actions"]).output
    assert "send_announcement" in out and "irreversible" in out
