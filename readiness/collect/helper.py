"""A helper process that reads part of a tenant's collections, so that a large audit uses a second core (issue 15).

Why: at 100,000 people one process spends ~12.5 s of CPU collecting (the HTTP stack, parsing, building columns), so
the collection's wall was set by that CPU (17.5 s), not by Graph's longest chain (200 ``/users`` pages, 10 s at 50 ms
a page). The main process keeps that chain and what needs the users (MFA registration, Office activity) or is small;
the helper reads the collections that need nothing but the SKUs: groups, their members and teams, Entra and Intune
devices, compliance and app protection policies, Autopilot, Cloud PCs, Teams accounts and Teams usage.

How: the helper is ``readiness.collect.helper_main`` run by this interpreter (``LAUNCH``), started once the SKUs are
read, given on its stdin the endpoint, the bearer token the main process holds already (in memory and through a pipe
only: never on a command line, in the environment or in a file), its share of ``--concurrency``, the retry policy,
what is left of the wait cap, and the SKUs section (the helper asks nothing twice). It answers on its stdout with
length-framed pickles: a heartbeat, progress lines, waits, each job's result as the job ends (streamed: pickled into the
pipe in parts as it is made, ``StreamedFrame``), then its request counts.

Nothing is lost: if the helper cannot start, ends early (killed, crashed, a refused token) or answers what is not a
frame, or is silent for a minute of the main process's own running time (``_within``: Ctrl-Z on both is not
silence; the helper's event loop says it is alive every second, with the requests it sent so far, which are
counted if it dies), the main process reads the helper's
collections itself, as it would have without one, and says so; its own
errors (a token Graph refuses) then end the command as they always did. A failure or Ctrl-C of the main process ends
the helper (``close``); the helper ends by itself when the main process is gone (its stdin closes).

When: a full read (no previous snapshot: delta reads need the users) over the network (not an in-process transport
such as the demo's simulator), with ``--concurrency`` of at least 2, at least two usable CPUs, a large tenant
(``LARGE``, told by the SKUs, which are read first) and a token valid for at least 10 more minutes.
``READINESS_COLLECT_PROCESSES=1`` turns it off, ``=2`` on whatever the tenant's size.
"""
from __future__ import annotations

import asyncio
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable

from ..errors import Phrase

# the collect_jobs labels the helper reads (collectors.collect_jobs, depth.jobs)
HELPER_JOBS = frozenset({"groups", "licence_error_groups", "teams", "group_members", "teams_usage", "managed_devices",
                         "compliance_policies", "devices", "cloud_pcs", "app_protection", "autopilot", "teams_users"})
ENV = "READINESS_COLLECT_PROCESSES"
MIN_TOKEN_SECONDS = 600
FRAME_BYTES = 1 << 31  # a frame's bound: one job's result (the largest, devices at 400,000, is ~60 MB)
HEARTBEAT = 1.0  # the helper's event loop says it is alive this often, with the requests it sent so far (a killed helper's
# requests are counted up to its last frame: at most this long before its end)
SILENCE = 60.0  # a helper silent this long (stopped, stuck) is ended and its collections read here
# Silence is counted in ticks of this process's own running time: a tick that comes STALL seconds later than asked means
# this process did not run meanwhile (the whole process group stopped with Ctrl-Z and continued, the machine
# suspended), and counts as one tick, not as the helper's silence.
TICK = 1.0
STALL = 2.0
_HEAD = 8


STREAMED = 1 << 63  # a head with this bit: one part of a streamed frame, of the length in the other bits; 0 ends it
PART = 1 << 20  # a streamed frame's part (the pickle written as it is made: never all its bytes at once, issue 15)


class StreamedFrame:
    """A frame pickled straight into ``stream`` as parts (``STREAMED`` | length, then the bytes), ended by an empty
    part: the helper never holds a large result's pickle as one bytes object (at 400,000 people the Entra devices'
    74 MB came on top of the objects themselves, at the moment both processes' memory was highest)."""

    def __init__(self, stream: BinaryIO, obj: Any = None) -> None:
        self.stream, self.buf, self.obj = stream, bytearray(), obj

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        n = len(view)
        while len(view):  # pickle writes a large str or bytes in one piece: parts of at most PART all the same
            take = PART - len(self.buf)
            self.buf += view[:take]
            view = view[take:]
            if len(self.buf) >= PART:
                self._part()
        return n

    def _part(self) -> None:
        self.stream.write((STREAMED | len(self.buf)).to_bytes(_HEAD, "big"))
        self.stream.write(self.buf)
        self.buf = bytearray()

    def send(self) -> None:
        """Pickle the frame's object into the stream, part by part, and let go of it."""
        obj, self.obj = self.obj, None
        pickle.dump(obj, self, protocol=pickle.HIGHEST_PROTOCOL)
        del obj
        if self.buf:
            self._part()
        self.stream.write(STREAMED.to_bytes(_HEAD, "big"))


def framed(obj: Any) -> tuple[bytes, bytes]:
    """A frame as its head (the length, 8 bytes) and its pickle, written one after the other (never joined: a
    collection's frame is tens of MB)."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_HEAD, "big"), data


def frame(obj: Any) -> bytes:
    """A small frame as one bytes object (the main process's messages to the helper)."""
    return b"".join(framed(obj))


def read_frame(stream: BinaryIO) -> Any:
    """The next frame of a blocking stream; EOFError at its end."""
    head = stream.read(_HEAD)
    if len(head) < _HEAD:
        raise EOFError
    size = int.from_bytes(head, "big")
    if size > FRAME_BYTES:
        raise EOFError
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def shared(result: Any) -> Any:
    """A job's result with its strings made one object with the equal ones this process holds (bulkjson.strings, the
    collection's table): unpickled, a device's owner id or a Teams account's sign-in name is a new string, not the
    users' own (at 400,000 people ~2.7 million strings, ~200 MB more than one process holds)."""
    from .. import bulkjson
    from .table import Coded, Lists, Table

    one = bulkjson.strings().setdefault
    for sec in result if isinstance(result, list) else [result]:
        data = getattr(sec, "data", None)
        if data.__class__ is not Table:
            bulkjson.share(data)
            continue
        for col in data.cols:
            values = col if col.__class__ is list else col.palette if col.__class__ is Coded \
                else col.items if col.__class__ is Lists else None  # Packed, Records: no string a row
            if values:
                try:
                    values[:] = list(map(one, values, values))
                except TypeError:  # lists or objects among them (a palette of owner lists): left as they are
                    pass
    return result


def processes_wanted(asked: int | None = None) -> int | None:
    """How many processes a collection may use: ``asked``, else READINESS_COLLECT_PROCESSES; None (where two CPUs are
    usable and nothing was asked): two for a large tenant (``LARGE``), one for a small one."""
    if asked is None:
        value = os.environ.get(ENV, "").strip()
        if value.isdigit():
            asked = int(value)
        else:
            try:
                cpus = len(os.sched_getaffinity(0))
            except (AttributeError, OSError):  # not Linux
                cpus = os.cpu_count() or 1
            return None if cpus >= 2 else 1
    return max(1, min(asked, 2))


# A tenant is large when one of its subscriptions has this many licences assigned (subscribedSku consumedUnits,
# read first of all): the helper costs a second interpreter's start (~1 s of CPU, on the other core) and the copying of
# its results, and pays only where parsing dominates. Measured on this project's 2-core VM against the simulator
# (20 ms latency): 3,000 people 1.8-2.2 s in one process against 2.2-2.5 s with the helper; 100,000 people, replay
# server at 50 ms, 15.5-16.6 s against 12.6-12.9 s of collection.
LARGE = 20_000


def large(skus: Any) -> bool:
    """The SKUs section says the tenant is large (unread or odd: not known to be, so not)."""
    if not getattr(skus, "usable", False) or not isinstance(skus.data, list):
        return False
    units = [s.get("consumedUnits") for s in skus.data if isinstance(s, dict)]
    return max((u for u in units if isinstance(u, int) and not isinstance(u, bool)), default=0) >= LARGE


def _secret_name(name: str) -> bool:
    upper = name.upper()
    return upper.startswith(("READINESS_ACCESS_TOKEN", "READINESS_CLIENT_SECRET", "READINESS_PSEUDONYM_KEY")) \
        or upper in SECRET_ENV


# The helper's start, before anything else is imported: on Linux the kernel ends it when the main process ends, even a
# stopped one (PR_SET_PDEATHSIG), and it ends at once if the main process (argv[2]) is gone already; the working
# directory that ``-c`` puts first on the path is taken out (a folder holding a ``queue.py`` or another checkout's
# ``readiness`` must not run in the process that holds the token), and this package's folder (argv[1]) put there
# only where the path lacks it (a checkout run from itself), never before the standard library otherwise.
LAUNCH = """import os, sys
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)
    except Exception:
        pass
if os.getppid() != int(sys.argv[2]):
    os._exit(4)
del sys.path[0]
if sys.argv[1] not in sys.path:
    sys.path.insert(0, sys.argv[1])
from readiness.collect.helper_main import main
os._exit(main())
"""


SECRET_ENV = frozenset({"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD"})


class Helper:
    """The main process's side of the helper: started, or not, once the tenant's SKUs tell its size (``results``)."""

    def __init__(self, client: Any, say: Callable[[str], None], forced: bool) -> None:
        self.client = client
        self.say = say
        self.forced = forced  # asked for two processes: whatever the tenant's size
        self.proc: asyncio.subprocess.Process | None = None
        self.share = 0  # the requests in flight it was lent: the main process's again if it reads its jobs itself
        self.names = HELPER_JOBS
        self.read_here: Callable[[], Any] | None = None  # set by collect_jobs: its own read of the helper's jobs
        self.delivered = False  # every job's result came from the helper

    async def _frame(self) -> Any:
        assert self.proc.stdout is not None
        head = await _within(self.proc.stdout.readexactly(_HEAD), SILENCE)
        size = int.from_bytes(head, "big")
        if size & STREAMED:  # a streamed frame: its parts gathered in one buffer (not a second copy as readexactly's)
            data = bytearray()
            while size != STREAMED:
                part = size & ~STREAMED
                if part > PART or len(data) + part > FRAME_BYTES:
                    raise ValueError("frame too large")
                data += await _within(self.proc.stdout.readexactly(part), SILENCE + part / (1 << 20))
                size = int.from_bytes(await _within(self.proc.stdout.readexactly(_HEAD), SILENCE), "big")
                if not size & STREAMED:
                    raise ValueError("a streamed frame's part without its mark")
            return pickle.loads(data)
        if size > FRAME_BYTES:
            raise ValueError("frame too large")
        return pickle.loads(await _within(self.proc.stdout.readexactly(size), SILENCE + size / (1 << 20)))

    async def results(self, skus: Any) -> dict[str, Any]:
        """Each helper job's result by label, once ``skus`` (the SKUs section, awaitable) is read: from a helper process
        for a large tenant (or when two processes were asked for), else read here; read here too if the helper did not
        deliver them all."""
        assert self.read_here is not None
        sku_section = await skus
        if not (self.forced or large(sku_section)) or not await self._start(sku_section):
            return await self.read_here()
        got: dict[str, Any] = {}
        why = ""
        sent = None  # the helper's requests so far, as its last frame said (counted in the snapshot if it dies)
        try:
            while True:
                kind, *rest = await self._frame()
                if kind == "alive":
                    sent = rest[0]
                elif kind == "say":
                    self.say(rest[0])
                elif kind == "wait":
                    if self.client.budget.report is not None:
                        self.client.budget.report(rest[0])
                elif kind == "job":
                    got[rest[0]] = shared(rest[1])
                    sent = rest[2]
                elif kind == "done":
                    sent = None
                    self.client.stats.add(rest[0])
                    # the budget counts wall time: the two processes' waits overlap in it, so not their sum
                    self.client.budget.waited = max(self.client.budget.waited, rest[1])
                    break
                else:  # "failed": the helper's read ended with an error (a refused token, an unreachable server)
                    why = str(rest[0])
                    break
        except asyncio.TimeoutError:
            why = "silent"
        except (asyncio.IncompleteReadError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError,
                ImportError, IndexError) as exc:
            why = type(exc).__name__
        if not why and set(got) == set(self.names):
            self.delivered = True
            await self.close()
            return got
        await self.close()
        if isinstance(sent, type(self.client.stats)):  # what it sent before it stopped: sent to Graph all the same
            self.client.stats.add(sent)
        code = self.proc.returncode if self.proc is not None else None
        self.say(Phrase("cli.progress.helper_ended", why=Phrase(f"cli.progress.helper_why.{_WHY.get(why, 'failed')}"),
                        code=str(code)))
        self.client.regain_concurrency(self.share)
        self.share = 0
        return await self.read_here()

    async def _start(self, skus: Any) -> bool:
        """Start the helper process and give it the connection and the SKUs; False where it cannot be."""
        client = self.client
        try:
            token = client._credential.get_token(client.endpoint.scope)
            if hasattr(token, "__await__"):
                token = await token
            held, expires_on = str(token.token), int(token.expires_on)
        except Exception:  # noqa: BLE001 - this process's own requests say what is wrong, as without a helper
            return False
        from ..graph.auth import token_claims

        exp = token_claims(held).get("exp")  # a bearer token given as it is (READINESS_ACCESS_TOKEN): its own expiry
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            expires_on = min(expires_on, int(exp))
        if expires_on - time.time() < MIN_TOKEN_SECONDS:
            return False
        # the helper needs no secret of the environment: it gets the token it uses through its stdin
        env = {k: v for k, v in os.environ.items() if not _secret_name(k)}
        root = str(Path(__file__).resolve().parents[2])  # the folder holding this readiness package
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", LAUNCH, root, str(os.getpid()), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, env=env)
        except (OSError, ValueError, NotImplementedError, RuntimeError):
            return False
        self.proc = proc
        # this process's reads are one long chain (/users) and a few short ones; the helper's are many (devices,
        # Intune, Teams accounts, each group's members, the teams' and owners' $batch rounds): 3 of 8 here, 5 there
        keep = max(1, round(client.concurrency * 3 / 8))
        self.share = client.concurrency - keep
        client.lend_concurrency(self.share)
        assert proc.stdin is not None
        proc.stdin.write(frame({"endpoint": client.endpoint, "token": held, "expires_on": expires_on,
                                "concurrency": self.share, "max_wait": client.budget.cap,
                                "waited": client.budget.waited,
                                "waits": client.budget.report is not None, "heartbeat": HEARTBEAT, "progress": True,
                                **client.build_options}))
        proc.stdin.write(frame(("skus", skus)))
        return True

    async def close(self) -> None:
        """End the helper (if it still runs) and reap it."""
        proc = self.proc
        if proc is None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        # what the helper still writes is read and dropped: a read stopped mid-frame (Ctrl-C) leaves the pipe paused
        # with its buffer full, and asyncio's wait() ends only once the pipe has closed (attack17: 2 s, then a
        # "Event loop is closed" traceback when the transport was collected after asyncio.run)
        drain = asyncio.ensure_future(_drain(proc.stdout)) if proc.stdout is not None else None
        try:
            if proc.returncode is None:
                try:
                    await asyncio.wait_for(proc.wait(), 2.0)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    pass
            if proc.returncode is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
            await asyncio.shield(asyncio.wait_for(proc.wait(), 5.0))
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass
        finally:
            if drain is not None:
                drain.cancel()
            transport = getattr(proc, "_transport", None)  # closed here, in the loop, never by the collector later
            if transport is not None:
                transport.close()


async def _drain(stream: Any) -> None:
    """Read ``stream`` to its end, dropping what comes (a helper's frames nobody waits for any more)."""
    try:
        while await stream.read(1 << 20):
            pass
    except Exception:  # noqa: BLE001 - the pipe is going away: nothing to keep
        pass


async def _within(read: Any, allowed: float) -> Any:
    """``read`` awaited; asyncio.TimeoutError once it has waited ``allowed`` seconds of this process's own running time
    (TICK, STALL): after a stop of the whole process group the helper is given its time again, not ended on waking."""
    task = asyncio.ensure_future(read)
    try:
        waited, last = 0.0, time.monotonic()
        while True:
            done, _ = await asyncio.wait({task}, timeout=min(TICK, allowed - waited))
            if done:
                return task.result()
            now = time.monotonic()
            waited += now - last if now - last < TICK + STALL else TICK
            last = now
            if waited >= allowed:
                raise asyncio.TimeoutError
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


_WHY = {"silent": "silent", "IncompleteReadError": "ended", "EOFError": "ended"}  # anything else: "failed"


def planned(client: Any, say: Callable[[str], None], *, processes: int | None, full_read: bool) -> Helper | None:
    """The helper of ``client``'s collection (started, or not, once the SKUs are read: ``Helper.results``), or None
    where it is never used (see the module's "When")."""
    wanted = processes_wanted(processes)
    if (wanted == 1 or not full_read or not getattr(client, "networked", False) or client.concurrency < 2
            or not sys.executable):
        return None
    return Helper(client, say, forced=wanted == 2)
