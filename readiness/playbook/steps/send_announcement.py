"""send_announcement: tell the affected people what happens, in German and English. Irreversible, exactly once.

A mail cannot be looked up by what it says, and ``sendMail`` answers nothing to find it by. So the mail is
made a draft carrying a marker unique to the run and the change (a single-value extended property), sent with
``/send``, and when an answer is lost it is looked up in the sender's Sent Items by that marker before anything
is sent again. A draft still in Drafts was not sent; a mail found in neither is reported "unknown", never "sent".
Graph: user-post-messages.md (create a draft, 201), message-send.md (send a draft, 202; it moves to Sent Items),
singlevaluelegacyextendedproperty-get.md (``$filter=singleValueExtendedProperties/Any(ep: ep/id eq '...' and
ep/value eq '...')``), mailfolder.md (well-known folder names ``drafts``, ``sentitems``).
"""
from __future__ import annotations

import asyncio
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...errors import GraphError
from ...resources import data_root
from ..contract import Cost, Io, Lost
from ...i18n import Message
from ..model import Change, Request, StepPlan
from ..query import odata_string
from .base import Ctx

NAME = "send_announcement"
TITLE = "Send an announcement mail"
PERMISSIONS = ("Mail.ReadWrite", "Mail.Send")  # a draft with a marker, then /send; Sent Items is read to confirm
IRREVERSIBLE = True  # a sent mail cannot be unsent
IRREVERSIBLE_WHY = "run.cannot_undo.mail"
PER_MESSAGE = 100  # recipients per message (Bcc); Exchange allows 500, smaller keeps retries cheap
MARKER_ID = "String {6f1b2c1e-8a8d-4c3e-9b55-2f0a7d4e9c11} Name ReadinessChange"
CONFIRM_WAITS = (0.3, 0.7, 1.5)  # a sent mail reaches Sent Items a moment after /send


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
        return ctx.step(NAME, [], blocked=Message("steps.send_announcement.no_sender", {"sender": p.sender}), permissions=PERMISSIONS)
    sent = {rid for c in ctx.history.values() if c.get("template") == p.template for rid in c.get("recipients", [])}
    people = [x for x in ctx.people() if x.id not in sent and x.upn]
    if not people:
        reason = Message("steps.send_announcement.sent_before") if sent else ctx.no_one()
        return ctx.step(NAME, [], noop=reason, permissions=PERMISSIONS)
    subject, body = _text(p.template, p.language, ctx.tenant_name)
    changes = []
    for i in range(0, len(people), PER_MESSAGE):
        chunk = people[i:i + PER_MESSAGE]
        key = hashlib.sha256(",".join(sorted(x.id for x in chunk)).encode()).hexdigest()[:12]
        draft = {"subject": subject, "body": {"contentType": "Text", "content": body},
                 "toRecipients": [{"emailAddress": {"address": sender.upn}}],
                 "bccRecipients": [{"emailAddress": {"address": x.upn}} for x in chunk],
                 "singleValueExtendedProperties": [{"id": MARKER_ID, "value": "{marker}"}]}
        changes.append(ctx.change(NAME, "send", f"mail:{p.template}:{key}", Message("steps.send_announcement.recipients", {"n": len(chunk)}), None,
                                  {"subject": subject, "recipients": len(chunk)},
                                  [Request("POST", f"/users/{sender.id}/messages", draft, idempotent=False),
                                   Request("POST", f"/users/{sender.id}/messages/{{draft}}/send", idempotent=False)],
                                  irreversible=True, template=p.template, recipients=[x.id for x in chunk],
                                  sender_id=sender.id))
    return ctx.step(NAME, changes, permissions=PERMISSIONS)


def _lookup(sender_id: str, folder: str, marker: str) -> Request:
    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq {odata_string(MARKER_ID)} and ep/value eq {odata_string(marker)})"
    return Request("GET", f"/users/{sender_id}/mailFolders/{folder}/messages", query={"$filter": flt, "$select": "id,subject"})


async def _find(io: Io, sender_id: str, folder: str) -> str | None:
    req = _lookup(sender_id, folder, io.marker)
    resp = await io.request(req.method, req.path, query=req.query)
    items = (resp.json() or {}).get("value") or []
    return items[0].get("id") if items else None


async def _in_sent_items(io: Io, sender_id: str, waits: tuple[float, ...] = CONFIRM_WAITS) -> bool:
    for wait in (0.0, *waits):
        await asyncio.sleep(wait)
        if await _find(io, sender_id, "sentitems"):
            return True
    return False


def _with_marker(body: dict, marker: str) -> dict:
    return {**body, "singleValueExtendedProperties": [{"id": MARKER_ID, "value": marker}]}


async def apply(change: Change, io: Io) -> str:
    """Draft with the marker, /send, confirm. Returns "done" (sent, confirmed) or "unknown"."""
    sender = change.data["sender_id"]
    create, send = change.requests
    io.values["marker"] = io.marker
    if io.in_doubt and await _in_sent_items(io, sender, ()):
        io.values["confirmed"] = "found in Sent Items"
        return "done"
    draft = io.values.get("draft") or (await _find(io, sender, "drafts") if io.in_doubt else None)
    attempt = 0
    while not draft:
        attempt += 1
        try:
            resp = await io.request(create.method, create.path, _with_marker(create.body, io.marker), idempotent=False)
            draft = (resp.json() or {}).get("id")
        except Lost:
            await asyncio.sleep(0.3 * attempt)
            draft = await _find(io, sender, "drafts")  # the draft may exist although its answer was lost
        if not draft and attempt >= 5:
            raise GraphError(key="playbook.draft_failed", status=503)
    if draft != io.values.get("draft"):
        io.values["draft"] = draft
        io.journal({"phase": "part", "part": 0, "result": {"draft": draft}})
    for _ in range(5):
        try:
            await io.request(send.method, send.path.format(draft=draft), idempotent=False)
            io.values["confirmed"] = "accepted (202)"
            return "done"
        except Lost:
            pass
        except GraphError as exc:
            if exc.status != 404:
                raise
        if await _in_sent_items(io, sender):
            io.values["confirmed"] = "found in Sent Items"
            return "done"
        if await _find(io, sender, "drafts") != draft:
            return "unknown"  # neither a draft nor in Sent Items: it cannot be confirmed either way
        # still a draft: Graph moves a sent draft out of Drafts, so this one was not sent; send it
    return "unknown"


def requests(change: Change) -> Cost:
    """The draft and its /send. Sent Items is read only when an answer was lost (or the run resumes in doubt)."""
    return Cost(direct=len(change.requests))


def verify_reads(change: Change, values: dict) -> list[Request]:
    marker = values.get("marker")
    return [_lookup(change.data["sender_id"], "sentitems", marker)] if marker else []


def missing(change: Change, values: dict, bodies: list) -> list[str]:
    return [] if not bodies or bodies[0] else [Message("steps.verify.not_in_sent_items")]
