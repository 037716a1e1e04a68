"""Typed page decoders for the big sections: a page's bytes straight into one small object per item (issue 15).

``orjson`` makes a dict per item, with a string per key; the columns (collect/columns.py) then take each key's values
out of every dict again. Once the first page is read (the usual way) its items' keys are known; from the next page on
``msgspec`` decodes each item into a Struct of exactly those fields (no key strings, no hash table, at C speed) and
the columns are read off the Structs. Lists of objects (a user's licences and plans) stay their JSON text
(``msgspec.Raw``): the columns key list values by their text anyway (Builder._lists), so only the distinct ones are
parsed, once each (by orjson, as the dict path parses them).

The decoder is strict: every field of the first page present, no other field, every field of the type shapes.FIELDS
allows (lists and objects of scalars; a field FIELDS does not name a scalar; integers within 64 bits, as orjson
reads them). A page that is anything else (a field missing or of the wrong type, a property not asked for, a value
orjson reads and msgspec does not) is decoded by ``None`` here and read again the usual way (``GraphResponse.json``,
``Builder.add_items`` with its checks), which keeps every error message as it was: the typed path only ever takes
pages the dict path would have taken, and makes the same values of them.

Measured at 100,000 users (the replay tape's 201 /users pages: decode, columns, freeing the page): 0.94 s -> 0.75 s
of CPU with lists of objects parsed, less with them as text; the whole collection 7.5-8.2 s -> 6.1-6.2 s.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Annotated, Any, Callable, Optional, Union

try:  # msgspec: typed JSON decoding (issue 15); without it every page takes the orjson path
    import msgspec
except ImportError:  # pragma: no cover - msgspec is a dependency
    msgspec = None  # type: ignore[assignment]

from .shapes import FIELDS, NESTED

RAW = msgspec.Raw if msgspec is not None else None
_astuple = msgspec.structs.astuple if msgspec is not None else None

if msgspec is not None:
    # orjson reads an integer beyond 64 bits as a float, msgspec as an int: such a page (and one with an integer
    # beyond int64, the bounds msgspec can check) takes the dict path
    _INT = Annotated[int, msgspec.Meta(ge=-(2 ** 63), le=2 ** 63 - 1)]
    _SCALAR = Union[str, bool, _INT, float, None]  # noqa: UP007 - runtime unions for msgspec
    _TYPES: dict[type, Any] = {str: str, bool: bool, int: _INT, float: float, type(None): None,
                               list: list[_SCALAR], dict: dict[str, _SCALAR]}
Decoder = Callable[[bytes], Optional[dict]]
# A page's own keys besides value (https://learn.microsoft.com/graph/paging): decoded, so checked as the dict path
# checks them (valid UTF-8, strings); a page with any other key is left to the dict path
_PAGE_KEYS = [("link", Optional[str], None), ("context", Optional[str], None), ("count", Optional[int], None)]
_PAGE_NAMES = {"link": "@odata.nextLink", "context": "@odata.context", "count": "@odata.count"}
_CACHE: dict[tuple, Any] = {}


def _annotation(section: str, field: str, types: tuple | None) -> Any:
    if (section, field) in NESTED:  # lists of objects: their JSON text as it came (columns.py keys them by it)
        return msgspec.Raw
    if types is None:  # a field shapes.FIELDS does not check: a scalar (a list or object: the page takes the dict path)
        return _SCALAR
    kinds = [_TYPES[t] for t in types]
    return kinds[0] if len(kinds) == 1 else Union[tuple(kinds)]  # noqa: UP007 - a runtime union for msgspec


def item_type(section: str, fields: tuple[str, ...]) -> Any:
    """A Struct of exactly ``fields`` (all required, no others), typed as shapes.FIELDS says; cached."""
    key = (section, fields)
    found = _CACHE.get(key)
    if found is None:
        types = FIELDS.get(section, {})
        attrs = [f"f{i}" for i in range(len(fields))]  # Graph's names need not be identifiers ("@odata.type")
        found = msgspec.defstruct(f"{section}_item", [(a, _annotation(section, f, types.get(f))) for a, f in zip(attrs, fields)],
                                  rename=dict(zip(attrs, fields)), forbid_unknown_fields=True, gc=False)
        found.keys = list(fields)
        found.getter = attrgetter(*attrs)
        _CACHE[key] = found
    return found


def _page_decoder(section: str, fields: tuple[str, ...]) -> Any:
    key = ("page", section, fields)
    found = _CACHE.get(key)
    if found is None:
        page = msgspec.defstruct(f"{section}_page", [("value", list[item_type(section, fields)]), *_PAGE_KEYS],
                                 rename=_PAGE_NAMES, forbid_unknown_fields=True)
        found = _CACHE[key] = msgspec.json.Decoder(page).decode
    return found


class Typed:
    """A section's typed decoder, learnt from the first page: its items' keys (in their order), when every item of the
    page has exactly those. Until then (and for any page it does not fit) ``decode`` gives None: parsed as usual."""

    def __init__(self, section: str) -> None:
        self.section, self._decode, self.tries = section, None, 3

    def learn(self, items: list) -> None:
        """Learn the keys from a page parsed the usual way (its items all dicts, as check_page found)."""
        if self._decode is not None or self.tries <= 0 or msgspec is None or not items:
            return
        self.tries -= 1
        keys = tuple(items[0])
        if set(map(len, items)) == {len(keys)} and set().union(*items) == set(keys):
            try:
                self._decode = _page_decoder(self.section, keys)
            except (TypeError, ValueError):  # a type msgspec cannot build: every page the usual way
                self.tries = 0

    def decode(self, content: bytes) -> dict | None:
        """The page as ``{"value": [Struct, ...], "@odata.nextLink": link}`` (the link only when there is one), or None
        when the page is not exactly what the typed path takes."""
        if self._decode is None:
            return None
        try:
            got = self._decode(content)
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):  # too deep: the dict path says so
            return None
        page = {"value": got.value} if got.link is None else {"value": got.value, "@odata.nextLink": got.link}
        if got.count is not None:
            page["@odata.count"] = got.count  # what the server says the collection holds (reading._counted)
        return page


def owners_decoder() -> Decoder | None:
    """A decoder for the pages of ``/devices?$select=id&$expand=registeredOwners($select=id)`` (collect/devices.py): items
    with an ``id`` string and ``registeredOwners``, a list of objects each with an ``id`` string, all required and
    non-null (Graph always sends the expanded property as an array: query-parameters.md#expand); other keys are not
    read. A page with anything else (a device without owners' list, an owner without id) gives None: the dict path
    reads it and refuses it with its message. None without msgspec."""
    if msgspec is None:
        return None
    found = _CACHE.get("owners")
    if found is None:
        owner = msgspec.defstruct("owner", [("id", str)], gc=False)
        item = msgspec.defstruct("device_owners", [("id", str), ("owners", list[owner])],
                                 rename={"owners": "registeredOwners"}, gc=False)
        page = msgspec.defstruct("owners_page", [("value", list[item]), *_PAGE_KEYS], rename=_PAGE_NAMES,
                                 forbid_unknown_fields=True)
        found = _CACHE["owners"] = (msgspec.json.Decoder(page).decode, item)
    decode, item = found

    def typed(content: bytes) -> dict | None:
        try:
            got = decode(content)
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):  # too deep: the dict path says so
            return None
        return {"value": got.value} if got.link is None else {"value": got.value, "@odata.nextLink": got.link}

    typed.item = item  # type: ignore[attr-defined]
    return typed


def is_typed(items: list) -> bool:
    """Whether a page's items came from a typed decoder (they are all of one Struct type then)."""
    return bool(items) and hasattr(items[0].__class__, "getter") and msgspec is not None and isinstance(items[0], msgspec.Struct)


def columns_of(items: list) -> tuple[list[str], list[list]]:
    """The keys and columns of a typed page's items (one pass, transposed at C speed)."""
    cls = items[0].__class__
    keys = cls.keys
    if len(keys) == 1:
        return keys, [list(map(cls.getter, items))]
    # msgspec's astuple reads a Struct's fields by their slots, not by name as attrgetter does: a 500-item page of 20
    # fields transposed in 0.30 ms instead of 0.52 (issue 15)
    return keys, list(map(list, zip(*map(_astuple, items))))
