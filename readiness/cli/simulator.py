"""`readiness simulator serve`: the built-in Graph simulator on 127.0.0.1."""
from __future__ import annotations

import sys

import click

from ..simulator.generate import PROFILES


@click.group(name="simulator")
def simulator() -> None:
    """Run the built-in Microsoft Graph simulator (for demos, scripts and other Graph clients)."""


@simulator.command(name="serve")
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="unprepared-sme", show_default=True,
              help="Which kind of tenant to generate.")
@click.option("--size", type=click.IntRange(1, 500_000), default=None, help="Number of users (enterprise profile).")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same tenant.")
@click.option("--port", type=click.IntRange(0, 65535), default=8123, show_default=True, help="0 picks a free port.")
@click.option("--latency", type=float, default=0.0, help="Seconds of delay added to every answer.")
@click.option("--fault-rate", type=click.FloatRange(0, 0.9), default=0.0,
              help="Share of requests answered 429 (with Retry-After), split evenly with 503 and dropped connections.")
@click.option("--roles", default=None, metavar="LIST",
              help="Comma-separated application permissions for the printed token (default: all read and write).")
def simulator_serve(profile: str, size: int | None, seed: int, port: int, latency: float, fault_rate: float,
                    roles: str | None) -> None:
    """Serve a generated tenant over HTTP on 127.0.0.1 until Ctrl-C.

    Prints the base URL and a token (valid only for this simulator) to use with any Graph client:

    \b
      readiness simulator serve --port 8123
      export READINESS_ACCESS_TOKEN=...      # as printed
      curl -H "Authorization: Bearer $READINESS_ACCESS_TOKEN" \\
           'http://127.0.0.1:8123/v1.0/users?$top=5&$select=id,displayName'
      readiness audit --graph-url http://127.0.0.1:8123/v1.0
    """
    from ..simulator import Faults, Simulator, generate_tenant
    from ..simulator.server import SimulatorServer
    from ..simulator.tokens import ALL_ROLES

    click.echo(f"Generating the {profile} tenant ...", err=True)
    tenant = generate_tenant(profile, seed=seed, size=size)
    share = fault_rate / 3
    sim = Simulator(tenant, Faults(latency=latency, rate_429=share, rate_503=share, rate_drop=share))
    token = sim.issue_token([r.strip() for r in roles.split(",")] if roles else ALL_ROLES)
    try:
        server = SimulatorServer(sim, port)
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on 127.0.0.1:{port} ({exc.strerror}). Pick another --port, or 0 for any free one.")
    click.echo(f"Graph simulator for {tenant.display_name} ({len(tenant.users)} users) on {server.base_url}")
    click.echo(f"export READINESS_ACCESS_TOKEN={token}")
    click.echo(f"Try: readiness audit --graph-url {server.base_url}", err=True)
    click.echo("Press Ctrl-C to stop.", err=True)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server._server.server_close()
