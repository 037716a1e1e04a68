"""A column written as numbers into the file's pool (issue 15) is checked by type with a string and a null standing for
its rows when the section keeps both; a column where a null is not allowed (an id) is still checked row by row: a
null id is refused, naming the row, as a file of items names it."""
from __future__ import annotations

from functools import partial

import pytest

from readiness.collect import snapshot_file
from readiness.collect.snapshot_columns import Reader
from readiness.errors import SnapshotError

N = 600  # more distinct values than a Coded column holds: the column stays a list of the pool's strings


def _reader(name: str) -> Reader:
    where = f"sections.{name}.data"
    return Reader(name, snapshot_file._file_builder(name), where, partial(snapshot_file._column_error, name), [])


def _strings(prefix: str) -> list:
    return [f"{prefix}{i}@contoso.example" for i in range(N)]


@pytest.mark.parametrize("null_at", [None, 0, 1, N - 1])
def test_a_pooled_column_that_may_be_null_is_kept_as_the_pool_holds_it(null_at: int | None) -> None:
    new = _strings("upn")
    if null_at is not None:
        new[null_at] = None
    reader = _reader("users")
    reader.add({"key": "id", "new": _strings("id-"), "ids": list(range(N))})
    reader.add({"key": "userPrincipalName", "new": new, "ids": list(range(N, 2 * N))})
    table = reader.table(N)
    col = table.column("userPrincipalName")
    assert col == new and all(a is b for a, b in zip(col, reader.pool[N:]))  # the pool's own objects, nulls kept


@pytest.mark.parametrize("null_at", [0, 1, N - 1])
def test_a_null_id_in_a_pooled_column_is_refused_naming_its_row(null_at: int) -> None:
    ids = _strings("id-")
    ids[null_at] = None
    reader = _reader("users")
    with pytest.raises(SnapshotError) as err:
        reader.add({"key": "id", "new": ids, "ids": list(range(N))})
    assert f"data[{null_at}]" in str(err.value) and "id" in str(err.value)
