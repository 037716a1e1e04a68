"""`readiness drill`: rehearse a playbook on a replica of the tenant, never on the tenant."""
from __future__ import annotations

from pathlib import Path

import click

from .options import complete_playbooks, emit, lang_option, output_options, params_option



@click.command(name="drill")
@click.argument("playbook", shell_complete=complete_playbooks)
@click.option("--from-snapshot", "from_snapshot", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The tenant's snapshot the replica is built from (pseudonymised snapshots work too).")
@params_option("Playbook parameters, as for `playbook plan`.")
@click.option("--usage-location", default="", help="Usage location for people who have none (as for `playbook plan`).")
@click.option("--latency", type=click.IntRange(0, 10_000), default=0, show_default=True, metavar="MS",
              help="Added to every answer of the replica, in milliseconds (a real tenant answers in 50-300 ms).")
@click.option("--previous", default=None, metavar="auto|DRILL_ID", help="Compare with the last drill of this tenant (auto) or a given one.")
@output_options(formats=("md", "html", "json"), default="md", out_help="Write the report to FILE (readable by you alone).")
@lang_option()
@click.pass_obj
def drill(app, playbook: str, from_snapshot: Path, params: dict[str, str], usage_location: str, latency: int, previous: str | None,
          output: str, out: Path | None, lang: str) -> None:  # noqa: ANN001
    """Rehearse a playbook on a replica of the tenant built from a snapshot: nothing is sent to the tenant.

    Applies the playbook to the replica over HTTP on 127.0.0.1 with Graph's write limit, audits the replica
    again, keeps the drill in the data folder and writes a report for the manager: what would happen, how
    long, what it costs, who would still be left behind.

    \b
      readiness drill emergency-home-office --from-snapshot kunde-a.json.gz \\
          -p team_owners=chefin@kunde-a.de -p sender=it@kunde-a.de --latency 120 -o html --lang de --out uebung.html
      readiness drill emergency-home-office --from-snapshot kunde-a.json.gz -p ... --previous auto
    """
    import readiness

    record = readiness.drill(playbook, readiness.load_snapshot(from_snapshot), params=params, latency_ms=latency,
                             previous=previous, usage_location=usage_location,
                             progress=app.progress)
    if output == "json":  # the drill record itself, in the envelope every -o json uses
        from ..render.envelope import envelope

        emit(envelope("drill", record.to_dict()), out)
    else:
        emit(readiness.render_drill(record.to_dict(), output, lang), out)
