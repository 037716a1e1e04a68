"""The matrix's fast paths (issue 15) give what the plain definition gives: one sort by (department, name) over all
rows, counts over the rows; also when two departments differ only in case and their rows interleave."""
from __future__ import annotations

import copy
from collections import Counter

import pytest

from readiness.audit.facts import facts
from readiness.audit.matrix import INFO_REASONS, build_matrix, summarize
from tests.checks.caselib import snapshot_for

NAMES = ["bea", "Anna", "anna", "Carl", "Dora", "emil"]


def _tenant(departments: list[str]):  # noqa: ANN202
    snap = snapshot_for([])
    users = snap.sections["users"].data
    template = users[0]
    made = []
    for i, (name, dept) in enumerate(zip(NAMES, departments)):
        u = copy.deepcopy(template)
        u.update(id=f"u-{i}", userPrincipalName=f"{name.lower()}{i}@contoso.example", displayName=name, department=dept)
        if i % 2:
            u["assignedLicenses"] = []  # some not ready, so reasons are counted
        made.append(u)
    snap.sections["users"].data = made
    return snap


def _plain(rows: list[dict]) -> tuple[list[str], dict]:
    ordered = sorted(rows, key=lambda r: (r["department"].lower(), r["displayName"].lower()))
    reasons = Counter(c for r in ordered if r["ready"] is False for c in r["reasons"] if c not in INFO_REASONS)
    return [r["id"] for r in ordered], dict(reasons.most_common())


@pytest.mark.parametrize("departments", [["Sales", "IT", "Sales", "", "IT", "Sales"],
                                         ["IT", "it", "IT", "it", "Sales", "It"]])  # case twins interleave
def test_rows_sorted_and_counted_as_the_plain_definition(departments: list[str]) -> None:
    m = build_matrix(facts(_tenant(departments)))
    ids, reasons = _plain(m.rows)
    assert [r["id"] for r in m.rows] == ids
    assert m.summary == summarize(m.rows)
    assert m.summary["reasons"] == reasons and len(reasons) >= 2 and m.summary["not_ready"] >= 3
    by = {}
    for r in m.rows:
        by.setdefault(r["department"], []).append(r)
    assert [d["department"] for d in m.departments] == sorted(by, key=str.lower)
    for d in m.departments:
        assert d["people"] == len(by[d["department"]])
        assert d["top_reasons"] == list(summarize(by[d["department"]])["reasons"])[:3]


def test_people_with_the_same_licences_share_one_verdict_but_not_its_lists() -> None:
    m = build_matrix(facts(_tenant(["IT"] * 6)))
    unlicensed = [r for r in m.rows if "no_licence" in r["reasons"]]
    assert len(unlicensed) == 3
    a, b = unlicensed[:2]
    assert a["reasons"] == b["reasons"] and a["reasons"] is not b["reasons"]
    a["reasons"].append("changed")
    assert "changed" not in b["reasons"]


def test_the_shared_verdicts_equal_assess_person_by_person() -> None:
    """build_matrix reuses a verdict for people alike in every input of assess; vary those inputs one by one over
    otherwise equal people: a field missing from the reuse key would hand one person another's verdict."""
    import dataclasses
    import random

    from readiness.audit.matrix import assess

    f = facts(_tenant(["IT"] * 6))
    base = next(p for p in f.members if p.skus)
    rnd = random.Random(5)
    variants = {"teams_account": [None, "user", "none", "sfbOnPremUser"], "usage_location": [None, "", "DE"],
                "provisioning": [None, [], ["mailbox: PendingInput"]], "mfa": [None, True, False],
                "device": [None, "compliant_managed", "managed_not_compliant", "entra_only", "none"],
                "licence_errors": [(), ({"skuId": "x", "group": "g", "state": "Error", "error": "CountViolation"},)],
                "suspended_skus": [(), ("x",)], "skus": [(), base.skus]}
    people = []
    for i in range(300):
        changes = {name: rnd.choice(values) for name, values in variants.items()}
        people.append(dataclasses.replace(base, id=f"v{i}", name=f"V{i:03d}", **changes))
    f.__dict__["members"] = people
    rows = {r["id"]: r for r in build_matrix(f).rows}
    for p in people:
        ready, reasons = assess(p, f)
        assert (rows[p.id]["ready"], rows[p.id]["reasons"]) == (ready, reasons), p
