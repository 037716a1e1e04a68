"""The language of what the CLI says to the person at the terminal (errors, prompts, warnings): chosen here, once.

``--lang`` of the command when it has one, else ``READINESS_LANG``, else English (profiles carry no language).
"""
from __future__ import annotations

from typing import Sequence

import click

from ..i18n import available_languages, ui_lang

ARGS_KEY = "readiness.args"


def lang_in_args(args: Sequence[str]) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` among a command's words, if the catalogue has that language."""
    found = None
    for arg, nxt in zip(args, [*args[1:], ""]):
        if arg == "--":
            break
        if arg == "--lang":
            found = nxt
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    return found if found and found in available_languages() else None


def current_lang(ctx: click.Context | None = None) -> str:
    """The command's ``--lang``, else READINESS_LANG (``i18n.ui_lang``), else English."""
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        given = ctx.get_parameter_source("lang") not in (None, click.core.ParameterSource.DEFAULT)
        if given and ctx.params.get("lang") in available_languages():
            return str(ctx.params["lang"])
        args = ctx.meta.get(ARGS_KEY)
        if args is not None:
            return lang_in_args(args) or ui_lang()
        ctx = ctx.parent
    return ui_lang()
