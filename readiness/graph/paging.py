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
from contextvars import ContextVar
from typing import Any

# The last member of the top-level object: nothing but the closing brace follows the link. A string without
# quotes or backslashes, followed by "}" at the very end of a JSON document, is the root object's last member.
_TAIL = re.compile(rb'"@odata\.nextLink"\s*:\s*"([^"\\]*)"\s*\}\s*$')
# Or among the first members, each a plain scalar (Graph's own order: @odata.context, @odata.count, @odata.nextLink).
_HEAD = re.compile(rb'\s*\{\s*(?:"[^"\\]*"\s*:\s*(?:"[^"\\]*"|-?[0-9.eE+-]+|true|false|null)\s*,\s*){0,8}'
                   rb'"@odata\.nextLink"\s*:\s*"([^"\\]*)"')
_LOOK = 4096
HEAD_BYTES = _LOOK  # what bounds.read_bounded gathers of an answer before it tells answer_head (head_hint looks at it)


def head_hint(prefix: bytes) -> str | None:
    """The top-level ``@odata.nextLink`` among a page's first members (where Graph puts it: before ``value``,
    concepts/paging.md), read from the first bytes of an answer still arriving; None where it is not there."""
    return _link(_HEAD.match(prefix[:_LOOK]))


def link_hint(content: bytes) -> str | None:
    """The top-level ``@odata.nextLink`` of a JSON page, read without parsing it; None where it cannot be told."""
    return _link(_TAIL.search(content, max(0, len(content) - _LOOK)) or _HEAD.match(content[:_LOOK]))


def _link(m: re.Match | None) -> str | None:
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
    + ahead: (url, task, request, sent) for that next page, taken by the reader once it has checked the parsed link;
      ``sent`` is set when the request's bytes have left (``until_sent``).
    + pages, size: what has arrived, to stop asking at the collection's bounds.
    + slot: for the lead chain, the slot its requests hand on to one another.
    """

    def __init__(self, seen: set[str], slot: Any = None) -> None:
        self.seen = seen
        self.slot = slot  # the lead chain's one slot, handed from page to page (slots.Slot)
        self.waiting = False
        self.ahead: tuple[str, asyncio.Future, Any, asyncio.Event] | None = None
        self.pages = 0
        self.size = 0
        self.pending: Any = None  # a page's first bytes, told while the reader was busy: looked at when it waits

    def wait(self) -> None:
        """The reader waits for the page under way: if that page's first bytes came meanwhile, they are looked at now."""
        self.waiting = True
        pending, self.pending = self.pending, None
        if pending is not None:
            pending()

    def take(self) -> tuple[str, asyncio.Future, Any, asyncio.Event] | None:
        ahead, self.ahead = self.ahead, None
        return ahead


# The next page's request of a chain, marked so that RetryMiddleware asks httpcore to say when its bytes are written
# (the "trace" extension: httpcore calls it at each step of a request). Between the request's task being made and its
# bytes leaving, the send path passes several points where the event loop runs what else is ready (anyio's checkpoints,
# the connection pool's lock); the page just read would be parsed there first (~12 ms for 500 users), and the next
# request leave that much later: at 100,000 people the /users chain's 200 hops took 69-72 ms each against 59 ms
# without the parse (issue 15, replay server, 50 ms latency). The reader now lets the loop run until the request is out.
request_sent: ContextVar[asyncio.Event | None] = ContextVar("request_sent", default=None)
# Told the first bytes of a chain page's answer (at least _LOOK of them, after Content-Encoding is undone) and its size
# (Content-Length, else the bytes so far) by
# bounds.read_bounded while the rest still arrives, so that the next page's request leaves then (GraphClient._fetch).
answer_head: ContextVar[Any] = ContextVar("answer_head", default=None)
_UNTIL_SENT_TURNS = 64  # at most this many turns of the event loop: a request held up longer (a throttle pause) is not waited for


async def until_sent(sent: asyncio.Event) -> None:
    """Let the event loop run until ``sent`` is set (or a few dozen turns have passed)."""
    for _ in range(_UNTIL_SENT_TURNS):
        if sent.is_set():
            return
        await asyncio.sleep(0)


def trace_sent(sent: asyncio.Event) -> Any:
    """httpcore's trace extension that sets ``sent`` once the request's body (none for a GET) is written."""

    async def trace(name: str, info: dict) -> None:
        if name.endswith("send_request_body.complete"):
            sent.set()

    return trace


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
