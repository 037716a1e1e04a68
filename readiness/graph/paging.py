"""Reading a collection's pages ahead: a page's ``@odata.nextLink`` read from its bytes, before the page is parsed.

A collection is a chain of requests (each page names the next, concepts/paging.md), so at 100,000 people the
``/users`` read is 200 requests one after another. Each next request should leave the moment its link is known:
not after the page is parsed, handed on and worked on, and not after whatever else the event loop runs meanwhile
(issue 15). ``link_hint`` finds the link in the raw bytes where Graph and the simulator put it; the page is still
parsed and checked in full, and a hint that is not the parsed link is dropped (GraphClient.iter_pages).
"""
from __future__ import annotations

import asyncio
import re
from typing import Any

# The last member of the top-level object: nothing but the closing brace follows the link. A string without
# quotes or backslashes, followed by "}" at the very end of a JSON document, is the root object's last member.
_TAIL = re.compile(rb'"@odata\.nextLink"\s*:\s*"([^"\\]*)"\s*\}\s*$')
# Or among the first members, each a plain scalar (Graph's own order: @odata.context, @odata.count, @odata.nextLink).
_HEAD = re.compile(rb'\s*\{\s*(?:"[^"\\]*"\s*:\s*(?:"[^"\\]*"|-?[0-9.eE+-]+|true|false|null)\s*,\s*){0,8}'
                   rb'"@odata\.nextLink"\s*:\s*"([^"\\]*)"')
_LOOK = 4096


def link_hint(content: bytes) -> str | None:
    """The top-level ``@odata.nextLink`` of a JSON page, read without parsing it; None where it cannot be told."""
    m = _TAIL.search(content, max(0, len(content) - _LOOK)) or _HEAD.match(content[:_LOOK])
    if m is None:
        return None
    try:
        return m.group(1).decode("utf-8")
    except UnicodeDecodeError:
        return None


class Chain:
    """One collection's paging state, shared by the request for a page and the reader of the pages.

    + waiting: the reader waits for the page under way, so the request for the next one may leave as soon as
      this page's bytes are in (never more than one page ahead of the reader).
    + ahead: (url, task, request) for that next page, taken by the reader once it has checked the parsed link.
    + pages, size: what has arrived, to stop asking at the collection's bounds.
    + slot: for the lead chain, the slot its requests hand on to one another.
    """

    def __init__(self, seen: set[str], slot: Any = None) -> None:
        self.seen = seen
        self.slot = slot  # the lead chain's one slot, handed from page to page (slots.Slot)
        self.waiting = False
        self.ahead: tuple[str, asyncio.Future, Any] | None = None
        self.pages = 0
        self.size = 0

    def take(self) -> tuple[str, asyncio.Future, Any] | None:
        ahead, self.ahead = self.ahead, None
        return ahead


def drop(task: Any) -> None:
    """Cancel a request no longer wanted (the reader stopped, or the page linked elsewhere) and take its outcome."""
    if task is None:
        return
    if isinstance(task, tuple):
        task = task[1]
    task.cancel()
    task.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()
