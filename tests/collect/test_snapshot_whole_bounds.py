"""A whole-document snapshot (the files written before the line layout, or a line file re-saved whole by another JSON
tool) is bounded as its bytes arrive, like a line: its bytes and values by the counts it declares so far, a string on
its own (STRING_WINDOW), before anything is parsed (snapshot_file._Doc).

Before: a whole document was read whole up to the byte cap and only then counted: the attack's whole_text file
(/tmp/attack-work/gen.py: a 500 MB string in the organization section, 486 KB of gzip) took 1.46-1.50 GB before it was
refused; a document padded past what its one declared row allows loaded. And a lines/2 section declaring "rows":"45"
was refused as "declares 45 rows, but its columns have 45"."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import readiness
from readiness import bulkjson
from readiness.cli import cli
from readiness.collect import snapshot_file
from readiness.errors import SnapshotError
from tests.collect.test_snapshot_limits import FIXTURE

# test_snapshot_limits.PROBE, its peak read from the kernel's high-water mark of this image (VmHWM): ru_maxrss keeps
# the forking pytest worker's (150 MB and more) across exec
PROBE = """
import re, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from readiness.cli import main
try:
    main(['report', sys.argv[1], '-o', 'json'])
except SystemExit as e:
    code = e.code
try:
    peak = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print('RC', code, 'MAXRSS_KB', peak)
"""

ORG = (b'{"schema_version":1,"collected_at":"2026-12-01T00:00:00Z","sections":{"organization":{"status":"complete",'
       b'"count":1,"data":[{"id":"o","displayName":"')


def _gzip(path: Path, *parts: bytes | tuple[bytes, int]) -> Path:
    """A gzip file of ``parts``; (unit, times): ``unit`` repeated, written a MB at a time (never held whole)."""
    with gzip.open(path, "wb", compresslevel=6) as z:
        for part in parts:
            if isinstance(part, tuple):
                unit, times = part
                block = unit * (1 << 20)
                for _ in range(times // (1 << 20)):
                    z.write(block)
                z.write(unit * (times % (1 << 20)))
            else:
                z.write(part)
    return path


def _probe(path: Path) -> tuple[int, int, str]:
    """``readiness report path`` in a fresh interpreter held to 1 GB of address space: (exit code, peak RSS in KB, its
    stderr), with the default limits."""
    env = {k: v for k, v in os.environ.items() if k not in (snapshot_file.MAX_ROWS_ENV, snapshot_file.MAX_BYTES_ENV)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(1 << 30)], env=env, capture_output=True,
                          text=True, timeout=300)
    last = [line for line in done.stdout.splitlines() if line.startswith("RC ")]  # a report loaded: its HTML first
    assert last, done.stdout[-2000:] + done.stderr[-2000:]
    words = last[-1].split()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr[-2000:]
    return int(words[1]), int(words[3]), done.stderr


def test_a_long_string_in_a_whole_document_is_refused_as_it_arrives(tmp_path: Path) -> None:
    # the attack's whole_text, with a 300 MB string (500 MB in the attack): before, the read held the 300 MB of text,
    # then the key check and orjson each made a 300 MB string (about 1 GB: over this probe's 1 GB of address space)
    bomb = _gzip(tmp_path / "whole_text.json.gz", ORG, (b"a", 300_000_000), b'"}]}}}')
    assert bomb.stat().st_size < 400_000
    code, peak_kb, err = _probe(bomb)
    assert code == 1, err[-2000:]
    assert "is a string of more than 32,768 bytes" in err and "refused before reading it" in err, err[-2000:]
    assert peak_kb < 150 * 1024, peak_kb  # measured 45 MB; the line form's 400 MB string: 39 MB


def test_a_whole_document_longer_than_its_declared_rows_allow_is_refused_as_it_arrives(tmp_path: Path) -> None:
    # valid JSON padded with 300 MB of blanks inside the one row it declares: before, read whole and loaded (held
    # whole: over 300 MB); now refused past 64 KB a declared row and the slack, before the rest is read
    bomb = _gzip(tmp_path / "padded.json.gz", ORG, b'Contoso"', (b" ", 300_000_000), b"}]}}}")
    code, peak_kb, err = _probe(bomb)
    assert code == 1, err[-2000:]
    assert "one JSON document longer than the 1 rows its sections declare so far allow" in err, err[-2000:]
    assert peak_kb < 150 * 1024, peak_kb


def test_a_whole_document_with_more_values_than_its_declared_rows_allow_is_refused_before_parsing(
        tmp_path: Path) -> None:
    # a million nulls in a section declaring one row: within the document's own limit (12 million values at the row
    # limit), so before it was parsed whole and refused only for its count; now refused from its bytes, unparsed
    path = _gzip(tmp_path / "nulls.json.gz", ORG[:-len(b'{"id":"o","displayName":"')], (b"null,", 1_000_000), b"null]}}}")
    with pytest.raises(SnapshotError, match="holding more values than the 1 rows its sections declare so far allow, "
                                            "256 a row"):
        readiness.load_snapshot(path)


def test_the_refusals_are_clear_errors_in_english_and_german(tmp_path: Path) -> None:
    path = _gzip(tmp_path / "long.json.gz", ORG, (b"a", 100_000), b'"}]}}}')
    for lang, words in (("en", "is a string of more than 32,768 bytes"),
                        ("de", "ist eine Zeichenkette von mehr als 32.768 Bytes")):
        result = CliRunner().invoke(cli, ["report", str(path), "--lang", lang])
        assert result.exit_code == 1, result.output
        assert words in result.output or words.replace(".", ",") in result.output, result.output
        assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def lines2(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("lines2") / "good.json"
    readiness.load_snapshot(FIXTURE).save(path)
    return path.read_bytes()


def test_an_honest_whole_document_still_loads(lines2: bytes, tmp_path: Path) -> None:
    # as the writer before the line layout wrote it (b62c849^: gzip of bulkjson.dumps(to_dict()), the items as rows)
    snap = readiness.load_snapshot(FIXTURE)
    old = tmp_path / "old.json.gz"
    old.write_bytes(gzip.compress(bulkjson.dumps(snap.to_dict())))
    assert readiness.load_snapshot(old).fingerprint() == snap.fingerprint()


def test_a_line_file_re_saved_whole_keeps_its_long_codes_and_text(lines2: bytes, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # a palette's codes and a Packed text are long strings by design (their rows' worth); at 300 people they are short,
    # so the window is made short enough that they are longer than it, and the rest of the file is not
    monkeypatch.setattr(snapshot_file, "STRING_WINDOW", 1024)
    doc = json.loads(lines2)
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(doc, indent=1))  # as `jq .` or json.tool would re-save it: blanks after the colons
    devices = doc["sections"]["devices"]["data"]["columns"]
    assert max(len(c.get("codes", "")) for c in devices) < 1024 < max(len(c.get("text", "")) for c in devices)
    snap = readiness.load_snapshot(FIXTURE)
    assert readiness.load_snapshot(pretty).fingerprint() == snap.fingerprint()
    monkeypatch.setattr(snapshot_file, "STRING_WINDOW", 128)  # now codes are longer than it too
    assert max(len(c.get("codes", "")) for c in devices) > 2 * 128
    assert readiness.load_snapshot(pretty).fingerprint() == snap.fingerprint()
    for key, filler in ((b'"codes": "', b"!" * 2000), (b'"text": "', b"x" * 2000), (b'"key": "', b"Q" * 2000)):
        # only a palette's codes (base64) and a Packed text (rows ended by U+001F) may be long
        (tmp_path / "bad.json").write_bytes(pretty.read_bytes().replace(key, key + filler, 1))
        with pytest.raises(SnapshotError, match="is a string of more than 128 bytes"):
            readiness.load_snapshot(tmp_path / "bad.json")


@pytest.mark.parametrize("rows, shown", [(b'"45"', '"45"'), (b"45.0", "45.0"), (b"true", "true"), (b"[45]", "[...]")])
def test_rows_that_are_not_a_whole_number_are_said_so(rows: bytes, shown: str, lines2: bytes, tmp_path: Path) -> None:
    lines = lines2.split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.lstrip(b",").startswith(b'"devices":{"status"'))
    n = orjson.loads(b"{" + lines[at].lstrip(b",") + b"]}}}")["devices"]["data"]["rows"]
    lines[at] = lines[at].replace(b'"rows":%d,' % n, b'"rows":' + rows + b",", 1)
    line_file = tmp_path / "lines.json"
    line_file.write_bytes(b"\n".join(lines))
    doc = json.loads(lines2)
    doc.pop("layout")
    doc["sections"]["devices"]["data"]["rows"] = json.loads(rows)
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(doc))
    for path in (line_file, whole):
        with pytest.raises(SnapshotError) as raised:
            readiness.load_snapshot(path)
        assert f"sections.devices.data declares its rows as {shown}, which is not a whole number" in str(raised.value)
        assert "but its columns have" not in str(raised.value)
    result = CliRunner().invoke(cli, ["report", str(line_file), "--lang", "de"])
    assert result.exit_code == 1
    assert f"gibt seine Zeilen als {shown} an, keine ganze Zahl" in result.output, result.output
