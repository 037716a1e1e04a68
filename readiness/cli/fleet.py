"""`readiness fleet audit | report | demo` and `readiness history`: many client tenants, one process."""
from __future__ import annotations

from pathlib import Path

import click

from .. import Severity
from ..render.safe import terminal
from .context import AppContext, said, say
from .helptext import HelpCommand, HelpGroup
from .options import complete_profiles, csv_headers_option, emit, lang_option, output_options


@click.group(cls=HelpGroup, name="fleet")
def fleet() -> None:
    pass  # help text: catalogue help.*


@fleet.command(name="audit")
@click.option("--tag", "tags", multiple=True)
@click.option("--tenants", default=None, metavar="A,B,C")
@click.option("--out-dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True)
@click.option("--requests-per-tenant", type=click.IntRange(1, 32), default=8, show_default=True)
@click.option("--max-wait", type=click.FloatRange(0, 3600), default=300.0, show_default=True)
@click.option("--shard", default=None, metavar="I/N")
@click.option("--previous", type=click.Choice(["auto", "none"]), default="auto", show_default=True)
@click.option("--fail-on-new", type=click.Choice([s.value for s in Severity]), default=None)
@lang_option()
@click.option("--no-html", is_flag=True)
@output_options(formats=("table", "json", "csv", "md", "html"))
@csv_headers_option
@click.pass_obj
def fleet_audit(app: AppContext, tags: tuple[str, ...], tenants: str | None, out_dir: Path, concurrency: int,
                requests_per_tenant: int, max_wait: float, shard: str | None, previous: str, fail_on_new: str | None,
                lang: str, no_html: bool, output: str, out: Path | None, csv_headers: str) -> None:
    import readiness

    from ..render.fleet import render_fleet

    if tags and tenants:
        raise click.UsageError(said("cli.fleet.tag_or_tenants"))
    names = readiness.fleet_select(tenants.split(",") if tenants is not None else None, list(tags), shard)
    app.progress(say("cli.fleet.auditing", n=len(names), concurrency=concurrency, folder=str(out_dir)))
    result = readiness.fleet_audit(names, out_dir, concurrency=concurrency, requests_per_tenant=requests_per_tenant,
                                   max_wait=max_wait, previous=previous, lang=lang, html=not no_html,
                                   fail_on_new=fail_on_new, verbose=bool(app.verbose), progress=app.progress)
    entries, code = result.entries, result.exit_code
    for name, ids in result.new_failing.items():
        app.note(say("cli.fleet.new_failing", tenant=name, severity=fail_on_new, checks=", ".join(ids)))
    if result.failed:
        app.note(say("cli.fleet.failed", n=len(result.failed), total=len(entries), tenants=", ".join(result.failed)))
    _link_reports(entries, out)
    emit(render_fleet(entries, output, lang, command="fleet audit", exit_code=int(code), headers=csv_headers), out)
    if code:
        raise SystemExit(code)


@fleet.command(name="report")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--previous", default=None, metavar="DIR|auto")
@output_options(formats=("table", "json", "csv", "md", "html"))
@csv_headers_option
@lang_option()
def fleet_report(dirs: tuple[Path, ...], previous: str | None, output: str, lang: str, out: Path | None,
                 csv_headers: str) -> None:
    import readiness

    from ..render.fleet import render_fleet

    if previous and previous != "auto" and not Path(previous).is_dir():
        raise click.UsageError(said("cli.fleet.not_a_folder", path=str(previous)))
    report = readiness.fleet_report(list(dirs), previous)
    _warn_unreadable(report.unreadable)
    if not report.entries:
        raise click.UsageError(said("cli.fleet.no_audit", folders=", ".join(map(str, dirs))))
    entries = report.entries
    _link_reports(entries, out)
    emit(render_fleet(entries, output, lang, headers=csv_headers), out)


def _warn_unreadable(paths: list[Path]) -> None:
    """Damaged entries are skipped, and said so: the report would otherwise quietly show an older audit."""
    if paths:
        shown = ", ".join(terminal(str(p)) for p in paths[:3])
        more = say("cli.fleet.and_more", n=len(paths) - 3) if len(paths) > 3 else ""
        click.echo(say("cli.fleet.skipped_damaged", n=len(paths), shown=shown + more), err=True)


def _link_reports(entries: list[dict], out: Path | None) -> None:
    """Each tenant's own report, as a link relative to where the summary is written."""
    import os

    base = (out.parent if out else Path.cwd()).resolve()
    for e in entries:
        report = (e.get("files") or {}).get("report")
        folder = Path(e["_path"]).parent if e.get("_path") else Path(e.get("snapshot_path") or ".").parent
        if report and folder.joinpath(report).exists():
            e["report_href"] = Path(os.path.relpath(folder.joinpath(report).resolve(), base)).as_posix()


@fleet.command(name="demo")
@click.option("--tenants", "count", type=click.IntRange(3, 60), default=12, show_default=True)
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@lang_option()
@click.pass_obj
def fleet_demo(app: AppContext, count: int, out_dir: Path | None, lang: str) -> None:
    import readiness

    text = readiness.fleet_demo(count, out_dir, lang, app.progress)
    click.echo(text, nl=not text.endswith("\n"))


@click.command(cls=HelpCommand, name="history")
@click.option("--tenant", default=None, metavar="NAME", shell_complete=complete_profiles)
@click.option("--dir", "dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@output_options(formats=("table", "json", "csv", "md", "html"))
@csv_headers_option
@lang_option()
def history(tenant: str | None, dirs: tuple[Path, ...], output: str, lang: str, out: Path | None, csv_headers: str) -> None:
    import readiness

    from ..render.fleet_history import render_history

    found = readiness.fleet_history(tenant, list(dirs))
    _warn_unreadable(found.unreadable)
    series = found.series
    if not series:
        raise click.UsageError(said("cli.fleet.no_history"))
    emit(render_history(series, output, lang, headers=csv_headers), out)

