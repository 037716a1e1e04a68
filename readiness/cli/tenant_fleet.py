"""`readiness tenant import`: onboard many client tenants from one CSV (the logic is in fleet/onboard.py)."""
from __future__ import annotations

from pathlib import Path

import click

from .announce import default_change
from ..i18n import labels
from .context import say, terminal_lang
from .helptext import HelpCommand
from .options import complete_profiles, emit, output_options


@click.command(cls=HelpCommand, name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True)
@click.option("--dry-run", is_flag=True)
@output_options(formats=("table", "json"))
def tenant_import(file: Path, replace: bool, dry_run: bool, output: str, out: Path | None) -> None:
    from tabulate import tabulate

    import readiness

    from ..exitcodes import ExitCode
    from ..render.envelope import envelope
    from ..render.safe import terminal

    report = readiness.import_tenants(file, replace=replace, dry_run=dry_run)
    code = int(ExitCode.OK) if not report.invalid else int(ExitCode.RUNTIME_ERROR)  # existing profiles are no error
    if output == "json":
        emit(envelope("tenant import", report.as_dict(), exit_code=code,
                      status="success" if not report.skipped else "partial"), out)
    else:
        C = labels(terminal_lang())["cli"]["tenant"]["columns"]["import"]

        def result(status: str) -> str:
            said = C["statuses"].get(status, status)
            return C["dry_run"].format(status=said) if dry_run and status != "skipped" else said

        rows = [[r.line, terminal(r.name), result(r.status), terminal(r.reason_in(terminal_lang()))] for r in report.rows]
        emit(tabulate(rows, headers=[C["line"], C["name"], C["result"], C["why"]], disable_numparse=True) + "\n", out)
        click.echo(say("cli.tenant.import_summary", added=len(report.added), skipped=len(report.skipped),
                       invalid=len(report.invalid)), err=True)
    if report.new_default:
        name, was = report.new_default
        click.echo(default_change(name, was), err=True)
    if code:
        raise SystemExit(code)


@click.command(cls=HelpCommand, name="discover")
@click.option("--partner", required=True, metavar="NAME", shell_complete=complete_profiles)
@click.option("--import", "do_import", is_flag=True)
@click.option("--tag", "tags", multiple=True, default=("gdap",), show_default=True)
@output_options(formats=("table", "json", "csv"))
@click.pass_obj
def tenant_discover(app, partner: str, do_import: bool, tags: tuple[str, ...], output: str,  # noqa: ANN001
                    out: Path | None = None) -> None:
    from tabulate import tabulate

    import readiness

    from ..render.envelope import envelope
    from ..render.safe import csv_cell, terminal

    found = readiness.discover_tenants(partner, tags=tags, add=do_import)
    offered, rows, added = found.offered, found.rows, found.added
    if output == "json":
        emit(envelope("tenant discover", {"tenants": offered, "profiles": rows,
                                          "imported": [{"name": n, "result": r} for n, r in added]}), out)
    elif output == "csv":
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(found.columns)
        for r in rows:
            w.writerow([csv_cell(r[c]) for c in found.columns])
        emit(buf.getvalue(), out)
    else:
        table = [[terminal(o["name"]), o["tenant_id"], terminal(o["customer"]), ", ".join(o["roles"]),
                  f"{len(o['not_evaluable'])}: {', '.join(o['not_evaluable'][:4])}{' ...' if len(o['not_evaluable']) > 4 else ''}"
                  if o["not_evaluable"] else "0"] for o in offered]
        C = labels(terminal_lang())["cli"]["tenant"]["columns"]["discover"]
        emit(tabulate(table, headers=[C["profile"], C["tenant_id"], C["customer"], C["roles"], C["not_evaluable"]],
                      disable_numparse=True) + "\n", out)
    for name, result in added:
        click.echo(f"{name}: {result}", err=True)
    if not offered:
        click.echo(say("cli.tenant.no_gdap"), err=True)
