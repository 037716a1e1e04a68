"""Entra devices and their registered owners, read as parallel chains (issue 15: the audit's longest chain)."""
from __future__ import annotations

from itertools import repeat
from typing import Any, Awaitable

from .. import bulkjson

from ..errors import GraphError
from ..graph.batch import BatchRequest, run_batch
from ..graph.client import GraphClient
from ..graph.slots import LONG
from ..graph.tasks import gather_all
from . import pages
from .reading import _collection, _guard, _ladder
from .compact import Compactor
from .queries import DEVICE_FIELDS, build
from .columns import Columns
from .shapes import check_column, not_object
from .table import Table, columns, with_column
from .snapshot import COMPLETE, Section

DEVICE_SHARDS = "0123456789abcdef"  # deviceId is a GUID: its first character is one of these (lower or upper case)


async def entra_devices(client: GraphClient, skus: Awaitable[Section]) -> Section:
    """Every Entra device with its registered owners, read as parallel chains.

    ``$expand`` pages hold at most 100 devices (known issue 13635), so one expanded read is the longest
    chain of the whole audit (1,107 pages at 110,000 devices). Instead:

    * the devices themselves: one read at 999 a page, without ``$expand``;
    * their owners: 16 expanded reads side by side, ``$filter=startsWith(deviceId,'0')`` ... ``'f'``
      (device.md: deviceId "Supports $filter (eq, ne, not, startsWith)"; startsWith is a default query,
      not an advanced one, so it combines with ``$expand``: aad-advanced-queries.md); startsWith is
      case-insensitive and the first characters differ, so no device is in two reads;
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


def _device_row(compact: Compactor, d: dict, owners: list) -> dict:
    row = compact.item({k: d.get(k) for k in DEVICE_FIELDS})
    row["owners"] = owners
    return row


async def _devices_in_chains(client: GraphClient, endpoint: str) -> Section:
    compact = Compactor()
    listing_info = build(client.sdk.devices, select=DEVICE_FIELDS, top=999)

    strings = bulkjson.strings()

    async def shard(first: str) -> dict[str, list]:
        info = build(client.sdk.devices, select=["id"], expand=["registeredOwners($select=id)"],
                     filter=f"startsWith(deviceId,'{first}')", top=100)
        found: dict[str, list] = {}
        typed = pages.owners_decoder()
        async for page in client.iter_pages(info, decode=typed):
            items = page.get("value", [])
            if typed is not None and items and items[0].__class__ is typed.item:  # ids and owners typed as checked below
                for d in items:
                    found[d.id] = [strings.setdefault(i, i) if i.__class__ is str else i for i in (o.id for o in d.owners or ())]
                continue
            if set(map(type, items)) - {dict}:
                raise not_object(endpoint, next(x for x in items if x.__class__ is not dict))
            ids = list(map(dict.get, items, repeat("id")))
            owners = list(map(dict.get, items, repeat("registeredOwners")))
            check_column("devices", "id", ids, endpoint)  # the shapes check_item applies, a column at a time
            check_column("devices", "registeredOwners", owners, endpoint)
            for did, refs in zip(ids, owners):
                found[did] = [strings.setdefault(i, i) if i.__class__ is str else i for i in (o.get("id") for o in refs or ())]
        return found

    try:
        listing, *parts = await gather_all(_collection(client, "devices", endpoint, listing_info, Columns(DEVICE_FIELDS),
                                                       priority=LONG),  # one per device: first (graph/slots.py)
                                           *map(shard, DEVICE_SHARDS))
    except GraphError as exc:
        if exc.status not in (400, 501):
            raise
        return await _devices_expanded(client, endpoint, compact, exc)
    owners: dict[str, list] = {}
    for part in parts:
        owners.update(part)
    table = listing.data
    (ids,) = columns(table, "id")
    missing = [i for i in ids if i and i not in owners]
    if missing:
        owners.update(await owners_by_batch(client, missing))
    none: list = []  # a device without an id (docs examples) has none readable
    rows = with_column(table, "owners", [owners.get(i, none) if i else none for i in ids])
    sec = Section("devices", COMPLETE, rows, endpoint=endpoint, count=len(rows))
    if missing:
        sec.notes.append(f"{len(missing)} device(s) without a GUID deviceId: owners read one by one ($batch)")
    return sec


async def _devices_expanded(client: GraphClient, endpoint: str, compact: Compactor, refused: GraphError) -> Section:
    params: dict[str, Any] = {"select": DEVICE_FIELDS, "expand": ["registeredOwners($select=id)"], "top": 100}
    tries = [(build(client.sdk.devices, **params), ""),
             (build(client.sdk.devices, **dict(params, expand=["registeredOwners"])), "read with plain $expand=registeredOwners")]
    sec = await _ladder(client, "devices", endpoint, tries,
                        lambda d: _device_row(compact, d, [o.get("id") for o in d.get("registeredOwners") or []]))
    sec.data = Table.from_rows(sec.data, DEVICE_FIELDS + ["owners"])
    sec.notes.append(f"read in one chain: the endpoint refused $filter=startsWith(deviceId) with $expand "
                     f"({refused.graph_code or refused.status})")
    return sec


async def owners_by_batch(client: GraphClient, ids: list[str]) -> dict[str, list]:
    """Registered owners of the given devices, 20 to a $batch; GraphError when one cannot be read."""
    results = await run_batch(client, [BatchRequest(i, "GET", f"/devices/{i}/registeredOwners?$select=id") for i in ids])
    out: dict[str, list] = {}
    for i in ids:
        res = results.get(i)
        if res is None or not res.ok or not isinstance(res.body, dict):
            status = getattr(res, "status", 0) or 500
            raise GraphError(key="graph.device_owners_failed", params={"detail": getattr(res, "status", "nothing")},
                             status=status, path="/devices/{id}/registeredOwners")
        out[i] = [o.get("id") for o in res.body.get("value") or []]
    return out
