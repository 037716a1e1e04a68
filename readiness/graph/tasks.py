"""Structured concurrency for Python 3.10+: every task is awaited, or cancelled and awaited on error.

``asyncio.gather`` returns at the first exception and leaves the other tasks running; their later
failures end as "Future exception was never retrieved" on stderr. ``gather_all`` cancels and awaits
the rest before the first error goes on (asyncio.TaskGroup does the same from Python 3.11).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any


async def cancel_all(tasks: Iterable[asyncio.Future]) -> None:
    """Cancel what is still running and wait until every task has ended (their errors retrieved)."""
    tasks = list(tasks)
    for t in tasks:
        if not t.done():
            t.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


async def gather_all(*aws: Awaitable[Any]) -> list[Any]:
    """Like ``asyncio.gather``: results in order; on the first error the others are cancelled and awaited."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        await cancel_all(tasks)
        raise
