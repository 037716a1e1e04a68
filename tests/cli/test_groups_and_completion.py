"""--aggregate-only --min-group-size N in every format, and shell completion of profiles, playbooks, checks and runs
(issue 12). Completion goes through click's own completion API, as the shell's `_READINESS_COMPLETE` hook does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

import readiness
from readiness.cli import cli



def _departments(saved: Path, *extra: str) -> list[dict]:
    r = CliRunner().invoke(cli, ["report", str(saved), "--aggregate-only", "-o", "json", *extra])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["data"]["departments"]


@pytest.mark.parametrize("threshold", [1, 3, 8])
def test_min_group_size_merges_smaller_departments_in_every_format(saved: Path, threshold: int) -> None:
    full = readiness.evaluate(readiness.load_snapshot(saved)).departments
    named = [d for d in full if d["department"]]
    small = [d["department"] for d in named if d["people"] < threshold]
    big = [d["department"] for d in named if d["people"] >= threshold]
    assert big, threshold  # the demo tenant has departments on both sides of 3 and 8
    rows = _departments(saved, "--min-group-size", str(threshold))
    assert sorted(r["department"] for r in rows if not r.get("other")) == sorted(big + [d["department"] for d in full
                                                                                      if not d["department"] and d["people"] >= threshold])
    assert sum(r["people"] for r in rows) == sum(d["people"] for d in full)  # nobody lost, only merged
    other = [r for r in rows if r.get("other")]
    assert len(other) == (1 if small or any(not d["department"] and d["people"] < threshold for d in full) else 0)
    from readiness.i18n import labels

    words = json.dumps(labels("en"), ensure_ascii=False)  # "Personal" is a department and a word of the report
    assert threshold == 1 or [n for n in small if len(n) > 3 and n not in words]  # names to look for
    for fmt in ("table", "md", "csv", "html"):
        out = CliRunner().invoke(cli, ["report", str(saved), "--aggregate-only", "--min-group-size", str(threshold),
                                       "-o", fmt, "--people"])
        assert out.exit_code == 0, out.output
        assert [name for name in small if len(name) > 3 and name not in words and name in out.stdout] == [], (fmt, threshold)
        assert all(name in out.stdout for name in big if fmt in ("csv", "md")), fmt


def test_the_threshold_is_the_apis_too_and_checked(saved: Path) -> None:
    audit = readiness.evaluate(readiness.load_snapshot(saved))
    strict = json.loads(readiness.render(audit, "json", aggregate_only=True, min_group_size=50))["data"]["departments"]
    assert len(strict) == 1 and strict[0]["other"] and strict[0]["people"] == sum(d["people"] for d in audit.departments)
    with pytest.raises(readiness.ReadinessError):
        readiness.render(audit, "json", aggregate_only=True, min_group_size=0)
    r = CliRunner().invoke(cli, ["report", str(saved), "--aggregate-only", "--min-group-size", "0", "-o", "json"])
    assert r.exit_code == 2 and "min-group-size" in r.output


def _complete(args: list[str], incomplete: str) -> list[str]:
    return [c.value for c in ShellComplete(cli, {}, "readiness", "_READINESS_COMPLETE").get_completions(args, incomplete)]


def test_completion_of_profiles_playbooks_checks_and_runs(_isolated_home: Path) -> None:
    for name in ("kunde-a", "kunde-b", "lab"):
        assert CliRunner().invoke(cli, ["tenant", "add", name, "--tenant-id", f"{name}.example", "--auth", "token",
                                        "--graph-url", "http://127.0.0.1:8123/v1.0"]).exit_code == 0
    assert _complete(["tenant", "show"], "kun") == ["kunde-a", "kunde-b"]
    assert _complete(["tenant", "test"], "l") == ["lab"]
    assert _complete(["audit", "--tenant"], "kunde-b") == ["kunde-b"]
    assert _complete(["measures", "list", "--tenant"], "la") == ["lab"]
    assert _complete(["playbook", "plan"], "emer") == ["emergency-home-office"]
    assert _complete(["drill"], "sec") == ["secure-remote-access"]
    assert _complete(["playbook", "apply"], "emer")[0] == "emergency-home-office"  # and files (a saved plan)
    assert _complete(["checks", "show"], "identity.mfa_r") == ["identity.mfa_registration"]
    assert _complete(["measures", "add", "--check"], "identity.mfa_r") == ["identity.mfa_registration"]
    runs = _isolated_home / "data" / "runs"
    for run in ("20261130-101010-aaaaaa", "20261201-090000-bbbbbb"):
        (runs / run).mkdir(parents=True)
        (runs / run / "meta.json").write_text("{}", encoding="utf-8")
    (runs / "20261130-half").mkdir()  # no journal yet: not a run
    assert _complete(["playbook", "timeline"], "2026113") == ["20261130-101010-aaaaaa"]
    assert _complete(["playbook", "resume"], "") == ["20261130-101010-aaaaaa", "20261201-090000-bbbbbb"]
