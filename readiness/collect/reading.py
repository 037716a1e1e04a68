"""Reading one collection: a Graph error becomes the section's status; refused query options fall back to simpler forms."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import httpx

from ..errors import GraphBadResponse, GraphError, GraphUnavailable, Phrase, error_phrase
from ..graph.client import GraphClient
from ..graph.slots import NEW
from .. import bulkjson
from . import pages
from .columns import TABLE_SECTIONS, Columns, for_section
from .shapes import check_item
from .snapshot import COMPLETE, FAILED, FORBIDDEN, SOME_LICENCE, Section


def classify(name: str, endpoint: str, exc: GraphError, *, permission: str, licence: str = "") -> Section:
    """Turn a Graph error into a forbidden (permission or licence) or failed section."""
    text = f"{exc.graph_code} {exc.what}".lower()
    # Intune and Windows 365 endpoints of a tenant without the licence answer 400 BadRequest
    # "Request not applicable to target tenant." (not 403): a missing licence, not a failed read.
    # A 403 after a read's first pages (RefusedMidway, is_forbidden False) is a failed read, not a licence missing.
    licence_hit = (exc.status == 403 and exc.is_forbidden and (
        "premium" in text or "not licensed" in text or "sku" in text or "not applicable to target tenant" in text
    )) or (exc.status == 400 and "not applicable to target tenant" in text)
    if licence_hit:
        reason = Phrase("cli.progress.reasons.no_licence", licence=licence, status=exc.status, code=exc.graph_code) \
            if licence else Phrase("cli.progress.reasons.no_licence_unnamed", status=exc.status, code=exc.graph_code)
        return Section(name, FORBIDDEN, endpoint=endpoint, licence=licence or SOME_LICENCE, reason=reason)
    if exc.is_forbidden:
        return Section(name, FORBIDDEN, endpoint=endpoint, permission=permission,
                       reason=Phrase("cli.progress.reasons.no_permission", permission=permission))
    return Section(name, FAILED, endpoint=endpoint, reason=error_phrase(exc) or exc.what)  # keyed: said in the report's language


async def _guard(name: str, endpoint: str, permission: str, coro: Awaitable[Section], licence: str = "") -> Section:
    """Run one section's collection; a Graph error becomes the section's status, with the reason.

    A refused token (TokenRejected) is not a GraphError and ends the whole collection. A server that
    cannot be reached at all ends it too; a connection dropped after the retries fails the section.
    Data of an unexpected shape (a field of the wrong type) fails the section, never the audit.
    """
    try:
        return await coro
    except GraphUnavailable as exc:
        if isinstance(exc.__cause__, httpx.ConnectError) and exc.key != "graph.download_unreachable":
            raise  # Graph itself cannot be reached: nothing can be read (a report's download host fails its section)
        return classify(name, endpoint, exc, permission=permission, licence=licence)
    except GraphError as exc:
        return classify(name, endpoint, exc, permission=permission, licence=licence)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        bad = GraphBadResponse.keyed("graph.unexpected_shape_error", fix_key="graph.bad_answer", endpoint=endpoint,
                                     error_type=type(exc).__name__, detail=str(exc)[:80])
        return classify(name, endpoint, bad, permission=permission, licence=licence)


async def _collection(client: GraphClient, name: str, endpoint: str, info: Any,
                      shape: Callable[[dict], dict] | Columns | None = None, *, priority: int = NEW) -> Section:
    """Stream a collection's pages; ``shape`` compacts each item as its page arrives. The big sections
    (columns.TABLE_SECTIONS) go into columns page by page instead (``shape``: their Columns), held as a Table.
    ``priority``: LEAD for the audit's longest chain, LONG for reads as long as the tenant (graph/slots.py)."""
    said: list = []
    if isinstance(shape, Columns) or (shape is None and name in TABLE_SECTIONS):
        cols = (shape or for_section(name)).builder(name, endpoint)
        typed = pages.Typed(name)
        async for page in client.iter_pages(info, priority=priority, decode=typed.decode):
            items = page.get("value", [])
            cols.add_items(items)
            if not pages.is_typed(items):
                typed.learn(items)
            said.append(page.get("@odata.count"))
        table = cols.table()
        return _counted(Section(name, COMPLETE, table, endpoint=endpoint, count=len(table)), said)
    items: list[dict] = []
    async for page in client.iter_pages(info, priority=priority):
        values = bulkjson.share([check_item(name, v, endpoint) for v in page.get("value", [])])
        items.extend(map(shape, values) if shape else values)
        said.append(page.get("@odata.count"))
    return _counted(Section(name, COMPLETE, items, endpoint=endpoint, count=len(items)), said)


def _counted(sec: Section, said: list) -> Section:
    """A note where the server said the collection holds more than its pages brought (``@odata.count``, when it sends
    one): Intune's managedDevices is known to end early without a nextLink (msgraph-sdk-powershell#1819: a count of 949,
    948 devices). Not a failure: a count may also be approximate, or the collection changed while it was read."""
    counts = [c for c in said if isinstance(c, int) and not isinstance(c, bool) and c >= 0]
    if counts and max(counts) > sec.count:
        sec.notes.append(f"the server said {max(counts)} item(s), its pages brought {sec.count}")
    return sec


async def _ladder(client: GraphClient, name: str, endpoint: str, tries: list[tuple[Any, str]],
                  shape: Callable[[dict], dict] | Columns | None = None, *, priority: int = NEW) -> Section:
    """Read a collection; if the endpoint refuses a query option (400/501), try the next, simpler form.

    Graph's limits differ per endpoint and change over time ($top maxima, $expand with nested $select,
    filters); a refused option must not cost the whole section. The section notes what was dropped.
    """
    last: GraphError | None = None
    for n, (info, note) in enumerate(tries):
        try:
            sec = await _collection(client, name, endpoint, info, shape, priority=priority)
        except GraphError as exc:
            if exc.status not in (400, 501) or n == len(tries) - 1:
                raise
            last = exc
            continue
        if n and last is not None:
            sec.notes.append(f"{note} (the endpoint refused the first form: {last.graph_code or last.status})")
        return sec
    raise last  # pragma: no cover - the loop returns or raises
