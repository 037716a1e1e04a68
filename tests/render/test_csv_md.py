"""CSV that German Excel opens by double-click, and Markdown without HTML entities (issue 12)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.render.safe import md
from readiness.simulator import generate_tenant


@pytest.fixture(scope="module")
def snap():
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7)) as sim:  # over real HTTP
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


def test_german_csv_file_is_what_excel_expects(snap, tmp_path: Path) -> None:
    """Excel reads UTF-8 only with a BOM and splits German CSV at ';' (the list separator where ',' is the decimal comma)."""
    saved = tmp_path / "s.json.gz"
    snap.save(saved)
    out = tmp_path / "people.csv"
    r = CliRunner().invoke(cli, ["report", str(saved), "-o", "csv", "--people", "--lang", "de", "--out", str(out)])
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows and {"Name", "Abteilung", "Bereit", "Gründe", "Nutzungsstandort"} <= set(rows[0])
    assert {r["Bereit"] for r in rows} <= {"ja", "nein", ""}
    assert any("kein Gerät" in r["Gründe"] for r in rows)  # reasons in words, not codes
    assert all(r["Name"] for r in rows)
    devices = {r["Gerät"] for r in rows}  # device states in words too (lang17 A7: entra_only, none)
    assert devices and devices <= {"verwaltet und konform", "verwaltet, nicht konform", "nur in Entra ID (nicht verwaltet)",
                                    "keins"}, devices
    findings = list(csv.DictReader(io.StringIO(CliRunner().invoke(
        cli, ["report", str(saved), "-o", "csv", "--lang", "de"]).stdout.lstrip("\ufeff")), delimiter=";"))
    assert {f["Betroffen"] for f in findings} == {"Mandant"}


def test_machine_headers_stay_stable(snap, tmp_path: Path) -> None:
    saved = tmp_path / "s.json.gz"
    snap.save(saved)
    r = CliRunner().invoke(cli, ["report", str(saved), "-o", "csv", "--people", "--lang", "de", "--csv-headers", "ids"])
    assert r.exit_code == 0, r.output
    assert not r.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0]["ready"] in ("true", "false") and "userPrincipalName" in rows[0]
    assert any("no_device" in r["reasons"].split(";") for r in rows)  # reason codes, as before
    assert {r["device"] for r in rows} <= {"compliant_managed", "managed_not_compliant", "entra_only", "none"}


def test_english_csv_uses_commas_and_english_headers(snap) -> None:
    text = readiness.render(readiness.evaluate(snap), "csv", "en")
    assert text.startswith("\ufeffCheck ID,Area,Severity,Status,")


def test_markdown_has_no_entities_and_escapes_only_markdown() -> None:
    assert md("Müller & Söhne GmbH (Berlin) - Nr. 1.") == "Müller & Söhne GmbH (Berlin) - Nr. 1."
    assert md("a &amp; b") == "a \\&amp; b"  # would otherwise show as "a & b"
    assert md("<img src=x>") == "\\<img src=x\\>"
    assert md("| x |") == "\\| x \\|" and md("*b* _i_ `c`") == "\\*b\\* \\_i\\_ \\`c\\`"
    assert md("# not a heading") == "\\# not a heading" and md("1. not a list") == "1\\. not a list"


def test_markdown_report_shows_company_name_as_written(snap) -> None:
    out = readiness.render(readiness.evaluate(snap), "md", "de")
    assert "Müller & Söhne" in out and "&amp;" not in out
