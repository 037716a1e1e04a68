"""A snapshot file read in blocks: inflated by a thread ahead of its reader when it is gzip (issue 15), read as it is
otherwise; its lines checked part by part as they are read (``Blocks.readline``'s ``watch``)."""
from __future__ import annotations

import gzip
import queue
import threading
import zlib
from typing import Any, Callable

try:  # ISA-L's inflate (python-isal): the same gzip, its CRC and length checked, in ~0.65x zlib's CPU time (issue 15)
    from isal import isal_zlib as _inflater
    _DAMAGED: tuple[type[Exception], ...] = (zlib.error, _inflater.error)
except ImportError:  # pragma: no cover - isal is a dependency; zlib reads the same files
    _inflater = zlib  # type: ignore[assignment]
    _DAMAGED = (zlib.error,)

# watch(block, start, end, held): a part of a line, before it is kept; held: (object, start, end) of what is kept of the
# line before it, or None. It raises to refuse the line.
Watch = Callable[[bytes, int, int, "tuple[Any, int, int] | None"], None]


class Blocks:
    """Lines and pieces of a stream that comes in blocks (``_block``). A line that spans blocks is built in one
    bytearray as its parts come (never a list of parts joined into a second copy), each part shown to ``watch`` first."""

    BLOCK = 4 * 1024 * 1024  # bytes per block

    def __init__(self) -> None:
        self._buf, self._pos, self._ended = b"", 0, False

    def _block(self) -> bytes | None:  # pragma: no cover - each kind of stream has its own
        raise NotImplementedError

    def _next(self) -> bool:
        """The next block into the buffer; False at the end."""
        if self._ended:
            return False
        try:
            block = self._block()
        except BaseException:
            self._ended = True
            raise
        if not block:
            self._ended = True
            return False
        self._buf, self._pos = block, 0
        return True

    def readline(self, size: int = -1, over: Any = None, watch: Watch | None = None) -> bytes:
        """A line, at most ``size`` bytes (a bytearray when it spans blocks); ``over``: what to raise as soon as the line
        reaches ``size`` bytes with no end (the caller's byte cap), before more of it is kept; ``watch``: shown each
        part before it is kept (see Watch)."""
        want = size if size >= 0 else 1 << 62
        first: tuple[bytes, int, int] | None = None
        out: bytearray | None = None
        while want > 0 and (self._pos < len(self._buf) or self._next()):
            buf, pos = self._buf, self._pos
            end = buf.find(b"\n", pos, pos + want)
            stop = end + 1 if end >= 0 else min(len(buf), pos + want)
            if watch is not None:
                watch(buf, pos, stop, first if out is None else (out, 0, len(out)))
            if out is not None:
                out += memoryview(buf)[pos:stop]
            elif first is None:
                first = (buf, pos, stop)
            else:
                out = bytearray(memoryview(first[0])[first[1]:first[2]])
                first = None
                out += memoryview(buf)[pos:stop]
            self._pos = stop
            if end >= 0:
                break
            want -= stop - pos
            if want <= 0 and over is not None:
                first = out = None
                raise over()
        if out is not None:
            return out  # type: ignore[return-value]  # bytes-like: every reader of a line takes a bytearray too
        if first is None:
            return b""
        buf, pos, stop = first
        return buf if not pos and stop == len(buf) else buf[pos:stop]

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else 1 << 62
        parts = []
        while want > 0 and (self._pos < len(self._buf) or self._next()):
            buf, pos = self._buf, self._pos
            stop = min(len(buf), pos + want)
            parts.append(buf[pos:stop] if pos or stop < len(buf) else buf)
            self._pos = stop
            want -= stop - pos
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        self._buf = b""


class Plain(Blocks):
    """A file as it is (not compressed), read a block at a time."""

    def __init__(self, fh: Any) -> None:
        super().__init__()
        self._fh = fh

    def _block(self) -> bytes | None:
        return self._fh.read(self.BLOCK)


TRAILING = "trailing garbage after the compressed data"  # what follows a member and is none


class Inflating(Blocks):
    """A gzip file read as ``GzipFile`` reads it (members one after another, zero padding between them allowed, each
    member's CRC and length checked), inflated by a thread ahead of the reader (issue 15). ISA-L (zlib without isal)
    lets go of the GIL while it inflates, so on two cores a 100,000-person snapshot's 63 MB are inflated (~0.18 s; zlib
    ~0.27 s) while the reader parses and checks the lines already there, instead of before. The thread stops ``limit + 1`` bytes in (nothing
    reads further), holds at most ``AHEAD`` blocks of ``BLOCK`` bytes, and stops when ``close()`` is called; its error
    (a damaged or cut-short file) is raised where the reader reaches it."""

    # Few, large hand-overs: each one needs the GIL back from the busy reader (up to sys.getswitchinterval(), 5 ms);
    # at 1 MB blocks from 256 KB reads the reader of a 100k snapshot waited 0.2-0.4 s for blocks, at 4 MB ~0.05 s
    BLOCK = 4 * 1024 * 1024  # inflated bytes per block
    AHEAD = 4
    READ = 1024 * 1024  # compressed bytes read at a time

    def __init__(self, fh: Any, limit: int) -> None:
        super().__init__()
        self._queue: queue.Queue = queue.Queue(self.AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._inflate, args=(fh, limit), name="readiness-inflate", daemon=True)
        self._thread.start()

    def _inflate(self, fh: Any, limit: int) -> None:
        try:
            made = 0
            unzip = _inflater.decompressobj(31)
            data = b""
            while made <= limit and not self._stop.is_set():
                if not data:
                    data = fh.read(self.READ)
                    if not data:
                        if not unzip.eof:  # what GzipFile says of a file cut short
                            raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                        break
                if unzip.eof:  # the next member, after any zero padding
                    data = data.lstrip(b"\0")
                    if not data:
                        continue
                    if len(data) < 2:  # a member's magic may straddle two reads
                        data += fh.read(self.READ)
                    if not data.startswith(b"\x1f\x8b"):  # not a member: bytes added after the end (GzipFile: "Not a
                        raise gzip.BadGzipFile(TRAILING)  # gzipped file"), not a file cut short as they read before
                    unzip = _inflater.decompressobj(31)
                block = unzip.decompress(data, self.BLOCK)
                data = unzip.unconsumed_tail or unzip.unused_data
                if block:
                    made += len(block)
                    self._put(block)
            self._put(None)
        except _DAMAGED as exc:  # a damaged header or body, a wrong CRC: named as GzipFile names them
            self._put(gzip.BadGzipFile(str(exc)))
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which raises it
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _block(self) -> bytes | None:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stop the thread (it may be waiting to hand over a block) and wait for it: the file is closed after this."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(0.05)
        self._buf = b""
