"""Validate a parsed playbook: known keys and actions, unique step ids, parameters, selections."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

from .document import Playbook, PlaybookError, Step, _strip
from .model import Text

TOP_KEYS = {"name", "description", "parameters", "steps"}
STEP_KEYS = {"id", "action", "title", "params", "select"}
SELECT_KEYS = {"members", "missing", "departments", "exclude_users", "users"}
MISSING = {"teams", "mailbox", "files", "mfa", "device", "licence"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
PARAM_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _line(node: Any, default: int = 1) -> int:
    return node.get("__line__", default) if isinstance(node, dict) else default


def substitute(value: Any, params: dict[str, Any], where: str) -> Any:
    """Replace ${name} with playbook parameters; a whole-string reference keeps the parameter's type."""
    if isinstance(value, str):
        whole = PARAM_RE.fullmatch(value)
        if whole:
            name = whole.group(1)
            if name not in params:
                raise PlaybookError.keyed("playbook.undeclared_param", where=where, name=name,
                                          value=', '.join(params) or 'none')
            return params[name]

        def repl(m: re.Match) -> str:
            if m.group(1) not in params:
                raise PlaybookError.keyed("playbook.undeclared_param_plain", where=where, group=m.group(1))
            return str(params[m.group(1)])

        return PARAM_RE.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, params, where) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, params, where) for k, v in value.items()}
    return value


def validate(doc: Any, source: str, base: Path | None, sha: str) -> Playbook:
    from .steps import ACTIONS

    if not isinstance(doc, dict):
        raise PlaybookError.keyed("playbook.not_mapping", source=source)
    unknown = set(doc) - TOP_KEYS - {"__line__"}
    if unknown:
        raise PlaybookError.keyed("playbook.unknown_top_keys", source=source, line=_line(doc),
                                  items=', '.join(sorted(unknown)), allowed=', '.join(sorted(TOP_KEYS)))
    name = doc.get("name")
    if not isinstance(name, str) or not ID_RE.match(name):
        raise PlaybookError.keyed("playbook.bad_name", source=source, line=_line(doc))
    params = _strip(doc.get("parameters") or {})
    if not isinstance(params, dict):
        raise PlaybookError.keyed("playbook.bad_parameters", source=source, line=_line(doc))
    steps_doc = doc.get("steps")
    if not isinstance(steps_doc, list) or not steps_doc:
        raise PlaybookError.keyed("playbook.no_steps", source=source, line=_line(doc))
    steps, seen = [], set()
    for raw in steps_doc:
        line = _line(raw)
        where = f"{source}: line {line}"
        if not isinstance(raw, dict):
            raise PlaybookError.keyed("playbook.step_not_mapping", where=where)
        bad = set(raw) - STEP_KEYS - {"__line__"}
        if bad:
            raise PlaybookError.keyed("playbook.unknown_step_keys", where=where, items=', '.join(sorted(bad)),
                                      allowed=', '.join(sorted(STEP_KEYS)))
        sid = raw.get("id")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            raise PlaybookError.keyed("playbook.step_no_id", where=where)
        if sid in seen:
            raise PlaybookError.keyed("playbook.duplicate_step_id", where=where, sid=sid)
        seen.add(sid)
        action = raw.get("action")
        if action not in ACTIONS:
            raise PlaybookError.keyed("playbook.unknown_action", where=where, action=action, sid=sid,
                                      items=', '.join(sorted(ACTIONS)))
        select = _strip(raw.get("select") or {})
        check_select(select, where)
        step_params = _strip(raw.get("params") or {})
        if not isinstance(step_params, dict):
            raise PlaybookError.keyed("playbook.params_not_mapping", where=where)
        resolved = substitute(step_params, params, where)
        if not unset_parameters(step_params, params):  # steps waiting for a parameter are checked at plan time
            check_params(action, resolved, where)
        steps.append(Step(sid, action, step_title(raw.get("title"), action), step_params, select, line))
    return Playbook(name, str(doc.get("description") or ""), params, steps, source, sha, base)


def step_title(title: Any, action: str) -> Text:
    """The playbook's own title (a catalogue key such as ``steps.shipped.crisis_team`` is looked up when shown),
    else the action type's title from the catalogue."""
    from ..i18n import Message, has
    from .steps import ACTIONS

    if title:
        return Message(str(title)) if str(title).startswith("steps.") and has(str(title)) else str(title)
    key = f"steps.{action}.title"
    return Message(key) if has(key) else ACTIONS[action].TITLE


def unset_parameters(value: Any, params: dict[str, Any]) -> list[str]:
    """Parameters a step refers to whose value is still empty ("" or [])."""
    names = PARAM_RE.findall(repr(value))
    return [n for n in dict.fromkeys(names) if n in params and params[n] in ("", [])]  # null means optional


def check_select(select: Any, where: str) -> None:
    if not isinstance(select, dict):
        raise PlaybookError.keyed("playbook.select_not_mapping", where=where, items=', '.join(sorted(SELECT_KEYS)))
    bad = set(select) - SELECT_KEYS
    if bad:
        raise PlaybookError.keyed("playbook.unknown_select_keys", where=where, items=', '.join(sorted(bad)),
                                  allowed=', '.join(sorted(SELECT_KEYS)))
    missing = select.get("missing") or []
    if not isinstance(missing, list) or set(missing) - MISSING:
        raise PlaybookError.keyed("playbook.bad_missing", where=where, items=', '.join(sorted(MISSING)))
    if "members" in select and not isinstance(select["members"], bool):
        raise PlaybookError.keyed("playbook.bad_members", where=where, shown=_show(select['members']))
    for key in ("departments", "exclude_users", "users"):
        if key in select and not (isinstance(select[key], list) and all(isinstance(x, str) for x in select[key])):
            raise PlaybookError.keyed("playbook.select_not_list", where=where, key=key)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def strict_bools(model: Any, params: Any, where: str) -> None:
    """A boolean parameter takes true or false, never a string: pydantic would read "no", "off" or "0" as false
    and a YAML 1.1 habit such as `yes` as true, so a typo could silently flip a setting."""
    if not isinstance(params, dict):
        return
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in params:
            continue
        allowed = (info.annotation,) if info.annotation is bool else get_args(info.annotation)
        if bool not in allowed or (info.annotation is not bool and not set(allowed) <= {bool, type(None)}):
            continue
        value = params[key]
        if isinstance(value, bool) or (value is None and type(None) in allowed):
            continue
        raise PlaybookError.keyed("playbook.bad_bool_param", where=where, key=key, shown=_show(value))


def check_params(action: str, params: dict, where: str) -> Any:
    from pydantic import ValidationError

    from .steps import ACTIONS

    strict_bools(ACTIONS[action].Params, params, where)
    try:
        return ACTIONS[action].Params.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "params"
        raise PlaybookError.keyed("playbook.bad_param_value", where=where, field=field, problem=first['msg'],
                                  action=action) from None
