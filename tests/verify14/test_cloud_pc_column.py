"""Found by the issue-14 check: a person whose only Cloud PC is still provisioning was shown with
``cloud_pc: true`` beside the reason ``no_device`` (and counted in ``with_cloud_pc``). The matrix column means
"has a working Cloud PC" (provisioned, or in its grace period), the same rule that counts it as a device
(README "What ready means", point 4; cloudPC status values:
https://learn.microsoft.com/en-us/graph/api/resources/cloudpc?view=graph-rest-1.0).
"""
from __future__ import annotations

import readiness
from readiness.simulator import generate_tenant


def test_a_cloud_pc_still_provisioning_is_not_shown_as_the_persons_cloud_pc() -> None:
    t = generate_tenant("enterprise", seed=5, size=200)
    working = {pc["userPrincipalName"] for pc in t.cloud_pcs if pc["status"] in ("provisioned", "inGracePeriod")}
    pending = {pc["userPrincipalName"] for pc in t.cloud_pcs if pc["status"] not in ("provisioned", "inGracePeriod")}
    pending -= working
    if not pending:  # make one: the first working Cloud PC's user now only has one still provisioning
        pc = next(pc for pc in t.cloud_pcs if pc["status"] == "provisioned")
        pc["status"] = "provisioning"
        working = {p["userPrincipalName"] for p in t.cloud_pcs if p["status"] in ("provisioned", "inGracePeriod")}
        pending = {pc["userPrincipalName"]} - working
    assert pending and working
    with readiness.serve_simulator(tenant=t) as sim:
        audit = readiness.evaluate(readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token)))
    rows = {r["userPrincipalName"]: r for r in audit.people}
    for upn in pending & rows.keys():
        assert rows[upn]["cloud_pc"] is False, upn
    assert any(rows[upn]["cloud_pc"] for upn in working & rows.keys())
    assert audit.summary["with_cloud_pc"] == sum(1 for r in audit.people if r["cloud_pc"])
