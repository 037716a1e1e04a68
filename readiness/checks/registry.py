"""The check registry and the engine that runs checks over a snapshot.

The engine, not the check, deals with sections that could not be read (NOT_EVALUABLE with the
reason) and with checks that raise (ERROR; the run goes on).
"""
from __future__ import annotations

import importlib
import re
from dataclasses import replace
from typing import Any, Callable, Iterable

from ..collect.snapshot import Snapshot
from ..i18n import Message
from .model import AREAS, CheckSpec, Finding, Severity, Status
from .unavailable import describe

_REGISTRY: dict[str, CheckSpec] = {}
AREA_MODULES = ("licences", "teams", "sharing", "devices", "identity", "recovery", "seats", "endpoints")
_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


def check(*, id: str, area: str, severity: str, requires: tuple[str, ...], fix_playbook: str | None = None,
          effort: str = "hours", references: tuple[str, ...] = ()) -> Callable:
    """Register a check. ``id`` is stable and never reused; its prefix names the area.

    Its title, rationale, remediation and messages are in the catalogue under ``checks.<id>``.
    """

    def deco(func: Callable[[Any], Iterable[Finding]]) -> Callable:
        if not _ID.match(id) or area not in AREAS or id in _REGISTRY:
            raise ValueError(f"bad or duplicate check id {id!r} / area {area!r}")
        _REGISTRY[id] = CheckSpec(id, area, Severity(severity), requires, fix_playbook, effort, func, references)
        return func

    return deco


def registry() -> dict[str, CheckSpec]:
    for name in AREA_MODULES:
        importlib.import_module(f"readiness.checks.{name}")
    return dict(sorted(_REGISTRY.items()))


def get(check_id: str) -> CheckSpec | None:
    return registry().get(check_id)


def _unavailable(snapshot: Snapshot, spec: CheckSpec) -> Finding | None:
    for name in spec.requires:
        sec = snapshot.section(name)
        if sec.usable:
            continue
        kind = "licence" if sec.licence else ("permission" if sec.permission else "collection")
        return Finding(spec.id, Status.NOT_EVALUABLE, Message("engine.not_checked", {"why": describe(sec)}),
                       evidence={"section": name, "section_status": sec.status, "missing": kind,
                                 "permission": sec.permission, "licence": sec.licence})
    return None


def _qualified(spec: CheckSpec, f: Finding) -> Finding:
    """The engine knows which check runs: it names the finding's check and its message key."""
    key = f.message.key if "." in f.message.key else f"checks.{spec.id}.{f.message.key}"
    return replace(f, check_id=spec.id, message=Message(key, f.message.params))


def run_checks(snapshot: Snapshot, ids: Iterable[str] | None = None) -> list[tuple[CheckSpec, list[Finding]]]:
    """Run every (or the named) check; each yields at least one finding."""
    specs = registry()
    chosen = [specs[i] for i in ids] if ids else list(specs.values())
    out = []
    for spec in chosen:
        blocked = _unavailable(snapshot, spec)
        if blocked is not None:
            out.append((spec, [blocked]))
            continue
        try:
            findings = [_qualified(spec, f) for f in spec.func(snapshot)]
        except Exception as exc:  # a broken check must not end the audit
            findings = [Finding(spec.id, Status.ERROR, Message("engine.check_failed", {"error": f"{type(exc).__name__}: {exc}"}))]
        if not findings:
            findings = [Finding(spec.id, Status.ERROR, Message("engine.no_result"))]
        out.append((spec, findings))
    return out
