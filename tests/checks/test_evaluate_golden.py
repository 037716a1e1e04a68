"""evaluate() gives exactly what it gave before its speed-up (issue 15: facts in one pass, indexes, no rescans).

The goldens were computed with the code before the change (main at 9be15b8) on fixed generated tenants with the clock
fixed; the comparison is over everything an Audit holds, language-free (catalogue keys and parameters, not texts:
a wording change is not an evaluation change). When a deliberate change to the checks, the matrix or the simulator's
generator changes the result, rewrite the goldens and say why in the commit:

    python -m tests.checks.test_evaluate_golden --write
"""
from __future__ import annotations

import dataclasses
import enum
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import readiness
from readiness import clock
from readiness.collect.run import collect_snapshot
from readiness.audit.rows import Rows
from readiness.checks.model import CheckSpec
from readiness.i18n import Message
from readiness.simulator import Simulator, generate_tenant

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
NOW = "2026-11-20T09:30:00Z"
TENANTS = {"unprepared-sme": ("unprepared-sme", 7, None), "enterprise-2000": ("enterprise", 11, 2000)}


def canonical(value: Any) -> Any:
    """Plain, language-free data: Messages as key + parameters, enums as values, dataclasses as dicts; a check's
    specification by its id (what a check is declared with is not what evaluate computes)."""
    if isinstance(value, CheckSpec):
        return value.id
    if isinstance(value, Message):
        return {"$message": value.key, "params": canonical(value.params)}
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("source", "previous_source", "func")}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, Rows)):  # Rows: a command's matrix rows, made when read
        items = [canonical(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    return value


def audit_text(audit: Any) -> str:
    doc = canonical(audit)
    doc.pop("requests", None)  # request accounting is the collector's, not the evaluation's
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False)


def snapshot_of(name: str) -> Any:
    profile, seed, size = TENANTS[name]
    with clock.frozen(NOW):
        sim = Simulator(generate_tenant(profile, seed=seed, size=size))
        from tests.helpers import inproc_client, using

        return using(inproc_client(sim), collect_snapshot)


def evaluated(name: str) -> str:
    snap = snapshot_of(name)
    with clock.frozen(NOW):
        return audit_text(readiness.evaluate(snap))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TENANTS))
def test_evaluate_gives_what_it_gave_before_the_speed_up(name: str, tmp_path: Path) -> None:
    expected = (GOLDEN / f"evaluate-{name}.sha256").read_text("ascii").split()[0]
    got = evaluated(name)
    if digest(got) != expected:
        (tmp_path / f"{name}.json").write_text(got, "utf-8")  # for a diff against the old code's output
        old = GOLDEN / f"evaluate-{name}.json.gz"
        if old.exists():
            before = gzip.decompress(old.read_bytes()).decode("utf-8").splitlines()
            import difflib

            diff = "\n".join(list(difflib.unified_diff(before, got.splitlines(), lineterm="", n=2))[:80])
            pytest.fail(f"the evaluation of {name} changed:\n{diff}")
        pytest.fail(f"the evaluation of {name} changed (sha256 {digest(got)}); output in {tmp_path}")


def test_the_canonical_form_keeps_what_an_evaluation_could_get_wrong() -> None:
    """The golden would not notice a change the canonical form drops: statuses, parameters, rows, sets must stay."""
    from readiness.checks.model import Status

    msg = Message("checks.x.fail", {"n": 3, "why": Message("unavailable.failed", {"status": "failed"})})
    doc = canonical({"s": Status.FAIL, "m": msg, "set": {"b", "a"}, "rows": [{"ready": None}]})
    assert doc == {"s": "fail", "m": {"$message": "checks.x.fail", "params": {"n": 3, "why": {
        "$message": "unavailable.failed", "params": {"status": "failed"}}}}, "set": ["a", "b"], "rows": [{"ready": None}]}
    assert canonical({"n": 3}) != canonical({"n": 4})


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for tenant in sorted(TENANTS):
        text = evaluated(tenant)
        (GOLDEN / f"evaluate-{tenant}.sha256").write_text(f"{digest(text)}  canonical audit of {tenant}\n", "ascii")
        packed = gzip.compress(text.encode("utf-8"), 9, mtime=0)
        if len(packed) < 60_000:  # small enough to keep for a readable diff
            (GOLDEN / f"evaluate-{tenant}.json.gz").write_bytes(packed)
        print(tenant, digest(text), len(text), len(packed))
