"""What ``readiness playbook apply REF`` was given: a saved plan, recognised by its content, or a playbook.

A plan file is a JSON document whose ``kind`` is ``readiness.plan`` (files saved before the marker existed are
recognised by their ``plan`` and ``signature`` members); its name does not matter. A playbook is a shipped name or
a YAML (or JSON) file with ``steps``. Anything else is refused with an error that says which two it could have been.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import Phrase, UsageError
from ..playbook.runs import PLAN_KIND

MAX_PLAN_BYTES = 256 * 1024 * 1024  # a plan for a very large tenant is big; a file larger than this is no plan


def _json_document(path: Path) -> Any:
    """The file's JSON document, or ``None`` when the file does not start like JSON (YAML, a shipped name)."""
    from ..safe_io import read_regular

    raw = read_regular(path, MAX_PLAN_BYTES, Phrase("errors.files.nouns.playbook"))  # the playbook or its plan
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError.keyed("plan.neither", path=str(path)) from None
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None  # YAML flow style starts with { too: the playbook loader names the line


def is_plan_document(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("kind") == PLAN_KIND or ("plan" in doc and "signature" in doc))


def load_plan(path: Path | str) -> Any:
    """A plan saved with ``Plan.save`` or ``readiness playbook plan --out`` (signature checked): ``readiness.Plan``."""
    from ..playbook.loader import load
    from ..playbook.runs import load_plan_file
    from . import arguments
    from .results import Plan

    saved, meta = load_plan_file(arguments.path(path, "load_plan"))
    source = meta.get("playbook_source", "")
    pb = load(source[len("builtin:"):] if source.startswith("builtin:") else source)
    if pb.sha256 != saved.playbook_hash:
        raise UsageError.keyed("plan.playbook_changed")
    return Plan(saved, pb, dict(meta.get("overrides") or {}), None, meta.get("tenant", ""), meta.get("endpoint", ""))


def plan_or_playbook(ref: str | Path) -> Any:
    """A saved plan (``readiness.Plan``, signature checked) or a Playbook, told apart by the file's content."""
    from ..playbook.loader import load

    path = Path(ref)
    if path.is_file():
        doc = _json_document(path)
        if is_plan_document(doc):
            return load_plan(path)
        if doc is not None and not (isinstance(doc, dict) and "steps" in doc):
            raise UsageError.keyed("plan.neither", path=str(path))
    return load(str(ref))
