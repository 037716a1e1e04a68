"""--aggregate-only merges groups smaller than five people into "other" in every format (issue 12)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import readiness
from readiness.audit.privacy import MIN_GROUP, merge_small_groups
from readiness.cli import cli
from readiness.i18n import labels
from readiness.simulator import generate_tenant


@pytest.fixture(scope="module")
def snap():
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7)) as sim:  # over real HTTP
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


def test_small_departments_are_named_nowhere(snap) -> None:
    audit = readiness.evaluate(snap)
    small = [d["department"] for d in audit.departments if d["department"] and d["people"] < MIN_GROUP]
    assert "Geschäftsführung" in small  # the demo tenant's board: two people
    private = readiness.evaluate(snap, aggregate_only=True)
    for lang in ("en", "de"):  # ("Geschäftsführung" is also a word of the German report: look for it as a name)
        words = json.dumps(labels(lang), ensure_ascii=False)
        names = [n for n in small if n not in words and len(n) > 2]
        assert len(names) >= 3
        for fmt in ("html", "md", "json", "table", "csv"):
            out = readiness.render(private, fmt, lang, people=(fmt == "csv"))
            assert [name for name in names if name in out] == [], (fmt, lang)
        html = readiness.render(private, "html", lang)
        assert "<td>Geschäftsführung</td>" not in html and "<td>Geschäftsführung</td>" in readiness.render(audit, "html", lang)
    rows = json.loads(readiness.render(private, "json", "en"))["data"]["departments"]
    assert all(r["people"] >= MIN_GROUP for r in rows)
    other = [r for r in rows if r.get("other")]
    assert len(other) == 1 and other[0]["groups"] == len(small)
    assert sum(r["people"] for r in rows) == sum(d["people"] for d in audit.departments)  # nobody lost, only merged


def test_other_row_reads_in_the_report_language(snap, tmp_path) -> None:
    saved = tmp_path / "s.json.gz"
    snap.save(saved)
    r = CliRunner().invoke(cli, ["report", str(saved), "--aggregate-only", "-o", "csv", "--people", "--lang", "de"])
    assert r.exit_code == 0, r.output
    assert "Sonstige (6 kleine Gruppen);16;" in r.stdout


def test_merge_keeps_big_groups_and_sums_small_ones() -> None:
    rows = [{"department": "A", "people": 7, "ready": 3, "not_ready": 4, "not_evaluable": 0, "top_reasons": ["no_mfa"]},
            {"department": "B", "people": 1, "ready": 0, "not_ready": 1, "not_evaluable": 0, "top_reasons": ["no_device"]},
            {"department": "C", "people": 2, "ready": 2, "not_ready": 0, "not_evaluable": 0, "top_reasons": []}]
    merged = merge_small_groups(rows)
    assert merged[0] == rows[0]
    assert merged[1]["other"] and merged[1]["people"] == 3 and merged[1]["not_ready"] == 1
    assert merged[1]["top_reasons"] == []  # a merged group still under five people shows no reasons
    assert merge_small_groups(rows[:1]) == rows[:1]
