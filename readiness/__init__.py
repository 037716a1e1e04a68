"""readiness: measure and raise a Microsoft 365 tenant's readiness for remote work in a crisis.

``import readiness`` is the product; the ``readiness`` command is one client of it::

    import readiness
    conn = readiness.connect(tenant="kunde-a")          # or graph_url=..., token=... / credential=...
    snap = readiness.collect(conn)                       # -> Snapshot (snap.save(path), readiness.load_snapshot(path))
    audit = readiness.evaluate(snap, previous=None)      # -> Audit: finished, language-free
    html = readiness.render(audit, format="html", lang="de")
    plan = readiness.plan("emergency-home-office", conn, params={"team_owners": "chefin@kunde-a.de"})
    run = readiness.apply(plan, conn, confirm=True)      # -> Run; resume/verify/undo(run_id, conn)

Every function runs its own event loop; ``readiness.aio`` has the awaitable twins. Errors are
``readiness.ReadinessError`` subclasses carrying ``what``, ``fix`` and ``exit_code``. Names load lazily,
so that ``readiness --help`` imports neither msgraph nor azure nor keyring. See docs/library.md.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import i18n as _i18n  # noqa: F401 - hands the catalogue to readiness.errors before any error is raised

__version__ = "0.1.0"

_EXPORTS = {
    # reaching a tenant
    "connect": "readiness.api.tenant", "collect": "readiness.api.tenant", "load_snapshot": "readiness.api.tenant", "start_saving": "readiness.api.saving",
    "Connection": "readiness.config.connection", "Snapshot": "readiness.collect.snapshot",
    # tenant profiles (readiness tenant ...)
    "add_tenant": "readiness.api.tenants", "list_tenants": "readiness.api.tenants", "get_tenant": "readiness.api.tenants",
    "tenant_record": "readiness.api.tenants", "remove_tenant": "readiness.api.tenants",
    "set_default_tenant": "readiness.api.tenants", "store_secret": "readiness.api.tenants", "login": "readiness.api.tenants",
    "check_tenant": "readiness.api.tenants", "AUTH_METHODS": "readiness.api.tenants", "CLOUD_NAMES": "readiness.api.tenants",
    "TenantAdded": "readiness.api.tenants", "TenantList": "readiness.api.tenants", "TenantRemoved": "readiness.api.tenants",
    "TenantCheck": "readiness.api.tenant_check", "token_expires_at": "readiness.api.tenant_check", "TenantProfile": "readiness.config.profiles",
    # audit and reports
    "evaluate": "readiness.api.audit", "render": "readiness.api.audit", "list_checks": "readiness.api.audit",
    "get_check": "readiness.api.audit", "load_prices": "readiness.audit.prices", "Audit": "readiness.audit.model", "CheckResult": "readiness.audit.model",
    "Action": "readiness.audit.model", "NotEvaluated": "readiness.audit.model", "format_for": "readiness.render.formats",
    # playbooks
    "plan": "readiness.api.playbooks", "load_plan": "readiness.api.playbooks", "apply": "readiness.api.playbooks",
    "resume": "readiness.api.playbooks", "verify": "readiness.api.playbooks", "undo": "readiness.api.playbooks",
    "runs": "readiness.api.playbooks", "run_info": "readiness.api.playbooks", "run_ids": "readiness.api.playbooks",
    "save_plan": "readiness.api.playbooks", "timeline": "readiness.api.playbooks", "list_playbooks": "readiness.api.playbooks",
    "Plan": "readiness.api.results", "Run": "readiness.api.results", "undo_preview": "readiness.api.playbooks",
    "UndoPreview": "readiness.playbook.service", "load_playbook": "readiness.api.playbooks",
    "playbook_source": "readiness.api.playbooks", "list_actions": "readiness.api.playbooks", "ActionType": "readiness.api.playbooks",
    "PlaybookPlan": "readiness.api.results", "RunResult": "readiness.api.results", "Verification": "readiness.api.results",
    "RunInfo": "readiness.api.results", "Timeline": "readiness.api.results",
    # before, during and after the crisis (docs/crisis.md)
    "letters": "readiness.crisis.letters", "drill": "readiness.crisis.drill", "render_drill": "readiness.crisis.drill_report",
    "list_drills": "readiness.crisis.drill", "lessons": "readiness.crisis.lessons",
    "render_lessons": "readiness.crisis.lessons_report", "lessons_to_measures": "readiness.crisis.lessons_report",
    "measures_load": "readiness.crisis.api", "measures_add": "readiness.crisis.api", "measures_set": "readiness.crisis.api",
    "measures_track": "readiness.crisis.api", "measures_export": "readiness.crisis.api", "track_measures": "readiness.crisis.api",
    # many client tenants (docs/fleet.md)
    "fleet_select": "readiness.api.fleet", "fleet_audit": "readiness.api.fleet", "fleet_report": "readiness.api.fleet",
    "fleet_history": "readiness.api.fleet", "fleet_demo": "readiness.api.fleet", "import_tenants": "readiness.api.fleet",
    "discover_tenants": "readiness.api.fleet", "Discovery": "readiness.fleet.discover", "ImportReport": "readiness.fleet.onboard", "FleetAudit": "readiness.api.fleet_results",
    "FleetReport": "readiness.api.fleet_results", "FleetHistory": "readiness.api.fleet_results",
    "Severity": "readiness.checks.model",
    # the built-in simulator
    "serve_simulator": "readiness.api.simulator", "serve_fleet_simulator": "readiness.api.simulator",
    "SIMULATOR_PROFILES": "readiness.api.simulator", "RunningSimulator": "readiness.api.simulator",
    "generate_tenant": "readiness.api.simulator",
    "demo": "readiness.api.demo", "demo_params": "readiness.api.demo", "Demo": "readiness.api.demo",
    # errors (each carries what, fix and exit_code)
    "ReadinessError": "readiness.errors", "UsageError": "readiness.errors", "ConfigError": "readiness.errors",
    "SecretStoreError": "readiness.errors", "AuthError": "readiness.errors", "GraphError": "readiness.errors",
    "GraphUnavailable": "readiness.errors", "SnapshotError": "readiness.errors", "ExitCode": "readiness.exitcodes",
    "TokenRejected": "readiness.errors", "DataIncomplete": "readiness.errors",
    "StalePlan": "readiness.playbook.service", "BlockedPlan": "readiness.playbook.service",
    "WrongTenant": "readiness.playbook.service",
    "LockHeld": "readiness.playbook.runs", "PlaybookError": "readiness.playbook.loader",
}
__all__ = sorted(_EXPORTS) + ["aio"]


# `readiness.collect` and `readiness.render` are API functions; the packages of the same name stay importable
# (`from readiness.collect.snapshot import Snapshot`) but are not bound over the functions when they load.
_FUNCTIONS_OVER_PACKAGES = frozenset({"collect", "render"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_PACKAGES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name == "aio":
        return import_module("readiness.aio")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'readiness' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for editors and type checkers; at run time the names above load on first use
    from . import aio  # noqa: F401
    from .api.audit import evaluate, get_check, list_checks, render  # noqa: F401
    from .audit.prices import load_prices  # noqa: F401
    from .api.playbooks import (ActionType, apply, list_actions, list_playbooks, load_plan, load_playbook, plan,  # noqa: F401
                                playbook_source, resume, run_ids, run_info, runs, save_plan, timeline, undo, undo_preview, verify)
    from .api.demo import Demo, demo, demo_params  # noqa: F401
    from .api.simulator import SIMULATOR_PROFILES, RunningSimulator, generate_tenant, serve_fleet_simulator, serve_simulator  # noqa: F401
    from .api.tenant_check import TenantCheck, token_expires_at  # noqa: F401
    from .api.tenants import (AUTH_METHODS, CLOUD_NAMES, TenantAdded, TenantList, TenantRemoved, add_tenant,  # noqa: F401
                              check_tenant, get_tenant, list_tenants, login, remove_tenant, set_default_tenant, store_secret,
                              tenant_record)
    from .config.profiles import TenantProfile  # noqa: F401
    from .api.fleet import (discover_tenants, fleet_audit, fleet_demo, fleet_history, fleet_report,  # noqa: F401
                            fleet_select, import_tenants)
    from .fleet.discover import Discovery  # noqa: F401
    from .fleet.onboard import ImportReport  # noqa: F401
    from .api.fleet_results import FleetAudit, FleetHistory, FleetReport  # noqa: F401
    from .checks.model import Severity  # noqa: F401
    from .crisis.api import measures_add, measures_export, measures_load, measures_set, measures_track, track_measures  # noqa: F401
    from .crisis.drill import drill, list_drills  # noqa: F401
    from .crisis.drill_report import render_drill  # noqa: F401
    from .crisis.lessons import lessons  # noqa: F401
    from .crisis.lessons_report import lessons_to_measures, render_lessons  # noqa: F401
    from .crisis.letters import letters  # noqa: F401
    from .api.tenant import collect, connect, load_snapshot  # noqa: F401
    from .api.results import Plan, PlaybookPlan, Run, RunInfo, RunResult, Timeline, Verification  # noqa: F401
    from .audit.model import Action, Audit, CheckResult, NotEvaluated  # noqa: F401
    from .collect.snapshot import Snapshot  # noqa: F401
    from .config.connection import Connection  # noqa: F401
    from .errors import (AuthError, ConfigError, DataIncomplete, GraphError, GraphUnavailable, ReadinessError,  # noqa: F401
                         SecretStoreError, SnapshotError, TokenRejected, UsageError)
    from .exitcodes import ExitCode  # noqa: F401
    from .playbook.loader import PlaybookError  # noqa: F401
    from .playbook.runs import LockHeld  # noqa: F401
    from .playbook.service import BlockedPlan, StalePlan, UndoPreview, WrongTenant  # noqa: F401
    from .render.formats import format_for  # noqa: F401
