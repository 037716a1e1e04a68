"""`readiness simulator serve`: the built-in Graph simulator on 127.0.0.1."""
from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

import readiness
from .context import said, say
from .helptext import HelpGroup


@click.group(cls=HelpGroup, name="simulator")
def simulator() -> None:
    pass  # help text: catalogue help.*


@simulator.command(name="serve")
@click.option("--profile", type=click.Choice(readiness.SIMULATOR_PROFILES), default="unprepared-sme", show_default=True)
@click.option("--size", type=click.IntRange(1, 500_000), default=None)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8123, show_default=True)
@click.option("--latency", type=float, default=0.0)
@click.option("--fault-rate", type=click.FloatRange(0, 0.9), default=0.0)
@click.option("--roles", default=None, metavar="LIST")
@click.option("--fleet", "fleet_size", type=click.IntRange(1, 500), default=None, metavar="N")
@click.option("--fleet-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def simulator_serve(profile: str, size: int | None, seed: int, port: int, latency: float, fault_rate: float,
                    roles: str | None, fleet_size: int | None, fleet_dir: Path) -> None:
    if fleet_size:
        return _serve_fleet(fleet_size, port, latency, fleet_dir)
    with _sigterm_stops():  # from the start: a SIGTERM while a large tenant is generated ends as Ctrl-C does (130)
        _serve_one(profile, size, seed, port, latency, fault_rate, roles)


def _serve_one(profile: str, size: int | None, seed: int, port: int, latency: float, fault_rate: float,
               roles: str | None) -> None:
    click.echo(say("cli.simulator.generating", profile=profile), err=True)
    try:
        sim = readiness.serve_simulator(profile, seed=seed, size=size, port=port, latency=latency, fault_rate=fault_rate,
                                        roles=[r.strip() for r in roles.split(",")] if roles else None)
    except OSError as exc:
        raise click.ClickException(said("cli.simulator.cannot_listen", port=str(port), reason=str(exc.strerror)))
    with sim:
        try:  # from the first line on: a Ctrl-C that arrives while the lines are printed still ends with the summary
            click.echo(say("cli.simulator.serving", tenant=sim.tenant_name, n=sim.users, url=sim.graph_url))
            click.echo(f"export READINESS_ACCESS_TOKEN={sim.token}")
            click.echo(say("cli.simulator.try", url=sim.graph_url), err=True)
            click.echo(say("cli.simulator.conduct", url=sim.graph_url.rsplit("/", 1)[0] + "/_conduct"), err=True)
            click.echo(say("cli.simulator.stop_hint"), err=True)
            sys.stdout.flush()
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo(say("cli.simulator.stopped"), err=True)
        finally:
            for line in sim.sim.conduct.summary_lines():  # also live at GET /_conduct (same token)
                click.echo(line, err=True)


def _serve_fleet(count: int, port: int, latency: float, folder: Path) -> None:
    """`simulator serve --fleet N`: the fleet simulator until Ctrl-C, with the files that onboard it."""
    click.echo(say("cli.simulator.fleet_generating", n=count), err=True)
    with _sigterm_stops():  # from the start: while generating as Ctrl-C (130); once announced, "Stopped." and exit 0
        try:
            fleet = readiness.serve_fleet_simulator(count, port=port, latency=latency, folder=folder)
        except OSError as exc:
            raise click.ClickException(said("cli.simulator.cannot_listen", port=str(port), reason=str(exc.strerror)))
        try:
            for name, tid, people, kind in fleet.members():
                click.echo(f"  {name:<22} {tid}  " + say("cli.simulator.fleet_member", n=people, kind=kind), err=True)
            click.echo(say("cli.simulator.fleet_serving", n=len(fleet.sim.members), url=fleet.base_url))
            click.echo(say("cli.simulator.fleet_wrote", csv=str(fleet.csv_path), env=str(fleet.env_path)), err=True)
            click.echo(f"  . {fleet.env_path} && readiness tenant import {fleet.csv_path} && readiness fleet audit --out-dir audits/",
                       err=True)
            click.echo(say("cli.simulator.stop_hint"), err=True)
            sys.stdout.flush()
            fleet.serve_forever()
        except KeyboardInterrupt:
            click.echo(say("cli.simulator.stopped"), err=True)
        finally:
            fleet.close()
            for line in fleet.sim.summary_lines():  # each tenant's conduct, as `serve` prints one tenant's
                click.echo(line, err=True)


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM (`kill`, `docker stop`, systemd, a test's terminate()) stops the simulator as Ctrl-C does: "Stopped." and
    the conduct summary are still printed, exit 0. Python's default for SIGTERM ends the process without either."""
    stopping: list[int] = []

    def _stop(signum: int, frame: object) -> None:
        if not stopping:  # the first one stops it; a second one (two `kill`s, systemd's and the user's) while it stops
            stopping.append(signum)  # is let go: it would end the process at exit -15, the summary half printed
            raise KeyboardInterrupt

    try:
        before = signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # not the main thread (a program that calls the command from a thread): the default stays
        yield
        return
    try:
        yield
    finally:
        # stopped by SIGTERM: the process ends now and lets a late second one go (ignored, not handled: Python puts a
        # handled signal back to its default while it shuts down, and a SIGTERM then would still end it at -15)
        signal.signal(signal.SIGTERM, signal.SIG_IGN if stopping else before)
