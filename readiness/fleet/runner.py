"""The fleet's only door into single-tenant readiness: connect, collect, evaluate, render, profiles.

The fleet is a client of the public API (``readiness.connect``, ``readiness.aio.collect``,
``readiness.evaluate``, ``readiness.render``); the few internals it still needs (the retry policy, the
profile store, the check registry, private files) are reached here too, so that a move of any of them is
a change to this file alone.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Callable

from ..i18n import in_every_language

Progress = Callable[[str], None]


def profiles() -> list[Any]:
    """Every saved tenant profile, sorted by name."""
    return profile_store().list()[0]


def profile_store() -> Any:
    from ..config.profiles import ProfileStore

    return ProfileStore()


def make_profile(**fields: Any) -> Any:
    """A TenantProfile (not yet validated or saved)."""
    from ..config.profiles import TenantProfile

    return TenantProfile(**fields)


def check_needs() -> list[tuple[str, tuple[str, ...]]]:
    """(check id, the snapshot parts it requires) for every registered check."""
    from ..checks.registry import registry

    return [(cid, tuple(spec.requires)) for cid, spec in sorted(registry().items())]


def connection(name: str, *, concurrency: int = 8, max_wait: float = 300.0) -> Any:
    """The connection of a saved profile (raises ReadinessError when the profile is unusable).

    + concurrency: requests in flight for this tenant; max_wait: seconds one request may wait on throttling.
    """
    import readiness

    from ..graph.retry import RetryPolicy

    return readiness.connect(tenant=name, concurrency=concurrency, policy=RetryPolicy(max_total_wait=max_wait))


async def collect(conn: Any, *, progress: Progress | None = None) -> Any:
    """Collect one tenant into a Snapshot on the running loop (its own client, closed after)."""
    from ..api.collecting import collect_async

    return await collect_async(conn, progress)


def evaluate(snapshot: Any, previous: Any = None) -> Any:
    """The finished Audit (with the trend when ``previous``, an earlier snapshot, is given)."""
    import readiness

    return readiness.evaluate(snapshot, previous)


def render_audit(audit: Any, fmt: str, lang: str, *, command: str = "fleet audit") -> str:
    """One tenant's own report or JSON (the fleet summary links to the report)."""
    import readiness

    return readiness.render(audit, fmt, lang, command=command)


def audit_json(audit: Any, lang: str, *, command: str = "fleet audit") -> str:
    """The audit's JSON envelope (as `readiness audit -o json`), written compactly: a fleet writes hundreds."""
    from ..render.audit_json import audit_dict
    from ..render.envelope import ENVELOPE_VERSION

    doc = {"schema_version": ENVELOPE_VERSION, "command": command, "status": audit.status, "exit_code": 0,
           "data": audit_dict(audit, lang), "errors": []}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def check_rows(audit: Any) -> list[tuple[str, str, str, dict, str]]:
    """(check id, severity, status, title {lang: text}, effort) for every check of an audit."""
    return [(c.spec.id, c.spec.severity.value, c.status.value, in_every_language(c.spec.title), c.spec.effort) for c in audit.checks]


def top_actions(audit: Any, limit: int = 3) -> list[dict]:
    return [{"id": a.spec.id, "severity": a.spec.severity.value, "title": in_every_language(a.spec.title), "effort": a.spec.effort,
             "fix_playbook": a.spec.fix_playbook} for a in audit.top_actions[:limit]]


def not_evaluated_sections(audit: Any) -> list[str]:
    return [n.section for n in audit.not_evaluated]


def usable(snapshot: Any, section: str) -> bool:
    return snapshot.section(section).usable


def sections(snapshot: Any) -> dict[str, Any]:
    return snapshot.sections


def load_snapshot(path: Path) -> Any:
    import readiness

    return readiness.load_snapshot(path)


def severity_rank(severity: str) -> int:
    from ..checks.model import Severity

    return Severity(severity).rank


def data_dir() -> Path:
    from ..paths import data_dir as _data_dir

    return _data_dir()


def private_dir(path: Path) -> Path:
    """Make ``path`` a 0700 folder. A symbolic link there is refused, not followed: an output folder that came
    from elsewhere (a downloaded artifact) must not make the audit write into its target."""
    import errno

    from ..paths import private_dir as _private_dir

    if path.is_symlink():
        raise OSError(errno.ELOOP, f"{path} is a symbolic link; remove it so that a real folder can be made")
    return _private_dir(path)  # created 0700; an existing folder (--out-dir /tmp) keeps its mode


def write_private(path: Path, text: str) -> None:
    from ..paths import write_private as _write_private

    _write_private(path, text)


def write_private_gz(path: Path, doc: dict) -> None:
    """A gzipped JSON file created 0600 from the start (snapshots hold personal data)."""
    from ..safe_io import open_output  # mkstemp, fsync, atomic replace (readiness/safe_io.py)

    private_dir(path.parent)
    with open_output(path) as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def snapshot_doc(snapshot: Any) -> dict:
    return snapshot.to_dict()
