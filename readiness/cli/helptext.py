"""Click help texts from the translation catalogue (section ``help``), resolved when the help is formatted.

Keys, by command path (root: ``readiness``): ``help.<path>.text`` (the long help; click's ``\\b`` paragraphs work),
``help.<path>.short`` (the line in the parent's command list) and ``help.<path>.options.<param name>``; options
every command has (``--help``, ``--version``) and click's headings sit under ``help._shared``.
The language is ``current_lang``: a command's ``--lang`` is seen once the group has read its arguments
(``readiness audit --lang de --help``); for ``readiness --help`` only READINESS_LANG counts, as ``--lang`` belongs to
the commands, not to the root, and is not parsed before the help is shown.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import ReadinessError
from ..i18n import DEFAULT_LANG, catalogue
from .context import current_lang

ROOT = "readiness"


def help_path(ctx: click.Context) -> str:
    """``readiness.tenant.add`` for ``readiness tenant add``, whatever the program was called."""
    words: list[str] = []
    while ctx is not None:
        words.append(ROOT if ctx.parent is None else (ctx.command.name or ctx.info_name or ""))
        ctx = ctx.parent  # type: ignore[assignment]
    return ".".join(reversed(words))


def help_entry(key: str, lang: str) -> str | None:
    """``help.<key>`` in ``lang``, else in English (a catalogue missing a help text still shows one)."""
    for each in (lang, DEFAULT_LANG):
        try:
            entry = catalogue(each).entries.get(f"help.{key}")
        except ReadinessError:  # an unknown READINESS_LANG: English help, the error comes when a command runs
            continue
        if isinstance(entry, str):
            return entry
    return None


def _option_help(path: str, name: str | None, lang: str) -> str | None:
    name = "help" if name == "_click_default_help" else name  # click's own name for -h/--help
    return help_entry(f"{path}.options.{name}", lang) or help_entry(f"_shared.options.{name}", lang)


def _bracket_words(text: str, lang: str) -> str:
    """click's own "[default: x; required]" at the end of an option's help, in the reader's language."""
    if not text.endswith("]") or "[" not in text:
        return text
    head, _, tail = text.rpartition("[")
    tail = tail.replace("default: ", f"{help_entry('_shared.default_word', lang) or 'default'}: ")
    tail = tail.replace("required", help_entry("_shared.required_word", lang) or "required")
    return f"{head}[{tail}"


def make_default_short_help(text: str, limit: int) -> str:
    """The first sentence of ``text``, cut with "..." to ``limit`` characters (as click's own short help)."""
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    end = first.find(". ")
    first = first[: end + 1] if end != -1 else first
    if len(first) <= limit:
        return first
    cut = first[: max(limit - 3, 0)]
    words = cut.rsplit(" ", 1)[0] if " " in cut else cut  # at a word's end, not in the middle of one ("Bereitsc...")
    return words.rstrip(" ,;:(") + "..."


class HelpCommand(click.Command):
    """A command whose help, options' help and headings come from the catalogue, in the terminal's language."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: object) -> click.Context:
        words = list(args)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[arg-type]
        except BrokenPipeError:  # `readiness report --help | head -1`: the group ends it quietly (141)
            raise
        except OSError as exc:  # `readiness report --help > /dev/full`: parsing reads nothing; the help was not written
            from .stdout import help_not_written

            raise help_not_written(exc, words) from None
        except click.exceptions.Exit as done:  # --help or --version said, and ended the command (exit 0)
            from .stdout import help_unsaid

            raise help_unsaid(done, words) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # click's parser raises some without the context ("Option '--out' requires an
            if exc.ctx is None:  # argument"): the command's is known here, so its usage line and --lang are too
                exc.ctx = ctx
            raise

    @contextmanager
    def _catalogue_help(self, ctx: click.Context) -> Iterator[str]:
        path, lang = help_path(ctx), current_lang(ctx)
        params = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        kept = self.help, [p.help for p in params]
        self.help = help_entry(f"{path}.text", lang)
        for param in params:
            param.help = _option_help(path, param.name, lang)
        try:
            yield lang
        finally:
            self.help = kept[0]
            for param, old in zip(params, kept[1]):
                param.help = old

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._catalogue_help(ctx):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = help_entry("_shared.usage", current_lang(ctx)) or "Usage:"
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=f"{prefix} ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = current_lang(ctx)
        rows = [(name, _bracket_words(text, lang)) for p in self.get_params(ctx)
                if (rv := p.get_help_record(ctx)) is not None for name, text in [rv]]
        if rows:
            with formatter.section(help_entry("_shared.options_heading", current_lang(ctx)) or "Options"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        if ctx is None:
            return super().get_short_help_str(limit)
        short = help_entry(f"{help_path(ctx)}.{self.name}.short", current_lang(ctx)) or ""
        return make_default_short_help(short, limit)


class HelpGroup(HelpCommand, click.Group):
    """A group of catalogue-helped commands: its subcommands and subgroups take the same classes."""

    command_class = HelpCommand
    group_class = type  # subgroups are of the group's own class

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._write_commands(ctx, formatter, [n for n in self.list_commands(ctx)
                                              if (c := self.get_command(ctx, n)) is not None and not c.hidden])

    @staticmethod
    def _write_commands(ctx: click.Context, formatter: click.HelpFormatter, names: list[str]) -> None:
        if not names:
            return
        path, lang = help_path(ctx), current_lang(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, make_default_short_help(help_entry(f"{path}.{n}.short", lang) or "", limit)) for n in names]
        with formatter.section(help_entry("_shared.commands_heading", lang) or "Commands"):
            formatter.write_dl(rows)
