"""AppContext: what every command gets; builds Graph clients lazily (tests inject a factory)."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import click

from ..errors import Phrase
from ..i18n import UI_LANG_ENV, available_languages, text, ui_lang as env_lang


# progress lines (library Phrases) said even where progress is not shown: waits, and a fleet's tenant that failed
NOTICES = frozenset({"cli.progress.retry_after_wait", "cli.progress.waiting", "cli.progress.fleet_failed"})


@dataclass
class AppContext:
    verbose: int = 0
    color: bool = False
    # tests inject the in-process simulator here: (connection) -> GraphClient
    client_factory: Callable[..., Any] | None = None
    extra: dict = field(default_factory=dict)
    quiet: bool = False  # -q/--quiet: no progress lines

    def progress(self, message: str) -> None:
        """A progress line on stderr (results go to stdout; a library Phrase in the terminal's language): only when
        stderr is a terminal and not --quiet, so that logs of scheduled runs hold what matters. A wait Graph asked
        for and a fleet tenant that failed (NOTICES) are said everywhere: a silent minute looks like a hang."""
        if self.show_progress() or getattr(message, "key", None) in NOTICES:
            print(spoken(message), file=sys.stderr, flush=True)

    def note(self, message: str) -> None:
        """A line the user needs whatever the terminal (a file saved, a gate tripped, data incomplete): always on stderr."""
        print(spoken(message), file=sys.stderr, flush=True)

    def show_progress(self) -> bool:
        if self.quiet:
            return False
        forced = os.environ.get("READINESS_PROGRESS", "").strip().lower()  # always | never | (unset) auto
        if forced in ("always", "never"):
            return forced == "always"
        return stderr_is_terminal() or self.verbose > 0

    def debug(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def collect(self, conn: Any, previous: Any = None, lang: str | None = None) -> Any:
        """readiness.collect with progress on stderr: a start line, sections with -v, the request counts.

        ``previous``: a snapshot of the same tenant for a delta re-audit. ``lang``: a command whose own --lang
        governs its progress lines whatever READINESS_LANG says (demo); else ``terminal_lang()``.
        """
        import readiness

        def say(key: str, **params: Any) -> str:
            return text(key, lang or terminal_lang(), **params)

        if conn.profile is None:  # --graph-url: the label is the URL, said once
            self.progress(say("cli.audit.collecting_url", url=conn.endpoint.base_url))
        else:
            self.progress(say("cli.audit.collecting", tenant=conn.label, url=conn.endpoint.base_url))
        snapshot = readiness.collect(conn, progress=self.progress if self.show_progress() else None, previous=previous,
                                     processes=None)  # a helper process where it pays (collect/helper.py)
        r = snapshot.requests
        self.progress(say("cli.audit.collected", seconds=round(float(r.get("seconds", 0)), 1), requests=r.get("requests", 0),
                          retries=r.get("retries", 0), throttled=r.get("throttled", 0),
                          waited=round(float(r.get("waited_seconds", r.get("throttled_seconds", 0))), 1)))
        return snapshot

    def open_client(self, connection: Any, **kwargs: Any) -> Any:
        if self.client_factory is not None:
            return self.client_factory(connection, **kwargs)
        return connection.open(**kwargs)


def is_tty(stream: Any) -> bool:
    """Whether ``stream`` is a terminal; False when it is closed (``>&-``: None) or not a real stream."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_terminal() -> bool:
    """Progress is for people watching a terminal (tests patch this to see it without one)."""
    return is_tty(sys.stderr)


def interactive() -> bool:
    """Whether a question can be asked and answered: stdin is a terminal (tests patch this)."""
    return is_tty(sys.stdin)


def run_async(coro: Any) -> Any:
    """One asyncio.run per command (never share a client across loops)."""
    import asyncio  # here: `readiness report` needs no event loop, and asyncio costs ~20 ms to import (issue 15)

    return asyncio.run(coro)


# -- the language of what the CLI says, chosen here once ---------------------------------------------------------------
# An error: the command's --lang, else READINESS_LANG, else English (profiles carry no language) - current_lang().
# Prompts, warnings and progress lines around a result: READINESS_LANG (the terminal's language), else the command's
# own --lang (one language in one run: `audit --lang de` says its progress in German too), else English -
# terminal_lang(), used by say() and spoken().

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
            return lang_in_args(args) or env_lang()
        ctx = ctx.parent
    return env_lang()


def terminal_lang() -> str:
    """The language of the lines around a result: READINESS_LANG where it names a language, else the command's --lang
    given on its command line, else English."""
    env = os.environ.get(UI_LANG_ENV, "")
    return env if env and env in available_languages() else current_lang()


def said(key: str, /, **params: object) -> str:
    """A catalogue text for an error a command raises (a usage error above all): in the command's language, its
    ``--lang`` (even when the options could not all be read), else READINESS_LANG - as ``current_lang``."""
    return text(key, current_lang(), **params)


def say(key: str, /, **params: object) -> str:
    """A catalogue text for the person at the terminal (prompt, progress, warning), in ``terminal_lang()``: READINESS_LANG,
    else the command's --lang."""
    return text(key, terminal_lang(), **params)


def spoken(message: str) -> str:
    """A line the library handed over, in the terminal's language (as ``say``) when it is a catalogue Phrase."""
    return message.text(terminal_lang()) if isinstance(message, Phrase) else message
