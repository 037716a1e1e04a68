"""A snapshot that cannot be read is described by what is wrong with it, in the reader's language, never by the name of
the Python exception that found it (attack12: "damaged gzip: EOFError", "not JSON: JSONDecodeError"). Each case
damages a real saved snapshot the way it happens (a copy cut short, a changed byte, an editor's slip) and reads it
through the public API and the command line."""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

import readiness
from readiness.errors import SnapshotError

EXCEPTION_NAMES = ("EOFError", "BadGzipFile", "JSONDecodeError", "zlib", "IsalError", "ValueError", "RecursionError",
                   "UnicodeDecodeError", "error_type", "{reason}")


def _cut_short(raw: bytes) -> bytes:
    return raw[:len(raw) // 2]


def _wrong_crc(raw: bytes) -> bytes:
    return raw[:-8] + bytes([raw[-8] ^ 1]) + raw[-7:]


def _wrong_length(raw: bytes) -> bytes:
    return raw[:-1] + bytes([raw[-1] ^ 1])


def _plain_with_slip(raw: bytes) -> bytes:  # the document unpacked and edited by hand: a comma lost on line 2
    text = gzip.decompress(raw)
    first, rest = text.split(b"\n", 1)
    return first + b"\n" + rest.replace(b",", b" ", 1)


def _document_with_slip(raw: bytes) -> bytes:  # an older file, one JSON document on one line, edited by hand
    return b'{"schema_version": 1 "sections": {}}'


def _line_ends_added(raw: bytes) -> bytes:  # carried once through a transfer in text mode (attack13: "cut short")
    return raw + b"\r\n"


def _empty(raw: bytes) -> bytes:
    return b""


def _nul_in_a_line(raw: bytes) -> bytes:  # attack13: "a syntax error at column 75" for a NUL inside a line
    lines = gzip.decompress(raw).split(b"\n")
    lines[3] = lines[3][:20] + b"\0" + lines[3][20:]
    return b"\n".join(lines)


def _nested(raw: bytes) -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def _not_utf8(raw: bytes) -> bytes:
    return b'{"schema_version": 1, "tenant": "\xff\xfe"}'


CASES = [
    ("cut short", _cut_short, "it was cut short", "abgeschnitten"),
    ("wrong CRC", _wrong_crc, "its checksum does not match its content", "Prüfsumme passt nicht"),
    ("wrong length", _wrong_length, "its checksum does not match its content", "Prüfsumme passt nicht"),
    ("a comma lost", _plain_with_slip, "(line 2: not JSON: a syntax error at column ", "(Zeile 2: kein JSON: ein Syntaxfehler in Spalte "),
    ("one document, a comma lost", _document_with_slip, "not JSON: a syntax error at line 1, column ",
     "kein JSON: ein Syntaxfehler in Zeile 1, Spalte "),
    ("line ends added", _line_ends_added, "something that is not compressed data follows its end",
     "nach ihrem Ende folgt etwas"),
    ("empty", _empty, "(not JSON: the file is empty)", "(kein JSON: die Datei ist leer)"),
    ("a NUL in a line", _nul_in_a_line, "(line 4: not JSON: the control character U+0000",
     "(Zeile 4: kein JSON: das Steuerzeichen U+0000"),
    ("nested too deep", _nested, "nested deeper than any snapshot", "tiefer verschachtelt"),
    ("not UTF-8", _not_utf8, "not UTF-8 text, at byte ", "kein UTF-8-Text sind, bei Byte "),
]


@pytest.mark.parametrize("case,spoil,english,german", CASES, ids=[c[0] for c in CASES])
def test_a_damaged_snapshot_is_described_by_what_is_wrong(saved: Path, tmp_path: Path, case: str, spoil, english: str,  # noqa: ANN001
                                                          german: str) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(spoil(saved.read_bytes()))
    with pytest.raises(SnapshotError) as caught:
        readiness.load_snapshot(bad)
    err = caught.value
    assert english in err.text("en"), err.text("en")
    assert german in err.text("de"), err.text("de")
    for name in EXCEPTION_NAMES:
        assert name not in err.text("en") and name not in err.text("de"), (name, err.text("en"))


def test_the_command_line_says_it_in_german_without_a_traceback(saved: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(_cut_short(saved.read_bytes()))
    done = subprocess.run([sys.executable, "-m", "readiness", "report", str(bad), "-o", "json", "--lang", "de"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "beschädigtes gzip: die Datei endet vor ihren komprimierten Daten" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "EOFError" not in done.stderr
