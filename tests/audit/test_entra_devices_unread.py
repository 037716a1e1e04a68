"""With Intune, a member Intune lists nothing for is judged by their Entra devices (another MDM's, or registered
only): when the Entra devices could not be read, their device is unknown, not "no device" (indep17 #6: 103 people's
reason moved from "device not managed" to "no device", and "666 members have no device" where 563 had none)."""
from __future__ import annotations

import pytest

import readiness
from readiness.audit.facts import NO_DEVICE, facts


@pytest.fixture(scope="module")
def saved(tmp_path_factory):  # noqa: ANN001, ANN201
    with readiness.serve_simulator(profile="enterprise", size=150, seed=4) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))
    path = tmp_path_factory.mktemp("entra") / "s.json.gz"
    snap.save(path)
    return path


def _status(audit, check_id: str) -> str:  # noqa: ANN001
    return next(c.status.value for c in audit.checks if c.spec.id == check_id)


def test_unread_entra_devices_leave_those_people_s_device_unknown(saved) -> None:  # noqa: ANN001
    snap = readiness.load_snapshot(saved)
    whole = readiness.evaluate(snap)
    assert facts(snap).device_rule == "intune" and facts(snap).members_with_device(NO_DEVICE)
    broken = readiness.load_snapshot(saved)  # its own facts (they are kept with the snapshot)
    sec = broken.sections["devices"]
    sec.status, sec.data, sec.count, sec.reason = "failed", None, 0, "Graph answered 503 reading /devices"
    f = facts(broken)
    unknown = f.members_with_device(None)
    assert unknown and not f.members_with_device(NO_DEVICE)  # nobody said to have no device on data never read
    audit = readiness.evaluate(broken)
    for check_id in ("devices.members_without_device", "devices.autopilot_stock"):
        assert _status(audit, check_id) == "not_evaluable", check_id
    assert '"device_not_evaluable"' in readiness.render(audit, "json", "en")
    assert audit.summary["ready"] <= whole.summary["ready"]  # unread data never makes more people ready
