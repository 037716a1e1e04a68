"""--max-wait and the progress of waiting, shared by every command that collects from Graph."""
from __future__ import annotations

import functools
from typing import Any, Callable

import click

from ..graph.stats import DEFAULT_MAX_WAIT


def max_wait_option(func: Callable) -> Callable:
    """--max-wait SECONDS: how long a command may wait for Graph in total (Retry-After, back-off)."""

    @click.option("--max-wait", "max_wait", type=click.FloatRange(0, 24 * 3600), default=DEFAULT_MAX_WAIT,
                  show_default=True, metavar="SECONDS",
                  help="Total time to wait when Graph throttles or fails; sections that would need longer "
                       "are marked failed (exit 6) instead of hanging.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def limit_waiting(conn: Any, max_wait: float, app: Any) -> Any:
    """Clients opened for ``conn`` cap their waiting at ``max_wait`` and report each wait on stderr."""
    conn.client_options.update(max_wait=max_wait, on_wait=app.progress)
    return conn
