"""A mailbox per user: drafts, /send, Sent Items, and the look-up of a message by a single-value extended property.

What Graph documents and the simulator imitates (microsoft-graph-docs-contrib, api-reference/v1.0/api/):
- user-post-messages.md: ``POST /users/{id}/messages`` creates a draft in Drafts (201, the message with its id);
  extended properties may be set in the same request (singlevaluelegacyextendedproperty-post-singlevalueextendedproperties.md).
- message-send.md: ``POST /users/{id}/messages/{id}/send`` sends a draft (202, no body); the message is saved in
  Sent Items and is no longer in Drafts (a second /send of the same id answers 404, ErrorItemNotFound).
- singlevaluelegacyextendedproperty-get.md: ``GET .../messages?$filter=singleValueExtendedProperties/Any(ep: ep/id eq
  '{id}' and ep/value eq '{value}')``; the name in the id is compared case-sensitively, the value case-insensitively.
- mailfolder.md: well-known folder names ``drafts`` and ``sentitems`` may stand for folder ids.
Permissions (application): Mail.ReadWrite to create drafts, Mail.Send to send, Mail.Read(Basic) to read.
"""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from .tenant import SimError
from .wire import Route, SimRequest, SimResponse

if TYPE_CHECKING:
    from .app import Simulator

UID = r"(?P<uid>[^/()]+)"
MID = r"(?P<mid>[A-Za-z0-9=_-]+)"
READ = ("Mail.ReadBasic.All", "Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite")
WRITE = ("Mail.ReadWrite",)
SEND = ("Mail.Send",)
FOLDERS = ("drafts", "sentitems", "inbox", "deleteditems")
_EP = re.compile(r"^singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*(\w+)/id eq '((?:[^']|'')*)'\s+and\s+(\w+)/value eq "
                 r"'((?:[^']|'')*)'\s*\)$", re.IGNORECASE)


def mailboxes(tenant: Any) -> dict[str, dict[str, list[dict]]]:
    """user id -> folder -> messages (kept on the tenant object; created on first use)."""
    return vars(tenant).setdefault("mailboxes", {})


def folder(tenant: Any, user_id: str, name: str) -> list[dict]:
    box = mailboxes(tenant).setdefault(user_id, {f: [] for f in FOLDERS})
    return box.setdefault(name, [])


def sent_items(tenant: Any) -> list[dict]:
    """Every message in every Sent Items folder: what tests count to prove a mail went out exactly once."""
    return [m for box in mailboxes(tenant).values() for m in box.get("sentitems", [])]


def _new_id() -> str:
    return "AAMkAG" + uuid.uuid4().hex + "AAA="


def _body(req: SimRequest) -> dict:
    try:
        doc = req.json()
    except (ValueError, UnicodeDecodeError):
        raise SimError(400, "BadRequest", "Unable to read JSON request payload.") from None
    if not isinstance(doc, dict):
        raise SimError(400, "BadRequest", "The request body must be a JSON object.")
    return doc


def create_draft(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    body = _body(req)
    u = sim.tenant.user(m.group("uid"))
    props = body.get("singleValueExtendedProperties") or []
    for p in props:
        if not isinstance(p, dict) or not str(p.get("id", "")).split(" ")[0] in ("String", "Integer", "Boolean", "SystemTime"):
            raise SimError(400, "ErrorInvalidProperty", "The extended property id is not valid.")
    msg = {k: v for k, v in body.items() if k != "singleValueExtendedProperties"}
    msg.update({"id": _new_id(), "isDraft": True, "parentFolderId": "drafts",
                "from": {"emailAddress": {"address": u["userPrincipalName"]}}, "_props": [dict(p) for p in props]})
    folder(sim.tenant, u["id"], "drafts").append(msg)
    out = {k: v for k, v in msg.items() if not k.startswith("_")}
    out["@odata.context"] = sim.context(req, f"users('{u['id']}')/messages/$entity")
    return SimResponse.json(201, out)


def send_draft(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    u = sim.tenant.user(m.group("uid"))
    drafts = folder(sim.tenant, u["id"], "drafts")
    msg = next((x for x in drafts if x["id"] == m.group("mid")), None)
    if msg is None:
        raise SimError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    if not msg.get("toRecipients") and not msg.get("bccRecipients") and not msg.get("ccRecipients"):
        raise SimError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., Recipient is missing.")
    drafts.remove(msg)
    sent = dict(msg, id=_new_id(), isDraft=False, parentFolderId="sentitems")
    folder(sim.tenant, u["id"], "sentitems").append(sent)
    sim.tenant.sent_mail.append({"from": u["id"], "message": {k: v for k, v in msg.items() if not k.startswith("_")}})
    return SimResponse(202)


def _matches(msg: dict, flt: str) -> bool:
    got = _EP.match(flt.strip())
    if not got or not (got.group(1) == got.group(2) == got.group(4)):
        raise SimError(400, "BadRequest", f"Invalid filter clause: the simulator supports singleValueExtendedProperties/Any"
                                          f"(ep: ep/id eq '...' and ep/value eq '...') on messages, got '{flt}'.")
    pid, value = got.group(3).replace("''", "'"), got.group(5).replace("''", "'")
    for p in msg.get("_props") or []:
        have = str(p.get("id", ""))
        if have.lower() == pid.lower() and have.split(" Name ")[-1] == pid.split(" Name ")[-1] \
                and str(p.get("value", "")).lower() == value.lower():
            return True
    return False


def list_messages(sim: Simulator, req: SimRequest, m: Any) -> SimResponse:
    u = sim.tenant.user(m.group("uid"))
    name = m.group("folder").lower()
    if name not in FOLDERS:
        raise SimError(404, "ErrorInvalidIdMalformed", "Id is malformed.")
    items = folder(sim.tenant, u["id"], name)
    flt = req.query.get("$filter")
    if flt:
        items = [x for x in items if _matches(x, flt)]
    fields = [f for f in (req.query.get("$select") or "").split(",") if f]
    view = [{k: v for k, v in x.items() if not k.startswith("_") and (not fields or k in fields or k == "id")} for x in items]
    return SimResponse.json(200, {"@odata.context": sim.context(req, f"users('{u['id']}')/mailFolders('{name}')/messages"),
                                  "value": view})


def _r(method: str, path: str, handler: Any, roles: tuple[str, ...]) -> Route:
    return Route(method, re.compile(path), handler, roles, ("v1.0", "beta"))


ROUTES = [
    _r("POST", rf"/users/{UID}/messages", create_draft, WRITE),
    _r("POST", rf"/users/{UID}/messages/{MID}/send", send_draft, SEND),
    _r("GET", rf"/users/{UID}/mailFolders/(?P<folder>[A-Za-z]+)/messages", list_messages, READ),
]

__all__ = ["ROUTES", "folder", "mailboxes", "sent_items"]
