"""`readiness demo`: the newcomer's first command. No sign-in, no tenant: the built-in simulator."""
from __future__ import annotations

from pathlib import Path

import click

from .audit import collect
from .context import AppContext


@click.command(name="demo")
@click.option("--profile", type=click.Choice(["unprepared-sme", "enterprise"]), default="unprepared-sme", show_default=True,
              help="Which demo tenant to generate.")
@click.option("--size", type=click.IntRange(1, 200_000), default=None, help="Users in the enterprise profile.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True, help="Language of the summary.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the HTML report [default: demo-report.html in the readiness data folder].")
@click.pass_obj
def demo(app: AppContext, profile: str, size: int | None, seed: int, lang: str, report_path: Path | None) -> None:
    """Audit a built-in demo tenant end to end, over real HTTP, with no sign-in.

    Starts the Graph simulator on a free loopback port with a generated tenant, signs in with a
    simulator token, collects licences, users, devices, sharing and identity settings, runs every
    check and prints who can work from home tomorrow, the scores, the top actions and the licences,
    then writes the HTML report for managers and prints its path.

    \b
      readiness demo
      readiness demo --profile enterprise --size 5000
    """
    from ..config.connection import Connection
    from ..graph.auth import StaticTokenCredential
    from ..graph.clouds import custom_endpoint
    from ..simulator import Simulator, generate_tenant
    from ..simulator.server import SimulatorServer

    app.progress(f"Starting the Graph simulator with the {profile} demo tenant ...")
    sim = Simulator(generate_tenant(profile, seed=seed, size=size))
    token = sim.issue_token()
    with SimulatorServer(sim) as server:
        conn = Connection("demo", custom_endpoint(server.base_url), None, lambda: StaticTokenCredential(token))
        snapshot = collect(app, conn, concurrency=8)
    from ..audit import evaluate
    from ..render.audit_text import render_licences, render_table
    from ..render.i18n import labels

    from ..paths import data_dir
    from ..render.html import render_html

    result = evaluate(snapshot)
    click.echo(render_table(result, lang))
    click.echo(f"{labels(lang)['licences_title']}\n")
    click.echo(render_licences(result, lang))
    path = report_path or (data_dir() / "demo-report.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, lang), encoding="utf-8")
    click.echo(f"\nHTML report: {path}\n")
    click.echo(_emergency_plan(snapshot))


def _emergency_plan(snapshot) -> str:  # noqa: ANN001
    """The emergency-home-office plan for the demo tenant, with parameters an admin would give."""
    from ..checks.facts import facts
    from ..playbook.engine import make_plan
    from ..playbook.loader import load
    from ..render.plan import render_plan_text

    members = facts(snapshot).members
    lead = next((p for p in members if p.department in ("Geschäftsführung", "IT") and p.mfa), None) or \
        next((p for p in members if p.department in ("Geschäftsführung", "IT")), members[0])
    overrides = {"usage_location": "DE", "team_owners": lead.upn, "sender": lead.upn}
    plan = make_plan(load("emergency-home-office"), snapshot, overrides=overrides, tenant=snapshot.tenant_name)
    params = " ".join(f"-p {k}={v}" for k, v in overrides.items())
    return (f"What `readiness playbook plan emergency-home-office --tenant ... {params}` would do:\n\n"
            + render_plan_text(plan))
