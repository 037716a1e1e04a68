"""`readiness checks list|show`: the registry, documented from itself."""
from __future__ import annotations

import click

from ..i18n import labels, text
from .helptext import HelpGroup
from .options import complete_checks, emit, lang_option, output_options


@click.group(cls=HelpGroup, name="checks")
def checks() -> None:
    pass  # help text: catalogue help.*


@checks.command(name="list")
@click.option("--area", type=click.Choice(["licences", "teams", "sharing", "devices", "identity"]), default=None)
@lang_option()
@output_options(formats=("table", "json", "md"))
def checks_list(area: str | None, lang: str, output: str, out=None) -> None:  # noqa: ANN001
    from tabulate import tabulate

    import readiness

    specs = readiness.list_checks(area)
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("checks list", [{"id": s.id, "area": s.area, "severity": s.severity.value, "title": s.title[lang],
                                       "requires": list(s.requires), "fix_playbook": s.fix_playbook} for s in specs]), out)
        return
    if output == "md":
        from ..render.checks_doc import checks_markdown

        emit(checks_markdown(specs, lang), out)
        return
    L = labels(lang)
    rows = [[s.id, L["areas"].get(s.area, s.area), L["severity"].get(s.severity.value, s.severity.value), s.title[lang],
             s.fix_playbook or "-"] for s in specs]
    emit(tabulate(rows, headers=[L["cli"]["checks"][h] for h in ("id", "area", "severity", "title", "fix_playbook")],
                  disable_numparse=True) + "\n", out)


@checks.command(name="show")
@click.argument("check_id", shell_complete=complete_checks)
@lang_option()
@output_options(formats=("table", "json"))
def checks_show(check_id: str, lang: str, output: str, out=None) -> None:  # noqa: ANN001
    import readiness

    spec = readiness.get_check(check_id)
    L = labels(lang)
    if output == "json":
        from ..render.envelope import envelope

        emit(envelope("checks show", {"id": spec.id, "area": spec.area, "severity": spec.severity.value,
                                      "title": spec.title[lang], "rationale": spec.rationale, "remediation": spec.remediation,
                                      "effort": spec.effort, "requires": list(spec.requires),
                                      "fix_playbook": spec.fix_playbook}), out)
        return
    emit(f"{spec.id}  [{L['areas'].get(spec.area, spec.area)}, {L['severity'].get(spec.severity.value, spec.severity.value)}]"
         f"\n{spec.title[lang]}\n\n"
         + text("cli.checks.show", lang, why=spec.rationale, fix=spec.remediation, effort=L["effort"][spec.effort],
                playbook=spec.fix_playbook or "-", reads=", ".join(spec.requires) or "-") + "\n", out)
