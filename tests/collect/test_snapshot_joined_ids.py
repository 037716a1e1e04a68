"""The ids and sign-in names that join the sections to the users are the users' own string objects (issue 15).

The audit joins six sections to the people by id or UPN (audit/facts.py, device_facts.py, depth_facts.py): Intune's
managed devices (``userId``), Entra's devices (``owners``), the registration report and the Teams accounts (``id``),
the Teams usage report (``userId``, ``userPrincipalName``). Where a row's id is the very object the users' column
holds, a dict look-up hits by identity and the string's hash is already cached: at 100,000 people a pass over
Intune's 105,000 devices and the people cost 0.05-0.07 s with shared ids and 0.13-0.15 s with equal copies (session
12, thread CPU). The snapshot file's string pool (collect/snapshot_columns.py, ``_numbered``) and the collection's
string table (bulkjson.strings) give one object per distinct string; these tests keep it so after a load, a save and
load, and a collection over HTTP.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import readiness
from readiness.collect.table import columns
from readiness.simulator import generate_tenant
from tests.collect.test_snapshot_limits import FIXTURE

JOINS = [("managed_devices", "userId", "id"), ("managed_devices", "userPrincipalName", "userPrincipalName"),
         ("mfa", "id", "id"), ("mfa", "userPrincipalName", "userPrincipalName"), ("teams_users", "id", "id"),
         ("devices", "owners", "id")]


def _joined(snap: readiness.Snapshot) -> dict[str, tuple[int, int]]:
    """Per join: how many of its non-empty values equal a user's id (or UPN), and how many are that very object."""
    ids, upns = columns(snap.data("users"), "id", "userPrincipalName")
    objects = {"id": {id(x): x for x in ids}, "userPrincipalName": {id(x): x for x in upns}}
    values = {"id": set(ids), "userPrincipalName": set(upns)}
    found: dict[str, tuple[int, int]] = {}
    for section, key, user_key in JOINS:
        got = columns(snap.data(section), key)[0]
        if key == "owners":
            got = [owner for owners in got if owners for owner in owners]
        found[f"{section}.{key}"] = _count(got, values[user_key], objects[user_key])
    rows = snap.data("teams_usage")["rows"]
    for key in ("userId", "userPrincipalName"):
        user_key = "id" if key == "userId" else key
        found[f"teams_usage.{key}"] = _count([row.get(key) for row in rows], values[user_key], objects[user_key])
    return found


def _count(got: list, values: set, objects: dict) -> tuple[int, int]:
    equal = [x for x in got if x and x in values]
    return len(equal), sum(objects.get(id(x)) is x for x in equal)


def _all_shared(found: dict[str, tuple[int, int]]) -> None:
    assert set(found) == {f"{s}.{k}" for s, k, _ in JOINS} | {"teams_usage.userId", "teams_usage.userPrincipalName"}
    for join, (equal, same) in found.items():
        assert equal > 0, join  # the join has rows to test
        assert same == equal, f"{join}: {equal - same} of {equal} values equal to a user's are other objects"


def test_a_loaded_snapshot_joins_by_the_users_own_strings() -> None:
    _all_shared(_joined(readiness.load_snapshot(FIXTURE)))


@pytest.mark.parametrize("name", ["again.json.gz", "again.json"])
def test_a_saved_and_loaded_snapshot_still_does(tmp_path: Path, name: str) -> None:
    readiness.load_snapshot(FIXTURE).save(tmp_path / name)  # the current layout (columns through the string pool)
    _all_shared(_joined(readiness.load_snapshot(tmp_path / name)))


def test_a_collected_snapshot_does() -> None:
    with readiness.serve_simulator(tenant=generate_tenant("enterprise", seed=3, size=300)) as running:
        snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token))
    _all_shared(_joined(snap))
