"""devices_of reads a Table's owners column held as ``Lists`` (one flat list of owners, an offset per device) without a
list per device (issue 15): every person's device category is the one the devices as a list of dicts give, also for
disabled devices, devices without owners, an owner listed twice and people Intune lists nothing for."""
from __future__ import annotations

import copy

from readiness import clock
from readiness.audit.device_facts import ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, _owned_from_items
from readiness.audit.facts import facts
from readiness.collect.table import Lists, Table, held
from tests.checks.test_evaluate_golden import NOW, snapshot_of


def _held_as_collected(rows: list[dict]) -> Table:
    """The rows as a Table whose list columns are Lists (as collect/ holds a device's owners), the rest ``held``."""
    plain = Table.from_rows(rows)
    cols = []
    for key in plain.keys:
        values = plain.column(key)
        if key == "owners":
            col = Lists()
            col.extend(values)
            cols.append(col)
        else:
            cols.append(held(values))
    return Table(plain.keys, cols)


def test_owners_held_as_lists_give_the_categories_of_the_plain_rows() -> None:
    snap = snapshot_of("enterprise-2000")
    devices = list(snap.sections["devices"].data)
    managed = snap.sections["managed_devices"].data
    people = [u["id"] for u in snap.sections["users"].data]
    listed = {d.get("userId") for d in managed}
    owning = {o for d in devices for o in d.get("owners") or ()}
    with_pc = {str(pc.get("userPrincipalName")).lower() for pc in snap.sections["cloud_pcs"].data or []}
    upn = {u["id"]: str(u.get("userPrincipalName")).lower() for u in snap.sections["users"].data}
    unlisted = [uid for uid in people if uid not in listed and uid not in owning and upn[uid] not in with_pc]
    assert len(unlisted) >= 3
    a, b, c = unlisted[:3]
    # a: an Entra device (owner listed twice) and a disabled one; b: only a disabled device; c: one with no owners
    # beside theirs; plus devices whose owners are null or empty
    extra = [{"id": "x1", "deviceId": "dx1", "accountEnabled": True, "isManaged": None, "owners": [a, a]},
             {"id": "x2", "deviceId": "dx2", "accountEnabled": False, "isManaged": True, "owners": [a]},
             {"id": "x3", "deviceId": "dx3", "accountEnabled": False, "isManaged": None, "owners": [b]},
             {"id": "x4", "deviceId": "dx4", "accountEnabled": True, "isManaged": True, "isCompliant": False,
              "owners": [c, people[0]]},
             {"id": "x5", "deviceId": "dx5", "accountEnabled": True, "owners": None},
             {"id": "x6", "deviceId": "dx6", "accountEnabled": True, "owners": []}]
    keys = list(dict.fromkeys(k for d in devices + extra for k in d))
    rows = [{k: d.get(k) for k in keys} for d in devices + extra]  # a Table has every key (Graph's null)
    with clock.frozen(NOW):
        snap.sections["devices"].data = copy.deepcopy(rows)
        snap._cache.clear()
        plain = {p.id: p.device for p in facts(snap).people}
        table = _held_as_collected(copy.deepcopy(rows))
        assert table.cols[table.keys.index("owners")].__class__ is Lists
        assert _owned_from_items(table, {a, b, c}) == {a: [len(devices), len(devices)], c: [len(devices) + 3]}
        snap.sections["devices"].data = table
        snap._cache.clear()
        got = {p.id: p.device for p in facts(snap).people}
    assert got == plain
    assert (got[a], got[b], got[c]) == (ENTRA_ONLY, NO_DEVICE, MANAGED_NOT_COMPLIANT)
