"""The drill report for the manager (one page: what would happen, how long, what it costs, who would still be
left behind), then the details. Markdown or self-contained HTML, English or German; every name escaped."""
from __future__ import annotations

from typing import Any

from ..i18n import labels, number, when
from ..render.safe import md
from .words import jinja_env, words


def drill_view(record: dict, lang: str) -> dict[str, Any]:
    w = words(lang)["drill"]
    reason_words = labels(lang)["reason_words"]
    prev = dict(record["previous"]) if record.get("previous") else None
    record = dict(record)
    fmt = lambda v: number(float(v), lang) if isinstance(v, (int, float)) else v  # noqa: E731
    for key in ("apply_seconds", "throttled_seconds", "seconds"):
        record[key] = fmt(record[key])
        if prev and key in prev:
            prev[key] = fmt(prev[key])
    record["estimate"] = {k: fmt(v) if k == "seconds" else v for k, v in (record.get("estimate") or {}).items()}
    return {
        "w": w, "lang": lang, "r": record,
        "reasons": [(reason_words.get(c, c), n) for c, n in sorted(record["reasons_after"].items(), key=lambda kv: -kv[1])],
        "people": [{"name": p["name"], "department": p["department"],
                    "why": ", ".join(reason_words.get(c, c) for c in p["reasons"])} for p in record["not_ready_after"]],
        "date": when(record["snapshot_collected_at"], lang), "started": when(record["started_at"], lang),
        "prev": prev,
        # action types in the reader's words (the type itself in brackets, as a playbook names it)
        "actions": [(f"{w['action_names'].get(a, a)} ({a})", n) for a, n in sorted(record["by_action"].items())],
    }


def render_drill(record: dict, fmt: str = "md", lang: str = "en") -> str:
    """A drill record (``DrillRecord.to_dict()`` or a saved drill) as md or html."""
    view = drill_view(record, lang)
    if fmt == "html":
        return jinja_env(lang).get_template("drill.html.j2").render(**view)
    if fmt != "md":
        from ..errors import UsageError

        raise UsageError.keyed("crisis.drill_format", fmt=fmt)
    return _markdown(view)


def _markdown(v: dict) -> str:
    w, r = v["w"], v["r"]
    est = r["estimate"] or {}
    out = [f"# {w['title'].format(playbook=md(r['playbook']))}", "",
           w["subtitle"].format(tenant=md(r["tenant"]), date=v["date"]), ""]
    if r["pseudonymized"]:
        out += [f"_{w['pseudonymized']}_", ""]
    out += [f"## {w['summary']}", "", f"**{w['ready'].format(ready=r['ready_after'], people=r['people'], before=r['ready_before'])}**", "",
            f"### {w['what']}", "", w["what_text"].format(done=r["changes"].get("done", 0), planned=r["changes"].get("planned", 0),
                                                          failed=r["changes"].get("failed", 0)), "",
            f"### {w['how_long']}", "", w["how_long_text"].format(seconds=r["apply_seconds"], requests=r["requests"],
                                                                   est_seconds=est.get("seconds", "-"), est_requests=est.get("requests", "-"),
                                                                   throttled=r["throttled_seconds"]), "",
            f"### {w['costs']}", ""]
    costs = [f"- {w['costs_text'].format(buy=s['buy'], sku=md(s['sku']), needed=s['needed'], free=s['free'])}" for s in r["seats_to_buy"]]
    if r.get("licences_to_buy"):
        costs.append(f"- {w['costs_licences'].format(n=r['licences_to_buy'])}")
    out += costs or [w["costs_none"]]
    out += ["", f"### {w['left_behind']}", ""]
    if v["people"]:
        out += [w["left_text"].format(n=len(v["people"])), ""] + [f"- {reason}: {n}" for reason, n in v["reasons"]]
    else:
        out += [w["left_none"]]
    out += ["", f"### {w['blocked_title']}", ""]
    out += [f"- {md(step)}: {md(why)}" for step, why in r["blocked"]] or [w["blocked_none"]]
    if v["prev"]:
        p = v["prev"]
        out += ["", f"### {w['previous'].format(drill_id=md(p['drill_id']))}", "",
                f"- {w['prev_ready'].format(a=p['ready_after'], b=r['ready_after'], people=r['people'])}",
                f"- {w['prev_time'].format(a=p['apply_seconds'], b=r['apply_seconds'])}"]
    out += ["", f"## {w['details']}", "", f"### {w['actions']}", ""]
    out += [f"- {md(action)}: {n}" for action, n in v["actions"]]
    if r["failed"]:
        out += ["", f"### {w['failures']}", ""] + [f"- {md(cid)}: {md(err)}" for cid, err in r["failed"]]
    if v["people"]:
        out += ["", f"### {w['people']}", "", f"| {w['person']} | {w['department']} | {w['why']} |", "|---|---|---|"]
        out += [f"| {md(p['name'])} | {md(p['department'])} | {p['why']} |" for p in v["people"]]
    out += ["", "_" + w["facts"].format(drill_id=md(r["drill_id"]), run_id=md(r["run_id"] or "-"), version=r["tool_version"],
                                       latency=r["latency_ms"], started=v["started"]) + "_", ""]
    return "\n".join(out)
