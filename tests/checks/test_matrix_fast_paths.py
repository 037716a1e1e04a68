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
