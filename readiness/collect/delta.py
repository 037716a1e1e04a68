"""Delta re-audits: users, groups and devices read as changes since the previous snapshot of the tenant.

Graph offers delta on /users/delta, /groups/delta and /devices/delta (microsoft-graph-docs-contrib
api-reference/v1.0/api/user-delta.md, group-delta.md, device-delta.md; concepts/delta-query-overview.md).
Every other source is read in full (docs/design-notes.md lists them).

A full read first asks for ``$deltatoken=latest`` (a deltaLink for the state *before* the read, so a
change made during the read is seen again next time, never lost) and stores the link in the section
(``Section.delta_link``). A re-audit follows the stored link, applies changed properties and
``@removed`` to the previous section's data, and stores the new link. A 410 (``syncStateNotFound``,
``resyncRequired``) or any other error on the delta read falls back to a full read of that collection.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from .. import bulkjson
from ..errors import GraphError
from ..graph.batch import BatchRequest, run_batch
from ..graph.client import GraphClient
from .devices import owners_by_batch
from .compact import Compactor
from .queries import DEVICE_FIELDS, GROUP_FIELDS, USER_FIELDS
from .columns import TABLE_SECTIONS
from .shapes import check_item
from .table import Table, as_rows
from .snapshot import COMPLETE, Section, Snapshot

SELECT = {"users": USER_FIELDS, "groups": GROUP_FIELDS + ["members"], "devices": DEVICE_FIELDS}


class Previous:
    """What a re-audit may reuse from the previous snapshot, once the tenant is known to be the same."""

    def __init__(self, snap: Snapshot | None, endpoint: str) -> None:
        self.snap = snap if snap is not None and snap.endpoint == endpoint else None
        self.member_changes: dict[str, list[dict]] = {}  # group id -> members@delta (groups round)
        self.changed_groups: set[str] = set()

    def section(self, name: str) -> Section | None:
        sec = self.snap.sections.get(name) if self.snap is not None else None
        return sec if sec is not None and sec.status == COMPLETE and sec.delta_link and sec.data is not None else None


async def latest_link(client: GraphClient, coll: str) -> str:
    """A deltaLink for the collection's state now, without its objects; "" when Graph refuses."""
    try:
        doc = await client.get_json(f"/{coll}/delta?$select={','.join(SELECT[coll])}&$deltatoken=latest")
    except GraphError:
        return ""
    link = doc.get("@odata.deltaLink") if isinstance(doc, dict) else None
    return link if isinstance(link, str) else ""


async def full_with_link(client: GraphClient, coll: str, read: Callable[[], Awaitable[Section]]) -> Section:
    link = await latest_link(client, coll)
    sec = await read()
    if sec.status == COMPLETE and link:
        sec.delta_link = link
    return sec


async def _changes(client: GraphClient, coll: str, link: str) -> tuple[list[dict], str]:
    items: list[dict] = []
    new_link = ""
    async for page in client.iter_pages(link):
        items.extend(check_item(coll, v, f"/{coll}/delta") for v in bulkjson.share(page.get("value", [])))
        new_link = page.get("@odata.deltaLink") or new_link
    return items, new_link if isinstance(new_link, str) else ""


def _apply(rows: list[dict], changes: list[dict], shape: Callable[[dict], dict]) -> tuple[list[dict], set[str]]:
    """The previous rows with the changes applied (order kept, new ones last); the ids of new objects."""
    by_id = {r["id"]: r for r in rows}
    touched: set[str] = set()
    for ch in changes:
        oid = ch["id"]
        if "@removed" in ch:
            by_id.pop(oid, None)
            continue
        props = {k: v for k, v in ch.items() if "@" not in k}
        if not any(k != "id" for k in props) and oid in by_id:
            continue  # only membership changed
        if oid not in by_id:
            touched.add(oid)
        by_id[oid] = shape(dict(by_id.get(oid) or {}, **props))
    return list(by_id.values()), touched


async def delta_section(client: GraphClient, name: str, coll: str, prev: Section,
                        after: Callable[[list[dict], set[str]], Awaitable[None]] | None = None,
                        shape: Callable[[dict], dict] = lambda d: d,
                        on_changes: Callable[[list[dict]], None] | None = None) -> Section:
    """The previous section with the changes since its deltaLink applied; GraphError when the link is refused."""
    changes, link = await _changes(client, coll, prev.delta_link)
    if on_changes is not None:
        on_changes(changes)
    rows, touched = _apply(as_rows(prev.data), changes, shape)  # fresh dicts: a Table's rows are read only
    if after is not None:
        await after(rows, touched)
    if name in TABLE_SECTIONS or isinstance(prev.data, Table):
        rows = Table.from_rows(rows)
    notes = [n for n in prev.notes if not n.startswith("read as changes")]
    notes.append(f"read as changes since the previous snapshot ({len(changes)} change(s), delta query)")
    return Section(name, COMPLETE, rows, endpoint=prev.endpoint, count=len(rows), notes=notes, delta_link=link)


async def users(client: GraphClient, prev: Section, full: Callable[[], Awaitable[Section]]) -> Section:
    """Users by delta; signInActivity (not in delta) read for new users, kept from the previous read for the others."""
    compact = Compactor()
    with_sign_in = "signInActivity included" in prev.notes

    async def sign_ins(rows: list[dict], touched: set[str]) -> None:
        if not with_sign_in or not touched:
            return
        fields = ",".join(USER_FIELDS + ["signInActivity"])
        results = await run_batch(client, [BatchRequest(i, "GET", f"/users/{i}?$select={fields}") for i in sorted(touched)])
        for row in rows:
            res = results.get(row["id"]) if row["id"] in touched else None
            if res is not None and res.ok and isinstance(res.body, dict):
                row["signInActivity"] = res.body.get("signInActivity")
                compact.user(row)
            elif res is not None:
                raise GraphError(key="graph.sign_in_activity_failed", params={"status": res.status}, status=res.status,
                                 path="/users/{id}")

    return await _or_full(client, "users", delta_section(client, "users", "users", prev, sign_ins, compact.user), full)


async def devices(client: GraphClient, prev: Section, full: Callable[[], Awaitable[Section]],
                  users_sec: Awaitable[Section] | None = None) -> Section:
    """Devices by delta; registered owners (not in delta) read for new devices, kept from the previous read for the others."""
    compact = Compactor()

    async def owners(rows: list[dict], touched: set[str]) -> None:
        users_now = await users_sec if users_sec is not None else None
        if users_now is not None and users_now.usable:  # a deleted user is no device's registered owner any more
            alive = {u["id"] for u in users_now.data}
            for row in rows:
                if any(o not in alive for o in row["owners"]):
                    row["owners"] = [o for o in row["owners"] if o in alive]
        if not touched:
            return
        gone: set[str] = set()
        found = await owners_by_batch(client, sorted(touched), gone)
        if gone:  # new devices deleted again before their owners were read
            rows[:] = [row for row in rows if row["id"] not in gone]
        for row in rows:
            if row["id"] in touched:
                row["owners"] = found[row["id"]]

    def shape(d: dict) -> dict:
        row = compact.item({k: d.get(k) for k in DEVICE_FIELDS})
        row["owners"] = d.get("owners") or []
        return row

    return await _or_full(client, "devices", delta_section(client, "devices", "devices", prev, owners, shape), full)


async def groups(client: GraphClient, prev: Section, full: Callable[[], Awaitable[Section]], state: Previous) -> Section:
    def keep(changes: list[dict]) -> None:
        for ch in changes:
            if isinstance(ch.get("members@delta"), list):  # a large group comes again with its next members: merged,
                # in the order given (concepts/delta-query-groups.md, "Paging through members in a large group")
                state.member_changes.setdefault(ch["id"], []).extend(ch["members@delta"])
            state.changed_groups.add(ch["id"])

    def shape(g: dict) -> dict:
        return {k: g.get(k) for k in GROUP_FIELDS if k in g}

    return await _or_full(client, "groups", delta_section(client, "groups", "groups", prev, None, shape, keep), full)


async def _or_full(client: GraphClient, coll: str, attempt: Awaitable[Section],
                   full: Callable[[], Awaitable[Section]]) -> Section:
    """The delta read; when Graph refuses it (410 syncStateNotFound or resyncRequired, or anything else), a full
    read with a fresh delta link (concepts/delta-query-overview.md: restart the synchronization)."""
    try:
        return await attempt
    except GraphError as exc:
        sec = await full_with_link(client, coll, full)
        sec.notes.append(f"delta query refused (Graph answered {exc.status} {exc.graph_code}): read in full")
        return sec


def members_from_delta(prev: Section | None, groups_sec: Section, state: Previous) -> tuple[dict[str, list[str]], list[str]]:
    """Members of licensing groups known from the previous snapshot and members@delta; the groups to read in full."""
    old = prev.data if prev is not None and prev.status == COMPLETE and isinstance(prev.data, dict) else None
    if old is None or not any("read as changes" in n for n in groups_sec.notes):
        return {}, [g["id"] for g in groups_sec.data if g.get("assignedLicenses")]
    known: dict[str, list[str]] = {}
    unknown: list[str] = []
    for g in groups_sec.data:
        if not g.get("assignedLicenses"):
            continue
        gid = g["id"]
        if gid not in old:
            unknown.append(gid)
            continue
        ids = list(old[gid])
        for ref in state.member_changes.get(gid, []):
            if "@removed" in ref:
                ids = [i for i in ids if i != ref.get("id")]
            elif ref.get("id") not in ids:
                ids.append(ref["id"])
        known[gid] = ids
    return known, unknown
