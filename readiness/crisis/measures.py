"""The measures register: what a tenant's IT provider promised to do, by whom, by when, and whether it is done.

One JSON file per tenant (``<data>/measures/<tenant>.json``, or any path: keep it in Git). Stable: keys
sorted, measures ordered by id, two-space indents, a trailing newline, ``schema_version``. A measure's
source is a check (``check:identity.mfa_registration``: done when that check passes) or a lesson (free text: done when its
owner says so). Every audit updates the register (``track``): measures whose check passes become done,
measures whose check fails again are reopened, and open measures past their due date (readiness.clock)
are overdue. The audit's summary then carries ``measures``: overdue and done since the last audit.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import clock
from ..errors import ConfigError, Phrase, UsageError
from ..paths import data_dir, write_private
from ..safe_io import InputError, read_regular
from ..render.safe import csv_cell

if TYPE_CHECKING:
    from ..audit.model import Audit

SCHEMA_VERSION = 1
MAX_BYTES = 20_000_000  # a register of thousands of measures is well below this
STATUSES = ("open", "in_progress", "done", "dropped")
CLOSED = {"done", "dropped"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIELDS = ("id", "title", "source", "owner", "due", "metric", "target", "status", "overdue", "done_on", "priority",
          "last_result", "updated")


@dataclass
class Measure:
    id: str
    title: str
    source: str  # "check:identity.mfa_registration" or "lesson:<run id or text>"
    owner: str = ""
    due: str = ""  # ISO date
    metric: str = ""
    target: str = ""
    status: str = "open"
    overdue: bool = False
    done_on: str = ""  # ISO date the measure became done
    priority: int = 2  # 1 high, 2 normal, 3 low
    last_result: str = ""  # the check's status at the last audit
    updated: str = ""  # ISO date of the last change

    @property
    def check_id(self) -> str:
        kind, _, ref = self.source.partition(":")
        return ref if kind == "check" else ""


@dataclass
class Register:
    tenant: str
    measures: list[Measure] = field(default_factory=list)
    last_audit: dict = field(default_factory=dict)  # collected_at, overdue and done ids of the last audit
    path: Path | None = None

    def get(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id.lower() == measure_id.lower():
                return m
        raise UsageError.keyed("crisis.no_measure", measure_id=measure_id, tenant=self.tenant)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "tenant": self.tenant, "last_audit": self.last_audit,
                "measures": [asdict(m) for m in sorted(self.measures, key=lambda m: m.id)]}

    def save(self) -> Path:
        assert self.path is not None
        write_private(self.path, json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return self.path


@dataclass
class Tracked:
    """What one audit changed in the register (also put into the audit's summary as ``measures``)."""

    overdue: list[Measure]
    done_since_last: list[Measure]
    reopened: list[Measure]
    open: int

    def summary(self) -> dict:
        row = lambda m: {"id": m.id, "title": m.title, "owner": m.owner, "due": m.due, "target": m.target}  # noqa: E731
        return {"overdue": [row(m) for m in self.overdue], "done_since_last": [row(m) for m in self.done_since_last],
                "reopened": [row(m) for m in self.reopened], "open": self.open}


def tenant_name(tenant: str | None) -> str:
    """The register's name: the tenant profile given, else the default profile's name."""
    if not tenant:
        from ..config.profiles import ProfileStore

        profile = ProfileStore().default()
        if profile is None:
            raise UsageError.keyed("crisis.no_tenant")
        tenant = profile.name
    if not _NAME.match(tenant):
        raise UsageError.keyed("crisis.bad_register_name", tenant=tenant)
    return tenant


def register_path(tenant: str) -> Path:
    return data_dir() / "measures" / f"{tenant}.json"


def load_register(tenant: str | None = None, path: Path | str | None = None) -> Register:
    """The tenant's register (an empty one if there is none yet)."""
    name = tenant_name(tenant) if tenant or path is None else (tenant or "")
    path = Path(path) if path else register_path(name)
    if not path.exists() and not path.is_symlink():
        return Register(name or path.stem, path=path)
    try:
        raw = read_regular(path, MAX_BYTES, Phrase("errors.files.nouns.measures_register"))
        if len(raw) > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES // 1_000_000} MB")
        doc = json.loads(raw.decode("utf-8"))
    except InputError as exc:
        raise ConfigError(exc.what, exc.fix, key=exc.key, params=exc.params, fix_key=exc.fix_key) from exc
    except (OSError, ValueError, RecursionError) as exc:
        raise ConfigError.keyed("crisis.register_unreadable", path=path, error_type=type(exc).__name__) from exc
    version = doc.get("schema_version", 0) if isinstance(doc, dict) else None
    if type(version) is not int or version > SCHEMA_VERSION or version < 0:
        raise ConfigError.keyed("crisis.register_version", path=path)
    measures = [_measure(m, path, i) for i, m in enumerate(doc.get("measures") or [])] if isinstance(doc.get("measures") or [], list) else None
    if measures is None or not isinstance(doc.get("last_audit") or {}, dict) or not isinstance(doc.get("tenant") or "", str):
        raise ConfigError.keyed("crisis.register_shape", path=path)
    return Register(doc.get("tenant") or name, measures, doc.get("last_audit") or {}, path)


def _measure(item: Any, path: Path, index: int) -> Measure:
    """One measure of a register file, every field checked (the file is edited by hand and kept in Git)."""
    def bad(why: str) -> ConfigError:
        return ConfigError.keyed("crisis.bad_measure", value=index + 1, path=path, why=why)

    if not isinstance(item, dict):
        raise bad(Phrase("errors.crisis.measure_problem.not_object"))
    known = Measure.__dataclass_fields__
    values = {k: v for k, v in item.items() if k in known}
    for key in ("id", "title", "source"):
        if not isinstance(values.get(key), str) or not values[key]:
            raise bad(Phrase("errors.crisis.measure_problem.no_text", key=key))
    for key, value in values.items():
        kind = {"overdue": bool, "priority": int}.get(key, str)
        if type(value) is not kind:
            raise bad(Phrase(f"errors.crisis.measure_problem.not_{'number' if kind is int else 'bool' if kind is bool else 'text'}",
                             key=key))
    if values.get("status", "open") not in STATUSES:
        raise bad(Phrase("errors.crisis.measure_problem.bad_status", status=values["status"], statuses=", ".join(STATUSES)))
    for key in ("due", "done_on", "updated"):
        if values.get(key):
            try:
                date.fromisoformat(values[key])
            except ValueError:
                raise bad(Phrase("errors.crisis.measure_problem.not_date", key=key)) from None
    measure = Measure(**values)
    measure.overdue = _is_overdue(measure)  # today's answer, not the one saved at the last change
    return measure


def _due(value: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat() if value else ""
    except ValueError as exc:
        raise UsageError.keyed("crisis.bad_date", value=value) from exc


def _source(check: str | None, lesson: str | None) -> str:
    if bool(check) == bool(lesson):
        raise UsageError.keyed("crisis.measure_source")
    if check:
        from ..checks.registry import registry

        ids = set(registry())
        if check.strip().lower() not in ids:
            raise UsageError.keyed("crisis.no_check", check=check)
        return f"check:{check.strip().lower()}"
    return f"lesson:{lesson}"


def add_measure(register: Register, title: str, *, check: str | None = None, lesson: str | None = None, owner: str = "",
                due: str = "", metric: str = "", target: str = "", priority: int = 2) -> Measure:
    source = _source(check, lesson)
    number = max((int(m.id[2:]) for m in register.measures if m.id[2:].isdigit()), default=0) + 1
    measure = Measure(f"M-{number:03d}", title.strip() or source, source, owner, _due(due),
                      metric or (f"check {source[6:]}" if source.startswith("check:") else ""),
                      target or ("pass" if source.startswith("check:") else ""), priority=priority,
                      updated=clock.today().isoformat())
    measure.overdue = _is_overdue(measure)
    register.measures.append(measure)
    return measure


def set_measure(register: Register, measure_id: str, **changes: Any) -> Measure:
    measure = register.get(measure_id)
    for key, value in changes.items():
        if value is None:
            continue
        if key == "status" and value not in STATUSES:
            raise UsageError.keyed("crisis.bad_status", value=value, items=', '.join(STATUSES))
        if key not in ("title", "owner", "due", "metric", "target", "status", "priority"):
            raise UsageError.keyed("crisis.no_field", key=key)
        setattr(measure, key, _due(value) if key == "due" else value)
    if measure.status == "done" and not measure.done_on:
        measure.done_on = clock.today().isoformat()
    if measure.status != "done":
        measure.done_on = ""
    measure.overdue = _is_overdue(measure)
    measure.updated = clock.today().isoformat()
    return measure


def _is_overdue(m: Measure) -> bool:
    return bool(m.due) and m.status not in CLOSED and date.fromisoformat(m.due) < clock.today()


def track(register: Register, audit: Audit) -> Tracked:
    """Update the register from an audit: done when the check passes, reopened when it fails again, overdue."""
    from ..checks.model import Status

    today = clock.today().isoformat()
    done, reopened = [], []
    for m in register.measures:
        if m.check_id:
            result = audit.check(m.check_id)
            status = result.status if result is not None else None
            m.last_result = status.value if status is not None else "not_evaluated"
            if status == Status.PASS and m.status not in CLOSED:
                m.status, m.done_on, m.updated = "done", today, today
                done.append(m)
            elif status in (Status.FAIL, Status.WARN) and m.status == "done":
                m.status, m.done_on, m.updated = "open", "", today
                reopened.append(m)
        m.overdue = _is_overdue(m)
    overdue = [m for m in register.measures if m.overdue]
    register.last_audit = {"collected_at": audit.collected_at, "tracked_on": today,
                           "done": [m.id for m in done], "overdue": [m.id for m in overdue]}
    return Tracked(overdue, done, reopened, sum(1 for m in register.measures if m.status not in CLOSED))


def track_audit(audit: Audit, tenant: str, path: Path | str | None = None) -> Tracked | None:
    """After an audit: update the tenant's register if it has one, save it, and put the result into
    ``audit.summary["measures"]`` (the report's first page shows it). None when there is no register."""
    register = load_register(tenant, path)
    if register.path is None or not register.path.exists():
        return None
    tracked = track(register, audit)
    register.save()
    audit.summary["measures"] = tracked.summary()
    return tracked


def export(register: Register, fmt: str = "csv") -> str:
    """The register as csv (formula-safe cells) or json."""
    rows = [asdict(m) for m in sorted(register.measures, key=lambda m: m.id)]
    if fmt == "json":
        return json.dumps({"tenant": register.tenant, "measures": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise UsageError.keyed("crisis.measures_format", fmt=fmt)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([csv_cell(row[f]) for f in FIELDS])
    return buf.getvalue()
