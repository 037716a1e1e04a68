"""Options shared by many commands: output format and destination, and which tenant to talk to."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from ..i18n import DEFAULT_LANG, LANGS
from .context import say

FORMATS = ("table", "json", "csv", "md", "html")


def output_options(func: Callable) -> Callable:
    """-o/--output FORMAT and --out FILE, the same on every command that prints a result."""

    @click.option("-o", "--output", "output", type=click.Choice(FORMATS), default="table", show_default=True,
                  help="Output format.")
    @click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
                  help="Write the result to FILE instead of stdout.")
    @query_option
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def query_option(func: Callable) -> Callable:
    """--query JMESPATH: keep only part of the JSON output (https://jmespath.org). Read by emit(), not the command."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            import jmespath
            from jmespath.exceptions import JMESPathError

            try:
                ctx.meta["readiness.query"] = jmespath.compile(value)
            except JMESPathError as exc:
                raise click.BadParameter(f"{exc}. See https://jmespath.org for the syntax, e.g. --query 'data.summary'")

    return click.option("--query", metavar="JMESPATH", expose_value=False, callback=remember,
                        help="With -o json: print only what this JMESPath expression selects, e.g. "
                             "'data.people[?ready==`false`].userPrincipalName'.")(func)


def apply_query(text: str) -> str:
    """The --query of the current command applied to JSON ``text`` (unchanged without --query)."""
    ctx = click.get_current_context(silent=True)
    expr = ctx.meta.get("readiness.query") if ctx is not None else None
    if expr is None:
        return text
    import json

    from ..errors import UsageError

    try:
        doc = json.loads(text)
    except ValueError:
        raise UsageError("--query works on JSON output only", "Add -o json, or leave out --query") from None
    return json.dumps(expr.search(doc), ensure_ascii=False, indent=2) + "\n"


def csv_headers_option(func: Callable) -> Callable:
    """--csv-headers labels|ids: CSV for a spreadsheet (BOM, the language's separator and headers) or for scripts."""
    return click.option("--csv-headers", "csv_headers", type=click.Choice(["labels", "ids"]), default="labels",
                        show_default=True,
                        help="With csv: 'labels' opens in Excel by double-click (UTF-8 with BOM, ';' for German, headers "
                             "in the report's language); 'ids' keeps stable column ids, ',' and no BOM for scripts.")(func)


def lang_option(help: str = "Language of the output.") -> Callable:  # noqa: A002 - click's own word
    """--lang, one of the languages whose catalogue file is present (reports/translations/<lang>.json)."""
    return click.option("--lang", type=click.Choice(LANGS), default=DEFAULT_LANG, show_default=True, help=help)


def _name_value_pairs(_ctx: Any, _param: Any, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{v}' is not NAME=VALUE", param_hint="--param")
        out[name.strip()] = value.strip()
    return out


def params_option(help: str) -> Callable:  # noqa: A002 - click's own word
    """-p/--param NAME=VALUE, repeatable; the command receives a dict."""
    return click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", callback=_name_value_pairs, help=help)


def complete_profiles(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: saved tenant profile names."""
    try:
        from ..config.profiles import ProfileStore

        profiles, _default = ProfileStore().list()
        names = [getattr(p, "name", p) for p in profiles]
    except Exception:  # noqa: BLE001 - completion never fails the shell
        return []
    return [str(n) for n in names if str(n).startswith(incomplete)]


def complete_playbooks(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: the shipped playbooks' names (files complete as files in the shell)."""
    from ..resources import data_root

    names = sorted(p.name[:-5] for p in data_root("playbooks").iterdir() if p.name.endswith(".yaml"))
    return [n for n in names if n.startswith(incomplete)]


def complete_checks(_ctx: Any, _param: Any, incomplete: str) -> list[str]:
    """Shell completion: check ids."""
    import readiness

    return [s.id for s in readiness.list_checks() if s.id.startswith(incomplete)]


def connection_options(func: Callable) -> Callable:
    """--tenant NAME | --graph-url URL, and --concurrency."""

    @click.option("--tenant", "tenant", metavar="NAME", default=None, shell_complete=complete_profiles,
                  help="Tenant profile to use (see `readiness tenant list`).")
    @click.option("--graph-url", "graph_url", metavar="URL", default=None,
                  help="Any Graph endpoint, e.g. http://127.0.0.1:8123/v1.0; the token comes from READINESS_ACCESS_TOKEN.")
    @click.option("--concurrency", type=click.IntRange(1, 32), default=8, show_default=True,
                  help="Requests in flight at once for this tenant.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def emit(text: str, out: Path | None) -> None:
    """Write a rendered result to --out or stdout.

    --out goes through the one safe writer (readiness/safe_io.py): a regular file is replaced atomically and
    made 0600; /dev/null, a FIFO or /dev/stdout is written into, never replaced.
    """
    text = apply_query(text)
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from ..safe_io import write_file

    write_file(out, text)
    click.echo(say("cli.wrote", path=str(out)), err=True)


def terminal_style(app: Any, fmt: str, out: Path | None) -> dict[str, Any]:
    """For a table printed to a terminal: colour (unless --no-color/NO_COLOR) and the terminal's width; else neither."""
    import shutil
    import sys

    if fmt != "table" or out is not None or not sys.stdout.isatty():
        return {}
    return {"color": bool(getattr(app, "color", False)), "width": shutil.get_terminal_size((100, 24)).columns}


def max_wait_option(func: Callable) -> Callable:
    """--max-wait SECONDS: how long a command may wait for Graph in total (Retry-After, back-off)."""

    @click.option("--max-wait", "max_wait", type=click.FloatRange(0, 24 * 3600), default=None, metavar="SECONDS",
                  help="Total time to wait when Graph throttles or fails (default 180); sections that would "
                       "need longer are marked failed (exit code 6) instead of hanging.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def limit_waiting(conn: Any, max_wait: float | None, app: Any) -> Any:
    """Clients opened for ``conn`` cap their waiting at ``max_wait`` (None: the default) and report each wait on stderr."""
    conn.client_options["on_wait"] = app.progress
    if max_wait is not None:
        conn.client_options["max_wait"] = max_wait
    return conn
