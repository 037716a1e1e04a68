"""In a command (evaluate(one_shot=True)) the matrix rows share their lists (reasons, licences, services not
provisioned) among rows with equal values, to hold 400,000 people under 1 GB (issue 15). That is only safe while
nothing changes a row's list in place: every renderer, language, option and the private views must leave the rows
exactly as evaluate made them. A library caller (one_shot False) gets lists of its own per row."""
from __future__ import annotations

import copy
import gc
import io

import readiness
from readiness.audit.evaluate import evaluate
from readiness.collect.run import collect_snapshot
from readiness.simulator import Simulator, generate_tenant
from tests.helpers import inproc_client, using


def test_rows_with_equal_lists_share_them_and_no_output_changes_them() -> None:
    tenant = generate_tenant("enterprise", seed=5, size=120)
    snap = using(inproc_client(Simulator(tenant)), lambda c: collect_snapshot(c, label="shared"))
    try:
        audit = evaluate(snap, one_shot=True)
    finally:
        gc.unfreeze()  # one_shot freezes what is alive for the rest of a command; this process goes on
    rows = audit.people
    by_value: dict[tuple, set[int]] = {}
    for r in rows:
        by_value.setdefault(("licences", *r["licences"]), set()).add(id(r["licences"]))
        by_value.setdefault(("reasons", *r["reasons"]), set()).add(id(r["reasons"]))
    shared = [ids for ids in by_value.values() if len(ids) == 1]
    assert len(rows) > len(by_value) and len(shared) == len(by_value)  # each distinct value: one list object
    before = copy.deepcopy(rows)
    for lang in ("en", "de"):
        for fmt in ("json", "csv", "md", "html", "table"):
            for options in ({}, {"pseudonymize": True}, {"aggregate_only": True}):
                readiness.render(audit, format=fmt, lang=lang, **options)
        readiness.render(audit, format="csv", lang=lang, people=True)
        readiness.render(audit, format="csv", lang=lang, people=True, pseudonymize=True)
        readiness.render(audit, format="json", lang=lang, stream=io.BytesIO())
    assert rows == before


def test_without_one_shot_every_row_has_lists_of_its_own() -> None:
    tenant = generate_tenant("enterprise", seed=5, size=60)
    snap = using(inproc_client(Simulator(tenant)), lambda c: collect_snapshot(c, label="own"))
    rows = evaluate(snap).people
    for field in ("reasons", "licences", "not_provisioned"):
        assert len({id(r[field]) for r in rows}) == len(rows)
