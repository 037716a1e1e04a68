"""The first line of every command that talks to a tenant: which one (MSP safety with many customers)."""
from __future__ import annotations

from typing import Any

import click

from ..render.safe import terminal


def announce(conn: Any, verb: str) -> None:
    """``Auditing kunde-a (default profile, tenant kunde-a.onmicrosoft.com)`` on stderr, before any work."""
    click.echo(terminal(f"{verb} {conn.describe()}"), err=True)


def default_change(name: str, previous: str | None) -> str:
    """``kunde-a is now the default profile (was kunde-b)``."""
    was = f"was {previous}" if previous else "there was none before"
    return terminal(f"{name} is now the default profile ({was}).")
