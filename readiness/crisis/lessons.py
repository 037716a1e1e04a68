"""A lessons-learned report from a playbook run: facts and a timeline without blame, and measures from them.

The run's journal is read only through the public API (``readiness.timeline``, ``readiness.runs``), so the
report follows the journal's format as the playbook package defines it. Nothing names a person: the timeline
speaks of steps and of the roles that started each session (the operator who applied, the operator who
resumed); error texts have object ids and addresses replaced. ``pseudonymize`` also hides the tenant's name.

Optional snapshots before and after the run add the readiness figures and measures from failing checks.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, OrderedDict
from datetime import datetime
from typing import Any

from .. import __version__, clock
from ..i18n import in_every_language

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
EMAIL = re.compile(r"[^\s@/'\"()]+@[^\s@/'\"()]+\.[A-Za-z]{2,}")
SEVERITY_PRIORITY = {"critical": 1, "high": 1, "medium": 2, "low": 3, "info": 3}


def blameless(text: str) -> str:
    """An error text without object ids, request ids or addresses (roles and steps, not people)."""
    return EMAIL.sub("{person}", GUID.sub("{id}", str(text)))


def _ts(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _seconds(a: str, b: str) -> float:
    x, y = _ts(a), _ts(b)
    return round((y - x).total_seconds(), 1) if x and y else 0.0


def _step(change_id: str) -> str:
    return str(change_id).split(":", 1)[0]


def _step_titles(run_id: str) -> dict:
    """Step id -> its title as a language-free message ({"key", "params"}) or the playbook's own words."""
    from ..playbook.model import encode
    from ..playbook.runs import RunStore

    try:
        return {s.step: encode(s.title) for s in RunStore().get(run_id).plan().steps}
    except (OSError, ValueError, KeyError):
        return {}


def lessons(run_id: str, *, before: Any = None, after: Any = None, pseudonymize: bool = False) -> dict:
    """The lessons-learned facts of a run, language-free (``render_lessons`` writes them in en or de).

    + before, after: Snapshots of the tenant before and after the run (optional).
    """
    import readiness

    tl = readiness.timeline(run_id)
    entries = list(tl.entries)
    canon = json.dumps(entries, sort_keys=True, separators=(",", ":"), default=str)
    sessions: list[dict] = []
    current: dict | None = None
    last: dict[str, dict] = {}  # change -> its last entry
    failed_once: set[str] = set()
    steps: "OrderedDict[str, dict]" = OrderedDict()
    mail: dict[str, dict] = {}  # announcement change -> facts
    in_flight: set[str] = set()  # changes started in the current session and not resolved yet
    for e in entries:
        phase, change = e.get("phase"), e.get("change")
        if current is not None and change in in_flight and (phase == "start" or e.get("how")):
            # a change left in flight is re-sent or found in effect: the process before stopped without its summary
            # (readiness/playbook/applier.py reconciles only changes a previous process started)
            current["crashed"] = True
            sessions.append(current)
            current = None
        if current is None:
            current = {"started": e.get("ts", ""), "ended": e.get("ts", ""), "done": 0, "failed": 0, "throttled": 0,
                       "throttled_seconds": 0.0, "requests": 0}
            in_flight = set()
        if phase == "start":
            in_flight.add(change)
        elif change:
            in_flight.discard(change)
        current["ended"] = e.get("ts", current["ended"])
        if phase == "summary":
            stats = e.get("requests") or {}
            current.update(throttled=stats.get("throttled", 0), throttled_seconds=stats.get("throttled_seconds", 0.0),
                           requests=stats.get("requests", 0))
            sessions.append(current)
            current = None
            continue
        if not change:
            continue
        step = steps.setdefault(_step(change), {"step": _step(change), "first": e.get("ts", ""), "last": e.get("ts", ""),
                                                "changes": set(), "errors": Counter()})
        step["last"] = e.get("ts", step["last"])
        step["changes"].add(change)
        if phase in ("done", "adopted"):
            current["done"] += 1
        elif phase == "failed":
            current["failed"] += 1
            failed_once.add(change)
            step["errors"][blameless(e.get("error") or f"status {e.get('status')}")[:300]] += 1
        if phase != "start":
            last[change] = e
        if isinstance(e.get("after"), dict) and "recipients" in e["after"] and phase == "start":
            mail.setdefault(change, {"change": change, "subject_step": _step(change), "recipients": e["after"].get("recipients"),
                                     "planned_at": e.get("ts", "")})
    if current is not None:  # a session that ended without a summary: the process stopped (a crash)
        current["crashed"] = True
        sessions.append(current)
    outcome = {c: e.get("phase") for c, e in last.items()}
    changed = sorted(c for c, p in outcome.items() if p in ("done", "adopted"))
    failed = sorted(c for c, p in outcome.items() if p == "failed")
    recovered = sorted(c for c in failed_once if outcome.get(c) in ("done", "adopted"))
    undone = [{"run_id": r.run_id, "done": r.done, "total": r.total} for r in readiness.runs() if r.undo_of == run_id]
    mail_rows = list(mail.values())
    for m in mail_rows:
        end = last.get(m["change"]) or {}
        result = end.get("result") if isinstance(end.get("result"), dict) else {}
        m.update(sent=end.get("phase") in ("done", "adopted"), sent_at=end.get("ts", "") if end.get("phase") == "done" else "",
                 confirmed=bool(result.get("confirmed") or result.get("sent_items")))
        m.pop("change")
    step_rows = []
    for s in steps.values():
        ids = s["changes"]
        step_rows.append({"step": s["step"], "started": s["first"], "seconds": _seconds(s["first"], s["last"]),
                          "changes": len(ids), "done": sum(1 for c in ids if outcome.get(c) in ("done", "adopted")),
                          "failed": sum(1 for c in ids if outcome.get(c) == "failed"),
                          "recovered": sum(1 for c in ids if c in recovered),
                          "errors": [[text, n] for text, n in s["errors"].most_common(3)]})
    measures = _measures(step_rows, sessions, mail_rows, after)
    readiness_figures = None
    if before is not None and after is not None:
        a, b = readiness.evaluate(before), readiness.evaluate(after)
        readiness_figures = {"people": b.summary["people"], "ready_before": a.summary["ready"], "ready_after": b.summary["ready"],
                             "reasons_after": dict(b.summary["reasons"])}
    tenant = tl.meta.get("tenant", "")
    return {
        "run_id": tl.run_id, "playbook": tl.playbook, "step_titles": _step_titles(run_id), "tenant": "" if pseudonymize else tenant, "pseudonymized": pseudonymize,
        "version": {"tool": __version__, "journal_sha256": hashlib.sha256(canon.encode()).hexdigest(), "date": clock.iso_now()},
        "created": tl.meta.get("created", ""),
        "sessions": [dict(s, role="apply" if i == 0 else "resume", index=i + 1,
                          seconds=_seconds(s["started"], s["ended"])) for i, s in enumerate(sessions)],
        "resumes": max(0, len(sessions) - 1), "crashes": sum(1 for s in sessions if s.get("crashed")),
        "steps": step_rows, "facts": {"changed": len(changed), "failed": len(failed), "recovered": len(recovered),
                                      "undone": undone, "total": len(outcome)},
        "communication": mail_rows, "readiness": readiness_figures, "measures": measures,
        "throttled_seconds": round(sum(float(s.get("throttled_seconds") or 0) for s in sessions), 1),
        "seconds": _seconds(sessions[0]["started"], sessions[-1]["ended"]) if sessions else 0.0,
    }


def _measures(steps: list[dict], sessions: list[dict], mail: list[dict], after: Any) -> list[dict]:
    """Measures derived from the run, prioritised; each measurable (a check and its target, or a drill figure)."""
    import readiness

    out = []
    for s in steps:
        if s["failed"] or s["recovered"]:
            permission = any("403" in text or "privilege" in text.lower() for text, _ in s["errors"])
            out.append({"key": "permission" if permission else "step_failed", "step": s["step"], "priority": 1,
                        "lesson": True, "check": "", "metric": "drill", "target": "no_failure"})
    if len(sessions) > 1:
        out.append({"key": "resume", "step": "", "priority": 2, "lesson": True, "check": "", "metric": "drill",
                    "target": "one_session"})
    if any(not m.get("confirmed") for m in mail):
        out.append({"key": "confirm_announcement", "step": "", "priority": 2, "lesson": True, "check": "",
                    "metric": "announcement", "target": "confirmed"})
    if after is not None:
        audit = readiness.evaluate(after)
        for action in audit.top_actions[:5]:
            out.append({"key": "check", "step": "", "priority": SEVERITY_PRIORITY.get(action.spec.severity.value, 2),
                        "lesson": False, "check": action.spec.id, "metric": "check", "target": "pass",
                        "title": in_every_language(action.spec.title)})
    return sorted(out, key=lambda m: m["priority"])
