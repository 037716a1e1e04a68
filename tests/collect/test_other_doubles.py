"""A Graph double that differs from ours must not cost whole sections: refused options, terse 403s."""
from __future__ import annotations

from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.app import SimRequest, SimResponse
from tests.helpers import inproc_client, using


class StrictDouble(Simulator):
    """Refuses $top on the registration report and nested $select in $expand; 403s say only 'Forbidden'."""

    def handle(self, req: SimRequest) -> SimResponse:
        if req.path == "/reports/authenticationMethods/userRegistrationDetails" and "$top" in req.query:
            return self.error(400, "BadRequest", "Invalid query option $top.")
        if "($select" in req.query.get("$expand", ""):
            return self.error(400, "BadRequest", "Nested query options in $expand are not supported.")
        resp = super().handle(req)
        if resp.status == 403:
            return self.error(403, "Forbidden", "Forbidden")
        return resp


def test_refused_query_options_fall_back_and_say_so() -> None:
    tenant = generate_tenant("enterprise", seed=2, size=150)
    snap = using(inproc_client(StrictDouble(tenant)), lambda c: collect_snapshot(c, label="strict"))
    mfa, devices = snap.section("mfa"), snap.section("devices")
    assert mfa.status == "complete" and mfa.count == len(tenant.users)
    assert any("default page size" in n for n in mfa.notes)
    assert devices.status == "complete" and devices.count == len(tenant.devices)  # every device, with owners
    assert all("owners" in d for d in devices.data) and any(d["owners"] for d in devices.data)


def test_a_terse_403_is_a_missing_licence_when_the_subscriptions_say_so() -> None:
    tenant = generate_tenant("unprepared-sme", seed=7)  # no Entra ID P1, no Intune
    snap = using(inproc_client(StrictDouble(tenant)), lambda c: collect_snapshot(c, label="strict"))
    assert snap.section("conditional_access").licence == "Microsoft Entra ID P1"
    assert snap.section("managed_devices").licence == "Microsoft Intune"
    mfa = snap.section("mfa")
    assert mfa.status == "fallback" and mfa.count == sum(1 for u in tenant.users if u["accountEnabled"] and u["userType"] == "Member")


class NineNineNine(Simulator):
    """Serves the registration report as a directory collection: $top above 999 refused, as /users refuses it."""

    def handle(self, req: SimRequest) -> SimResponse:
        if req.path == "/reports/authenticationMethods/userRegistrationDetails" and int(req.query.get("$top", "1") or 1) > 999:
            return self.error(400, "Request_UnsupportedQuery", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")
        return super().handle(req)


def test_a_server_refusing_a_page_of_1000_costs_one_request_and_no_row() -> None:
    # authenticationmethodsroot-list-userregistrationdetails (v1.0) documents no $top maximum: the collector asks
    # for 1,000 (one page fewer per 100,000 people than 999) and must not lose the section where that is refused.
    tenant = generate_tenant("enterprise", seed=3, size=150)
    sim = NineNineNine(tenant)
    snap = using(inproc_client(sim), lambda c: collect_snapshot(c, label="999"))
    mfa = snap.section("mfa")
    assert mfa.status == "complete" and mfa.count == len(tenant.users)
    assert any("default page size" in n for n in mfa.notes)
    assert snap.requests["by_endpoint"]["/reports/authenticationMethods/userRegistrationDetails"] == 2
