"""`readiness report`: render any saved snapshot offline."""
from __future__ import annotations

from pathlib import Path

import click

from .options import aggregate_options, csv_headers_option, emit, lang_option, output_options, terminal_style


@click.command(name="report")
@click.argument("snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An earlier snapshot of the same tenant: adds what improved and what got worse.")
@output_options(formats=("html", "md", "csv", "json", "table"), default=None,
                output_help="Format; default: from --out's extension, else html.")
@lang_option()
@click.option("--people", is_flag=True, help="With csv: the per-person matrix (per department with --aggregate-only).")
@click.option("--pseudonymize", is_flag=True,
              help="Replace people with stable keyed pseudonyms (the key stays in your data folder, per tenant).")
@aggregate_options
@csv_headers_option
@click.option("--prices", "prices_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Licence prices CSV (sku,monthly_price,currency): idle and missing seats in money.")
@click.pass_obj
def report(app: object, snapshot: Path, previous: Path | None, output: str | None, out: Path | None, lang: str, people: bool,
           pseudonymize: bool, aggregate_only: bool, csv_headers: str, prices_path: Path | None, min_group_size: int = 5) -> None:
    """Render a saved snapshot as a report, offline (no sign-in, no network).

    \b
      readiness report kunde-a.json.gz --out kunde-a.html --lang de
      readiness report kunde-a.json.gz --previous kunde-a-last-week.json.gz --out trend.html
      readiness report kunde-a.json.gz --pseudonymize --out fuer-gf.html       # no names
      readiness report kunde-a.json.gz --aggregate-only -o csv --people        # counts per department
      readiness report kunde-a.json.gz --aggregate-only --min-group-size 10    # no department under 10 people
    """
    import readiness

    fmt = output or (readiness.format_for(out) if out else "html")
    audit = readiness.evaluate(readiness.load_snapshot(snapshot), readiness.load_snapshot(previous) if previous else None,
                               pseudonymize=pseudonymize, aggregate_only=aggregate_only, prices=prices_path,
                               min_group_size=min_group_size)
    emit(readiness.render(audit, fmt, lang, people=people, csv_headers=csv_headers, **terminal_style(app, fmt, out)), out)
