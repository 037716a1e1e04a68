"""A collection read that gives the same object twice (the same id on two pages) is a failed section, not a complete
one: Graph's paging gives each object of a collection once (https://learn.microsoft.com/graph/paging: the nextLink
"contains the URL for the next page of results"; a page never repeats one before it), and a snapshot that holds an
id twice is refused when it is read back (snapshot_file.ids_once), so an audit must not write one as complete.
Over real HTTP against the simulator, whose tenant is given one user twice."""
from __future__ import annotations

import copy

from readiness.collect.run import collect_snapshot
from readiness.collect.snapshot import Snapshot
from readiness.simulator import Faults, Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.helpers import http_client, using


def _collect(tenant):  # noqa: ANN001, ANN202
    with SimulatorServer(Simulator(tenant, Faults())) as srv:
        return using(http_client(srv, concurrency=4), lambda c: collect_snapshot(c, label="t"))


def test_a_user_given_twice_fails_the_users_section_and_the_snapshot_reads_back(tmp_path) -> None:  # noqa: ANN001
    tenant = generate_tenant("enterprise", seed=5, size=120)
    twin = copy.deepcopy(tenant.users[3])
    tenant.users.append(twin)  # the simulator pages over its list: the same user on a later page
    snap = _collect(tenant)
    sec = snap.sections["users"]
    assert sec.status == "failed" and not sec.data and not sec.delta_link, (sec.status, sec.count)
    assert twin["id"] in sec.reason.text("en") and "twice" in sec.reason.text("en"), sec.reason.text("en")
    assert twin["id"] in sec.reason.text("de") and "zweimal" in sec.reason.text("de"), sec.reason.text("de")
    assert snap.sections["devices"].status == "complete"  # the other sections stay as they were read
    snap.save(tmp_path / "s.json.gz")
    back = Snapshot.load(tmp_path / "s.json.gz")  # an audit never writes what its own reader refuses
    assert back.sections["users"].status == "failed" and back.sections["users"].reason_key == "errors.graph.object_twice.what"


def test_each_object_once_leaves_a_clean_read_complete() -> None:
    snap = _collect(generate_tenant("enterprise", seed=5, size=120))
    assert snap.sections["users"].status == "complete" and snap.sections["users"].count == 120
