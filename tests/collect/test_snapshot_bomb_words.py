"""A snapshot refused for its size says so in words a reader can act on, with numbers in the reader's language.

attack13: a gzip bomb with no row count before its padding was refused as "longer than the 0 rows its sections
declare so far allow", and German texts carried English thousands separators ("1,048,576 Bytes"): the numbers were
formatted before the language was known."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import readiness
from readiness.collect import snapshot_file
from readiness.errors import SnapshotError
from readiness.i18n import number


def _bomb(path: Path) -> Path:
    # a document that declares no rows before 6 MB of blanks: nothing it says allows that much
    with gzip.open(path, "wb") as z:
        z.write(b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z","sections":{"organization":{"status":"complete",')
        z.write(b" " * (6 << 20))
        z.write(b'"count":1,"data":[]}}}')
    return path


def test_a_document_with_no_declared_rows_is_refused_without_speaking_of_zero_rows(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(_bomb(tmp_path / "padded.json.gz"))
    en, de = caught.value.text("en"), caught.value.text("de")
    limit = snapshot_file.DOC_BYTES_SLACK
    assert limit >= 10_000  # so that a thousands separator shows
    assert f"more than {number(limit, 'en')} bytes before any of its sections declares how many rows" in en, en
    assert "0 rows" not in en and "0 Zeilen" not in de
    assert f"mehr als {number(limit, 'de')} Bytes" in de, de
    assert number(limit, "de") != number(limit, "en")  # 1.048.576 against 1,048,576: the language's own separators


def test_numbers_in_snapshot_refusals_follow_the_language(tmp_path: Path) -> None:
    # a whole document padded past what its one declared row allows: the limit in bytes is a large number
    path = tmp_path / "long.json.gz"
    with gzip.open(path, "wb") as z:
        z.write(b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z","sections":{"organization":'
                b'{"status":"complete","count":1,"data":[{"id":"o","displayName":"Contoso"' + b" " * (6 << 20) + b"}]}}}")
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(path)
    en, de = caught.value.text("en"), caught.value.text("de")
    per_row = snapshot_file.BYTES_PER_ROW
    assert f"{per_row:,}" in en and f"{per_row:,}".replace(",", ".") in de, (en, de)
    assert f"{per_row:,}" not in de, de


def test_a_declared_count_is_a_number_in_the_language_too(tmp_path: Path) -> None:
    """attack14: "sections.mfa.count is 2000, but its data holds 2,001" (German: "ist 2000 ... 2.001")."""
    path = tmp_path / "count.json.gz"
    rows = [{"id": f"u{i}", "userPrincipalName": f"u{i}@example.com"} for i in range(2001)]
    doc = {"schema_version": 1, "collected_at": "2026-12-01T00:00:00Z",
           "sections": {"mfa": {"status": "complete", "count": 2000, "data": rows}}}
    import json

    with gzip.open(path, "wt") as z:
        json.dump(doc, z)
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(path)
    en, de = caught.value.text("en"), caught.value.text("de")
    assert "count is 2,000" in en and "2,001" in en, en
    assert "2.000" in de and "2.001" in de, de


def test_a_padded_line_before_any_rows_is_refused_in_words(tmp_path: Path) -> None:
    """attack14: a saved snapshot's first line, then 40 MiB of blanks: "a line of the section sections is longer than
    its 0 rows allow"."""
    saved = tmp_path / "s.json.gz"
    readiness.Snapshot("t", "T", "global", "https://graph.microsoft.com/v1.0", "2026-12-01T00:00:00Z").save(saved)
    first = gzip.open(saved).readline()
    path = tmp_path / "padded.json.gz"
    with gzip.open(path, "wb") as z:
        z.write(first)
        z.write(b" " * (40 << 20))
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(path)
    en, de = caught.value.text("en"), caught.value.text("de")
    assert "0 rows" not in en and "before any rows are declared there" in en, en
    assert f"mehr als {number(snapshot_file.BYTES_SLACK, 'de')} Bytes" in de, de
