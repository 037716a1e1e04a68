"""Devices whose isManaged is null, true or false, with and without Intune; sign-ins as Graph defines them.

Docs: https://learn.microsoft.com/graph/api/resources/device (isManaged is nullable; a registered device no MDM
enrolled reports null, which `isManaged eq false` does not match) and
https://learn.microsoft.com/graph/api/resources/signinactivity (use lastNonInteractiveSignInDateTime along with
lastSignInDateTime to identify inactive users).
"""
from __future__ import annotations

from datetime import date, timedelta

from readiness.audit.facts import COMPLIANT_MANAGED, ENTRA_ONLY, MANAGED_NOT_COMPLIANT, NO_DEVICE, facts
from readiness.checks.registry import run_checks
from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, inproc_client, using


def _device(uid: str, name: str, trust: str, managed: bool | None, compliant: bool | None) -> dict:
    return {"id": uid, "deviceId": uid[::-1], "displayName": name, "operatingSystem": "iOS", "operatingSystemVersion": "18.1",
            "trustType": trust, "accountEnabled": True, "isCompliant": compliant, "isManaged": managed,
            "approximateLastSignInDateTime": "2026-11-01T08:00:00Z", "registrationDateTime": "2026-01-01T08:00:00Z",
            "manufacturer": None, "model": None, "profileType": "RegisteredDevice"}


def _only_device(t, uid: str, dev: dict) -> None:  # noqa: ANN001
    """Make ``dev`` the person's only device: no Intune record, no other Entra device."""
    t.managed_devices[:] = [d for d in t.managed_devices if d["userId"] != uid]
    owned = {did for did, owners in t.device_owners.items() if uid in owners}
    t.devices[:] = [d for d in t.devices if d["id"] not in owned]
    t.devices.append(dev)
    t.device_owners[dev["id"]] = [uid]


def _findings(snap, *ids: str) -> dict:  # noqa: ANN001
    return {f.check_id: f for _, found in run_checks(snap, ids) for f in found}


def _people(snap) -> dict:  # noqa: ANN001
    return {p.id: p for p in facts(snap).people}


def test_intune_tenant_counts_a_registered_device_with_null_is_managed() -> None:
    t = generate_tenant("enterprise", seed=3, size=150)
    members = [u["id"] for u in t.users if u["userType"] == "Member" and u["accountEnabled"]]
    null_one, false_one, true_one = members[1], members[2], members[3]
    _only_device(t, null_one, _device("00000000-0000-4000-8000-0000000000a1", "BYOD-NULL", "Workplace", None, None))
    _only_device(t, false_one, _device("00000000-0000-4000-8000-0000000000a2", "JOINED", "AzureAd", False, None))
    # isManaged true and unknown to Intune: another MDM manages it, isCompliant decides
    _only_device(t, true_one, _device("00000000-0000-4000-8000-0000000000a3", "OTHER-MDM", "AzureAd", True, True))
    # isManaged true and listed by Intune under someone else: Intune's join on the primary user decides
    shared_one = members[4]
    elsewhere = next(d for d in t.managed_devices if d["userId"] not in (null_one, false_one, true_one, shared_one))
    shared = _device("00000000-0000-4000-8000-0000000000a4", "SHARED", "AzureAd", True, True)
    shared["deviceId"] = elsewhere["azureADDeviceId"]
    _only_device(t, shared_one, shared)
    sim = Simulator(t)
    with SimulatorServer(sim) as server:  # end to end over real HTTP
        snap = using(http_client(server), lambda c: collect_snapshot(c, label="intune"))
    devices_asked = [p for _, m, p, _ in sim.conduct.requests if p.startswith("/devices")]
    assert devices_asked and not any("isManaged" in p.split("$filter=", 1)[-1] for p in devices_asked if "$filter=" in p)
    served = {d["id"] for d in snap.data("devices")}
    assert "00000000-0000-4000-8000-0000000000a1" in served and len(served) == len(t.devices)
    people = _people(snap)
    assert facts(snap).device_rule == "intune"
    assert people[null_one].device == ENTRA_ONLY and people[false_one].device == ENTRA_ONLY
    assert people[true_one].device == COMPLIANT_MANAGED
    assert people[shared_one].device == ENTRA_ONLY
    managed = next(d for d in t.managed_devices if d["complianceState"] == "compliant")
    assert people[managed["userId"]].device == COMPLIANT_MANAGED
    findings = _findings(snap, "devices.registered_not_managed", "devices.members_without_device")
    upn = t.users_by_id[null_one]["userPrincipalName"]
    listed = str(findings["devices.registered_not_managed"].evidence["people"])
    assert upn in listed
    assert upn not in str(findings["devices.members_without_device"].evidence["without_device"])


def test_without_intune_null_false_and_true_is_managed_each_get_their_category() -> None:
    t = generate_tenant("unprepared-sme", seed=7)
    members = [u["id"] for u in t.users if u["userType"] == "Member" and u["accountEnabled"]]
    cases = {members[0]: (None, None, ENTRA_ONLY), members[1]: (False, None, ENTRA_ONLY),
             members[2]: (True, True, COMPLIANT_MANAGED), members[3]: (True, False, MANAGED_NOT_COMPLIANT)}
    for i, (uid, (managed, compliant, _)) in enumerate(cases.items()):
        _only_device(t, uid, _device(f"00000000-0000-4000-8000-0000000000b{i}", f"D{i}", "Workplace", managed, compliant))
    nobody = members[4]
    _only_device(t, nobody, _device("00000000-0000-4000-8000-0000000000c0", "GONE", "Workplace", None, None))
    t.devices[-1]["accountEnabled"] = False
    snap = using(inproc_client(Simulator(t)), lambda c: collect_snapshot(c, label="sme"))
    people = _people(snap)
    assert facts(snap).device_rule == "entra"
    for uid, (_, _, want) in cases.items():
        assert people[uid].device == want, (uid, want)
    assert people[nobody].device == NO_DEVICE


def test_stale_guests_combine_both_sign_ins_and_count_new_invitations_from_their_date() -> None:
    t = generate_tenant("enterprise", seed=3, size=150)
    as_of = date.fromisoformat(t.created)

    def ago(days: int) -> str:
        return f"{(as_of - timedelta(days=days)).isoformat()}T08:00:00Z"

    guests = [u for u in t.users if u["userType"] == "Guest"]
    for u in guests:
        u["signInActivity"] = {"lastSignInDateTime": ago(10), "lastNonInteractiveSignInDateTime": ago(10)}
    app_only, idle = guests[0], guests[1]
    app_only["signInActivity"] = {"lastSignInDateTime": ago(300), "lastNonInteractiveSignInDateTime": ago(4)}
    idle["signInActivity"] = {"lastSignInDateTime": ago(300), "lastNonInteractiveSignInDateTime": ago(200)}
    idle["createdDateTime"] = ago(400)
    sim = Simulator(t)

    async def go(c):  # noqa: ANN001, ANN202
        await c.request("POST", "/invitations", {"invitedUserEmailAddress": "new.partner@example.org",
                                                 "inviteRedirectUrl": "https://myapps.microsoft.com", "sendInvitationMessage": False})
        return await collect_snapshot(c, label="guests")

    snap = using(inproc_client(sim), go)
    snap.collected_at = f"{t.created}T12:00:00Z"  # judged as of the tenant's own date: the test holds on any day
    snap._cache.clear()
    f = _findings(snap, "sharing.stale_guests")["sharing.stale_guests"]
    stale = f.evidence["stale"]
    assert stale["count"] == 1 and stale["sample"] == [idle["userPrincipalName"]]  # not app_only, not the new invitee
    assert f.status.value == "warn"
    kept = next(u for u in snap.data("users") if u["id"] == app_only["id"])
    assert kept["signInActivity"]["lastNonInteractiveSignInDateTime"] == ago(4)  # the compactor keeps it
