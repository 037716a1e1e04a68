"""invite_guests: invite external partners listed in a CSV (email, displayName)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ...errors import Phrase, UsageError
from ...safe_io import read_regular
from ...i18n import Message
from ..model import Change, Request, StepPlan
from ..query import odata_string
from .base import Ctx, delete_inverse, id_named, present

NAME = "invite_guests"
TITLE = "Invite external partners as guests"
PERMISSIONS = ("User.Invite.All",)
DATA_LOSS = "run.data_loss.guest"  # undo deletes the guest account: what was shared with it is out of reach
# an apostrophe is common in a local part (o'brien@...): allowed, and doubled inside OData strings (odata_string)
EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MAX_ROWS = 5000
MAX_CSV_BYTES = 2 * 1024 * 1024


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csv: str  # path; relative paths are relative to the playbook file
    redirect_url: str = "https://myapps.microsoft.com"
    send_invitation_message: bool = False


def read_csv(path: Path) -> list[dict]:
    """The guest list: a regular UTF-8 file of at most MAX_CSV_BYTES. Errors never quote the file's lines, so a
    playbook pointing at a file it should not (`csv: /etc/shadow`) cannot make readiness print it."""
    raw = read_regular(path, MAX_CSV_BYTES, Phrase("errors.files.nouns.guest_list"))
    if len(raw) > MAX_CSV_BYTES:
        raise UsageError.keyed("playbook.guests_too_large", path=path, max_bytes=MAX_CSV_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
        header = reader.fieldnames or []
        rows = list(reader) if "email" in header else []
    except (UnicodeDecodeError, csv.Error):
        raise UsageError.keyed("playbook.guests_not_csv", path=path) from None
    if "email" not in header:
        raise UsageError.keyed("playbook.guests_no_header", path=path)
    if len(rows) > MAX_ROWS:
        raise UsageError.keyed("playbook.guests_too_many", path=path, n=len(rows), max_rows=MAX_ROWS)
    for i, row in enumerate(rows, start=2):
        if not isinstance(row.get("email"), str) or not EMAIL.match(row["email"].strip()):
            raise UsageError.keyed("playbook.guests_bad_email", path=path, i=i)
    return rows


def plan(p: Params, ctx: Ctx) -> StepPlan:
    path = Path(p.csv)
    if not path.is_absolute() and ctx.base_dir:
        path = ctx.base_dir / path
    rows = read_csv(path)
    known = {(u.get("mail") or "").lower() for u in ctx.snapshot.data("users", []) or []}
    changes = []
    for row in rows:
        email = row["email"].strip()
        if email.lower() in known:
            continue
        body = {"invitedUserEmailAddress": email, "invitedUserDisplayName": (row.get("displayName") or "").strip() or email,
                "inviteRedirectUrl": p.redirect_url, "sendInvitationMessage": p.send_invitation_message}
        changes.append(ctx.change(NAME, "create", f"guest:{email.lower()}", email, None, {"guest": email},
                                  [Request("POST", "/invitations", body, idempotent=False)], email=email))
    return ctx.step(NAME, changes, noop=Message("steps.invite_guests.all_guests", {"n": len(rows)}), permissions=PERMISSIONS)


def check(change: Change) -> Request | None:
    return Request("GET", "/users", query={"$filter": f"mail eq {odata_string(change.data['email'])}", "$select": "id,mail"})


def created_id(body: Any) -> str | None:
    """An invitation answers its own id; what undo deletes is the guest user, ``invitedUser.id``."""
    return ((body or {}).get("invitedUser") or {}).get("id") if isinstance(body, dict) else None


def found_id(body: Any, change: Change) -> str | None:
    return id_named(body)


def is_done(change: Change, body: Any) -> bool:
    return present(change, found_id(body, change) is not None)


def inverse(change: Change) -> list[Change] | None:
    uid = change.data.get("id")
    return delete_inverse(change, f"/users/{uid}" if uid else None)
