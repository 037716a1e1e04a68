"""The matrix counts each department once per distinct signature of its rows, weighted (issue 15): the counts are the
row-by-row counts, also when people differ in everything the counts read beyond the verdict."""
from __future__ import annotations

import copy
import random
from collections import Counter

from readiness.audit.facts import facts
from readiness.audit.matrix import INFO_REASONS, build_matrix, summarize
from tests.checks.caselib import snapshot_for


def _varied_facts(seed: int):  # noqa: ANN202
    snap = snapshot_for([])
    users = snap.sections["users"].data
    template = users[0]
    rnd = random.Random(seed)
    made = []
    for i in range(60):
        u = copy.deepcopy(template)
        u.update(id=f"v-{i}", userPrincipalName=f"v{i}@contoso.example", displayName=rnd.choice(["Bea", "anna", "Carl"]),
                 department=rnd.choice(["Sales", "IT", "", "Lab"]))
        if rnd.random() < 0.3:
            u["assignedLicenses"] = []
        if rnd.random() < 0.2:
            u["usageLocation"] = None
        made.append(u)
    snap.sections["users"].data = made
    f = facts(snap)
    for p in f.members:  # what the counts read beyond the verdict, in every combination
        p.teams_active = rnd.choice([True, False, None])
        p.sspr = rnd.choice([True, False, None])
        p.tap = rnd.choice([True, False, None])
        p.mfa = rnd.choice([True, False, None])
        p.device = rnd.choice([None, "compliant_managed", "managed_not_compliant", "entra_only", "none"])
        p.cloud_pcs = rnd.choice([(), [{"status": "provisioned"}], [{"status": "failed"}]])
        p.provisioning = rnd.choice([None, (), ["mailbox: PendingInput"]])
    return f


def test_weighted_counts_are_the_row_by_row_counts() -> None:
    for seed in range(8):
        m = build_matrix(_varied_facts(seed))
        assert m.summary == summarize(m.rows)
        by: dict[str, list[dict]] = {}
        for r in m.rows:
            by.setdefault(r["department"], []).append(r)
        for d in m.departments:
            s = summarize(by[d["department"]])
            assert (d["people"], d["ready"], d["not_ready"], d["not_evaluable"]) == \
                (s["people"], s["ready"], s["not_ready"], s["not_evaluable"])
            # reasons by count, ties in the order they first occur among the department's rows
            plain = Counter(c for r in by[d["department"]] if r["ready"] is False for c in r["reasons"] if c not in INFO_REASONS)
            assert d["top_reasons"] == [c for c, _ in plain.most_common()][:3]
        assert m.summary["not_ready"] and m.summary["can_recover"] is not None and m.summary["with_cloud_pc"]
