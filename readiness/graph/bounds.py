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

import zlib
from contextvars import ContextVar

import httpx

from ..errors import GraphBadResponse
from .paging import HEAD_BYTES, answer_head
from .text import clean

ANSWER_BYTES = 64 << 20
REPORT_BYTES = 1 << 30
# The bound of the answer being read, set by GraphClient.send for its request (and a redirect it follows): the body is
# read in RetryMiddleware, below the SDK's adapter, which carries no option of ours to a redirected request.
answer_limit: ContextVar[int] = ContextVar("answer_limit", default=ANSWER_BYTES)


def megabytes(size: int | None, limit: int) -> tuple[str, str]:
    """``size`` and its bound ``limit`` in MB as a message says them: the bound as it is (``64``, ``40.06``), the size
    to one decimal, or to as many more as it takes to read larger than the bound: 2 MB and 40 kB is "2.04", never
    "2.0", which would say it is the bound. ``size`` None: only the bound ("")."""
    mb = 1 << 20
    bound = f"{limit / mb:.2f}".rstrip("0").rstrip(".")
    if size is None:
        return "", bound
    for places in range(1, 8):  # 7 places: a byte is 0.00000095 MB, so the size reads larger at the latest there
        value = f"{size / mb:.{places}f}"
        if float(value) > float(bound):
            return value, bound
    return f"{size / mb:.7f}", bound  # pragma: no cover - a size at or below its bound is not refused


def too_large(path: str, limit: int, size: int | None = None) -> GraphBadResponse:
    """The refusal of an answer past its bound (``size``: what Content-Length said, if it said)."""
    value, mb = megabytes(size, limit)
    if size is not None:
        return GraphBadResponse(key="graph.answer_too_large", params={"path": path, "value": value, "limit": mb},
                                fix_key="graph.bad_answer", path=path)
    return GraphBadResponse(key="graph.answer_over_bound", params={"path": path, "limit": mb},
                            fix_key="graph.bad_answer", path=path)


def collection_too_big(name: str, pages: int, size: int, max_pages: int, max_bytes: int) -> GraphBadResponse | None:
    """The refusal of a collection (``name``) that went past one of its bounds after ``pages`` pages of ``size`` bytes:
    past ``max_pages`` pages, or ``max_bytes`` bytes of pages (each message names the bound it hit); None within both."""
    if pages > max_pages:
        return GraphBadResponse(key="graph.too_many_pages", params={"name": name, "pages": max_pages}, path=name)
    if size > max_bytes:
        value, mb = megabytes(size, max_bytes)
        return GraphBadResponse(key="graph.collection_too_large", params={"name": name, "pages": pages, "value": value,
                                                                          "limit": mb}, path=name)
    return None


# What one inflate step of an inner stage may give (an answer compressed twice, "gzip, gzip": the outer stage's output
# is not the answer yet). The last stage's steps give at most what is left of the bound, and one byte more: zlib's
# ``decompress(data, max_length)`` stops there and keeps the rest of its input, so a gzip answer that expands 1000:1
# is refused at its bound to the byte, not after httpx inflated a whole received chunk at once (64 kB of a bomb is
# 64 MB).
STEP = 64 << 10
# The encodings this client asks for (Accept-Encoding, client.build_client) and undoes itself, bounded. httpx would
# also ask for br and zstd when brotli or zstandard happen to be installed, and inflate those unbounded.
ACCEPT_ENCODING = "gzip, deflate"


class _Inflate:
    """One gzip or deflate stage of an answer, undone as httpx's GZipDecoder and DeflateDecoder undo it (a deflate
    answer without zlib's header read as raw deflate; what follows the end of the stream ignored), a step at a time."""

    def __init__(self, gzip: bool) -> None:
        self.raw_ok = not gzip  # deflate: the first input may be raw deflate (httpx's DeflateDecoder tries it too)
        self.z = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)

    def step(self, data: bytes, most: int) -> tuple[bytes, bytes]:
        """At most ``most`` bytes of output, and the input not used yet."""
        try:
            try:
                out = self.z.decompress(data, most)
            except zlib.error:
                if not self.raw_ok:
                    raise
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self.z.decompress(data, most)
        except zlib.error as exc:
            raise httpx.DecodingError(str(exc)) from exc
        self.raw_ok = False
        return out, self.z.unconsumed_tail


class _Undone:
    """An answer's body with its Content-Encoding stages undone (last applied first), kept in ``parts`` until it passes
    ``limit`` bytes: ``put`` says False then, and nothing more is inflated."""

    def __init__(self, stages: list[_Inflate], limit: int) -> None:
        self.stages, self.limit = stages, limit
        self.parts: list[bytes] = []
        self.size = 0

    def put(self, data: bytes, at: int = 0) -> bool:
        if at == len(self.stages):
            self.size += len(data)
            if self.size > self.limit:
                return False
            self.parts.append(data)
            return True
        stage, inner = self.stages[at], at + 1 < len(self.stages)
        while data and not stage.z.eof:  # past the end, zlib would keep what follows (unused_data) for nobody
            out, data = stage.step(data, STEP if inner else min(STEP, self.limit - self.size + 1))
            if out and not self.put(out, at + 1):
                return False
        return True

    def flush(self) -> bool:
        """What the stages still hold after the last input (at most a match's worth each), in order."""
        for at, stage in enumerate(self.stages):
            z = stage.z
            while not z.eof:
                out = stage.step(b"", STEP)[0]
                if not out:
                    break
                if not self.put(out, at + 1):
                    return False
            try:
                rest = z.flush()
            except zlib.error as exc:  # pragma: no cover - as httpx's flush
                raise httpx.DecodingError(str(exc)) from exc
            if rest and not self.put(rest, at + 1):
                return False
        return True


def _stages(response: httpx.Response) -> list[_Inflate]:
    """The Content-Encoding stages to undo, last applied first; an encoding not asked for is left as it came (httpx
    leaves one it has no decoder for: the body then is no JSON, a bad answer), ``identity`` is none."""
    names = [v.strip().lower() for v in response.headers.get_list("content-encoding", split_commas=True)]
    return [_Inflate(name == "gzip") for name in reversed(names) if name in ("gzip", "deflate")]


async def read_bounded(response: httpx.Response, path: str, limit: int | None = None) -> bytes:
    """Read ``response``'s body as ``Response.aread`` does (its content kept, Content-Encoding undone), refusing it
    (GraphBadResponse) past ``limit`` bytes: what came over the wire, and what it expands to, each bounded."""
    limit = answer_limit.get() if limit is None else limit
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        await response.aclose()
        raise too_large(path, limit, int(declared))
    if hasattr(response, "_content"):  # read already (an answer built in process, as the simulator's transport builds)
        if len(response.content) > limit:
            raise too_large(path, limit)
        return response.content
    body = _Undone(_stages(response), limit)
    raw = 0
    within = True
    head = answer_head.get() if 200 <= response.status_code < 300 else None  # a chain's page: paging.answer_head
    try:
        async for chunk in response.aiter_raw():
            raw += len(chunk)
            within = raw <= limit and body.put(chunk)
            if not within:
                break
            if head is not None and body.size >= HEAD_BYTES:
                head(b"".join(body.parts)[:HEAD_BYTES], int(declared) if declared and declared.isdigit() else body.size)
                head = None
        else:
            within = body.flush()
    except httpx.DecodingError as exc:
        await response.aclose()
        raise GraphBadResponse(key="graph.answer_undecodable", params={"path": path, "encoding": _encoding(response)},
                               fix_key="graph.bad_answer", path=path) from exc
    if not within:
        await response.aclose()  # the rest is never read: the connection is dropped, not kept for another request
        raise too_large(path, limit)
    parts = body.parts
    response._content = content = parts[0] if len(parts) == 1 else b"".join(parts)  # what Response.aread keeps
    return content


def _encoding(response: httpx.Response) -> str:
    return clean(response.headers.get("content-encoding", ""), 40)
