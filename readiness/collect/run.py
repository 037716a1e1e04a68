"""collect_snapshot(): one tenant, every area, one Snapshot."""
from __future__ import annotations

import time

from .. import __version__, clock
from ..graph.client import GraphClient
from .collectors import Progress, collect_all
from .snapshot import Snapshot


async def collect_snapshot(client: GraphClient, *, label: str = "", progress: Progress | None = None) -> Snapshot:
    """Collect the five areas of one tenant into a Snapshot (raw JSON throughout).

    + client: an open GraphClient for the tenant.
    + label: how to name the tenant if /organization cannot be read (the profile name or URL).
    + progress: called with one line per finished section (the CLI prints them on stderr).
    """
    started = time.monotonic()
    collected_at = clock.iso_now()
    sections = await collect_all(client, progress)
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
                         waited_seconds=round(budget.waited, 3) if budget is not None else 0.0)
    return snap
