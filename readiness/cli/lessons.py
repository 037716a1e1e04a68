"""`readiness playbook lessons`: the lessons-learned report from a run (added to the playbook group by cli/__init__)."""
from __future__ import annotations

from pathlib import Path

import click

from .context import say
from .helptext import HelpCommand
from .options import complete_profiles, complete_runs, emit, lang_option, output_options


@click.command(cls=HelpCommand, name="lessons")
@click.argument("run_id", shell_complete=complete_runs)
@output_options(formats=("md", "html", "json"), default="md")
@lang_option()
@click.option("--before", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--after", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pseudonymize", is_flag=True)
@click.option("--add-measures", "add_to", metavar="TENANT", default=None, shell_complete=complete_profiles)
def playbook_lessons(run_id: str, output: str, out: Path | None, lang: str, before: Path | None, after: Path | None,
                     pseudonymize: bool, add_to: str | None) -> None:
    import readiness

    doc = readiness.lessons(run_id, before=readiness.load_snapshot(before) if before else None,
                            after=readiness.load_snapshot(after) if after else None, pseudonymize=pseudonymize)
    if output == "json":  # the lessons document itself, in the envelope every -o json uses
        from ..render.envelope import envelope

        emit(envelope("playbook lessons", doc), out)
    else:
        emit(readiness.render_lessons(doc, output, lang), out)
    if add_to:
        added = readiness.lessons_to_measures(doc, add_to, lang=lang)
        click.echo(say("cli.measures.added_from_lessons", n=len(added), register=add_to), err=True)
