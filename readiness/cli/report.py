"""`readiness report`: render any saved snapshot offline."""
from __future__ import annotations

from pathlib import Path

import click

from .helptext import HelpCommand
from .options import (aggregate_options, csv_headers_option, emit_audit, lang_option, one_shot, output_options,
                      terminal_style)


@click.command(cls=HelpCommand, name="report")
@click.argument("snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options(formats=("html", "md", "csv", "json", "table"), default=None)
@lang_option()
@click.option("--people", is_flag=True)
@click.option("--pseudonymize", is_flag=True)
@aggregate_options
@csv_headers_option
@click.option("--prices", "prices_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def report(app: object, snapshot: Path, previous: Path | None, output: str | None, out: Path | None, lang: str, people: bool,
           pseudonymize: bool, aggregate_only: bool, csv_headers: str, prices_path: Path | None, min_group_size: int = 5) -> None:
    import readiness
    from ..safe_io import check_distinct, check_output

    # before reading: --out must not replace the snapshot it is made from (nor the previous one, the prices), and must
    # be a place that can be written (not another process's open file, not a missing folder)
    check_distinct([("--out", out)], [("SNAPSHOT", snapshot), ("--previous", previous), ("--prices", prices_path)])
    if out is not None:
        check_output(out)
    fmt = output or (readiness.format_for(out) if out else "html")
    once = one_shot()
    audit = readiness.evaluate(readiness.load_snapshot(snapshot, one_shot=once),
                               readiness.load_snapshot(previous, one_shot=once) if previous else None,
                               pseudonymize=pseudonymize, aggregate_only=aggregate_only, prices=prices_path,
                               min_group_size=min_group_size, one_shot=once)
    emit_audit(audit, fmt, lang, out, people=people, csv_headers=csv_headers, **terminal_style(app, fmt, out))
