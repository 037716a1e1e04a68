"""The first line of every command that talks to a tenant: which one (MSP safety with many customers)."""
from __future__ import annotations

from typing import Any

import click

from .context import say
from ..render.safe import terminal


def announce(conn: Any, what: str) -> None:
    """``Auditing kunde-a (default profile, tenant kunde-a.onmicrosoft.com)`` on stderr, before any work.

    ``what`` names the line in the catalogue (cli.announce.<what>: audit, plan, apply, resume, verify, undo, login, test).
    """
    click.echo(terminal(say(f"cli.announce.{what}", tenant=conn.describe())), err=True)


def default_change(name: str, previous: str | None) -> str:
    """``kunde-a is now the default profile (was kunde-b)``."""
    if previous:
        return terminal(say("cli.tenant.default_now_was", name=name, previous=previous))
    return terminal(say("cli.tenant.default_now", name=name))
