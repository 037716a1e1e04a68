"""Many client tenants from a script: audit a fleet, summarise fleet folders, history over time, the MSP demo.

These wrap ``readiness.fleet`` (the fleet workflows and the folders they write); ``readiness.aio.fleet_audit``
is the awaitable twin of ``fleet_audit`` (the fleet collects through ``api/collecting.py``, not through aio). Entries are the per-tenant dicts the fleet folders hold
(``name``, ``status``, ``score``, ``checks``, ``new_failing``, ``fixed``, ``regressed``, ``files``, ...).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .. import aio
from ..errors import UsageError
from .fleet_results import FleetAudit, FleetHistory, FleetReport

Progress = Callable[[str], None]


def fleet_select(tenants: list[str] | None = None, tags: list[str] | None = None, shard: str | None = None) -> list[str]:
    """The profiles a fleet audit covers: named ones, or those with any of ``tags``, or all; ``shard`` "I/N"."""
    from ..fleet.audit import parse_shard, select

    if tenants is not None and not [t for t in tenants if t.strip()]:
        # `--tenants "$CLIENTS"` with an empty variable must not audit every client
        raise UsageError.keyed("fleet.tenants_empty")
    named = [t.strip() for t in tenants if t.strip()] if tenants is not None else None
    return select(named, list(tags or []), parse_shard(shard))


def fleet_audit(names: list[str], out_dir: Path | str, *, concurrency: int = 4, requests_per_tenant: int = 8,
                max_wait: float = 300.0, previous: str | None = "auto", lang: str = "en", html: bool = True,
                fail_on_new: str | None = None, verbose: bool = False, progress: Progress | None = None) -> FleetAudit:
    """Audit each named profile into ``out_dir/<profile>/``; one failing tenant never stops the others."""
    return aio.run_sync(aio.fleet_audit(names, out_dir, concurrency=concurrency, requests_per_tenant=requests_per_tenant,
                                        max_wait=max_wait, previous=previous, lang=lang, html=html,
                                        fail_on_new=fail_on_new, verbose=verbose, progress=progress))


def import_tenants(path: Path | str, *, replace: bool = False, dry_run: bool = False) -> Any:
    """Onboard many client tenants from one CSV (columns: ``readiness.fleet.onboard.COLUMNS``): every row is
    validated, the valid ones added (existing names skipped unless ``replace``), nothing with ``dry_run``.
    Returns an ``ImportReport``: ``rows`` (line, name, status, reason), ``added``, ``skipped``, ``invalid``,
    ``new_default`` ((profile, previous default) when the default changed)."""
    from ..fleet.onboard import import_profiles

    from . import arguments

    return import_profiles(arguments.path(path, "import_tenants"), replace=replace, dry_run=dry_run)


def discover_tenants(partner: str, *, tags: list[str] | tuple[str, ...] = ("gdap",), add: bool = False) -> Any:
    """A partner profile's GDAP customers as profiles to add (``add=True`` saves them); see readiness.aio.discover_tenants."""
    return aio.run_sync(aio.discover_tenants(partner, tags=tags, add=add))


def fleet_report(dirs: list[Path | str], previous: str | None = None) -> FleetReport:
    """The newest audit per tenant across ``fleet audit`` folders (shards merge).

    + previous: an earlier fleet folder (drift against its newest older audit), "auto" (what each audit recorded
      against its last one) or None (no drift: ``new_failing``/``fixed``/``regressed`` are None).
    """
    from ..fleet import store
    from ..fleet.drift import check_drift

    folders = [Path(d) for d in dirs]
    latest = store.latest_per_tenant(folders)
    unreadable = store.unreadable(folders + ([Path(previous)] if previous not in (None, "", "auto") else []))
    if latest and previous and previous != "auto":
        prev_dir = Path(previous)
        if not prev_dir.is_dir():
            raise UsageError.keyed("fleet.previous_not_folder", path=str(previous))
        prev_folders = store.tenant_folders(prev_dir)
        if not prev_folders:  # a typo must not read as "nothing changed"
            raise UsageError.keyed("fleet.previous_empty", path=str(previous))
        for name, e in latest.items():
            # the newest audit there older than this one: the same folder given twice is not compared with itself
            old = store.latest_entry(prev_folders.get(name, []), before=e.get("stamp") or None,
                                     where=lambda d: d.get("status") != "failed")
            drift = check_drift(old.get("checks"), e.get("checks")) if old else None
            e.update(drift or {"new_failing": None, "fixed": None, "regressed": None})
    elif not previous:
        for e in latest.values():
            e.update(new_failing=None, fixed=None, regressed=None)
    return FleetReport(list(latest.values()), list(unreadable))


def fleet_history(tenant: str | None = None, dirs: list[Path | str] | None = None) -> FleetHistory:
    """Score and share of ready people over time, per tenant, from the data folder's history and ``dirs``."""
    from ..fleet import runner, store
    from ..fleet.history import collect_history

    folders = [Path(d) for d in dirs or []]
    series = collect_history(tenant, folders)
    return FleetHistory(series, list(store.unreadable([runner.data_dir() / "history", *folders])))


def fleet_demo(count: int = 12, out_dir: Path | str | None = None, lang: str = "en", progress: Progress | None = None) -> str:
    """The MSP experience end to end on a simulated fleet; returns the text it tells."""
    from ..fleet.demo import run_demo

    return run_demo(count, Path(out_dir) if out_dir is not None else None, lang, progress or (lambda _: None))


async def fleet_audit_async(names: list[str], out_dir: Any, **options: Any) -> Any:
    """The awaitable fleet audit under its earlier name; ``readiness.aio.fleet_audit`` is the one to use."""
    return await aio.fleet_audit(names, out_dir, **options)
