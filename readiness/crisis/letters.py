"""A letter for every person who cannot work from home yet: one printable page (HTML) and Markdown.

What works already, what is missing, what to do tomorrow morning, whom to call. Letters are personal:
pseudonymised snapshots are refused; the folder is 0700 and every file 0600.

A temporary access pass (the ``temporary_access_pass`` step) goes only into its owner's letter: ``passes`` is
a JSON file ``{"schema_version": 1, "passes": {"<user id or UPN>": {"pass": "...", "valid_until": "ISO"}}}``
that the step writes into its run folder (0600; playbook/steps/temporary_access_pass.py).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..audit.evaluate import evaluate
from ..audit.matrix import INFO_REASONS, NOT_EVALUABLE_REASONS
from ..errors import UsageError
from ..paths import private_dir, write_private
from ..i18n import labels, when
from ..render.safe import md
from .words import jinja_env, words

if TYPE_CHECKING:
    from ..collect.snapshot import Snapshot

PSEUDONYM_DOMAIN = "@pseudonym.invalid"
LICENCE_REASONS = {"no_licence", "no_teams", "teams_disabled", "no_mailbox", "mailbox_disabled", "no_files",
                   "files_disabled", "licence_error", "licence_suspended"}
DEVICE_REASONS = {"no_device", "device_not_compliant", "device_not_managed"}


@dataclass
class Letters:
    """What ``letters`` wrote: one .html and one .md per person, in ``out_dir``."""

    out_dir: Path
    people: list[str] = field(default_factory=list)  # user ids, in the order written
    files: list[Path] = field(default_factory=list)
    with_pass: int = 0


def is_pseudonymized(snapshot: Snapshot) -> bool:
    users = snapshot.data("users", []) or []
    return any(str(u.get("userPrincipalName") or "").lower().endswith(PSEUDONYM_DOMAIN) for u in users)


def load_passes(path: Path | str | None) -> dict[str, dict]:
    """Per-person passes, keyed by user id and by lower-case UPN (see the module docstring)."""
    if path is None:
        return {}
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError.keyed("crisis.passes_unreadable", path=path, error_type=type(exc).__name__) from exc
    passes = doc.get("passes") if isinstance(doc, dict) else None
    if not isinstance(passes, dict):
        raise UsageError.keyed("crisis.no_passes", path=path)
    return {str(k).lower(): v for k, v in passes.items() if isinstance(v, dict)}


def person_view(row: dict, lang: str, contact: str) -> dict[str, Any]:
    """The language's words for one person's letter (plain strings: templates escape them)."""
    w = words(lang)["letters"]
    reasons = [r for r in row["reasons"] if r not in INFO_REASONS and r not in NOT_EVALUABLE_REASONS]
    device_ok = row["device"] is not None and not (set(reasons) & DEVICE_REASONS)
    works = [w["capabilities"][cap] for cap, ok in (("teams", row["teams_enabled"]), ("mailbox", row["mailbox_enabled"]),
                                                  ("files", row["files_enabled"]), ("mfa", row["mfa_registered"] is True),
                                                  ("device", device_ok)) if ok]
    missing = [labels(lang)["reason_words"].get(r, r) for r in reasons]
    codes = (["licence"] if set(reasons) & LICENCE_REASONS else []) + \
        [c for c in ("no_mfa", "no_device", "device_not_compliant", "device_not_managed") if c in reasons]
    return {"name": row["displayName"], "upn": row["userPrincipalName"], "works": works, "missing": missing,
            "steps": [w["steps"][c].format(contact=contact) for c in codes],
            "md_steps": [w["steps"][c].format(contact=md(contact)) for c in codes]}


def _file_stem(index: int, row: dict) -> str:
    local = str(row["userPrincipalName"]).split("@")[0]
    return f"{index:03d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', local).strip('._')[:60] or 'person'}"


def _code(text: str) -> str:
    """Inside a Markdown code span nothing is interpreted; only backticks and line breaks could end it."""
    return "".join(ch for ch in text if ch not in "`\r\n")


def _markdown(view: dict, common: dict) -> str:
    """Our words as written; every value from the tenant or the caller (names, UPNs, contact) escaped."""
    w = common["w"]
    lines = [f"# {w['title']}", "", w["hello"].format(name=md(view["name"])), "",
             w["intro"].format(tenant=md(common["tenant"])), "", w["account"].format(upn=md(view["upn"])), "",
             f"## {w['works']}", ""]
    lines += [f"- {x}" for x in view["works"]] or [w["works_nothing"]]
    lines += ["", f"## {w['missing']}", ""] + [f"- {x}" for x in view["missing"]]
    lines += ["", f"## {w['tomorrow']}", ""] + [f"{i}. {s}" for i, s in enumerate(view["md_steps"], 1)]
    if view.get("pass"):
        lines += ["", f"## {w['pass_title']}", "", w["pass_text"].format(until=md(view["pass_until"])), "",
                  "`" + _code(view["pass"]) + "`"]
    lines += ["", f"## {w['call']}", "", w["call_text"].format(contact=md(common["contact"])), "",
              f"_{w['as_of'].format(date=common['date'])}_", ""]
    return "\n".join(lines)


def letters(snapshot: Snapshot, out_dir: Path | str, *, lang: str = "en", params: dict | None = None,
                  passes: Path | str | None = None) -> Letters:
    """Write one letter (HTML and Markdown) per person who is not ready; returns what was written.

    + params: ``contact`` (whom to call: a name, a phone number), shown in every letter.
    + passes: a passes.json from a temporary_access_pass step: each pass only in its owner's letter.
    """
    if is_pseudonymized(snapshot):
        raise UsageError.keyed("crisis.letters_pseudonymized")
    w = words(lang)["letters"]
    params = dict(params or {})
    unknown = set(params) - {"contact"}
    if unknown:
        raise UsageError.keyed("crisis.letters_unknown_param", items=', '.join(sorted(unknown)))
    contact = str(params.get("contact") or w["default_contact"])
    by_person = load_passes(passes)
    audit = evaluate(snapshot)
    folder = private_dir(Path(out_dir))  # created 0700; an existing folder (say, /tmp) keeps its mode
    common = {"w": w, "tenant": snapshot.tenant_name, "contact": contact, "date": when(snapshot.collected_at, lang)}
    template = jinja_env(lang).get_template("letter.html.j2")
    result = Letters(folder)
    for index, row in enumerate((r for r in audit.people if r["ready"] is False), 1):
        view = person_view(row, lang, contact)
        tap = by_person.get(str(row["id"]).lower()) or by_person.get(str(row["userPrincipalName"]).lower())
        if tap and tap.get("pass"):
            view["pass"], view["pass_until"] = str(tap["pass"]), when(str(tap.get("valid_until") or ""), lang)
            result.with_pass += 1
        stem = _file_stem(index, row)
        html = template.render(v=view, lang=lang, **common)
        for path, text in ((folder / f"{stem}.html", html), (folder / f"{stem}.md", _markdown(view, common))):
            write_private(path, text)
            result.files.append(path)
        result.people.append(row["id"])
    return result
