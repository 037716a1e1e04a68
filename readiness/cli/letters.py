"""`readiness letters`: one page per person who cannot work from home yet."""
from __future__ import annotations

from pathlib import Path

import click

from .context import say
from .helptext import HelpCommand
from .options import lang_option, params_option



@click.command(cls=HelpCommand, name="letters")
@click.argument("snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out-dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@lang_option()
@params_option()
@click.option("--passes", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
def letters(snapshot: Path, out_dir: Path, lang: str, params: dict[str, str], passes: Path | None) -> None:
    import readiness

    result = readiness.letters(readiness.load_snapshot(snapshot), out_dir, lang=lang, params=params, passes=passes)
    click.echo(say("cli.letters.wrote_with_passes" if result.with_pass else "cli.letters.wrote", n=len(result.people),
                   folder=str(result.out_dir), passes=result.with_pass), err=True)
