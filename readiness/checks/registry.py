"""The check registry and the engine that runs checks over a snapshot.

The engine, not the check, deals with sections that could not be read (NOT_EVALUABLE with the
reason) and with checks that raise (ERROR; the run goes on).
"""
from __future__ import annotations

import importlib
import re
from typing import Any, Callable, Iterable

from ..collect.snapshot import Snapshot
from .model import AREAS, CheckSpec, Finding, Severity, Status, t
from .unavailable import describe

_REGISTRY: dict[str, CheckSpec] = {}
AREA_MODULES = ("licences", "teams", "sharing", "devices", "identity")
_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


def check(*, id: str, area: str, severity: str, title: dict[str, str], requires: tuple[str, ...],
          rationale: dict[str, str], remediation: dict[str, str], fix_playbook: str | None = None,
          effort: str = "hours", references: tuple[str, ...] = ()) -> Callable:
    """Register a check. ``id`` is stable and never reused; its prefix names the area."""

    def deco(func: Callable[[Any], Iterable[Finding]]) -> Callable:
        if not _ID.match(id) or area not in AREAS or id in _REGISTRY:
            raise ValueError(f"bad or duplicate check id {id!r} / area {area!r}")
        _REGISTRY[id] = CheckSpec(id, area, Severity(severity), title, requires, rationale, remediation, fix_playbook,
                                  effort, func, references)
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
        why = describe(sec)
        kind = "licence" if sec.licence else ("permission" if sec.permission else "collection")
        return Finding(spec.id, Status.NOT_EVALUABLE,
                       t(f"Not checked: {why['en']}.", f"Nicht geprüft: {why['de']}."),
                       evidence={"section": name, "section_status": sec.status, "missing": kind,
                                 "permission": sec.permission, "licence": sec.licence})
    return None


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
            findings = list(spec.func(snapshot))
        except Exception as exc:  # a broken check must not end the audit
            findings = [Finding(spec.id, Status.ERROR, t(f"The check failed: {type(exc).__name__}: {exc}.",
                                                         f"Die Prüfung ist fehlgeschlagen: {type(exc).__name__}: {exc}."))]
        if not findings:
            findings = [Finding(spec.id, Status.ERROR, t("The check returned no result.", "Die Prüfung lieferte kein Ergebnis."))]
        out.append((spec, findings))
    return out
