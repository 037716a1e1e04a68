"""`readiness drill`: rehearse a playbook on a replica of the tenant, never on the tenant."""
from __future__ import annotations

from pathlib import Path

import click

from .helptext import HelpCommand
from .options import complete_playbooks, emit, lang_option, output_options, params_option



@click.command(cls=HelpCommand, name="drill")
@click.argument("playbook", shell_complete=complete_playbooks)
@click.option("--from-snapshot", "from_snapshot", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@params_option()
@click.option("--usage-location", default="")
@click.option("--latency", type=click.IntRange(0, 10_000), default=0, show_default=True, metavar="MS")
@click.option("--previous", default=None, metavar="auto|DRILL_ID")
@output_options(formats=("md", "html", "json"), default="md")
@lang_option()
@click.pass_obj
def drill(app, playbook: str, from_snapshot: Path, params: dict[str, str], usage_location: str, latency: int, previous: str | None,
          output: str, out: Path | None, lang: str) -> None:  # noqa: ANN001
    import readiness

    record = readiness.drill(playbook, readiness.load_snapshot(from_snapshot), params=params, latency_ms=latency,
                             previous=previous, usage_location=usage_location,
                             progress=app.progress)
    if output == "json":  # the drill record itself, in the envelope every -o json uses
        from ..render.envelope import envelope

        emit(envelope("drill", record.to_dict()), out)
    else:
        emit(readiness.render_drill(record.to_dict(), output, lang), out)
