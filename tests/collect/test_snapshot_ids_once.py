"""A snapshot's sections of objects keyed by id hold each id once: a file that repeats one is refused as it is read.

The attack (/tmp/a9/mkbomb.py codes): a 48 KB gzip file whose users section declares 1,999,998 rows, every column a
palette of one value, all codes 0 (2 million copies of one person). Before: accepted, ``readiness report`` ran 23 s,
1.7 GB, exit 0, a 1.63 GB report of the same person 2 million times. Graph gives each object of a collection once
(an entity's ``id`` is its key: https://learn.microsoft.com/en-us/graph/api/resources/user "id ... The unique
identifier for the user"; directoryObject, device, managedDevice and userRegistrationDetails alike).
"""
from __future__ import annotations

import copy
import gzip
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.collect.table import Coded, Table
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import FIXTURE, PROBE


@pytest.fixture(autouse=True)
def hostile_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """These files come from a writer that does not check (``Snapshot.save`` refuses to write them:
    test_snapshot_save_refuses_unreadable.py); the reader must refuse them all the same."""
    monkeypatch.setattr(importlib.import_module("readiness.collect.snapshot"), "check_savable", lambda *args: None)


@pytest.fixture(scope="module")
def snap() -> readiness.Snapshot:
    return readiness.load_snapshot(FIXTURE)


def _with_id_column(table: Table, col: object) -> Table:
    cols = list(table.cols)
    cols[table.keys.index("id")] = col
    return Table(table.keys, cols)


def _refused(path: Path, section: str, the_id: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(path)
    err = caught.value
    assert err.key == "snapshot.id_twice"
    assert f"sections.{section}" in err.text("en") and the_id in err.text("en") and "twice" in err.text("en")
    assert f"sections.{section}" in err.text("de") and the_id in err.text("de") and "zweimal" in err.text("de")


def test_a_users_column_repeating_an_id_is_refused(snap: readiness.Snapshot, tmp_path: Path) -> None:
    bad = copy.copy(snap)
    bad.sections = dict(snap.sections)
    users = copy.copy(snap.sections["users"])
    ids = users.data.column("id")
    users.data = _with_id_column(users.data, ids[:5] + [ids[2]] + ids[6:])
    bad.sections["users"] = users
    bad.save(tmp_path / "dup.json.gz")  # the lines/2 layout: a line per column
    _refused(tmp_path / "dup.json.gz", "users", ids[2])


def test_the_attack_form_one_palette_value_for_every_row_is_refused(snap: readiness.Snapshot, tmp_path: Path) -> None:
    users = snap.sections["users"].data
    one = users.column("id")[0]
    bad = copy.copy(snap)
    bad.sections = dict(snap.sections)
    sec = copy.copy(snap.sections["users"])
    sec.data = _with_id_column(users, Coded.of([one], bytes(len(users))))  # written as {"palette":[id],"codes":"AAAA..."}
    bad.sections["users"] = sec
    path = tmp_path / "palette.json.gz"
    bad.save(path)
    assert b'"key":"id","palette"' in gzip.decompress(path.read_bytes())
    _refused(path, "users", one)
    # through the command: exit 1, the error, no traceback (a fresh interpreter: the CLI ends with os._exit)
    env = {k: v for k, v in os.environ.items() if k not in (snapshot_file.MAX_ROWS_ENV, snapshot_file.MAX_BYTES_ENV)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(3 << 30)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.split()[:2] == ["RC", "1"], done.stdout + done.stderr[-2000:]
    assert "holds the id" in done.stderr and "Traceback" not in done.stderr


def test_a_line_of_groups_repeating_an_id_is_refused(snap: readiness.Snapshot, tmp_path: Path) -> None:
    bad = copy.copy(snap)
    bad.sections = dict(snap.sections)
    groups = copy.copy(snap.sections["groups"])
    groups.data = [dict(g) for g in groups.data]
    groups.data[-1]["id"] = groups.data[0]["id"]
    bad.sections["groups"] = groups
    bad.save(tmp_path / "groups.json")  # the items of a list section, a line of them at a time
    _refused(tmp_path / "groups.json", "groups", groups.data[0]["id"])


@pytest.mark.parametrize("section", ["users", "mfa", "groups"])
def test_a_whole_document_repeating_an_id_is_refused(snap: readiness.Snapshot, tmp_path: Path, section: str) -> None:
    doc = json.loads(json.dumps(snap.to_dict(), default=list))  # the oldest form: one document, items as objects
    items = doc["sections"][section]["data"]
    assert isinstance(items, list) and len(items) > 3
    items[3] = dict(items[3], id=items[1]["id"])
    path = tmp_path / "whole.json"
    path.write_text(json.dumps(doc))
    _refused(path, section, items[1]["id"])


def test_each_id_once_and_null_ids_load(snap: readiness.Snapshot, tmp_path: Path) -> None:
    doc = json.loads(json.dumps(snap.to_dict(), default=list))
    teams = doc["sections"]["teams"]["data"]
    assert len(teams) > 2
    teams[0]["id"] = teams[1]["id"] = None  # a team without an id (teams.id may be null): nothing to compare
    path = tmp_path / "fine.json"
    path.write_text(json.dumps(doc))
    loaded = readiness.load_snapshot(path)
    assert len(loaded.sections["users"].data) == len(snap.sections["users"].data)
    assert {"users", "devices", "managed_devices", "mfa", "teams_users", "groups", "teams"} <= snapshot_file.KEYED_SECTIONS
