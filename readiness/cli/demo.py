"""`readiness demo`: the newcomer's first command. No sign-in, no tenant: the built-in simulator."""
from __future__ import annotations

from pathlib import Path

import click

from ..i18n import labels, text
from .context import AppContext
from .helptext import HelpCommand
from .options import emit, lang_option, OutPath, output_options

@click.command(cls=HelpCommand, name="demo")
@click.option("--profile", type=click.Choice(["unprepared-sme", "enterprise"]), default="unprepared-sme", show_default=True)
@click.option("--size", type=click.IntRange(1, 200_000), default=None)
@click.option("--seed", type=int, default=7, show_default=True)
@lang_option()
@click.option("--report", "report_path", type=OutPath(stdout=False), default=None)
@click.option("--fleet", "fleet_mode", is_flag=True)
@output_options(formats=("table", "json"))
@click.pass_obj
def demo(app: AppContext, profile: str, size: int | None, seed: int, lang: str, report_path: Path | None,
         fleet_mode: bool = False, output: str = "table", out: Path | None = None) -> None:
    import readiness

    if fleet_mode:  # same as `readiness fleet demo`
        if output != "table":
            from ..errors import UsageError

            raise UsageError(text("cli.demo.fleet_table_only", lang), text("cli.demo.fleet_table_only_fix", lang))
        emit(readiness.fleet_demo(12, None, lang, app.progress), out)
        return
    from ..render.audit_text import render_licences

    app.progress(text("cli.demo.starting", lang, profile=profile))
    shown = readiness.demo(profile, seed=seed, size=size, lang=lang, report=report_path,
                           collect=lambda conn: app.collect(conn, lang=lang))
    audit, plan, path = shown.audit, shown.plan, shown.report
    if output == "json":
        import json

        from ..render.envelope import envelope

        app.note(text("cli.demo.html_report", lang, path=str(path)))
        emit(envelope("demo", {"audit": json.loads(readiness.render(audit, "json", lang))["data"], "report": str(path),
                               "plan": json.loads(readiness.render(plan, "json", lang))["data"]}), out)
        return
    emit("\n".join([readiness.render(audit, "table", lang), f"{labels(lang)['licences_title']}\n", render_licences(audit, lang),
                    "\n" + text("cli.demo.html_report", lang, path=str(path)) + "\n",
                    text("cli.demo.plan_intro", lang, command=shown.plan_command)
                    + "\n\n" + readiness.render(plan, "table", lang)]), out)


def _demo_params(audit) -> dict[str, str]:  # noqa: ANN001 - Audit
    """The parameters an admin of the demo tenant would give (readiness.demo_params)."""
    import readiness

    return readiness.demo_params(audit)
