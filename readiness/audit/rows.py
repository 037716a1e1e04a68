"""The matrix rows of a command, made when they are read (issue 15).

Most people share their row with many others but for five values: their id, sign-in name, name, department and
whether the account is external. ``Rows`` holds, in the rows' order, each person and the number of the *template*
(audit/matrix.py ``_template``: a row without those five values) their row is made from, and makes a row when it is
read: at 100,000 people that is about 100 MB of dicts a command writes out in pieces instead of holding, and 0.2-0.3
s out of ``evaluate``. The output pays for each row once as it writes it: ``write_audit_json`` reads 100 at a time.

A row read twice is made twice (equal, not the same dict): changing one changes nothing else. Only a caller that
changes no row uses it (``evaluate(one_shot=True)``, a CLI command); a library caller gets a list of dicts.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Iterator

PIECE = 256  # rows made at a time while iterating


class Rows(Sequence):
    """The matrix rows (``Audit.people``) as a sequence of dicts made on reading; a slice is a list of them."""

    __slots__ = ("_people", "_numbers", "_templates", "_own")

    def __init__(self, people: Sequence, numbers: Sequence[int], templates: list[dict], *, own_lists: bool = False) -> None:
        self._people = people  # the facts' Person objects, in the rows' order
        self._numbers = numbers  # each one's template, by its number in ``templates``
        self._templates = templates
        self._own = own_lists  # each row with lists of its own (else the template's: equal lists shared)

    def __len__(self) -> int:
        return len(self._people)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._made(self._people[index], self._numbers[index])
        return self._made((self._people[index],), (self._numbers[index],))[0]

    def __iter__(self) -> Iterator[dict]:
        people, numbers = self._people, self._numbers
        for start in range(0, len(people), PIECE):
            yield from self._made(people[start:start + PIECE], numbers[start:start + PIECE])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rows):
            other = other[:]
        return self[:] == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by value, as a list is

    def __reduce__(self) -> tuple:
        return list, (self[:],)  # a copy (copy, deepcopy, pickle) is a plain list of the rows

    def __repr__(self) -> str:
        return f"<Rows: {len(self)} matrix rows made when read>"

    def _made(self, people: Sequence, numbers: Sequence[int]) -> list[dict]:
        """The rows of ``people``: each its template's copy with the person's own values (and lists, if ``_own``)."""
        templates, own = self._templates, self._own
        out: list[dict] = []
        append = out.append
        for p, number in zip(people, numbers):
            template = templates[number]
            row = template.copy()
            upn = p.upn
            row["id"] = p.id
            row["userPrincipalName"] = upn
            row["displayName"] = p.name
            row["department"] = p.department or ""
            row["external"] = "#EXT#" in upn
            if own:
                row["reasons"], row["licences"] = list(template["reasons"]), list(template["licences"])
                row["not_provisioned"] = list(template["not_provisioned"])
            append(row)
        return out


def as_list(rows: Sequence[dict]) -> list[dict]:
    """The rows as a list (``Rows``: every row made now; a list: itself)."""
    return rows if rows.__class__ is list else rows[:] if isinstance(rows, Rows) else list(rows)  # a slice: a new list
