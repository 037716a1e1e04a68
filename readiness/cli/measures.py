"""`readiness measures`: the measures register per tenant (add, set, list, export, update)."""
from __future__ import annotations

from pathlib import Path

import click

from ..i18n import day, labels, ui_lang
from .context import say, terminal_lang
from .helptext import HelpGroup
from .options import complete_checks, complete_profiles, emit, output_options

_tenant = click.option("--tenant", metavar="NAME", default=None, shell_complete=complete_profiles)
_file = click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None)


def _export(register, output: str, command: str) -> str:  # noqa: ANN001
    """The register as csv, or as json in the envelope every -o json uses (the register's own file format is its data)."""
    import json

    import readiness

    text = readiness.measures_export(register, output)
    if output != "json":
        return text
    from ..render.envelope import envelope

    return envelope(command, json.loads(text))


def _table(register) -> str:  # noqa: ANN001
    from tabulate import tabulate

    from ..render.safe import terminal

    lang = terminal_lang()
    words = labels(lang)["crisis"]["measures"]

    def status(m) -> str:  # noqa: ANN001
        said = words["statuses"].get(m.status, m.status)
        return words["overdue_mark"].format(status=said) if m.overdue else said

    rows = [[terminal(m.id), terminal(m.title)[:50], terminal(m.owner), terminal(day(m.due, lang)), status(m),
             terminal(m.target)[:30], terminal(m.source)[:40]] for m in sorted(register.measures, key=lambda m: m.id)]
    if not rows:
        return words["empty"].format(tenant=terminal(register.tenant)) + "\n"
    cols = words["columns"]
    return tabulate(rows, [cols[k] for k in ("id", "title", "owner", "due", "status", "target", "source")]) + "\n"


@click.group(cls=HelpGroup, name="measures", invoke_without_command=True)
@_tenant
@_file
@click.pass_context
def measures(ctx: click.Context, tenant: str | None, path: Path | None) -> None:
    ctx.ensure_object(dict).update(tenant=tenant, path=path)
    if ctx.invoked_subcommand is None:
        import readiness

        click.echo(_table(readiness.measures_load(tenant, path)), nl=False)


def _args(ctx: click.Context, tenant: str | None, path: Path | None) -> tuple[str | None, Path | None]:
    return tenant or ctx.obj.get("tenant"), path or ctx.obj.get("path")


@measures.command(name="add")
@click.option("--title", default="")
@click.option("--check", "check", default=None, metavar="ID", shell_complete=complete_checks)
@click.option("--lesson", default=None, metavar="TEXT")
@click.option("--owner", default="")
@click.option("--due", default="", metavar="YYYY-MM-DD")
@click.option("--metric", default="")
@click.option("--target", default="")
@click.option("--priority", type=click.IntRange(1, 3), default=2, show_default=True)
@_tenant
@_file
@click.pass_context
def add(ctx: click.Context, title: str, check: str | None, lesson: str | None, owner: str, due: str, metric: str,
        target: str, priority: int, tenant: str | None, path: Path | None) -> None:
    import readiness

    register = readiness.measures_load(*_args(ctx, tenant, path))
    if check and not title:
        title = readiness.get_check(check.strip().lower()).title[ui_lang()] if readiness.get_check(check.strip().lower()) else ""
    m = readiness.measures_add(register, title, check=check, lesson=lesson, owner=owner, due=due, metric=metric,
                               target=target, priority=priority)
    click.echo(say("cli.measures.added", id=m.id, path=str(register.save())), err=True)


@measures.command(name="set")
@click.argument("measure_id")
@click.option("--title", default=None)
@click.option("--owner", default=None)
@click.option("--due", default=None, metavar="YYYY-MM-DD")
@click.option("--metric", default=None)
@click.option("--target", default=None)
@click.option("--status", type=click.Choice(["open", "in_progress", "done", "dropped"]), default=None)
@click.option("--priority", type=click.IntRange(1, 3), default=None)
@_tenant
@_file
@click.pass_context
def set_(ctx: click.Context, measure_id: str, tenant: str | None, path: Path | None, **changes: object) -> None:
    import readiness

    register = readiness.measures_load(*_args(ctx, tenant, path))
    m = readiness.measures_set(register, measure_id, **changes)
    click.echo(say("cli.measures.updated", id=m.id, path=str(register.save())), err=True)


@measures.command(name="list")
@output_options(formats=("table", "json", "csv"))
@_tenant
@_file
@click.pass_context
def list_(ctx: click.Context, output: str, out: Path | None, tenant: str | None, path: Path | None) -> None:
    import readiness

    register = readiness.measures_load(*_args(ctx, tenant, path))
    emit(_table(register) if output == "table" else _export(register, output, "measures list"), out)


@measures.command(name="export")
@output_options(formats=("csv", "json"), default="csv")
@_tenant
@_file
@click.pass_context
def export(ctx: click.Context, output: str, out: Path | None, tenant: str | None, path: Path | None) -> None:
    import readiness

    emit(_export(readiness.measures_load(*_args(ctx, tenant, path)), output, "measures export"), out)


@measures.command(name="update")
@click.argument("snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_tenant
@_file
@click.pass_context
def update(ctx: click.Context, snapshot: Path, tenant: str | None, path: Path | None) -> None:
    import readiness

    register = readiness.measures_load(*_args(ctx, tenant, path))
    tracked = readiness.measures_track(register, readiness.evaluate(readiness.load_snapshot(snapshot)))
    register.save()
    click.echo(say("cli.measures.summary", done=len(tracked.done_since_last), overdue=len(tracked.overdue),
                   open=tracked.open), err=True)
