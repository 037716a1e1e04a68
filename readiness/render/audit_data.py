"""The audit as plain data with texts in one language: the JSON output's ``data`` (render/audit_view.py builds the
other formats' view around it). Apart from audit_view's view classes, so that ``-o json`` does not create them
(ten dataclasses: about 8 ms of every JSON report's start, issue 15)."""
from __future__ import annotations

from ..audit.model import Audit
from ..audit.rows import as_list
from ..audit.scoring import traffic_light
from ..errors import Phrase
from ..i18n import resolve


def audit_data(audit: Audit, lang: str = "en", *, rows: bool = True) -> dict:
    """Everything the audit found, as plain data, with texts in ``lang`` (the JSON output's ``data``). ``people`` is a
    list of the matrix rows; ``rows=False``: ``audit.people`` as it is (a command's ``Rows``, made when read)."""
    t = audit.tenant
    return {
        "tenant": {"id": t.id, "name": t.name, "cloud": t.cloud, "endpoint": t.endpoint},
        "collected_at": audit.collected_at,
        "score": {"overall": audit.score, "light": traffic_light(audit.score),
                  "areas": {a: {"score": s, "light": traffic_light(s)} for a, s in audit.areas.items()}},
        "summary": dict(audit.summary),
        "licences": audit.licences,
        "checks": [{"id": spec.id, "area": spec.area, "severity": spec.severity.value, "status": st.value,
                    "title": spec.title[lang], "fix_playbook": spec.fix_playbook, "effort": spec.effort,
                    "findings": [{"status": x.status.value, "target": x.target, "message": x.message[lang],
                                  "evidence": x.evidence} for x in fs]}
                   for spec, st, fs in audit.checks],
        "top_actions": [{"id": spec.id, "title": spec.title[lang], "severity": spec.severity.value, "status": st.value,
                         "message": fd.message[lang], "remediation": spec.remediation[lang], "effort": spec.effort,
                         "fix_playbook": spec.fix_playbook} for spec, st, fd in audit.top_actions],
        "people": as_list(audit.people) if rows else audit.people,
        "departments": audit.departments,
        "not_evaluated": [{"section": m.section, "name": m.name[lang], "status": m.status,
                           "reason": m.reason[lang], "permission": m.permission,
                           "licence": resolve(m.licence, lang), "notes": list(m.notes)} for m in audit.not_evaluated],
        "requests": audit.requests,
    }


def audit_errors(audit: Audit, lang: str) -> list[dict]:
    """The audit's ``errors`` (sections lost to faults) with each message in ``lang`` (a section's reason said by key
    is a Phrase: English until rendered)."""
    return [dict(e, message=e["message"].text(lang)) if isinstance(e.get("message"), Phrase) else e
            for e in audit.errors or []]
