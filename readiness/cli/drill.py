"""`readiness drill`: rehearse a playbook on a replica of the tenant, never on the tenant."""
from __future__ import annotations

from pathlib import Path

import click

from .context import spoken
from .options import emit, lang_option, params_option



@click.command(name="drill")
@click.argument("playbook")
@click.option("--from-snapshot", "from_snapshot", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The tenant's snapshot the replica is built from (pseudonymised snapshots work too).")
@params_option("Playbook parameters, as for `playbook plan`.")
@click.option("--usage-location", default="", help="Usage location for people who have none (as for `playbook plan`).")
@click.option("--latency", type=click.IntRange(0, 10_000), default=0, show_default=True, metavar="MS",
              help="Added to every answer of the replica, in milliseconds (a real tenant answers in 50-300 ms).")
@click.option("--previous", default=None, metavar="auto|DRILL_ID", help="Compare with the last drill of this tenant (auto) or a given one.")
@click.option("-o", "--output", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the report to FILE.")
@lang_option()
def drill(playbook: str, from_snapshot: Path, params: dict[str, str], usage_location: str, latency: int, previous: str | None,
          output: str, out: Path | None, lang: str) -> None:
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
                             progress=lambda msg: click.echo(spoken(msg), err=True))
    emit(readiness.render_drill(record.to_dict(), output, lang), out)
