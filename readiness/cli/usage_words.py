"""click's usage errors in the catalogue's words (``errors.usage.*``), built from the exception's attributes.

click writes its messages in English (through gettext, with no catalogue installed). What was wrong is kept by the
exception (``option_name``, ``possibilities``, ``param``, ``param_hint``); the value a parameter type refused is
only in click's English message, so it is read back from there for the types this CLI uses (Choice, the number
ranges, numbers, paths). A message a command wrote itself (already from the catalogue) is shown as it is.
"""
from __future__ import annotations

import ast
import re
from typing import Any

import click

from ..i18n import text

_REPR = r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_CHOICE = re.compile(rf"^{_REPR} is not (?:one of )?")
_NUMBER = re.compile(rf"^{_REPR} is not a valid (?P<kind>integer|float)")
_RANGE = re.compile(r"^(?P<value>.*?) is not in the range ")
_PATH = re.compile(rf"^\w+ {_REPR} (?P<what>does not exist|is a file|is a directory|is not readable|is not writable)\.")
_NO_COMMAND = re.compile(rf"^No such command {_REPR}\.$")
_EXTRA = re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$", re.S)
_NEEDS_VALUE = re.compile(r"^Option '(?P<name>[^']*)' requires (?:an argument|\d+ arguments)\.$")
_NO_VALUE = re.compile(r"^Option '(?P<name>[^']*)' does not take a value\.$")
_PATH_WORDS = {"does not exist": "no_such_path", "is a file": "path_is_file", "is a directory": "path_is_directory",
               "is not readable": "path_not_readable", "is not writable": "path_not_writable"}


def _say(key: str, lang: str, /, **params: Any) -> str:
    return text(f"errors.usage.{key}.what", lang, **params)


def _value(match: re.Match[str]) -> str:
    try:
        return str(ast.literal_eval(match.group("value")))
    except (ValueError, SyntaxError):
        return match.group("value")


def _hint(exc: click.BadParameter) -> str:
    """The parameter as click names it to the user ('--lang', 'SNAPSHOT', "'-o' / '--output'")."""
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)  # type: ignore[arg-type]
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(f"'{h}'" for h in hint)
    return str(hint or "")


def _refused(exc: click.BadParameter, lang: str) -> str:
    """Why a parameter's value was refused: the type's reason in words, else the message as given."""
    param_type = getattr(exc.param, "type", None)
    message = exc.message
    if isinstance(param_type, click.Choice) and (m := _CHOICE.match(message)):
        return _say("not_a_choice", lang, value=_value(m), choices=", ".join(map(str, param_type.choices)))
    if isinstance(param_type, click.types._NumberRangeBase) and (m := _RANGE.match(message)):
        return _say("out_of_range", lang, value=m.group("value"), range=param_type._describe_range())
    if m := _NUMBER.match(message):
        return _say("not_an_integer" if m.group("kind") == "integer" else "not_a_number", lang, value=_value(m))
    if m := _PATH.match(message):
        return _say(_PATH_WORDS[m.group("what")], lang, path=_value(m))
    return message.rstrip(".")


def usage_error_text(exc: click.UsageError, lang: str) -> str:
    """What was wrong, in ``lang``: one sentence for the ``Error: ...`` line."""
    if isinstance(exc, click.NoSuchOption):
        return _no_such_option(exc, lang)
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        return _say("missing_argument" if kind == "argument" else "missing_option" if kind == "option" else "missing_parameter",
                    lang, name=_hint(exc))
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        reason = _refused(exc, lang)
        return _say("invalid_value_for", lang, name=hint, reason=reason) if hint else _say("invalid_value", lang, reason=reason)
    message = exc.message
    if m := _NO_COMMAND.match(message):
        return _say("no_such_command", lang, name=_value(m))
    if m := _EXTRA.match(message):
        return _say("extra_arguments", lang, args=m.group("args"))
    if m := _NEEDS_VALUE.match(message):
        return _say("option_needs_value", lang, option=m.group("name"))
    if m := _NO_VALUE.match(message):
        return _say("option_takes_no_value", lang, option=m.group("name"))
    if message == "Missing command.":
        return _say("missing_command", lang)
    return message  # a command's own usage error: already said from the catalogue


def _no_such_option(exc: click.NoSuchOption, lang: str) -> str:
    """Every option of the command's words that it does not know, not only the first that click stopped at
    (``playbook plan --lang de --bogus``: both), and why --lang is not there on a command that has none."""
    ctx = exc.ctx
    unknown = _unknown_options(ctx) if ctx is not None else []
    if exc.option_name not in unknown:
        unknown = [exc.option_name]
    if len(unknown) > 1:
        said = _say("no_such_options", lang, options=", ".join(unknown))
    else:
        said = _say("no_such_option", lang, option=exc.option_name)
    if "--lang" in unknown and ctx is not None:
        if ctx.parent is None:  # readiness --lang de audit
            return said + " " + _say("lang_after_command", lang)
        said += " " + _say("no_lang_option", lang, command=ctx.command_path)
    global_ones = [o for o in unknown if o in ("-v", "-vv", "--verbose", "-q", "--quiet", "--no-color")]
    if global_ones and ctx is not None and ctx.parent is not None:  # readiness audit -v: it belongs before the command
        said += " " + _say("global_before_command", lang, option=global_ones[0],
                           example=f"readiness {global_ones[0]} {ctx.command_path.split(' ', 1)[-1]}")
    options = sorted(exc.possibilities or []) if len(unknown) == 1 else []
    if len(options) == 1:
        said += " " + _say("did_you_mean", lang, option=options[0])
    elif options:
        said += " " + _say("possible_options", lang, options=", ".join(options))
    return said


def _unknown_options(ctx: click.Context) -> list[str]:
    """The options among the command's own words (after its name) that it does not have, as click names them:
    ``--name`` (also from ``--name=value``) or ``-x`` (the first unknown letter of ``-xyz``). A value that a known
    option takes is skipped; a group's own options end at its first word that is not an option, as click parses."""
    from .context import ARGS_KEY

    words = list(ctx.meta.get(ARGS_KEY) or [])
    path, up = [], ctx
    while up is not None and up.parent is not None:
        path.insert(0, up.info_name or "")
        up = up.parent
    for name in path:  # the words after the command's name: its own
        if name not in words:
            return []
        words = words[words.index(name) + 1:]
    takes_value: dict[str, bool] = {}
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option):
            for opt in (*param.opts, *param.secondary_opts):
                takes_value[opt] = not (param.is_flag or param.count)
    unknown: list[str] = []
    rest = iter(words)
    for word in rest:
        if word == "--" or (isinstance(ctx.command, click.Group) and not word.startswith("-")):
            break
        if word.startswith("--"):
            name, eq, _ = word.partition("=")
            if name not in takes_value:
                unknown.append(name)
            elif takes_value[name] and not eq:
                next(rest, None)
        elif word.startswith("-") and len(word) > 1:
            for i, letter in enumerate(word[1:], 1):
                if f"-{letter}" not in takes_value:
                    unknown.append(f"-{letter}")
                    break
                if takes_value[f"-{letter}"]:
                    if i == len(word) - 1:
                        next(rest, None)
                    break
    return list(dict.fromkeys(unknown))
