"""The thin Click layer. Commands live in their own modules and load only when called, so that
`readiness --help` imports neither msgraph nor azure nor keyring."""
from __future__ import annotations

import contextlib
import importlib
import os
import sys

import click

from .. import __version__
from ..errors import ReadinessError
from ..exitcodes import ExitCode
from ..i18n import text
from .context import ARGS_KEY, AppContext, current_lang
from .helptext import HelpGroup
from .stdout import STDOUT_FAILED, help_not_written, is_terminal, to_devnull

COMMANDS = {
    "demo": ("readiness.cli.demo", "demo"),
    "audit": ("readiness.cli.audit", "audit"),
    "checks": ("readiness.cli.checks", "checks"),
    "measures": ("readiness.cli.measures", "measures"),
    "playbook": ("readiness.cli.playbook", "playbook"),
    "report": ("readiness.cli.report", "report"),
    "tenant": ("readiness.cli.tenant", "tenant"),
    "drill": ("readiness.cli.drill", "drill"),
    "letters": ("readiness.cli.letters", "letters"),
    "simulator": ("readiness.cli.simulator", "simulator"),
    "fleet": ("readiness.cli.fleet", "fleet"),
    "history": ("readiness.cli.fleet", "history"),
}


# subcommands kept in modules of their own, added to a group when it loads (no command imports another)
SUBCOMMANDS = {"tenant": (("readiness.cli.tenant_fleet", "tenant_import"), ("readiness.cli.tenant_fleet", "tenant_discover")),
               "playbook": (("readiness.cli.lessons", "playbook_lessons"),)}


class LazyGroup(HelpGroup):
    """Loads command modules on demand and translates every error once, with documented exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module, attr = COMMANDS[name]
            command = getattr(importlib.import_module(module), attr)
            for sub_module, sub_attr in SUBCOMMANDS.get(name, ()):
                sub = getattr(importlib.import_module(sub_module), sub_attr)
                command.add_command(sub)  # type: ignore[attr-defined]
            return command
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._write_commands(ctx, formatter, sorted(COMMANDS))  # short texts from the catalogue: no module imported

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: object) -> click.Context:
        words = list(args)  # as given: parsing takes the options out of ``args``
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[arg-type]
        except click.UsageError as exc:  # the root's own options (readiness --bogus, readiness --lang de audit)
            if exc.ctx is not None:  # said in the --lang given anywhere among the words (current_lang reads them)
                exc.ctx.meta.setdefault(ARGS_KEY, words)
            raise SaidUsageError.of(exc) from None
        except BrokenPipeError:  # `readiness --help | head -1`
            raise click.exceptions.Exit(pipe_closed()) from None
        except OSError as exc:  # `readiness --help > /dev/full`: parsing reads nothing, so it is the help's output
            raise help_not_written(exc, words) from None

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        # the subcommand's words and options, still unparsed here (click keeps the first in _protected_args)
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        ctx.meta["readiness.json_command"] = _json_command(args)
        ctx.meta[ARGS_KEY] = args  # current_lang() reads the command's --lang from them, also after it failed
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # click's own words (No such option, Missing argument ...): the catalogue's
            raise SaidUsageError.of(exc) from None
        except BrokenPipeError:  # the reader went away (`| head`): not an error of the command (click would say exit 1)
            raise click.exceptions.Exit(pipe_closed()) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ReadinessError as exc:
            lang = current_lang(ctx)
            _fail(ctx, text("cli.error", lang, error=exc.text(lang)), int(exc.exit_code), code_name=exc.code,
                  what=exc.what_in(lang), fix=exc.fix_in(lang))
        except KeyboardInterrupt:
            _fail(ctx, text("cli.interrupted", current_lang(ctx)), int(ExitCode.INTERRUPTED), code_name="interrupted")
        except Exception as exc:  # the last line of defence: no traceback unless asked
            _fail(ctx, text("cli.internal_error", current_lang(ctx), error=f"{type(exc).__name__}: {exc}"),
                  int(ExitCode.RUNTIME_ERROR), code_name="internal")


class SaidUsageError(click.UsageError):
    """A usage error click raised, said from the catalogue (``errors.usage.*``) in the command's language: the usage
    line, the "Try 'readiness X --help'" hint and what was wrong, from the exception's attributes. Exit code 2."""

    original: click.UsageError

    @classmethod
    def of(cls, exc: click.UsageError) -> click.UsageError:
        if isinstance(exc, (SaidUsageError, getattr(click.exceptions, "NoArgsIsHelpError", SaidUsageError))):
            return exc  # a group called without a command shows its help (already from the catalogue)
        said = cls(exc.message, exc.ctx)
        said.original, said.exit_code = exc, exc.exit_code
        return said

    def show(self, file: object = None) -> None:
        try:
            self._show()
        except Exception:  # noqa: BLE001 - a message the catalogue cannot say: click's own words, never a traceback
            self.original.show()

    def _show(self) -> None:
        from .usage_words import usage_error_text  # only when a usage error happened

        ctx = self.ctx
        lang = current_lang(ctx)
        lines, fix = [], ""
        if ctx is not None:
            lines.append(ctx.get_usage())
            names = ctx.command.get_help_option_names(ctx) if ctx.command.get_help_option(ctx) is not None else []
            if names:
                fix = text("errors.usage.try_help.what", lang, command=ctx.command_path, option=max(names, key=len))
                lines.append(fix)
            lines.append("")
        what = usage_error_text(self.original, lang)
        message = text("cli.error", lang, error=what)
        lines.append(message)
        from ..render.safe import strip_controls  # the words a user typed come back: no escape sequences

        click.echo(strip_controls("\n".join(lines)), err=True, color=ctx.color if ctx is not None else None)
        command = _json_command(ctx.meta.get(ARGS_KEY) or []) if ctx is not None else None
        if command:  # -o json: the envelope a runtime error gets (_fail), so that a script reads one shape on stdout
            _envelope_out(command, self.exit_code, "usage", message, what, fix)


def _json_command(args: list[str]) -> str | None:
    """The command's name ("playbook plan", "report") when its arguments ask for -o json, else None: the command
    words only, as the result's envelope names it, never an argument ("report", not "report missing.json")."""
    wants = any(a in ("--output=json", "-ojson") or (a in ("-o", "--output") and nxt == "json")
                for a, nxt in zip(args, [*args[1:], ""]))
    if not wants:
        return None
    words = []
    for a in args:
        if a.startswith("-"):
            break
        words.append(a)
    if not words or words[0] not in COMMANDS:
        return "readiness"
    group = cli.get_command(None, words[0])  # type: ignore[arg-type]  # loaded by name alone, with its subcommands
    if isinstance(group, click.Group) and len(words) > 1 and words[1] in group.commands:
        return " ".join(words[:2])
    return words[0]


def _envelope_out(command: str, code: int, code_name: str, message: str, what: str, fix: str) -> None:
    """The error envelope on stdout (``-o json``), status "error", one ``errors`` entry; a stdout that cannot take it
    (full, closed, gone) is left alone: the error was said on stderr."""
    from ..render.envelope import envelope
    from ..render.safe import strip_controls

    try:
        click.echo(envelope(command, None, exit_code=code, status="error",
                            errors=[{"code": code_name, "message": strip_controls(message),
                                     "what": strip_controls(what), "fix": strip_controls(fix), "exit_code": code}]),
                   nl=False)
    except (OSError, ValueError):
        to_devnull()


def _fail(ctx: click.Context, message: str, code: int, code_name: str = "error", what: str = "", fix: str = "") -> None:
    from ..render.safe import strip_controls  # messages quote files and servers: no escape sequences reach the terminal

    # Saying the error must not fail in turn (stderr or stdout full, closed or gone): the first failure is the one
    # reported, and a stream that cannot take it is left alone.
    with contextlib.suppress(OSError, ValueError):
        click.echo(strip_controls(message), err=True)
    command = ctx.meta.get("readiness.json_command")
    if ctx.meta.get(STDOUT_FAILED):  # the result could not be written there: no envelope after half a result
        command = None
        to_devnull()  # what is still buffered for stdout must not fail again at the exit
    if command:  # -o json: scripts read the envelope on stdout, status "error", as for any other result
        _envelope_out(command, code, code_name, message, what, fix)
    obj = ctx.find_object(AppContext)
    if obj is not None and obj.verbose:
        import traceback

        traceback.print_exc()
    ctx.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="readiness")
@click.option("-v", "--verbose", count=True)
@click.option("-q", "--quiet", is_flag=True)
@click.option("--no-color", is_flag=True)
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, no_color: bool) -> None:
    obj = ctx.ensure_object(AppContext)
    obj.verbose = verbose
    obj.quiet = quiet
    # is_terminal: False for a closed stdout (`>&-`), which is said when the result is written (stdout.writing_stdout)
    obj.color = not no_color and not os.environ.get("NO_COLOR") and is_terminal()


def main(argv: list[str] | None = None) -> None:
    """Console entry point (`readiness`, `python -m readiness`: both call ``main()`` without arguments, and the
    process then ends here); ``main([...])`` runs a command and raises SystemExit as click does."""
    from . import options

    options._ONE_SHOT = True  # the process ends with the command: evaluate may freeze what it built (issue 15)
    try:
        try:
            cli.main(args=argv, prog_name="readiness")
        finally:
            _flush()  # what is still buffered, here: a closed pipe at the interpreter's exit would print a traceback
    except BrokenPipeError:  # `readiness ... | head`
        sys.exit(pipe_closed())
    except SystemExit as exc:
        if argv is None and options.output_written():
            _end_now(exc.code)
        raise


def pipe_closed() -> int:
    """The reader of stdout went away (`readiness report s.json -o json | head -c 50`): not an error of the command,
    so nothing is said; what is still to be written goes to /dev/null (Python's "Note on SIGPIPE", signal module), and
    the exit status is the one a program that SIGPIPE ends has in the shell, 141 (128 + 13, as Ctrl-C's 130)."""
    to_devnull()
    return int(ExitCode.PIPE_CLOSED)


def _flush() -> None:
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        sys.exit(pipe_closed())
    except (OSError, ValueError):  # a stream already closed: nothing is left to write
        pass


def _end_now(code: object) -> None:
    """End the process once an audit's result is written whole, without Python's teardown freeing the snapshot, the
    facts and the audit object by object (0.1-0.2 s of CPU at 100,000 people, issue 15). Only when nothing else can
    still be in flight: no other thread running and an int exit code; the exit handlers (atexit: logging, temporary
    files) still run and stdout/stderr are flushed first. Any doubt: return, and the ordinary exit follows."""
    import threading

    if code is None:
        code = 0
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255 or threading.active_count() != 1:
        return
    import atexit

    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except BrokenPipeError:  # the reader went away before the last bytes
        code = pipe_closed()
    except Exception:  # noqa: BLE001 - a failing handler: the ordinary exit reports it as before
        return
    os._exit(code)
