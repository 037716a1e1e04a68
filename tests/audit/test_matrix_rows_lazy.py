"""A command's matrix rows are made when read (audit/rows.py ``Rows``, issue 15): each row must be the row a library
caller gets in a list, in the same order, for every kind of person, and every output of the two audits the same."""
from __future__ import annotations

import copy
import gc
import io
import random

import pytest

import readiness
from readiness.audit.evaluate import evaluate
from readiness.audit.facts import facts
from readiness.audit.matrix import _template, build_matrix, departments, summarize
from readiness.audit.rows import Rows, as_list
from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from tests.checks.caselib import snapshot_for
from tests.helpers import inproc_client, using

NAMES = ["Bea", "anna", "Anna", "ANNA", "Carl", "", "Émile", "zoë"]


def _varied_facts(seed: int, departments_: list[str]):  # noqa: ANN202
    """60 people from the base snapshot's first user: disabled, guests, external members, no licence, names and
    departments that differ only in case, and the per-person facts the rows read in every combination."""
    snap = snapshot_for([])
    users = snap.sections["users"].data
    rnd = random.Random(seed)
    made = []
    for i in range(60):
        u = copy.deepcopy(users[0])
        upn = f"v{i}_fabrikam.example#EXT#@contoso.example" if rnd.random() < 0.15 else f"v{i}@contoso.example"
        u.update(id=f"v-{i}", userPrincipalName=upn, displayName=rnd.choice(NAMES),
                 department=rnd.choice(departments_))
        if rnd.random() < 0.2:
            u["assignedLicenses"] = []
        if rnd.random() < 0.1:
            u["accountEnabled"] = False
        if rnd.random() < 0.1:
            u["userType"] = "Guest"
        if rnd.random() < 0.2:
            u["usageLocation"] = None
        made.append(u)
    snap.sections["users"].data = made
    f = facts(snap)
    for p in f.members:
        p.teams_active = rnd.choice([True, False, None])
        p.sspr = rnd.choice([True, False, None])
        p.tap = rnd.choice([True, False, None])
        p.mfa = rnd.choice([True, False, None])  # None: MFA unknown
        p.device = rnd.choice([None, "compliant_managed", "managed_not_compliant", "entra_only", "none"])
        p.cloud_pcs = rnd.choice([(), [{"status": "provisioned"}], [{"status": "failed"}]])
        p.provisioning = rnd.choice([None, (), ["mailbox: PendingInput"]])
        if rnd.random() < 0.1:
            p.department = None  # a Person made by hand: no department is the "" department
    return f


def _row_by_row(f) -> list[dict]:  # noqa: ANN001
    """The rows as the matrix defines them, each made on its own: sorted by department, then name (case-insensitive,
    ties in member order)."""
    rows = []
    for p in f.members:
        row = copy.deepcopy(_template(p, f, {"verdicts": {}, "licences": {}, "lists": {}, "missing": {}}))
        row.update(id=p.id, userPrincipalName=p.upn, displayName=p.name, department=p.department or "",
                   external="#EXT#" in p.upn)
        rows.append(row)
    return sorted(rows, key=lambda r: (r["department"].lower(), r["displayName"].lower()))


@pytest.mark.parametrize("departments_", [["Sales", "IT", "", "Lab"], ["Sales", "IT", "it", ""]])
def test_lazy_rows_are_the_rows_made_one_by_one(departments_: list[str]) -> None:
    for seed in range(6):
        f = _varied_facts(seed, departments_)
        expected = _row_by_row(f)
        eager = build_matrix(f)
        lazy = build_matrix(f, shared_lists=True, lazy=True)
        assert isinstance(lazy.rows, Rows) and eager.rows.__class__ is list
        assert eager.rows == expected
        assert lazy.rows == expected and list(lazy.rows) == expected and lazy.rows[:] == expected
        assert [lazy.rows[i] for i in range(-len(expected), len(expected))] == expected + expected
        assert lazy.rows[3:9] == expected[3:9] and len(lazy.rows) == len(expected) == len(f.members)
        assert lazy.departments == eager.departments == departments(expected)
        assert lazy.summary == eager.summary == summarize(expected)
        kinds = {(r["external"], r["ready"], r["mfa_registered"], bool(r["licences"])) for r in expected}
        assert len(kinds) > 8  # external members, unknown MFA, no licence: all among the rows


def test_a_row_read_is_made_afresh_and_library_rows_have_lists_of_their_own() -> None:
    f = _varied_facts(1, ["Sales", "IT"])
    rows = build_matrix(f, shared_lists=True, lazy=True).rows
    first = rows[0]
    first["ready"] = "changed"
    first["reasons"] = ["changed"]
    assert rows[0]["ready"] != "changed" and rows[0]["reasons"] != ["changed"]
    assert rows[0] is not rows[0] and rows[0] == rows[0]
    copied = copy.deepcopy(rows)
    assert copied.__class__ is list and copied == rows and as_list(rows) == copied
    owned = build_matrix(f, lazy=True).rows  # lazy with lists of its own (not a command's shared lists)
    assert owned == rows and owned[0]["reasons"] is not owned[0]["reasons"]
    assert rows[0]["reasons"] is rows[0]["reasons"] or not rows[0]["reasons"]  # shared: the template's own list
    with pytest.raises(IndexError):
        rows[len(rows)]


def test_every_output_of_a_commands_audit_is_the_library_audits() -> None:
    tenant = generate_tenant("enterprise", seed=9, size=150)
    snap = using(inproc_client(Simulator(tenant)), lambda c: collect_snapshot(c, label="lazy"))
    library = evaluate(snap)
    try:
        command = evaluate(snap, one_shot=True)
    finally:
        gc.unfreeze()  # one_shot freezes what is alive for the rest of a command; this process goes on
    assert isinstance(command.people, Rows) and library.people.__class__ is list and command.people == library.people
    for lang in ("en", "de"):
        for fmt in ("json", "csv", "md", "html", "table"):
            for options in ({}, {"pseudonymize": True}, {"aggregate_only": True}):
                assert readiness.render(command, format=fmt, lang=lang, **options) == \
                    readiness.render(library, format=fmt, lang=lang, **options), (fmt, lang, options)
        assert readiness.render(command, format="csv", lang=lang, people=True) == \
            readiness.render(library, format="csv", lang=lang, people=True)
        streams = io.BytesIO(), io.BytesIO()
        readiness.render(command, format="json", lang=lang, stream=streams[0])
        readiness.render(library, format="json", lang=lang, stream=streams[1])
        assert streams[0].getvalue() == streams[1].getvalue() == \
            readiness.render(library, format="json", lang=lang).encode("utf-8")
