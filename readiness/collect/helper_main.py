"""The helper process of a collection (collect/helper.py): reads the collections it is given, answers in frames.

Run only by collect/helper.py (``helper.LAUNCH``, with this package's folder and the main process's pid): its stdin carries the connection (one
frame), then the SKUs section; its stdout carries the frames back. When its stdin closes before it is done (the
main process ended), it ends at once.
"""
from __future__ import annotations

import asyncio
import copy
import os
import queue
import sys
import threading
from typing import Any, BinaryIO

from .. import bulkjson
from .helper import HELPER_JOBS, StreamedFrame, framed, read_frame


class HeldToken:
    """The main process's bearer token, as a credential (azure-identity's get_token shape)."""

    def __init__(self, token: str, expires_on: int) -> None:
        self._token, self._expires_on = token, expires_on

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from .. graph.auth import _Token

        return _Token(self._token, self._expires_on)

    async def close(self) -> None:
        return None


class _Out:
    """Frames written by a thread, so that a pipe the main process has not read yet does not stop this process's reads
    while it collects; at most two frames wait. A job's result waits as its objects and is pickled by this thread
    straight into the pipe (``stream_out``), so it is never in memory twice (as objects and as bytes)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def send(self, obj: Any) -> None:
        self.queue.put(framed(obj))

    def stream_out(self, obj: Any) -> None:
        """A large frame (a job's result), pickled by the writer thread straight into the pipe in parts
        (helper.StreamedFrame): its pickle never exists as one bytes object beside the objects. ``obj`` must not
        change meanwhile: a job's result is the helper's to let go of once delivered."""
        self.queue.put(StreamedFrame(self.stream, obj))

    def _write(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                if isinstance(item, StreamedFrame):
                    item.send()
                    del item
                    bulkjson.give_back()  # the result's objects are gone: their pages back to the system
                else:
                    for part in item:
                        self.stream.write(part)
                self.stream.flush()
            except OSError:  # the main process is gone
                os._exit(3)
            except Exception:  # noqa: BLE001 - a result that cannot be pickled: the main process reads the jobs itself
                os._exit(5)  # (it sees the pipe end, maybe mid-frame, at once: no minute of silence first)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()


async def _run(cfg: dict, stdin: BinaryIO, out: _Out) -> None:
    from ..graph.client import build_client
    from . import depth
    from .collectors import collect_jobs

    loop = asyncio.get_running_loop()
    skus: asyncio.Future = loop.create_future()

    def listen() -> None:
        try:
            kind, section = read_frame(stdin)  # the SKUs, read by the main process before it started this one
            if kind == "skus":
                loop.call_soon_threadsafe(lambda: skus.done() or skus.set_result(section))
            while stdin.read(1 << 16):
                pass
        except (EOFError, OSError, ValueError):
            pass
        os._exit(0 if finished.is_set() else 4)  # the main process closed our stdin: it is done, or gone

    finished = threading.Event()
    threading.Thread(target=listen, daemon=True).start()
    client = build_client(cfg["endpoint"], HeldToken(cfg["token"], cfg["expires_on"]), concurrency=cfg["concurrency"],
                          policy=cfg.get("policy"), timeout=cfg.get("timeout", 60.0), max_wait=cfg["max_wait"],
                          on_wait=(lambda text: out.send(("wait", text))) if cfg.get("waits") else None)
    client.budget.waited = float(cfg.get("waited", 0.0))  # the same cap, and what the main process waited so far
    beat: list[Any] = []

    # every frame but "say" and "wait" carries the requests sent so far (client.stats, pickled as it is sent): a helper
    # killed mid-way has its requests counted in the snapshot up to its last frame, not lost with it
    def deliver(label: str, result: Any) -> None:
        # pickled by the writer thread into the pipe as it goes (the stats copied now: the loop goes on counting); the
        # objects go once written, and then their pages back to the system
        out.stream_out(("job", label, result, copy.deepcopy(client.stats)))

    def alive() -> None:  # from the event loop itself: a helper whose loop is stuck says nothing (helper.SILENCE)
        out.send(("alive", client.stats))
        beat[:] = [loop.call_later(cfg.get("heartbeat", 5.0), alive)]

    alive()
    try:
        with bulkjson.bulk_objects(cycles=False):
            # each job's result sent as it ends, and let go here once it is bytes: at 400,000 people the helper's whole
            # share held at once, beside the main process's, came to 999 MB for both; the main process reads each
            # frame as it comes
            await collect_jobs(client, (lambda line: out.send(("say", line))) if cfg.get("progress") else None,
                               None, depth.jobs, only=HELPER_JOBS, skus=skus,
                               deliver=deliver)
        beat[0].cancel()
        finished.set()
        out.send(("done", client.stats, client.budget.waited))
    finally:
        await client.aclose()


def main() -> int:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it ends this one
    out_fd = os.dup(1)
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into the frames
    sys.stdout = sys.stderr
    out = _Out(os.fdopen(out_fd, "wb"))
    stdin = sys.stdin.buffer
    try:
        cfg = read_frame(stdin)
        asyncio.run(_run(cfg, stdin, out))
        code = 0
    except BaseException as exc:  # noqa: BLE001 - said to the main process, which reads the jobs itself
        out.send(("failed", type(exc).__name__))
        code = 1
    out.finish()
    return code


if __name__ == "__main__":
    os._exit(main())
