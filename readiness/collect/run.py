"""collect_snapshot(): one tenant, every area, one Snapshot."""
from __future__ import annotations

import json
import time

from .. import __version__, bulkjson, clock
from ..graph.client import GraphClient
from . import depth
from .collectors import Progress, collect_all
from ..errors import Phrase
from .snapshot import FAILED, Section, Snapshot
from .snapshot_file import repeated_id


async def collect_snapshot(client: GraphClient, *, label: str = "", progress: Progress | None = None,
                           previous: Snapshot | None = None, processes: int | None = 1) -> Snapshot:
    """Collect the five areas of one tenant into a Snapshot (raw JSON throughout).

    + client: an open GraphClient for the tenant.
    + label: how to name the tenant if /organization cannot be read (the profile name or URL).
    + progress: called with one line per finished section (the CLI prints them on stderr).
    + previous: an earlier snapshot of the same tenant and endpoint: users, groups and devices are read as
      changes since then (delta queries, collect/delta.py); otherwise, or for another tenant, in full.
    + processes: 2 (or None: as READINESS_COLLECT_PROCESSES or the CPUs say) lets a helper process read part of a
      full read (collect/helper.py); the snapshot is the same.
    """
    from .delta import Previous

    started = time.monotonic()
    collected_at = clock.iso_now()
    # the cyclic collector would walk every parsed page again and again; at the end what was built goes to the oldest
    # generation at once (cycles=False) instead of through a full pass that walks every column (0.11-0.24 s at 100k)
    # to free next to nothing: 20-83 objects, the requests' leftovers, which the next full collection frees (issue 15)
    from . import helper as helpers

    prev = Previous(previous, client.endpoint.base_url)
    helper = helpers.planned(client, progress or (lambda _m: None), processes=processes, full_read=prev.snap is None)
    try:
        with bulkjson.bulk_objects(cycles=False):
            sections = await collect_all(client, progress, prev, more=depth.jobs, helper=helper)
    finally:
        if helper is not None:
            await helper.close()
    _each_object_once(sections)
    org = (sections["organization"].data or [{}])[0] if sections["organization"].usable else {}
    snap = Snapshot(
        tenant_id=org.get("id", ""),
        tenant_name=org.get("displayName") or label,
        cloud=client.endpoint.cloud,
        endpoint=client.endpoint.base_url,
        collected_at=collected_at,
        sections=sections,
        tool=f"readiness {__version__}",
    )
    budget = getattr(client, "budget", None)
    snap.requests = dict(client.stats.as_dict(), seconds=round(time.monotonic() - started, 3),
                         waited_seconds=round(budget.waited, 3) if budget is not None else 0.0,
                         processes=2 if helper is not None and helper.delivered else 1)
    return snap


def _each_object_once(sections: dict[str, Section]) -> None:
    """A read that gave an object twice (the same id on two pages) failed: Graph gives each object of a collection
    once (paging.md), so the server's paging went wrong and the section cannot be trusted to be whole. Checked
    here, as the snapshot file's reader does (snapshot_file.ids_once), so an audit never writes a snapshot that
    cannot be read back. The section becomes "failed", without its data and its delta link (a later re-audit reads
    it in full)."""
    for name, sec in list(sections.items()):
        twice = repeated_id(name, sec.data) if sec.usable else None
        if twice is not None:
            sections[name] = Section(name, FAILED, endpoint=sec.endpoint, reason=Phrase(
                "errors.graph.object_twice.what", name=sec.endpoint or name, id=json.dumps(str(twice[0]))[1:-1][:60],
                row=(twice[1] + 1)))


def refuse_unreadable(snap: Snapshot, label: str, profile: bool = False) -> None:
    """AuthError when nothing could be read because Graph refused the token (401 everywhere: expired, revoked,
    for another tenant) or every request (403: admin consent missing). Such a snapshot is no audit with nothing
    in it, and must neither look like one nor become a plan with nothing to do. ``profile``: ``label`` is a tenant
    profile's name (the advice then names it)."""
    from ..errors import AuthError

    sections = list(snap.sections.values())
    if not sections or any(s.usable for s in sections):
        return
    if all(s.status in ("forbidden", "skipped") for s in sections):
        # a profile's name goes into the advice (`readiness tenant test kunde-a`); a --graph-url has no profile to test
        raise AuthError.keyed("auth.no_consent", label=label, **({"fix_key": "auth.no_consent_named"} if profile else {}))
    rejected = [s for s in sections if s.status == "failed" and s.reason.startswith("Graph answered 401")]
    if not rejected:
        return
    detail = rejected[0].reason.rsplit(": ", 1)[-1].rstrip(".")
    raise AuthError.keyed("auth.refused_sign_in", label=label, detail=detail)
