"""The snapshot writer of layout ``lines/1`` (before issue 15's column lines): the big sections as chunks of rows,
``{"keys": [...], "columns": [[...], ...]}`` a line, up to CHUNK_ITEMS rows each. Kept to prove that files written
this way (every snapshot saved before) still load, and load to the same snapshot."""
from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any, Callable

from readiness import bulkjson
from readiness.collect import snapshot_file
from readiness.collect.snapshot import Snapshot
from readiness.collect.table import Table, chunks_of

OPEN_COLUMNS = b',"data":{"layout":"columns","chunks":['


def write_lines1(doc: dict, write: Callable[[bytes], Any]) -> None:
    dumps, chunk_items = bulkjson.dumps, snapshot_file.CHUNK_ITEMS
    head = {k: v for k, v in doc.items() if k != "sections"}
    head["layout"] = "lines/1"
    write(dumps(head)[:-1] + b',"sections":{' + b"\n")
    for n, (name, sec) in enumerate(doc["sections"].items()):
        sep = b"," if n else b""
        data = sec.get("data")
        meta = {k: v for k, v in sec.items() if k != "data"}
        if isinstance(data, Table):
            write(sep + dumps({name: meta})[1:-2] + OPEN_COLUMNS + b"\n")
            keys = list(data.keys)
            for i, cols in zip(range(0, len(data), chunk_items), zip(*(chunks_of(c, chunk_items) for c in data.cols))):
                write((b"," if i else b"") + dumps({"keys": keys, "columns": list(cols)}) + b"\n")
            write(b"]}}\n")
            continue
        if not isinstance(data, list) or not data or len(sec) < 2:
            write(sep + dumps({name: sec})[1:-1] + b"\n")
            continue
        write(sep + dumps({name: meta})[1:-2] + b',"data":[' + b"\n")
        for i in range(0, len(data), chunk_items):
            write((b"," if i else b"") + dumps(data[i:i + chunk_items])[1:-1] + b"\n")
        write(b"]}\n")
    write(b"}}\n")


def save_lines1(snap: Snapshot, path: Path) -> Path:
    """``snap`` saved as the lines/1 writer saved it (gzip when the name ends in .gz, level 1, no time stamp)."""
    with open(path, "wb") as fh:
        if path.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=1, mtime=0) as gz:
                write_lines1(snap.to_dict(tables=True), gz.write)
        else:
            write_lines1(snap.to_dict(tables=True), fh.write)
    return path
