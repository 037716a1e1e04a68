"""The fleet's only door into single-tenant readiness: connect, collect, evaluate, render.

Everything the fleet needs from the rest of the package goes through these few functions, so that moving
to the public API (``readiness.aio.collect(conn)``, ``readiness.evaluate(snap, previous)``) is a change to
this file alone.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any, Callable

Progress = Callable[[str], None]


def profiles() -> list[Any]:
    """Every saved tenant profile, sorted by name."""
    return profile_store().list()[0]


def profile_store() -> Any:
    from ..profiles import ProfileStore

    return ProfileStore()


def make_profile(**fields: Any) -> Any:
    """A TenantProfile (not yet validated or saved)."""
    from ..profiles import TenantProfile

    return TenantProfile(**fields)


def check_needs() -> list[tuple[str, tuple[str, ...]]]:
    """(check id, the snapshot parts it requires) for every registered check."""
    from ..checks.registry import registry

    return [(cid, tuple(spec.requires)) for cid, spec in sorted(registry().items())]


def connection(name: str) -> Any:
    """The connection of a saved profile (raises ReadinessError when the profile is unusable)."""
    from ..connection import resolve

    return resolve(name, None)


async def collect(conn: Any, *, concurrency: int = 8, max_wait: float = 300.0, progress: Progress | None = None,
                  client_factory: Callable[..., Any] | None = None) -> Any:
    """Collect one tenant into a Snapshot. Call inside the running event loop; the client is closed after."""
    from ..collect.run import collect_snapshot
    from ..graph.retry import RetryPolicy

    policy = RetryPolicy(max_total_wait=max_wait)
    if client_factory is not None:
        client = client_factory(conn, concurrency=concurrency, policy=policy)
    else:
        client = conn.open(concurrency=concurrency, policy=policy)
    try:
        return await collect_snapshot(client, label=conn.label, progress=progress)
    finally:
        await client.aclose()


def evaluate(snapshot: Any) -> Any:
    from ..audit import evaluate as _evaluate

    return _evaluate(snapshot)


def audit_data(result: Any, lang: str = "en") -> dict:
    from ..audit import audit_data as _audit_data

    return _audit_data(result, lang)


def usable(snapshot: Any, section: str) -> bool:
    return snapshot.section(section).usable


def sections(snapshot: Any) -> dict[str, Any]:
    return snapshot.sections


def load_snapshot(path: Path) -> Any:
    from ..collect.snapshot import Snapshot

    return Snapshot.load(path)


def render_report(result: Any, fmt: str, lang: str, *, trend: dict | None = None, exit_code: int = 0) -> str:
    """One tenant's own report (the fleet summary links to it)."""
    from ..report import ReportInput, render

    return render(ReportInput(result, trend), fmt, lang, command="fleet audit", exit_code=exit_code)


def trend(previous: Any, current: Any) -> dict:
    from ..trend import compare

    return compare(previous, current)


def check_rows(result: Any) -> list[tuple[str, str, str, dict, str]]:
    """(check id, severity, status, title {lang: text}, effort) for every check of an audit."""
    return [(spec.id, spec.severity.value, st.value, spec.title, spec.effort) for spec, st, _ in result.checks]


def top_actions(result: Any, limit: int = 3) -> list[dict]:
    return [{"id": spec.id, "severity": spec.severity.value, "title": spec.title, "effort": spec.effort,
             "fix_playbook": spec.fix_playbook} for spec, _st, _f in result.top_actions(limit)]


def severity_rank(severity: str) -> int:
    from ..checks.model import Severity

    return Severity(severity).rank


def data_dir() -> Path:
    from ..paths import data_dir as _data_dir

    return _data_dir()


def private_dir(path: Path) -> Path:
    from ..paths import private_dir as _private_dir

    _private_dir(path)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, text: str) -> None:
    from ..paths import write_private as _write_private

    _write_private(path, text)


def write_private_gz(path: Path, doc: dict) -> None:
    """A gzipped JSON file created 0600 from the start (snapshots hold personal data)."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    os.replace(tmp, path)


def snapshot_doc(snapshot: Any) -> dict:
    return snapshot.to_dict()
