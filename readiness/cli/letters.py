"""`readiness letters`: one page per person who cannot work from home yet."""
from __future__ import annotations

from pathlib import Path

import click

from .context import say
from .options import lang_option, params_option



@click.command(name="letters")
@click.argument("snapshot", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the letters (created readable by you alone).")
@lang_option()
@params_option("contact=WHOM: whom to call, shown in every letter (default: your IT department).")
@click.option("--passes", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="passes.json of a temporary_access_pass step: each pass only in its owner's letter.")
def letters(snapshot: Path, out_dir: Path, lang: str, params: dict[str, str], passes: Path | None) -> None:
    """Write a letter (HTML to print, and Markdown) for every person who cannot work from home yet:
    what works, what is missing, what to do tomorrow morning, whom to call.

    \b
      readiness letters kunde-a.json.gz --lang de --out-dir briefe -p contact="IT-Hotline 0800 123 45"
    """
    import readiness

    result = readiness.letters(readiness.load_snapshot(snapshot), out_dir, lang=lang, params=params, passes=passes)
    click.echo(say("cli.letters.wrote_with_passes" if result.with_pass else "cli.letters.wrote", n=len(result.people),
                   folder=str(result.out_dir), passes=result.with_pass), err=True)
