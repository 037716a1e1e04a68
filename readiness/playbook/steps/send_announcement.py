"""send_announcement: tell the affected people what happens, in German and English. Irreversible."""
from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...resources import data_root
from ..model import Change, Request, StepPlan
from .base import Ctx

NAME = "send_announcement"
TITLE = "Send an announcement mail"
PERMISSIONS = ("Mail.Send",)
PER_MESSAGE = 100  # recipients per message (Bcc); Exchange allows 500, smaller keeps retries cheap


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: str = Field(min_length=3)  # UPN of the mailbox that sends (use a shared or service mailbox)
    template: Literal["home-office", "mfa-registration"] = "home-office"
    language: Literal["de", "en", "both"] = "both"


def _text(template: str, language: str, company: str) -> tuple[str, str]:
    root = data_root("playbooks").joinpath("templates")
    parts, subjects = [], []
    for lang in (["de", "en"] if language == "both" else [language]):
        raw = root.joinpath(f"{template}.{lang}.txt").read_text("utf-8")
        subject, _, body = raw.partition("\n\n")
        subjects.append(subject.removeprefix("Subject: ").strip())
        parts.append(body.replace("{company}", company).strip())
    return " / ".join(subjects), "\n\n----\n\n".join(parts) + "\n"


def plan(p: Params, ctx: Ctx) -> StepPlan:
    sender = next((x for x in ctx.facts.people if x.upn.lower() == p.sender.lower()), None)
    if sender is None:
        return ctx.step(NAME, [], blocked=f"the sender mailbox {p.sender} is not in the tenant", permissions=PERMISSIONS)
    sent = {rid for c in ctx.history.values() if c.get("template") == p.template for rid in c.get("recipients", [])}
    people = [x for x in ctx.people() if x.id not in sent and x.upn]
    if not people:
        reason = "everyone selected got this announcement in an earlier run" if sent else ctx.no_one()
        return ctx.step(NAME, [], noop=reason, permissions=PERMISSIONS)
    subject, body = _text(p.template, p.language, ctx.tenant_name)
    changes = []
    for i in range(0, len(people), PER_MESSAGE):
        chunk = people[i:i + PER_MESSAGE]
        key = hashlib.sha256(",".join(sorted(x.id for x in chunk)).encode()).hexdigest()[:12]
        message = {"message": {"subject": subject, "body": {"contentType": "Text", "content": body},
                               "toRecipients": [{"emailAddress": {"address": sender.upn}}],
                               "bccRecipients": [{"emailAddress": {"address": x.upn}} for x in chunk]},
                   "saveToSentItems": True}
        changes.append(ctx.change(NAME, "send", f"mail:{p.template}:{key}", f"{len(chunk)} recipients", None,
                                  {"subject": subject, "recipients": len(chunk)},
                                  [Request("POST", f"/users/{sender.id}/sendMail", message, idempotent=False)],
                                  irreversible=True, template=p.template, recipients=[x.id for x in chunk]))
    return ctx.step(NAME, changes, permissions=PERMISSIONS)


def check(change: Change) -> Request | None:
    return None  # a sent mail cannot be looked up; the journal is the record


def is_done(change: Change, body: Any) -> bool:
    return False


def inverse(change: Change) -> list[Change] | None:
    return None  # a sent mail cannot be unsent
