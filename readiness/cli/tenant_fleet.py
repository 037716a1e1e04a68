"""`readiness tenant import`: onboard many client tenants from one CSV (the logic is in fleet/onboard.py)."""
from __future__ import annotations

from pathlib import Path

import click

from .options import emit


@click.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite profiles that exist already (otherwise they are skipped).")
@click.option("--dry-run", is_flag=True, help="Validate every row and report; save nothing.")
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def tenant_import(file: Path, replace: bool, dry_run: bool, output: str) -> None:
    """Add many tenant profiles from a CSV file.

    Header: name,tenant_id,auth,client_id,cert_path,cloud,graph_url,usage_location,tags (columns that do
    not apply may be left out or empty; several tags separated by ;). Every row is validated; the report
    says what was added, what was skipped and why. Client secrets are never read from a file: add such
    profiles with `readiness tenant add`. With auth token, each profile's token comes from
    READINESS_ACCESS_TOKEN_<PROFILE> (upper-cased, other characters _), else READINESS_ACCESS_TOKEN.

    \b
      readiness tenant import clients.csv
      readiness fleet audit --tag msp --out-dir audits/
    """
    from tabulate import tabulate

    from ..exitcodes import ExitCode
    from ..fleet.onboard import import_profiles
    from ..render.envelope import envelope
    from ..render.safe import terminal

    report = import_profiles(file, replace=replace, dry_run=dry_run)
    code = int(ExitCode.OK) if not report.invalid else int(ExitCode.RUNTIME_ERROR)  # existing profiles are no error
    if output == "json":
        emit(envelope("tenant import", report.as_dict(), exit_code=code,
                      status="success" if not report.skipped else "partial"), None)
    else:
        rows = [[r.line, terminal(r.name), r.status + (" (dry run)" if dry_run and r.status != "skipped" else ""),
                 terminal(r.reason)] for r in report.rows]
        click.echo(tabulate(rows, headers=["line", "name", "result", "why"], disable_numparse=True))
        click.echo(f"{len(report.added)} added, {len(report.skipped)} skipped ({len(report.invalid)} invalid).", err=True)
    if code:
        raise SystemExit(code)
