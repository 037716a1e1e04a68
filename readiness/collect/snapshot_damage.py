"""What is wrong with a snapshot file that cannot be read, in words a reader can act on: "cut short", "its checksum
does not match", "not JSON at line 3, column 17", instead of the name of the Python exception that found it
(EOFError, BadGzipFile, JSONDecodeError)."""
from __future__ import annotations

import json

from ..errors import Phrase
from .inflating import TRAILING

_CHECKSUM_WORDS = ("data check", "length check", "checksum", "crc")  # zlib, ISA-L and GzipFile name a wrong CRC or length so


def gzip_damage(exc: BaseException) -> Phrase:
    """Why the compressed file could not be read, for ``errors.snapshot.bad_gzip``."""
    if isinstance(exc, EOFError):
        return Phrase("errors.snapshot.damage.cut_short")
    if str(exc) == TRAILING:  # what the inflater says of bytes after a member that are no member
        return Phrase("errors.snapshot.damage.trailing")
    text = str(exc).lower()
    if any(word in text for word in _CHECKSUM_WORDS):
        return Phrase("errors.snapshot.damage.checksum")
    strerror = getattr(exc, "strerror", None)
    if isinstance(exc, OSError) and strerror:  # the disk or the file system, not the file's content
        return Phrase("errors.snapshot.damage.io", reason=strerror)
    return Phrase("errors.snapshot.damage.compressed")


def json_damage(exc: BaseException, *, one_line: bool = False) -> Phrase:
    """Why the text could not be read as JSON, for ``errors.snapshot.not_json`` (the whole document) and, with
    ``one_line``, ``line_not_json`` (one line of the line layout, whose number the message gives: the column only)."""
    if isinstance(exc, RecursionError):
        return Phrase("errors.snapshot.damage.too_deep")
    if isinstance(exc, UnicodeDecodeError):
        return Phrase("errors.snapshot.damage.not_utf8", at=exc.start)
    if isinstance(exc, json.JSONDecodeError):
        if not exc.doc.strip():  # a file of nothing (zero bytes, a gzip of nothing) or of blanks
            return Phrase("errors.snapshot.damage.empty")
        if exc.pos < len(exc.doc) and exc.doc[exc.pos] < " " and exc.doc[exc.pos] not in "\t\n\r":  # NUL, BEL...
            return Phrase("errors.snapshot.damage.control", char=f"U+{ord(exc.doc[exc.pos]):04X}")
        if one_line:
            return Phrase("errors.snapshot.damage.json_column", column=exc.colno)
        return Phrase("errors.snapshot.damage.json_at", line=exc.lineno, column=exc.colno)
    return Phrase("errors.snapshot.damage.json")
