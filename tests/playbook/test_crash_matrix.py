"""A real apply process killed at journal lines and at moments (30 points per run), under 20 ms latency,
then resumed: the final state equals a fault-free run's, nothing lost, nothing made or sent twice (mails
counted in the simulator's Sent Items). The same under 20% and 50% faults."""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from tests.playbook.crashlib import heavy, trial

FULL_RUN_LINES = 58  # journal lines of a fault-free apply of the all-actions playbook (asserted below)
LINES = list(range(1, FULL_RUN_LINES, 3))  # every third journal line: 19 points; benchmarks/crash.py takes every line
MOMENTS = sorted(round(random.Random(10).uniform(0.02, 1.4), 2) for _ in range(8))  # fixed list: xdist collects alike


def _check(tr) -> None:  # noqa: ANN001
    assert tr.exit_code == 0, tr
    assert tr.lost == 0 and tr.duplicated == 0, tr


@pytest.mark.slow
@pytest.mark.parametrize("line", LINES)
def test_kill_at_a_journal_line_then_resume(line: int, tmp_path: Path) -> None:
    tr = trial(tmp_path, after_lines=line)
    assert tr.killed, "the run finished before the kill point; raise the latency"
    _check(tr)


@pytest.mark.slow
@pytest.mark.parametrize("seconds", MOMENTS)
def test_kill_at_a_moment_then_resume(seconds: float, tmp_path: Path) -> None:
    _check(trial(tmp_path, after_seconds=seconds))


@pytest.mark.slow
@pytest.mark.parametrize(("rate", "line", "seed"), [(0.2, 12, 1), (0.2, 40, 2), (0.5, 30, 3)])
def test_kill_under_faults_then_resume(rate: float, line: int, seed: int, tmp_path: Path) -> None:
    _check(trial(tmp_path, after_lines=line, faults=heavy(rate, seed)))


def test_the_kill_points_cover_the_whole_run(tmp_path: Path) -> None:
    from tests.playbook.crashlib import expected
    from tests.playbook.helpers import write_playbook

    want = expected(write_playbook(tmp_path))
    assert want["lines"] == FULL_RUN_LINES and want["mails"] == 1
    assert len(LINES) + len(MOMENTS) + 3 >= 30
    assert Counter(name for name, _ in want["state"]["compliance"])  # the policies exist with their assignment
    assert all(n == 1 for name, n in want["state"]["compliance"] if name.startswith("readiness"))
