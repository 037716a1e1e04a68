"""`readiness checks list|show`: the registry, documented from itself."""
from __future__ import annotations

import click

from ..i18n import labels, text
from .options import complete_checks, emit, lang_option, query_option


@click.group(name="checks")
def checks() -> None:
    """List and explain the readiness checks."""


@checks.command(name="list")
@click.option("--area", type=click.Choice(["licences", "teams", "sharing", "devices", "identity"]), default=None)
@lang_option()
@click.option("-o", "--output", type=click.Choice(["table", "json", "md"]), default="table", show_default=True)
@query_option
def checks_list(area: str | None, lang: str, output: str) -> None:
    """List every check: id, area, severity, title and the playbook that fixes it."""
    from tabulate import tabulate

    import readiness

    specs = readiness.list_checks(area)
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("checks list", [{"id": s.id, "area": s.area, "severity": s.severity.value, "title": s.title[lang],
                                       "requires": list(s.requires), "fix_playbook": s.fix_playbook} for s in specs]), None)
        return
    if output == "md":
        from ..render.checks_doc import checks_markdown

        click.echo(checks_markdown(specs, lang), nl=False)
        return
    L = labels(lang)
    rows = [[s.id, s.area, s.severity.value, s.title[lang], s.fix_playbook or "-"] for s in specs]
    click.echo(tabulate(rows, headers=[L["cli"]["checks"][h] for h in ("id", "area", "severity", "title", "fix_playbook")],
                        disable_numparse=True))


@checks.command(name="show")
@click.argument("check_id", shell_complete=complete_checks)
@lang_option()
def checks_show(check_id: str, lang: str) -> None:
    """Explain one check: why it matters, what it reads, and how to fix it."""
    import readiness

    spec = readiness.get_check(check_id)
    L = labels(lang)
    click.echo(f"{spec.id}  [{spec.area}, {spec.severity.value}]\n{spec.title[lang]}\n")
    click.echo(text("cli.checks.show", lang, why=spec.rationale, fix=spec.remediation, effort=L["effort"][spec.effort],
                    playbook=spec.fix_playbook or "-", reads=", ".join(spec.requires) or "-"))
