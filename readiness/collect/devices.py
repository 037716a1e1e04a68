"""Entra devices and their registered owners, read as parallel chains (issue 15: the audit's longest chain)."""
from __future__ import annotations

import asyncio
from itertools import chain, islice, repeat
from operator import attrgetter, is_not
from typing import Any, Awaitable
from urllib.parse import urljoin, urlsplit

from .. import bulkjson

from ..errors import GraphBadResponse, GraphError, Phrase, error_phrase
from ..graph.bounds import collection_too_big
from ..graph.batch import BatchRequest, BatchResult, run_batch
from ..graph.client import GraphClient, GraphResponse, RefusedMidway, check_page, graph_error
from ..graph.paging import drop
from ..graph.slots import LONG
from ..graph.text import clean
from ..graph.tasks import gather_all
from . import pages
from .reading import _collection, _guard
from .compact import Compactor
from .queries import DEVICE_FIELDS, build
from .columns import Columns
from .shapes import _bad, check_column, check_item, not_object
from .table import Packed, Table, columns, with_column
from .snapshot import COMPLETE, Section

DEVICE_SHARDS = "0123456789abcdef"  # deviceId is a GUID: its first character is one of these (lower or upper case)
REFUSED = (400, 404, 405, 501)  # a $batch (or a filtered expand inside one) the server does not take: read chains


async def entra_devices(client: GraphClient, skus: Awaitable[Section]) -> Section:
    """Every Entra device with its registered owners, read as parallel chains.

    ``$expand`` pages hold at most 100 devices (known issue 13635), so one expanded read is the longest
    chain of the whole audit (1,107 pages at 110,000 devices). Instead:

    * the devices themselves: one read at 999 a page, without ``$expand``;
    * their owners: 16 expanded reads side by side, ``$filter=startsWith(deviceId,'0')`` ... ``'f'``
      (device.md: deviceId "Supports $filter (eq, ne, not, startsWith)"; startsWith is a default query,
      not an advanced one, so it combines with ``$expand``: aad-advanced-queries.md); startsWith is
      case-insensitive and the first characters differ, so no device is in two reads. Their pages go in
      rounds of one ``$batch`` each (json-batching.md): round k holds the k-th page of every read not yet
      finished, its nextLink made relative to the version. About 70 HTTP requests instead of about 1,130 at
      110,000 devices (each one costs the client ~0.7 ms of CPU in httpx and kiota), the same Graph requests
      (Graph throttles each request in a batch on its own). A server that refuses the $batch or the
      filtered expand inside it gets the 16 reads as chains (``_owner_chains``);
    * a device in the listing that no filtered read returned (a deviceId that is no GUID, or none): its
      owners in $batch (``/devices/{id}/registeredOwners``, device-list-registeredowners.md).

    The listing decides which devices exist; the owners reads only add owners, so no device is lost or
    doubled whatever the filtered reads return. A server that refuses the filtered expand gets the single
    expanded read (the earlier way). No ``$filter=isManaged eq false``: isManaged is nullable and
    ``$expand`` does not combine with the advanced queries that would allow ``ne true``; devices are
    categorised client-side from isManaged/isCompliant (audit/facts.py).
    """
    endpoint = "/devices"
    await skus  # kept for the callers' signature: the query does not depend on Intune
    return await _guard("devices", endpoint, "Device.Read.All", _devices_in_chains(client, endpoint))


def _midway(exc: GraphError, answered: int) -> GraphError:
    """``exc`` as the failed read it is (client.RefusedMidway, as a collection's later page refused) if it is a 403
    after Graph ``answered`` pages of the same devices read (0: none): Graph checks permissions and licences on the
    first request (errors.md), so a 403 later is no permission missing. ``_guard`` makes it a "failed" section."""
    if answered < 1 or not exc.is_forbidden or isinstance(exc, RefusedMidway):
        return exc
    return RefusedMidway(key="graph.denied_midway", params={"answer": error_phrase(exc) or exc.what,
                                                            "request": exc.params.get("request", "")},
                         fix_key="graph.denied_midway", status=exc.status, graph_code=exc.graph_code,
                         request_id=exc.request_id, path=exc.path)


def _device_row(compact: Compactor, d: dict, owners: list) -> dict:
    row = compact.item({k: d.get(k) for k in DEVICE_FIELDS})
    row["owners"] = owners
    return row


async def _devices_in_chains(client: GraphClient, endpoint: str) -> Section:
    compact = Compactor()
    listing_info = build(client.sdk.devices, select=DEVICE_FIELDS, top=999)

    strings = bulkjson.strings()
    how: list[str] = []

    async def read_owners() -> dict[str, list]:
        found = await _owners_in_rounds(client, endpoint, strings)
        if found is None:  # the server refused the $batch, or the filtered expand inside one
            how.append("owners read as 16 chains: the server refused them in $batch")
            found = {}
            await gather_all(*(_owner_chain(client, endpoint, strings, first, found) for first in DEVICE_SHARDS))
        return found

    try:
        listing, found = await gather_all(_collection(client, "devices", endpoint, listing_info, Columns(DEVICE_FIELDS),
                                                      priority=LONG),  # one per device: first (graph/slots.py)
                                          read_owners())
    except GraphError as exc:
        if exc.status not in (400, 501):
            raise
        return await _devices_expanded(client, endpoint, compact, exc)
    owners = found
    table = listing.data
    missing = [i for ids in _id_chunks(table) for i in ids if i and i not in owners]
    gone: set[str] = set()
    if missing:
        try:
            owners.update(await owners_by_batch(client, missing, gone))
        except GraphError as exc:  # the listing and the owners reads were answered: the permission is there
            raise _midway(exc, 1) from None
    if gone:  # deleted between the listing and their owners' read: not the tenant's any more
        table = Table.from_rows([r for r in table if r.get("id") not in gone])
    none: list = []  # a device without an id (docs examples) has none readable
    col: list = []
    for ids in _id_chunks(table):
        col += [owners.get(i, none) if i else none for i in ids]
    rows = with_column(table, "owners", col)
    sec = Section("devices", COMPLETE, rows, endpoint=endpoint, count=len(rows))
    if missing:
        sec.notes.append(f"{len(missing)} device(s) no filtered owners read returned: owners read one by one ($batch)")
    if gone:
        sec.notes.append(f"{len(gone)} device(s) deleted while the audit read them (their owners answered 404): left out")
    sec.notes.extend(how)
    return sec


def _id_chunks(table: Any, size: int = 8192) -> Any:
    """The listing's device ids in order, a few thousand at a time: a Packed column (collect/table.py) is read window
    by window, so 400,000 ids are never all strings at once (37 MB of the helper's peak at 400k, issue 15)."""
    col = table.held_column("id") if isinstance(table, Table) else None
    if isinstance(col, Packed):
        yield from col.chunks(size)
    else:
        yield columns(table, "id")[0]


def _owners_query(client: GraphClient, first: str) -> Any:
    return build(client.sdk.devices, select=["id"], expand=["registeredOwners($select=id)"],
                 filter=f"startsWith(deviceId,'{first}')", top=100)


_OWNERS, _ID = attrgetter("owners"), attrgetter("id")  # of a typed owners page's items (pages.owners_decoder)


def _add_page(found: dict[str, list], page: dict, typed: Any, strings: dict, endpoint: str) -> None:
    """A page of owners (typed by pages.owners_decoder, or dicts checked as shapes says) into ``found``.

    Every item must carry ``registeredOwners`` as a list (Graph always sends an expanded navigation property, as an
    empty array when there is nothing: query-parameters.md#expand, device-list-registeredowners.md), every owner an
    ``id`` string; a device seen again with other owners is refused (``_put``): a page that lacks them is never read
    as "no owners"."""
    items = page.get("value", [])
    if typed is not None and items and items[0].__class__ is typed.item:  # ids, owners and their ids typed and required
        # a page at a time at C speed (issue 15): the owners' ids shared in one pass, cut back into one list per device
        refs = list(map(_OWNERS, items))
        flat = list(map(_ID, chain.from_iterable(refs)))
        flat = list(map(strings.setdefault, flat, flat))
        counts = set(map(len, refs))
        if counts == {1}:  # one owner each, the usual device
            owners = list(map(list, zip(flat)))
        else:
            rest = iter(flat)
            owners = [list(islice(rest, len(r))) for r in refs]
        ids = list(map(_ID, items))
        had = list(map(found.setdefault, ids, owners))
        if any(map(is_not, had, owners)):  # a device seen before (in this page or another): only with the same owners
            for did, was, new in zip(ids, had, owners):
                if was is not new and was != new:
                    _put(found, did, new, endpoint)
        return
    if set(map(type, items)) - {dict}:
        raise not_object(endpoint, next(x for x in items if x.__class__ is not dict))
    ids = list(map(dict.get, items, repeat("id")))
    owners = list(map(dict.get, items, repeat("registeredOwners")))
    check_column("devices", "id", ids, endpoint)  # the shapes check_item applies, a column at a time
    check_column("devices", "registeredOwners", owners, endpoint)
    if None in owners:  # missing or null: the expanded property always comes as a list
        raise _bad(endpoint, Phrase("errors.graph.shape.missing", name="registeredOwners"))
    for did, refs in zip(ids, owners):
        _put(found, did, _owner_ids(refs, strings, endpoint), endpoint)


def _owner_ids(refs: list, strings: dict, where: str) -> list[str]:
    """The ids of a device's owners (objects, as check_column found), each a string: an owner without one is refused."""
    got = [o.get("id") for o in refs]
    if any(i.__class__ is not str for i in got):
        raise _bad(where, Phrase("errors.graph.shape.missing", name="registeredOwners.id"))
    return [strings.setdefault(i, i) for i in got]


def _put(found: dict[str, list], did: str, owners: list, endpoint: str) -> None:
    """A device's owners into ``found``; the same device again (in two reads, or twice in one) only with the same."""
    had = found.setdefault(did, owners)
    if had is not owners and had != owners:
        raise GraphBadResponse(key="graph.device_owners_twice", params={"name": endpoint, "id": clean(did, 80)},
                               fix_key="graph.bad_answer", path=endpoint)


def same_resource_link(client: GraphClient, url: str, resource: str, name: str, *, batch: bool = False) -> str:
    """A paged read's next page (``url``, absolute, already on Graph's origin) must be another page of the same
    resource (``/devices``, one device's ``/registeredOwners``, one user's authentication methods in collectors.py),
    compared case-insensitively after the version: a link to another collection would read as, say, devices without
    owners. ``batch``: the page is to be read inside a
    $batch (whose URLs are relative to the version), said so when the link leaves the version."""
    base = client.endpoint.base_url
    if not url.startswith(base + "/"):
        raise GraphBadResponse(key="graph.next_link_outside_version" if batch else "graph.next_link_outside_root",
                               params={"name": name, "root": base}, path=name)
    path = urlsplit(url).path[len(urlsplit(base).path):]
    if path.lower() != resource.lower():
        raise GraphBadResponse(key="graph.next_link_other_path", params={"name": name, "path": clean(path, 120)},
                               path=name)
    return url


async def _owner_chain(client: GraphClient, endpoint: str, strings: dict, first: str,
                       found: dict[str, list]) -> None:
    """One filtered owners read as a chain of requests (GraphClient.iter_pages), into ``found`` (shared by the 16)."""
    typed = pages.owners_decoder()
    query = _owners_query(client, first)
    here = str(query.url)
    name = _name(here[len(client.endpoint.base_url):])
    read = 0
    try:
        async for page in client.iter_pages(query, decode=typed):
            read += 1
            link = page.get("@odata.nextLink")
            if link is not None:  # iter_pages checked its origin and that it is new; the page it leads to is not read
                here = same_resource_link(client, urljoin(here, link), endpoint, name)
            _add_page(found, page, typed, strings, endpoint)
    except GraphError as exc:
        raise _midway(exc, read) from None


async def _owners_in_rounds(client: GraphClient, endpoint: str, strings: dict) -> dict[str, list] | None:
    """The 16 filtered owners reads, their pages in rounds of one $batch: round k holds the k-th page of every read
    still going (the rounds, and so each $batch's body, are the same on every run of the same tenant).

    Each page is checked as a chain's page is (GraphClient.iter_pages): a JSON object with a list of objects, its
    nextLink on Graph's origin, never a page twice, within the collection's page and byte bounds; the nextLink is
    sent relative to the version (json-batching.md: "while the absolute URL is https://graph.microsoft.com/v1.0/users,
    this url is /users"), and a link outside the version is refused. Throttled items are sent again by run_batch;
    an item still failing fails the section with Graph's answer (never a short owners list). None when the server
    refuses the first round's $batch, or the filtered expand inside it (400, 404, 405, 501): read as chains then.
    """
    base = client.endpoint.base_url
    pending: dict[str, str] = {}  # read -> its next page, relative to the version
    for first in DEVICE_SHARDS:
        url = str(_owners_query(client, first).url)
        pending[first] = url[len(base):] if url.startswith(base) else url
    seen = {k: {base + u} for k, u in pending.items()}
    read = dict.fromkeys(DEVICE_SHARDS, 0)
    size = dict.fromkeys(DEVICE_SHARDS, 0)
    typed = pages.owners_decoder()
    found: dict[str, list] = {}
    rounds = 0
    ahead: asyncio.Future | None = asyncio.ensure_future(_round(client, pending))
    try:
        while ahead is not None:
            try:
                results = await ahead
            except GraphError as exc:  # the $batch itself (its items' answers are in results)
                if rounds == 0 and exc.status in REFUSED and not isinstance(exc, GraphBadResponse):
                    return None
                raise _midway(exc, rounds) from None
            ahead = None
            got, following = [], {}
            for shard, url in pending.items():
                res = results.get(shard)
                if res is None or not res.ok or res.body is None:
                    if rounds == 0 and res is not None and res.status in REFUSED:
                        return None
                    raise _midway(_item_error(res, url, base), read[shard])
                name = _name(url)
                read[shard] += 1
                size[shard] += len(res.body)
                too_big = collection_too_big(name, read[shard], size[shard], client.max_pages, client.max_collection_bytes)
                if too_big is not None:
                    raise too_big
                page = typed(res.body) if typed is not None else None
                if page is None:
                    page = GraphResponse(res.status, res.headers, bytes(res.body), "GET", name).json()
                    check_page(page, name)
                link = page.get("@odata.nextLink")
                if link is not None:
                    nxt = same_resource_link(client, client.next_url(base + url, link, seen[shard], name), endpoint, name,
                                       batch=True)
                    seen[shard].add(nxt)
                    following[shard] = nxt[len(base):]
                got.append(page)
            pending = following
            rounds += 1
            if pending:  # the next round leaves before this one's pages are worked on
                ahead = asyncio.ensure_future(_round(client, pending))
            await asyncio.sleep(0)
            for page in got:
                _add_page(found, page, typed, strings, endpoint)
    finally:
        drop(ahead)
    return found


async def _round(client: GraphClient, pending: dict[str, str]) -> dict[str, BatchResult]:
    return await run_batch(client, [BatchRequest(shard, "GET", url) for shard, url in pending.items()], raw_bodies=True)


def _name(url: str) -> str:
    return url.split("?", 1)[0]


def _item_error(res: BatchResult | None, url: str, base: str) -> GraphError:
    """What a $batch item that could not be read says: Graph's own answer (status, code, message), or that none came."""
    if res is None:
        return GraphBadResponse(key="graph.batch_item_missing", params={"path": _name(url)}, fix_key="graph.bad_answer",
                                path=_name(url))
    body = bytes(res.body) if res.body is not None else b""
    if res.ok:  # a success without a page
        return GraphBadResponse(key="graph.not_a_page", params={"name": _name(url), "kind": Phrase("errors.words.nothing")},
                                fix_key="graph.bad_answer", path=_name(url))
    return graph_error(GraphResponse(res.status, res.headers, body, "GET", _name(url)), "GET", _name(url))


async def _devices_expanded(client: GraphClient, endpoint: str, compact: Compactor, refused: GraphError) -> Section:
    """The devices with their owners in one expanded read (a server that refuses the filtered expand), with the
    owners reads' guards (``_expanded_rows``); the plain ``$expand=registeredOwners`` where the nested $select is
    refused (400, 501)."""
    params: dict[str, Any] = {"select": DEVICE_FIELDS, "expand": ["registeredOwners($select=id)"], "top": 100}
    tries = [(build(client.sdk.devices, **params), ""),
             (build(client.sdk.devices, **dict(params, expand=["registeredOwners"])), "read with plain $expand=registeredOwners")]
    last: GraphError | None = None
    for n, (info, note) in enumerate(tries):
        try:
            rows = await _expanded_rows(client, endpoint, compact, info)
        except GraphError as exc:
            if exc.status not in (400, 501) or n == len(tries) - 1:
                raise
            last = exc
            continue
        sec = Section("devices", COMPLETE, Table.from_rows(rows, DEVICE_FIELDS + ["owners"]), endpoint=endpoint,
                      count=len(rows))
        if n and last is not None:
            sec.notes.append(f"{note} (the endpoint refused the first form: {last.graph_code or last.status})")
        sec.notes.append(f"read in one chain: the endpoint refused $filter=startsWith(deviceId) with $expand "
                         f"({refused.graph_code or refused.status})")
        return sec
    raise last  # pragma: no cover - the loop returns or raises


async def _expanded_rows(client: GraphClient, endpoint: str, compact: Compactor, info: Any) -> list[dict]:
    """Rows of one expanded devices read, guarded as the owners reads are: every device carries ``registeredOwners``
    as a list of objects each with an ``id`` (missing or null is refused, never read as "no owners"); a device given
    again is kept once, and only with the same owners; a nextLink stays on ``/devices``."""
    here = str(info.url)
    name = _name(here[len(client.endpoint.base_url):])
    strings: dict = {}
    found: dict[str, list] = {}
    rows: list[dict] = []
    async for page in client.iter_pages(info):
        link = page.get("@odata.nextLink")
        if link is not None:  # iter_pages checked its origin and that it is new; the page it leads to is not read
            here = same_resource_link(client, urljoin(here, link), endpoint, name)
        for d in bulkjson.share([check_item("devices", v, endpoint) for v in page.get("value", [])]):
            refs = d.get("registeredOwners")
            if refs is None:  # missing or null: the expanded property always comes as a list
                raise _bad(endpoint, Phrase("errors.graph.shape.missing", name="registeredOwners"))
            if refs.__class__ is not list or any(o.__class__ is not dict for o in refs):
                raise not_object(endpoint, refs if refs.__class__ is not list else next(o for o in refs if o.__class__ is not dict))
            owners = _owner_ids(refs, strings, endpoint)
            did = d.get("id")
            if did is not None:
                if did in found:
                    _put(found, did, owners, endpoint)  # the same owners again: the device is kept once
                    continue
                found[did] = owners
            rows.append(_device_row(compact, d, owners))
    return rows


async def owners_by_batch(client: GraphClient, ids: list[str], gone: set[str] | None = None) -> dict[str, list]:
    """Registered owners of the given devices, 20 to a $batch; GraphError when one cannot be read. ``gone``: where
    the devices answered 404 go (deleted since they were listed: the caller leaves them out), instead of an error.

    Each answer is a page (device-list-registeredowners.md): a list of objects, each owner with an ``id`` string (an
    owner without one is refused, never saved as null); a page with an ``@odata.nextLink`` is followed as a chain
    (GraphClient.iter_pages: Graph's origin, never a page twice, the page bounds), each link to the same device's
    ``/registeredOwners`` (paging.md), so a device with more than one page of owners loses none."""
    results = await run_batch(client, [BatchRequest(i, "GET", f"/devices/{i}/registeredOwners?$select=id") for i in ids])
    out: dict[str, list] = {}
    base = client.endpoint.base_url
    strings: dict = {}
    for i in ids:
        res = results.get(i)
        if gone is not None and res is not None and res.status == 404:  # device-list-registeredowners.md: deleted
            gone.add(i)  # meanwhile (Request_ResourceNotFound); one vanished device does not fail the section
            continue
        if res is None or not res.ok or not isinstance(res.body, dict):
            status = getattr(res, "status", 0) or 500
            raise GraphError(key="graph.device_owners_failed", params={"detail": getattr(res, "status", "nothing")},
                             status=status, path="/devices/{id}/registeredOwners")
        resource = f"/devices/{i}/registeredOwners"
        name = "/devices/{id}/registeredOwners"
        page = res.body
        check_page(page, name)
        owners = _owner_ids(page["value"], strings, name)
        link = page.get("@odata.nextLink")
        if link is not None:
            here = base + resource + "?$select=id"
            nxt = same_resource_link(client, client.next_url(here, link, {here}, name), resource, name)
            async for more in client.iter_pages(nxt):
                following = more.get("@odata.nextLink")
                if following is not None:
                    nxt = same_resource_link(client, urljoin(nxt, following), resource, name)
                owners.extend(_owner_ids(more["value"], strings, name))
        out[i] = owners
    return out
