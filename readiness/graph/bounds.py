"""Every answer the client reads is bounded while it is read, not after.

A page, a single object or a $batch answer at ``ANSWER_BYTES``; a usage report (one CSV of the whole tenant, after
a redirect to a download host) at ``REPORT_BYTES``. An answer is refused at once when its Content-Length says more,
and otherwise as soon as the bytes read (after Content-Encoding is undone: gzip expands) pass the bound, so a
hostile 900 MB page costs at most the bound and one chunk, never the whole answer (issue 15, trust).

Why each bound is safe for the largest legitimate answer at 400,000 users:
+ ANSWER_BYTES, 64 MB: a Graph page holds at most 999 objects ($top, concepts/paging.md); the largest this tool
  reads are users with sign-in activity, ~3.5 kB each (MAX_COLLECTION_BYTES's figure), so ~3.5 MB a page: 18x
  margin, and still 64 kB an object at 999 (the simulator's largest page, /users, is 0.6 MB). A $batch answer is
  bounded lower by its caller (batch.py, 40 MB). Paged reads under /reports/ (userRegistrationDetails) are pages.
+ REPORT_BYTES, 1 GB: the Office 365 active user and Teams user activity detail reports hold one CSV row per user
  (reportroot-getoffice365activeuserdetail.md, reportroot-getteamsuseractivityuserdetail.md), ~30 columns, under
  ~1 kB a row with several assigned products: ~400 MB at 400,000 users, 2.5x margin (the simulator's Teams report is
  ~210 B a row, 4.3 MB at 20,000 users); the same as a collection's bound (MAX_COLLECTION_BYTES). Only the report
  functions (/reports/get...) have it.
"""
from __future__ import annotations

from contextvars import ContextVar

import httpx

from ..errors import GraphBadResponse

ANSWER_BYTES = 64 << 20
REPORT_BYTES = 1 << 30
# The bound of the answer being read, set by GraphClient.send for its request (and a redirect it follows): the body is
# read in RetryMiddleware, below the SDK's adapter, which carries no option of ours to a redirected request.
answer_limit: ContextVar[int] = ContextVar("answer_limit", default=ANSWER_BYTES)


def too_large(path: str, limit: int, size: int | None = None) -> GraphBadResponse:
    """The refusal of an answer past its bound (``size``: what Content-Length said, if it said)."""
    mb = f"{limit / (1 << 20):.0f}"
    if size is not None:
        return GraphBadResponse(key="graph.answer_too_large", params={"path": path, "value": f"{size / (1 << 20):.1f}", "limit": mb},
                                fix_key="graph.bad_answer", path=path)
    return GraphBadResponse(key="graph.answer_over_bound", params={"path": path, "limit": mb},
                            fix_key="graph.bad_answer", path=path)


async def read_bounded(response: httpx.Response, path: str, limit: int | None = None) -> bytes:
    """Read ``response``'s body as ``Response.aread`` does, refusing it (GraphBadResponse) past ``limit`` bytes."""
    limit = answer_limit.get() if limit is None else limit
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        await response.aclose()
        raise too_large(path, limit, int(declared))
    parts: list[bytes] = []
    size = 0
    async for part in response.aiter_bytes():  # decoded: a gzip answer is counted as it expands
        size += len(part)
        if size > limit:
            break
        parts.append(part)
    if size > limit:
        await response.aclose()  # the rest is never read: the connection is dropped, not kept for another request
        raise too_large(path, limit)
    response._content = content = b"".join(parts)  # what Response.aread keeps (httpx 0.28): read once, kept
    return content
