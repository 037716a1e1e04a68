"""Options shared by many commands: output format and destination, and which tenant to talk to."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from ..i18n import DEFAULT_LANG, LANGS, text
from . import context
from .context import AppContext, current_lang, said, say
from .stdout import is_terminal, writing_stdout

FORMATS = ("table", "json", "csv", "md", "html")


class OutPath(click.Path):
    """The type of an option naming a file to write (--out FILE). ``-`` is standard output, as the convention has it
    (the option's value is then None: what the command does without the option) when ``stdout=True``; where standard
    output already carries the command's result (--report, --snapshot-out, plan's --out) ``-`` is refused, exit 2,
    instead of writing a file named ``-``. ``./-`` still names such a file."""

    def __init__(self, *, stdout: bool = True) -> None:
        super().__init__(dir_okay=False, path_type=Path)
        self.stdout = stdout

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "-":
            if self.stdout:
                return None
            option = max(getattr(param, "opts", None) or ["--out"], key=len)
            self.fail(text("errors.usage.dash_not_stdout.what", current_lang(ctx), option=option), param, ctx)
        return super().convert(value, param, ctx)


def output_options(func: Callable | None = None, *, formats: tuple[str, ...] = FORMATS, default: str | None = "table",
                   out: bool = True) -> Callable:
    """-o/--output FORMAT, --out FILE, --query JMESPATH and -q/--quiet: the same on every command that prints a result.

    ``formats``: what this command can print (the first ``default``). ``out=False``: the command has its own --out
    (``playbook plan`` saves a signed plan there). --query with another format than json is refused before the
    command runs (exit 2), so nothing is collected or sent for an answer that cannot be given.

    \b
        @output_options(formats=("table", "json", "csv"))
        def command(..., output: str, out: Path | None) -> None: ... emit(text, out)
    """
    def decorate(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            if ctx.meta.get("readiness.query") is not None and kwargs.get("output") not in ("json", None):
                from ..errors import UsageError

                raise UsageError(said("cli.output.query_needs_json", format=kwargs.get("output")),
                                 said("cli.output.query_needs_json_fix"))
            return f(*args, **kwargs)

        wrapped = quiet_option(query_option(wrapper))
        if out:
            wrapped = click.option("--out", "out", type=OutPath(), default=None,
                                   metavar="FILE")(wrapped)
        return click.option("-o", "--output", "output", type=click.Choice(formats), default=default,
                            show_default=default is not None)(wrapped)

    return decorate(func) if func is not None else decorate


def quiet_option(func: Callable) -> Callable:
    """-q/--quiet: no progress lines on stderr (they are shown only when stderr is a terminal anyway)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.quiet = True

    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=remember)(func)


def yes_option(func: Callable) -> Callable:
    """-y/--yes on every command that changes a tenant: without it, and without a terminal to ask on, it refuses."""
    return click.option("-y", "--yes", is_flag=True)(func)


def require_yes_or_terminal(yes: bool) -> None:
    """Refuse at once (exit 2, before any request) a change nobody confirmed and nobody can be asked about."""
    if not yes and not context.interactive():
        from ..errors import UsageError

        raise UsageError(said("cli.playbook.no_terminal"), said("cli.playbook.no_terminal_fix"))


def connection_hint(tenant: str | None, graph_url: str | None) -> str:
    """The connection as the user gave it, for hints that suggest the next command: ``--graph-url URL`` when they
    used it, ``--tenant NAME`` for a profile, else ``--tenant ...`` (changes never take the default profile)."""
    import shlex

    if graph_url:
        return f"--graph-url {shlex.quote(graph_url)}"
    return f"--tenant {shlex.quote(tenant)}" if tenant else "--tenant ..."


def query_option(func: Callable) -> Callable:
    """--query JMESPATH: keep only part of the JSON output (https://jmespath.org). Read by emit(), not the command."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            import jmespath
            from jmespath.exceptions import JMESPathError

            try:
                ctx.meta["readiness.query"] = jmespath.compile(value)
            except JMESPathError as exc:
                raise click.BadParameter(text("errors.usage.bad_query.what", current_lang(ctx), reason=str(exc)))

    return click.option("--query", metavar="JMESPATH", expose_value=False, callback=remember)(func)


def apply_query(text: str) -> str:
    """The --query of the current command applied to JSON ``text`` (unchanged without --query)."""
    ctx = click.get_current_context(silent=True)
    expr = ctx.meta.get("readiness.query") if ctx is not None else None
    if expr is None:
        return text
    import json

    from ..errors import UsageError

    from jmespath.exceptions import JMESPathError, JMESPathTypeError

    try:
        doc = json.loads(text)
    except ValueError:
        raise UsageError.keyed("usage.query_json_only") from None
    try:
        found = expr.search(doc)
    except JMESPathTypeError as exc:  # its text holds the value it was given: the whole output, tenant data; never said
        json_name = {"str": "string", "dict": "object", "list": "array", "int": "number", "float": "number",
                     "bool": "boolean", "NoneType": "null"}  # jmespath says some types as Python names
        raise UsageError.keyed("usage.query_type", function=str(exc.function_name)[:60],
                               actual=json_name.get(str(exc.actual_type), str(exc.actual_type))[:40],
                               expected=", ".join(json_name.get(str(t), str(t)) for t in exc.expected_types)[:120]) from None
    except JMESPathError as exc:
        raise UsageError.keyed("usage.query_failed", reason=type(exc).__name__) from None
    return json.dumps(found, ensure_ascii=False, indent=2) + "\n"


def csv_headers_option(func: Callable) -> Callable:
    """--csv-headers labels|ids: CSV for a spreadsheet (BOM, the language's separator and headers) or for scripts."""
    return click.option("--csv-headers", "csv_headers", type=click.Choice(["labels", "ids"]), default="labels",
                        show_default=True)(func)


def lang_option() -> Callable:
    """--lang, one of the languages whose catalogue file is present (reports/translations/<lang>.json)."""
    return click.option("--lang", type=click.Choice(LANGS), default=DEFAULT_LANG, show_default=True)


def _name_value_pairs(_ctx: Any, _param: Any, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(text("errors.usage.not_name_value.what", current_lang(), value=v), param_hint="--param")
        out[name.strip()] = value.strip()
    return out


def params_option() -> Callable:
    """-p/--param NAME=VALUE, repeatable; the command receives a dict."""
    return click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", callback=_name_value_pairs)


def complete_profiles(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: saved tenant profile names."""
    try:
        import readiness

        names = [getattr(p, "name", p) for p in readiness.list_tenants().profiles]
    except Exception:  # noqa: BLE001 - completion never fails the shell
        return []
    return [str(n) for n in names if str(n).startswith(incomplete)]


def complete_playbooks(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: the shipped playbooks' names (files complete as files in the shell)."""
    import readiness

    return [n for n in sorted(readiness.list_playbooks()) if n.startswith(incomplete)]


def complete_playbooks_and_files(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """Shell completion where a playbook name, a playbook file or a saved plan fits: the names, and files."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(n) for n in complete_playbooks(ctx, param, incomplete)] + [CompletionItem(incomplete, type="file")]


def complete_checks(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: check ids."""
    import readiness

    return [s.id for s in readiness.list_checks() if s.id.startswith(incomplete)]


def complete_runs(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: the ids of the runs in the data folder (newest last); creates nothing."""
    import readiness

    return [n for n in readiness.run_ids() if n.startswith(incomplete)]


def connection_options(func: Callable) -> Callable:
    """--tenant NAME | --graph-url URL, and --concurrency."""

    @click.option("--tenant", "tenant", metavar="NAME", default=None, shell_complete=complete_profiles)
    @click.option("--graph-url", "graph_url", metavar="URL", default=None)
    @click.option("--concurrency", type=click.IntRange(1, 32), default=8, show_default=True)
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def emit(text: str, out: Path | None, *, query: bool = True) -> None:
    """Write a rendered result to --out or stdout (``query=False``: a side file such as --report, never queried).

    --out goes through the one safe writer (readiness/safe_io.py): a regular file is replaced atomically and
    made 0600; /dev/null, a FIFO or /dev/stdout is written into, never replaced.
    """
    if query:
        text = apply_query(text)
    if out is None:
        with writing_stdout():
            click.echo(text, nl=not text.endswith("\n"))
        return
    from ..safe_io import write_file

    write_file(out, text)
    click.echo(say("cli.wrote", path=str(out)), err=True)


_ONE_SHOT = False  # set by main(): this process ends when the command does (not CliRunner, not a host program)


def one_shot() -> bool:
    """Whether the process ends with this command: evaluate may then freeze what it built (``evaluate(one_shot=...)``)."""
    return _ONE_SHOT


_OUTPUT_WRITTEN = False  # set by emit_audit once the result is written whole and flushed (stdout) or closed (--out)


def output_written() -> bool:
    """Whether this command's result was written whole (main() may then end the process without tearing down the
    audit's objects one by one: 0.1-0.2 s at 100,000 people, issue 15)."""
    return _OUTPUT_WRITTEN


def emit_audit(audit: Any, fmt: str, lang: str, out: Path | None, **render_args: Any) -> None:
    """``emit(readiness.render(audit, fmt, lang, **render_args), out)``, with ``-o json`` (no --query) written in
    pieces to --out or stdout (render/json_stream.py): 73 MB at 100,000 people, never held whole (issue 15)."""
    global _OUTPUT_WRITTEN
    _OUTPUT_WRITTEN = False
    _emit_audit(audit, fmt, lang, out, **render_args)
    _OUTPUT_WRITTEN = True


def _emit_audit(audit: Any, fmt: str, lang: str, out: Path | None, **render_args: Any) -> None:
    import readiness

    ctx = click.get_current_context(silent=True)
    if fmt != "json" or (ctx is not None and ctx.meta.get("readiness.query") is not None):
        emit(readiness.render(audit, fmt, lang, **render_args), out)
        return
    if out is None:
        import sys

        stdout = getattr(sys.stdout, "buffer", None)
        if stdout is None:  # a text-only stdout (a host program's), or none (stdout closed): emit says which
            emit(readiness.render(audit, fmt, lang, **render_args), out)
            return
        with writing_stdout():
            sys.stdout.flush()
            readiness.render(audit, fmt, lang, stream=stdout, **render_args)
            stdout.flush()
        return
    from ..safe_io import open_output

    with open_output(out) as fh:
        readiness.render(audit, fmt, lang, stream=fh, **render_args)
    click.echo(say("cli.wrote", path=str(out)), err=True)


def terminal_style(app: Any, fmt: str, out: Path | None) -> dict[str, Any]:
    """For a table printed to a terminal: colour (unless --no-color/NO_COLOR) and the terminal's width; else neither."""
    import shutil

    if fmt != "table" or out is not None or not is_terminal():
        return {}
    return {"color": bool(getattr(app, "color", False)), "width": shutil.get_terminal_size((100, 24)).columns}


def max_wait_option(func: Callable) -> Callable:
    """--max-wait SECONDS: how long a command may wait for Graph in total (Retry-After, back-off)."""

    @click.option("--max-wait", "max_wait", type=click.FloatRange(0, 24 * 3600), default=None, metavar="SECONDS")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def limit_waiting(conn: Any, max_wait: float | None, app: Any) -> Any:
    """Clients opened for ``conn`` cap their waiting at ``max_wait`` (None: the default) and report each wait on stderr
    (also when stderr is not a terminal)."""
    conn.client_options["on_wait"] = app.note  # every wait is said, terminal or log: a silent minute looks like a hang
    if max_wait is not None:
        conn.client_options["max_wait"] = max_wait
    return conn


def aggregate_options(func: Callable) -> Callable:
    """--aggregate-only and --min-group-size N: counts only, small departments merged into "other"."""

    @click.option("--aggregate-only", "aggregate_only", is_flag=True)
    @click.option("--min-group-size", "min_group_size", type=click.IntRange(1, 10_000), default=5, show_default=True,
                  metavar="N")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper
