"""What goes wrong writing to stdout, said clearly: a stdout that is full (`> /dev/full`: ENOSPC), fails (EIO) or is
closed (`>&-`: sys.stdout is None) is errors.files.stdout_unwritable / stdout_closed, exit 1, never "internal
error"; a reader that went away (BrokenPipeError) stays the quiet 141 (cli.main, pipe_closed)."""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

import click

from ..i18n import text
from .context import env_lang, is_tty, lang_in_args

STDOUT_FAILED = "readiness.stdout_failed"  # ctx.meta: the result could not be written to stdout (no error envelope there)


@contextlib.contextmanager
def writing_stdout() -> Iterator[None]:
    """Writing the result to stdout: a closed stdout (click.echo would write nothing and succeed) or a failing one is
    the clear OutputError, exit 1, and ``ctx.meta[STDOUT_FAILED]`` tells the error handler to write nothing more there."""
    from ..safe_io import OutputError

    ctx = click.get_current_context(silent=True)
    if sys.stdout is None:
        if ctx is not None:
            ctx.meta[STDOUT_FAILED] = True
        raise OutputError.keyed("files.stdout_closed")
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        if ctx is not None:
            ctx.meta[STDOUT_FAILED] = True
        raise OutputError.keyed("files.stdout_unwritable", value=exc.strerror or exc) from exc


def is_terminal() -> bool:
    """Whether stdout is a terminal; False when it is closed (``>&-``) or not a real stream."""
    return is_tty(sys.stdout)


def to_devnull() -> None:
    """Point stdout's file descriptor at /dev/null: what is still buffered for it goes nowhere instead of failing again
    (at the interpreter's exit: "Exception ignored ... BrokenPipeError", or ENOSPC on /dev/full)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):  # noqa: S110 - no stdout to point elsewhere: nothing more goes to it
        pass


def help_not_written(exc: OSError, words: list[str]) -> click.exceptions.Exit:
    """The help or version could not be written to stdout (``readiness report --help > /dev/full``): said on stderr as
    errors.files.stdout_unwritable, in the --lang among ``words`` (else READINESS_LANG); the exit to raise, code 1."""
    from ..safe_io import OutputError

    lang = lang_in_args(words) or env_lang()
    error = OutputError.keyed("files.stdout_unwritable", value=exc.strerror or exc)
    with contextlib.suppress(OSError, ValueError):
        click.echo(text("cli.error", lang, error=error.text(lang)), err=True)
    to_devnull()
    return click.exceptions.Exit(int(error.exit_code))


def help_unsaid(done: click.exceptions.Exit, words: list[str]) -> click.exceptions.Exit:
    """--help or --version ended the command (exit 0) with stdout closed (``readiness --help >&-``): click.echo wrote
    the text nowhere and succeeded. Said as a closed stdout is for a result (errors.files.help_stdout_closed, exit 1),
    not as 141: that is for a reader that went away (a pipe), and here nobody was ever there to read. Any other exit
    is returned as it is."""
    if done.exit_code != 0 or sys.stdout is not None:
        return done
    from ..safe_io import OutputError

    lang = lang_in_args(words) or env_lang()
    error = OutputError.keyed("files.help_stdout_closed")
    with contextlib.suppress(OSError, ValueError):
        click.echo(text("cli.error", lang, error=error.text(lang)), err=True)
    return click.exceptions.Exit(int(error.exit_code))
