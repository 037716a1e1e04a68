"""The lessons-learned report in Markdown or self-contained HTML, English or German (escaped throughout)."""
from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..i18n import number, resolve, when
from ..i18n import text as catalogue_text
from ..playbook.model import decode
from ..render.safe import md
from .words import jinja_env, words


def lessons_view(doc: dict, lang: str) -> dict[str, Any]:
    w = words(lang)["lessons"]
    titles = doc.get("step_titles") or {}

    def step_name(step: str) -> str:
        """A step as people read it: its title from the catalogue in ``lang``, with the step id."""
        return f"{resolve(decode(titles[step]), lang)} ({step})" if step in titles else step

    num = lambda v: number(float(v), lang) if isinstance(v, (int, float)) else v  # noqa: E731
    facts = doc["facts"]
    summary = catalogue_text("crisis.lessons.summary_text", lang, changed=facts["changed"], total=facts["total"], failed=facts["failed"],
                   recovered=facts["recovered"], sessions=len(doc["sessions"]), resumes=doc["resumes"],
                   crashes=doc["crashes"], seconds=num(doc["seconds"]), throttled=num(doc["throttled_seconds"]))  # plurals
    ready = w["ready_text"].format(**doc["readiness"]) if doc.get("readiness") else ""
    sessions = [w["session"].format(index=s["index"], role=w["roles"].get(s["role"], s["role"]), started=when(s["started"], lang), seconds=num(s["seconds"]),
                                    done=s["done"], failed=s["failed"], crash=w["crashed"] if s.get("crashed") else "")
                for s in doc["sessions"]]
    mails = [w["mail_text"].format(step=step_name(m["subject_step"]), recipients=m["recipients"],
                                   state=w["mail_sent"] if m["sent"] else w["mail_not_sent"],
                                   when=w["mail_when"].format(at=when(m["sent_at"], lang)) if m.get("sent_at") else "",
                                   confirmed=w["mail_confirmed"] if m["confirmed"] else w["mail_unconfirmed"])
             for m in doc["communication"]]
    undone = ", ".join(f"{u['run_id']} ({u['done']}/{u['total']})" for u in doc["facts"]["undone"]) or w["none"]
    measures = []
    for m in doc["measures"]:
        title = m.get("title", {}).get(lang) if isinstance(m.get("title"), dict) else ""
        text = w[f"m_{m['key']}"].format(step=step_name(m["step"]) if m["step"] else "", title=title or m["check"])
        metric = m["check"] if m["metric"] == "check" else w["metrics"].get(m["metric"], m["metric"])
        measures.append({"priority": m["priority"], "text": text, "metric": metric, "target": w["targets"].get(m["target"], m["target"]),
                         "check": m["check"], "key": m["key"]})
    return {"w": w, "d": doc, "lang": lang, "summary": summary, "ready": ready, "sessions": sessions, "mails": mails,
            "facts": w["facts_text"].format(changed=facts["changed"], failed=facts["failed"], undone=undone),
            "step_name": step_name, "worked": [step_name(s["step"]) for s in doc["steps"] if not s["failed"] and not s["recovered"]],
            "not_worked": [s for s in doc["steps"] if s["failed"] or s["recovered"]], "measures": measures,
            "created": when(doc["created"], lang), "num": num,
            "version": w["version"].format(tool=doc["version"]["tool"], sha=doc["version"]["journal_sha256"][:16],
                                           date=when(doc["version"]["date"], lang))}


def render_lessons(doc: dict, fmt: str = "md", lang: str = "en") -> str:
    view = lessons_view(doc, lang)
    if fmt == "html":
        return jinja_env(lang).get_template("lessons.html.j2").render(**view)
    if fmt != "md":
        raise UsageError.keyed("crisis.lessons_format", fmt=fmt)
    w, d = view["w"], doc
    out = [f"# {w['title'].format(playbook=md(d['playbook']))}", "", w["run"].format(run_id=md(d["run_id"]), created=view["created"])
           + (f" · {md(d['tenant'])}" if d["tenant"] else ""), ""]
    if d["pseudonymized"]:
        out += [f"_{w['pseudonymized']}_", ""]
    out += [f"## {w['summary']}", "", view["summary"], ""] + ([view["ready"], ""] if view["ready"] else [])
    out += [f"## {w['timeline']}", ""] + [f"- {s}" for s in view["sessions"]] + [""]
    out += [f"| {w['step']} | {w['started']} | {w['duration']} | {w['changes']} | {w['done']} | {w['failed']} | {w['recovered']} |",
            "|---|---|---|---|---|---|---|"]
    out += [f"| {md(view['step_name'](s['step']))} | {when(s['started'], view['lang'])} | {view['num'](s['seconds'])} | {s['changes']} | {s['done']} | "
            f"{s['failed']} | {s['recovered']} |" for s in d["steps"]]
    out += ["", f"## {w['facts']}", "", view["facts"], ""]
    for s in view["not_worked"]:
        out += [f"- {w['why_failed']} ({md(view['step_name'](s['step']))}): " + "; ".join(f"{md(t)} ×{n}" for t, n in s["errors"])]
    out += ["", f"## {w['communication']}", ""] + ([f"- {m}" for m in view["mails"]] or [w["mail_none"]])
    out += ["", f"## {w['worked']}", ""] + ([f"- {md(s)}" for s in view["worked"]] or [w["none"]])
    out += ["", f"## {w['not_worked']}", ""] + ([f"- {md(view['step_name'](s['step']))}" for s in view["not_worked"]] or [w["none"]])
    out += ["", f"## {w['measures']}", "", f"| {w['priority']} | {w['measure']} | {w['target']} |", "|---|---|---|"]
    out += [f"| {m['priority']} | {md(m['text'])} | {md(m['metric'])}: {md(m['target'])} |" for m in view["measures"]]
    out += ["", f"_{view['version']}_", ""]
    return "\n".join(out)


def lessons_to_measures(doc: dict, tenant: str, *, lang: str = "en", path: Any = None) -> list:
    """Add a lessons report's derived measures to the tenant's register (source: the check, or the run as lesson)."""
    from .measures import add_measure, load_register

    register = load_register(tenant, path)
    added = []
    for m in lessons_view(doc, lang)["measures"]:
        if m["check"]:
            added.append(add_measure(register, m["text"], check=m["check"], priority=m["priority"]))
        else:
            added.append(add_measure(register, m["text"], lesson=f"run {doc['run_id']}", metric=m["metric"],
                                     target=m["target"], priority=m["priority"]))
    register.save()
    return added
