"""`fleet audit`: every selected tenant in one process, one event loop, a bound on tenants in flight.

One tenant failing (sign-in refused, consent missing, unreachable, throttled past the wait cap) never
stops the others: it becomes an entry with status ``failed`` and its reason. Progress goes to a callback
(the CLI prints it on stderr); nothing here prints.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import Phrase, ReadinessError, UsageError
from . import runner, store
from .drift import check_drift

Progress = Callable[[str], None]
SUMMARY_FIELDS = ("name", "tenant_id", "status", "error", "score", "light", "people", "ready", "not_ready",
                  "not_evaluable", "seats_to_buy", "new_failing", "fixed", "regressed", "newly_ready",
                  "newly_not_ready", "audited_at")


@dataclass
class FleetOptions:
    out_dir: Path
    concurrency: int = 4  # tenants in flight
    per_tenant: int = 8  # requests in flight per tenant (as for a single audit)
    max_wait: float = 300.0  # seconds a request may wait on throttling and retries before the tenant gives up
    previous: str | None = "auto"  # "auto": the tenant's last audit; None: no comparison
    lang: str = "en"
    html: bool = True  # write each tenant's own report.html
    history: bool = True  # keep a copy of each entry in the data folder's history
    verbose: bool = False  # per-section progress lines


def select(names: list[str] | None, tags: list[str] | None, shard: tuple[int, int] | None = None) -> list[str]:
    """The profiles a fleet command works on: named ones, or those with any of the tags, or all; then one shard."""
    known = {p.name: p for p in runner.profiles()}
    if names:
        missing = [n for n in names if n not in known]
        if missing:
            raise UsageError.keyed("fleet.no_profile", items=', '.join(missing))
        chosen = list(dict.fromkeys(names))
    elif tags:
        chosen = [n for n, p in known.items() if set(tags) & set(getattr(p, "tags", []) or [])]
    else:
        chosen = sorted(known)
    if not chosen:
        raise UsageError.keyed("fleet.no_match")
    if shard:
        chosen = [n for n in chosen if in_shard(n, *shard)]
    return chosen


def in_shard(name: str, index: int, count: int) -> bool:
    """Shard ``index`` (1-based) of ``count`` holds a tenant by a hash of its name: stable as the fleet grows."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % count == index - 1


def parse_shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        i, n = (int(x) for x in value.split("/", 1))
    except ValueError:
        raise UsageError.keyed("fleet.shard_form", value=value) from None
    if not (n >= 1 and 1 <= i <= n):
        raise UsageError.keyed("fleet.shard_range", value=value)
    return i, n


def failure_reason(snapshot: Any, max_wait: float, name: str = "NAME") -> ReadinessError | None:
    """Why a collected snapshot is no audit at all (None when the tenant's data is usable), as an error that can be
    said in any language (not raised: the tenant's entry keeps it)."""
    secs = runner.sections(snapshot)
    if secs and any(s.usable for s in secs.values()) and runner.usable(snapshot, "users"):
        return None
    if secs and {s.status for s in secs.values()} <= {"forbidden", "skipped"}:
        return ReadinessError.keyed("auth.no_consent", fix_key="auth.no_consent_named", label=name)  # its name in the fix
    reason = secs["users"].reason if "users" in secs else "nothing could be read"
    if " 429 " in f" {reason} ":
        return ReadinessError.keyed("fleet.throttled", seconds=f"{max_wait:g}")
    if " 401 " in f" {reason} ":
        return ReadinessError.keyed("fleet.signin_refused", reason=reason.rsplit(": ", 1)[-1], name=name)
    return ReadinessError.keyed("fleet.users_unread", reason=reason, name=name)


def _fail(entry: dict, exc: BaseException) -> None:
    """The entry's error: English text (logs, older readers) and, for an error the catalogue knows, its keys, so
    that the summary says it in the language it is rendered in (`error_text`)."""
    if isinstance(exc, ReadinessError):
        entry.update(error=str(exc), error_data=exc.as_data())
    else:  # one tenant's surprise must not stop the fleet
        entry.update(error=f"{type(exc).__name__}: {exc}".strip(), error_data=None)


def _light(light: Any) -> Any:
    """A traffic light as a Phrase (grün / gelb / rot in a German line), any other value as it is."""
    return Phrase(f"fleet.lights.{light}") if light in ("green", "yellow", "red") else light


def _checks(result: Any) -> dict[str, dict]:
    return {cid: {"status": st, "severity": sev, "title": title, "effort": effort}
            for cid, sev, st, title, effort in runner.check_rows(result)}


class _Tenant:
    def __init__(self, name: str, opts: FleetOptions, run_stamp: str, say: Progress) -> None:
        self.name, self.opts, self.stamp, self.say = name, opts, run_stamp, say
        self.folder = opts.out_dir / name
        self.history_folder = runner.data_dir() / "history" / name

    def previous(self) -> dict | None:
        if self.opts.previous != "auto":
            return None
        # the last audit that has checks: a run that failed (a transient outage) is no baseline
        return store.latest_entry([self.folder, self.history_folder], before=self.stamp,
                                  where=lambda e: e.get("status") != "failed")

    async def run(self) -> dict:
        entry: dict[str, Any] = {"schema": store.ENTRY_SCHEMA, "name": self.name, "tenant_id": "", "tenant_name": "",
                                 "status": "failed", "error": None, "error_data": None, "stamp": self.stamp,
                                 "audited_at": store.stamp_iso(self.stamp), "files": {}}
        self.say(Phrase("cli.progress.fleet_started", name=self.name))
        snapshot = None
        try:
            conn = runner.connection(self.name, concurrency=self.opts.per_tenant, max_wait=self.opts.max_wait)
            entry["tenant_id"] = getattr(conn.profile, "tenant", "")  # until /organization says otherwise
            section_say = (lambda m: self.say(f"{self.name}: {m.strip()}")) if self.opts.verbose else None
            snapshot = await runner.collect(conn, progress=section_say)
        except Exception as exc:  # a ReadinessError, or one tenant's surprise: it must not stop the fleet
            _fail(entry, exc)
        try:
            runner.private_dir(self.folder)
            if snapshot is not None:
                self._keep(entry, snapshot)
            self._write(entry)
        except OSError as exc:  # a full disk or a read-only folder fails this tenant, not the fleet
            entry["status"] = "failed"
            _fail(entry, ReadinessError.keyed("fleet.unwritable", folder=str(self.folder), reason=exc.strerror or str(exc)))
        if entry["status"] == "failed":
            said = ReadinessError.from_data(entry.get("error_data"))
            self.say(Phrase("cli.progress.fleet_failed", name=self.name, error=said or entry["error"]))
        else:
            self.say(Phrase("cli.progress.fleet_partial" if entry["status"] == "partial" else "cli.progress.fleet_done",
                            name=self.name, score=entry["score"], light=_light(entry["light"]), ready=entry["ready"],
                            people=entry["people"]))
        return entry

    def _keep(self, entry: dict, snapshot: Any) -> None:
        entry["tenant_id"] = snapshot.tenant_id or entry["tenant_id"]
        entry["tenant_name"] = snapshot.tenant_name
        entry["collected_at"] = snapshot.collected_at
        entry["requests"] = snapshot.requests
        snap_name = f"snapshot-{self.stamp}.json.gz"
        runner.write_private_gz(self.folder / snap_name, runner.snapshot_doc(snapshot))
        entry["files"]["snapshot"] = snap_name
        entry["snapshot_path"] = str((self.folder / snap_name).resolve())  # history copies point back here
        secs = runner.sections(snapshot)
        r = snapshot.requests or {}
        self.say(Phrase("cli.progress.fleet_read", name=self.name, n=len(secs),
                        complete=sum(1 for s in secs.values() if s.status == "complete"),
                        seconds=round(float(r.get("seconds", 0) or 0), 1), requests=r.get("requests", 0), throttled=r.get("throttled", 0)))
        reason = failure_reason(snapshot, self.opts.max_wait, self.name)
        if reason:
            _fail(entry, reason)
            return
        prev = self.previous()
        audit = runner.evaluate(snapshot, self._previous_snapshot(prev))
        s = audit.summary
        entry.update(status="success" if audit.status == "success" else "partial",  # as `readiness audit` says it
                     score=audit.score, light=audit.light, areas=dict(audit.areas),
                     people=s["people"], ready=s["ready"], not_ready=s["not_ready"], not_evaluable=s["not_evaluable"],
                     seats_to_buy=audit.seats_to_buy, checks=_checks(audit), top_actions=runner.top_actions(audit, 3),
                     not_evaluated=runner.not_evaluated_sections(audit))
        self._drift(entry, prev, audit.trend)
        audit_name = f"audit-{self.stamp}.json"
        runner.write_private(self.folder / audit_name, runner.audit_json(audit, self.opts.lang))
        entry["files"]["audit"] = audit_name
        if self.opts.html:
            runner.write_private(self.folder / "report.html", runner.render_audit(audit, "html", self.opts.lang))
            entry["files"]["report"] = "report.html"

    @staticmethod
    def _previous_snapshot(prev: dict | None) -> Any:
        """The previous audit's snapshot, when it is still on disk (for people newly (not) ready)."""
        snap_name = ((prev or {}).get("files") or {}).get("snapshot")
        if not snap_name:
            return None
        path = Path(prev["_path"]).parent / snap_name  # type: ignore[index]
        if not path.exists() and prev.get("snapshot_path"):  # type: ignore[union-attr]
            path = Path(prev["snapshot_path"])  # type: ignore[index]
        try:
            return runner.load_snapshot(path) if path.exists() else None
        except ReadinessError:
            return None  # a damaged old snapshot: check drift still comes from the entries

    @staticmethod
    def _drift(entry: dict, prev: dict | None, trend: dict | None) -> None:
        entry.update(new_failing=None, fixed=None, regressed=None, newly_ready=None, newly_not_ready=None,
                     previous_audited_at=None)
        drift = check_drift(prev.get("checks"), entry.get("checks")) if prev else None
        if drift is None:
            return
        entry.update(drift, previous_audited_at=prev.get("audited_at"))  # type: ignore[union-attr]
        if trend is not None:
            entry.update(newly_ready=len(trend["newly_ready"]), newly_not_ready=len(trend["newly_not_ready"]))

    def _write(self, entry: dict) -> None:
        text = json.dumps({k: v for k, v in entry.items() if not k.startswith("_")}, ensure_ascii=False, indent=1,
                          default=str) + "\n"
        runner.write_private(self.folder / f"entry-{self.stamp}.json", text)
        if self.opts.history:
            runner.private_dir(self.history_folder)
            runner.write_private(self.history_folder / f"entry-{self.stamp}.json", text)


async def audit_fleet(names: list[str], opts: FleetOptions, progress: Progress | None = None) -> list[dict]:
    """Audit ``names`` with at most ``opts.concurrency`` tenants in flight; one entry per tenant, in order."""
    say = progress or (lambda _m: None)
    _quiet_reported_failures(asyncio.get_running_loop())
    try:
        runner.private_dir(opts.out_dir)
    except OSError as exc:
        raise ReadinessError.keyed("fleet.out_dir", out_dir=opts.out_dir, value=exc.strerror or exc) from exc
    run_stamp = store.stamp()
    sem = asyncio.Semaphore(max(1, opts.concurrency))

    async def one(name: str) -> dict:
        async with sem:
            return await _Tenant(name, opts, run_stamp, say).run()

    return list(await asyncio.gather(*(one(n) for n in names)))


def _quiet_reported_failures(loop: asyncio.AbstractEventLoop) -> None:
    """A tenant's failure is reported in its entry; sibling requests of that tenant that fail the same way
    later must not print "Task exception was never retrieved" with a traceback on stderr."""
    default = loop.get_exception_handler()

    def handler(lp: asyncio.AbstractEventLoop, context: dict) -> None:
        if isinstance(context.get("exception"), ReadinessError):
            return
        if default is not None:
            default(lp, context)
        else:
            lp.default_exception_handler(context)

    loop.set_exception_handler(handler)


def summary(entry: dict) -> dict:
    """The tenant's line in `fleet audit -o json` (data.tenants)."""
    return {k: entry.get(k) for k in SUMMARY_FIELDS}


def totals(entries: list[dict]) -> dict:
    ok = [e for e in entries if e.get("status") != "failed"]
    return {"tenants": len(entries), "succeeded": sum(1 for e in entries if e.get("status") == "success"),
            "partial": sum(1 for e in entries if e.get("status") == "partial"),
            "failed": sum(1 for e in entries if e.get("status") == "failed"),
            "people": sum(e.get("people") or 0 for e in ok), "ready": sum(e.get("ready") or 0 for e in ok),
            "not_ready": sum(e.get("not_ready") or 0 for e in ok),
            "not_evaluable": sum(e.get("not_evaluable") or 0 for e in ok),
            "seats_to_buy": sum(e.get("seats_to_buy") or 0 for e in ok),
            "new_failing": sum(len(e.get("new_failing") or []) for e in ok),
            "fixed": sum(len(e.get("fixed") or []) for e in ok)}
