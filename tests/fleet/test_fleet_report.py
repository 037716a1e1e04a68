"""The cross-tenant summary from entry files: risk order, shard merge, escaping in every format."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from readiness.fleet import store
from readiness.render.fleet import render_fleet

from .conftest import envelope, invoke

EVIL = "<script>alert(1)</script> =HYPERLINK(\"http://x\") | *x* [a](b)"


def _entry(name: str, stamp: str, **kw) -> dict:  # noqa: ANN003
    base = {"schema": store.ENTRY_SCHEMA, "name": name, "tenant_id": f"tid-{name}", "tenant_name": name.title(),
            "status": "success", "error": None, "stamp": stamp, "audited_at": store.stamp_iso(stamp),
            "score": 70, "light": "yellow", "people": 10, "ready": 7, "not_ready": 3, "not_evaluable": 0, "seats_to_buy": 1,
            "new_failing": [], "fixed": [], "regressed": [], "checks": {}, "top_actions": [], "files": {}}
    base.update(kw)
    return base


def _write(folder: Path, entry: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"entry-{entry['stamp']}.json").write_text(json.dumps(entry), "utf-8")


def test_report_merges_shards_and_sorts_by_risk(tmp_path: Path) -> None:
    s1, s2 = "20261101T050000.000000Z", "20261108T050000.000000Z"
    _write(tmp_path / "shard-1" / "green-co", _entry("green-co", s1, score=90, light="green"))
    _write(tmp_path / "shard-1" / "green-co", _entry("green-co", s2, score=85, light="green"))  # newer audit wins
    _write(tmp_path / "shard-2" / "red-co", _entry("red-co", s2, score=30, light="red", ready=1, people=40))
    _write(tmp_path / "shard-2" / "yellow-co", _entry("yellow-co", s2))
    _write(tmp_path / "shard-2" / "broken-co", _entry("broken-co", s2, status="failed", error="Graph refused", score=None,
                                                      light=None, people=None, ready=None))
    r = invoke("fleet", "report", str(tmp_path / "shard-1"), str(tmp_path / "shard-2"), "--previous", "auto", "-o", "json")
    doc = envelope(r)
    assert [t["name"] for t in doc["data"]["tenants"]] == ["broken-co", "red-co", "yellow-co", "green-co"]
    assert doc["data"]["tenants"][-1]["score"] == 85
    t = doc["data"]["totals"]
    assert (t["tenants"], t["failed"], t["people"], t["ready"]) == (4, 1, 60, 15)
    same = envelope(invoke("fleet", "report", str(tmp_path), "--previous", "auto", "-o", "json"))  # one folder holding the shards
    assert same["data"]["tenants"] == doc["data"]["tenants"]


def test_tenant_strings_are_escaped_in_every_format() -> None:
    entries = [_entry("evil", "20261101T050000.000000Z", tenant_name="=HYPERLINK(\"http://x\") " + EVIL, error=EVIL,
                      top_actions=[{"id": "x", "title": {"en": EVIL, "de": EVIL}}])]
    html = render_fleet(entries, "html", "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    rows = list(csv.reader(io.StringIO(render_fleet(entries, "csv", "en"))))
    assert rows[1][1].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    assert all(not c.startswith(("=", "+", "@")) for row in rows for c in row)
    md = render_fleet(entries, "md", "en")
    assert "<script>" not in md and "\\|" in md
    assert "\x1b" not in render_fleet([_entry("e", "20261101T050000.000000Z", error="\x1b[31mred")], "table", "en")


def test_the_baseline_is_the_last_audit_that_did_not_fail(tmp_path: Path) -> None:
    s1, s2, s3 = "20261101T050000.000000Z", "20261108T050000.000000Z", "20261115T050000.000000Z"
    _write(tmp_path / "a", _entry("a", s1, score=50))
    _write(tmp_path / "a", _entry("a", s2, status="failed", error="unreachable"))
    prev = store.latest_entry([tmp_path / "a"], before=s3, where=lambda e: e.get("status") != "failed")
    assert prev is not None and prev["stamp"] == s1
    assert store.latest_entry([tmp_path / "a"], before=s3)["stamp"] == s2  # the summary shows the latest state


def test_fleet_and_history_csv_open_in_a_german_spreadsheet(tmp_path: Path) -> None:
    """lang17 F4: the README promises CSV that opens by double-click (a BOM, ';' for German, words in the language);
    fleet report and history gave the machine form under --lang de. --csv-headers ids keeps it for scripts."""
    s1, s2 = "20261101T050000.000000Z", "20261108T050000.000000Z"
    _write(tmp_path / "a", _entry("a", s1, score=50, light="red", status="partial"))
    _write(tmp_path / "a", _entry("a", s2, score=60, light="yellow", ready=1, people=7))
    de = invoke("fleet", "report", str(tmp_path), "--lang", "de", "-o", "csv")
    assert de.exit_code == 0, de.output
    assert de.stdout.startswith("\ufeffMandant;")
    row = next(csv.DictReader(io.StringIO(de.stdout.lstrip("\ufeff")), delimiter=";"))
    assert row["Ampel"] == "gelb" and row["Status"] == "vollständig" and row["Letzte Prüfung"].startswith("08.11.2026")
    ids = invoke("fleet", "report", str(tmp_path), "--lang", "de", "-o", "csv", "--csv-headers", "ids")
    assert ids.stdout.startswith("name,tenant_name,") and "yellow" in ids.stdout
    hist = invoke("history", "--dir", str(tmp_path), "--lang", "de", "-o", "csv")
    assert hist.exit_code == 0, hist.output
    rows = list(csv.DictReader(io.StringIO(hist.stdout.lstrip("\ufeff")), delimiter=";"))
    assert [r["Anteil bereit"] for r in rows] == ["70 %", "14 %"] and rows[0]["Ampel"] == "rot", rows
    machine = invoke("history", "--dir", str(tmp_path), "-o", "csv", "--csv-headers", "ids").stdout
    assert machine.startswith("name,audited_at,status") and "0.14" in machine
