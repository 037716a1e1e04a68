"""The helper process (collect/helper.py): a second process reads part of a full read, over real HTTP against the
simulator. What it delivers is exactly what one process reads; when it is killed mid-way, cannot start or hears a
refused token, nothing is lost and nothing passes that would not have; it never gets a secret on its command line or
in its environment; a failure of the main process ends it."""
from __future__ import annotations

import gzip
import asyncio
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import readiness
from readiness.collect import helper as helpers
from readiness.errors import AuthError

pytestmark = pytest.mark.slow


def _body(snap: Any, path: Path) -> bytes:
    """The snapshot as collected, saved, without its first line (when it was collected, how long it took, request counts by
    endpoint, whose order of equal counts follows the requests' timing)."""
    snap.save(path)
    return re.sub(rb"deltatoken=[^\"]*", b"", gzip.open(path).read().split(b"\n", 1)[1])  # a new token each read


def _watch(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every Helper started, in a list."""
    started: list = []
    real = helpers.planned

    def planned(*args: Any, **kwargs: Any) -> Any:
        h = real(*args, **kwargs)
        started.append(h)
        return h

    monkeypatch.setattr(helpers, "planned", planned)
    return started


def _on_first_frame(monkeypatch: pytest.MonkeyPatch, act: Any) -> list[int]:
    """``act(pid)`` on the helper once its first frame has come; the pids acted on, in a list."""
    real = helpers.Helper._frame
    done: list[int] = []

    async def frame(self: Any) -> Any:
        got = await real(self)
        if not done:
            done.append(self.proc.pid)
            act(self.proc.pid)
        return got

    monkeypatch.setattr(helpers.Helper, "_frame", frame)
    return done


@pytest.fixture(scope="module")
def running():
    with readiness.serve_simulator(size=120, latency=0.01) as sim:
        yield sim


@pytest.fixture(scope="module")
def alone(running: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, bytes]:
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), processes=1)
    return snap, _body(snap, tmp_path_factory.mktemp("alone") / "s.json.gz")


def test_helper_reads_exactly_what_one_process_reads(running: Any, alone: tuple, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    started = _watch(monkeypatch)
    lines: list[str] = []
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), lines.append,
                             processes=2)
    assert len(started) == 1 and started[0] is not None  # a helper did read
    assert snap.requests["processes"] == 2 and alone[0].requests["processes"] == 1
    assert started[0].proc.returncode is not None  # and is gone
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]
    assert list(snap.sections) == list(alone[0].sections)
    for key in ("requests", "attempts", "batch_items", "bytes_received"):  # its requests are counted
        assert snap.requests[key] == alone[0].requests[key]
    assert snap.requests["by_endpoint"] == alone[0].requests["by_endpoint"]
    said = [line for line in lines if line.startswith("  ")]  # each section's progress line, from either process
    assert sorted(line.split()[0] for line in said) == sorted(alone[0].sections)
    assert not any("helper" in line.lower() for line in lines)


def test_killed_helper_loses_nothing(running: Any, alone: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _watch(monkeypatch)
    # the helper has begun to answer: kill it, for real, before it delivers a collection
    killed = _on_first_frame(monkeypatch, lambda pid: os.kill(pid, signal.SIGKILL))
    lines: list[str] = []
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), lines.append,
                             processes=2)
    assert killed and started[0].proc.returncode == -signal.SIGKILL
    assert snap.requests["processes"] == 1
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]  # read in the main process instead: the same snapshot
    assert {n: s.status for n, s in snap.sections.items()} == {n: s.status for n, s in alone[0].sections.items()}
    assert any("helper process did not deliver" in line and "-9" in line for line in lines)


def test_a_killed_helpers_requests_are_counted(running: Any, alone: tuple, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The requests a helper sent before it was killed reached Graph: the snapshot's request counts say so (they were
    lost with it). Killed once its first collection has come: the counts are one process's, plus the helper's as that
    frame said them."""
    real = helpers.Helper._frame
    said: list = []  # the stats each frame carried, in order (frames already in the pipe are still read after the kill)

    async def frame(self: Any) -> Any:
        got = await real(self)
        if got[0] in ("job", "alive"):
            said.append(got[-1])
        if got[0] == "job" and self.proc.returncode is None and not getattr(self, "killed", False):
            self.killed = True
            os.kill(self.proc.pid, signal.SIGKILL)
        return got

    monkeypatch.setattr(helpers.Helper, "_frame", frame)
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), processes=2)
    assert said and said[-1].requests > 0
    assert snap.requests["processes"] == 1
    assert snap.requests["requests"] == alone[0].requests["requests"] + said[-1].requests  # the last frame's count
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]


def test_helper_that_cannot_run_loses_nothing(running: Any, alone: tuple, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, and ends at once without a word
    lines: list[str] = []
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), lines.append,
                             processes=2)
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]
    assert any("helper process did not deliver" in line and "exit code 1" in line for line in lines)


def test_refused_token_fails_as_without_a_helper(running: Any) -> None:
    def failure(processes: int) -> str:
        with pytest.raises(AuthError) as info:
            readiness.collect(readiness.connect(graph_url=running.graph_url, token="not-a-token"), processes=processes)
        return str(info.value)

    assert failure(2) == failure(1)


def test_no_secret_on_the_helpers_command_line_or_environment(running: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    seen: list = []
    real = asyncio.create_subprocess_exec

    async def spawn(*args: Any, **kwargs: Any) -> Any:
        seen.append((args, kwargs.get("env")))
        return await real(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", running.token)
    monkeypatch.setenv("READINESS_ACCESS_TOKEN_KUNDE_A", running.token)
    monkeypatch.setenv("READINESS_CLIENT_SECRET_KUNDE_A", "s3cret-value")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "s3cret-value")
    readiness.collect(readiness.connect(graph_url=running.graph_url), processes=2)
    assert len(seen) == 1
    args, env = seen[0]
    assert args[1] == "-c" and args[3] == str(Path(readiness.__file__).resolve().parents[1])
    assert args[4] == str(os.getpid())
    assert env is not None
    for secret in (running.token, "s3cret-value"):
        assert not any(secret in str(a) for a in args)
        assert not any(secret in v for v in env.values())
    assert not any(k.startswith("READINESS_PSEUDONYM_KEY") for k in env)


def test_helper_runs_this_package_not_the_working_directorys_code(running: Any, alone: tuple, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m`/`-c` put the working directory first on the path: a folder holding a `queue.py` or another
    checkout's `readiness` would run in the process that holds the token."""
    marker = tmp_path / "imported"
    (tmp_path / "queue.py").write_text(f"open({str(marker)!r}, 'w').close()\nfrom _queue import *\n", "utf-8")
    (tmp_path / "readiness").mkdir()
    (tmp_path / "readiness" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    started = _watch(monkeypatch)
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), processes=2)
    assert started[0] is not None and snap.requests["processes"] == 2
    assert not marker.exists()


def test_failure_of_the_main_process_ends_the_helper(running: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.collect import collectors

    started = _watch(monkeypatch)

    async def users(client: Any) -> Any:
        import asyncio

        for _ in range(500):  # once the helper runs (it starts when the SKUs are in)
            if started and started[0] is not None and started[0].proc is not None:
                break
            await asyncio.sleep(0.01)
        raise RuntimeError("the main process fails")

    monkeypatch.setattr(collectors, "users", users)
    with pytest.raises(RuntimeError, match="main process fails"):
        readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), processes=2)
    assert started and started[0] is not None and started[0].proc is not None
    assert started[0].proc.returncode is not None  # reaped, not left running


def test_no_helper_where_it_cannot_pay_or_would_not_be_the_same(running: Any, sme: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.simulator import Simulator
    from readiness.simulator.transport import SimTransport

    started = _watch(monkeypatch)
    conn = readiness.connect(graph_url=running.graph_url, token=running.token)
    first = readiness.collect(conn, processes=1)  # asked for one process
    readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token, concurrency=1), processes=2)
    readiness.collect(conn, previous=first, processes=2)  # a delta re-audit needs the users: one process
    sim = Simulator(sme)  # an in-process transport: another process could not reach it
    readiness.collect(readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token=sim.issue_token(),
                                        transport=SimTransport(sim)), processes=2)
    assert started == [None, None, None, None]


def test_by_default_only_a_large_tenant_gets_a_helper(running: Any, alone: tuple, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing asked (the command line's default): a tenant whose subscriptions have fewer than helpers.LARGE licences
    assigned is read in one process (a second interpreter's start costs more than it saves there); a larger one gets
    the helper. Either way the same snapshot."""
    monkeypatch.delenv(helpers.ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    started = _watch(monkeypatch)
    conn = readiness.connect(graph_url=running.graph_url, token=running.token)
    small = readiness.collect(conn, processes=None)
    assert started[0] is not None and started[0].proc is None and small.requests["processes"] == 1
    most = max(s["consumedUnits"] for s in small.sections["skus"].data)
    assert 0 < most < helpers.LARGE
    monkeypatch.setattr(helpers, "LARGE", most)  # the same tenant, as if it were large
    big = readiness.collect(conn, processes=None)
    assert started[1].proc is not None and big.requests["processes"] == 2
    assert _body(small, tmp_path / "a.json.gz") == _body(big, tmp_path / "b.json.gz") == alone[1]


@pytest.mark.parametrize(("units", "expected"), [([5, 20_000], True), ([19_999], False), ([], False),
                                                 (["20000", True, None], False)])
def test_large_reads_the_most_assigned_subscription(units: list, expected: bool) -> None:
    from readiness.collect.snapshot import COMPLETE, FORBIDDEN, Section

    assert helpers.large(Section("skus", COMPLETE, [{"consumedUnits": u} for u in units])) is expected
    assert helpers.large(Section("skus", FORBIDDEN, None)) is False


@pytest.mark.parametrize(("value", "cpus", "expected"), [("1", 4, 1), ("2", 1, 2), ("", 2, None), ("", 1, 1),
                                                         ("x", 4, None), ("7", 1, 2)])
def test_processes_wanted(value: str, cpus: int, expected: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """None: decided by the tenant's size once its SKUs are read (helpers.large)."""
    monkeypatch.setenv(helpers.ENV, value)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cpus)), raising=False)
    assert helpers.processes_wanted() == expected
    assert helpers.processes_wanted(1) == 1


def test_frames_round_trip_and_refuse_a_short_or_huge_one() -> None:
    import io

    stream = io.BytesIO(helpers.frame(("job", "x", [1, 2])) + helpers.frame(("done",)))
    assert helpers.read_frame(stream) == ("job", "x", [1, 2])
    assert helpers.read_frame(stream) == ("done",)
    with pytest.raises(EOFError):
        helpers.read_frame(stream)
    with pytest.raises(EOFError):
        helpers.read_frame(io.BytesIO(helpers.frame("abc")[:-1]))
    with pytest.raises(EOFError):
        helpers.read_frame(io.BytesIO((helpers.FRAME_BYTES + 1).to_bytes(8, "big")))


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the helper through /proc")
def test_audit_command_survives_its_helper_killed_from_outside(running: Any, alone: tuple, tmp_path: Path) -> None:
    """`readiness audit` over real HTTP: its helper process, killed with SIGKILL by another process the moment it
    exists, costs nothing: exit 0, the same snapshot, the main process says what happened (-v)."""
    import subprocess
    import time

    snap = tmp_path / "s.json.gz"
    env = dict(os.environ, READINESS_ACCESS_TOKEN=running.token, READINESS_COLLECT_PROCESSES="2")
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "-v", "audit", "--graph-url", running.graph_url,
                             "--snapshot-out", str(snap), "-o", "json", "--out", str(tmp_path / "o.json")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        for child in _children(proc.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"readiness.collect.helper_main" in cmdline:
                os.kill(child, signal.SIGKILL)
                killed = child
        time.sleep(0.005)
    _, err = proc.communicate(timeout=120)
    assert killed is not None, "the audit started no helper"
    assert proc.returncode == 0, err[-2000:]
    assert "helper process did not deliver" in err and "-9" in err
    got = readiness.load_snapshot(snap)
    assert got.requests["processes"] == 1
    written = re.sub(rb"deltatoken=[^\"]*", b"", gzip.open(snap).read().split(b"\n", 1)[1])
    assert written == alone[1]  # the file as the command wrote it (a loaded snapshot saved again may pick other layouts)


def test_stopped_helper_is_ended_and_loses_nothing(running: Any, alone: tuple, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper that stops answering (SIGSTOP: stuck, swapped out) is ended after helper.SILENCE without a word, and
    its collections are read here."""
    monkeypatch.setattr(helpers, "HEARTBEAT", 0.2)
    started = _watch(monkeypatch)

    def stop(pid: int) -> None:  # once the helper has started (its first frame came: a start under load takes seconds)
        os.kill(pid, signal.SIGSTOP)
        monkeypatch.setattr(helpers, "SILENCE", 1.5)

    stopped = _on_first_frame(monkeypatch, stop)
    lines: list[str] = []
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), lines.append,
                             processes=2)
    assert stopped and started[0].proc.returncode == -signal.SIGKILL
    assert snap.requests["processes"] == 1
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]
    assert any("helper process did not deliver" in line and "did not answer for 60 s" in line for line in lines)


def test_a_stop_of_both_processes_is_not_the_helpers_silence(running: Any, alone: tuple, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-Z on a long audit stops the whole process group; continued after more than helper.SILENCE, the main process
    must not take the time it did not run for the helper's silence (it ended the helper and read its collections
    again). Another process stops both for 3 s (SILENCE 1.5 s) and continues them: the helper delivers."""
    import subprocess

    monkeypatch.setattr(helpers, "HEARTBEAT", 0.2)
    monkeypatch.setattr(helpers, "TICK", 0.2)
    monkeypatch.setattr(helpers, "STALL", 0.5)
    started = _watch(monkeypatch)

    def stop_both(pid: int) -> None:
        monkeypatch.setattr(helpers, "SILENCE", 1.5)
        subprocess.Popen([sys.executable, "-c", "import os, signal, sys, time\n"
                          "pids = [int(p) for p in sys.argv[1:]]\n"
                          "[os.kill(p, signal.SIGSTOP) for p in pids]\n"
                          "time.sleep(3)\n"
                          "[os.kill(p, signal.SIGCONT) for p in pids]", str(pid), str(os.getpid())])

    stopped = _on_first_frame(monkeypatch, stop_both)
    lines: list[str] = []
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token), lines.append,
                             processes=2)
    assert stopped and started[0].delivered
    assert snap.requests["processes"] == 2
    assert not any("helper process did not deliver" in line for line in lines)
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]


def test_within_counts_only_this_processs_running_time() -> None:
    """helpers._within: a wait that runs out is refused after ``allowed`` seconds; a read that comes in time is given."""
    import asyncio
    import time

    async def never() -> None:
        await asyncio.sleep(10)

    async def soon() -> str:
        await asyncio.sleep(0.05)
        return "frame"

    t = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(helpers._within(never(), 0.3))
    assert 0.25 < time.monotonic() - t < 2
    assert asyncio.run(helpers._within(soon(), 0.3)) == "frame"


def test_main_process_takes_the_helpers_share_back_when_it_reads_its_collections(running: Any,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    started = _watch(monkeypatch)
    readiness.collect(readiness.connect(graph_url=running.graph_url, token=running.token, concurrency=8), processes=2)
    helper = started[0]
    assert helper is not None and helper.proc is not None and helper.share == 0
    assert helper.client.concurrency == 8  # 3 kept while the helper had 5; all 8 again once it failed


def test_slots_grow_wakes_waiters_first() -> None:
    import asyncio

    from readiness.graph.slots import NEW, Slots

    async def go() -> list[str]:
        slots, order = Slots(1), []
        await slots.acquire()

        async def wait(name: str) -> None:
            await slots.acquire(NEW)
            order.append(name)

        tasks = [asyncio.ensure_future(wait(n)) for n in ("a", "b", "c")]
        await asyncio.sleep(0)
        slots.grow(2)  # two more slots: two waiters go at once, the third still waits
        await asyncio.sleep(0)
        assert order == ["a", "b"]
        slots.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(go()) == ["a", "b", "c"]


@pytest.mark.parametrize("value", [0, 3, "2", True, 2.0])
def test_processes_other_than_1_2_or_none_is_a_usage_error(value: Any) -> None:
    from readiness.errors import UsageError

    with pytest.raises(UsageError, match="processes must be 1, 2 or None"):
        readiness.collect(readiness.connect(graph_url="http://127.0.0.1:9/v1.0", token="t"), processes=value)


def test_no_helper_for_a_token_about_to_expire(running: Any, alone: tuple, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A bearer token given as it is (READINESS_ACCESS_TOKEN, token=) is held to its own `exp`: with less than
    helpers.MIN_TOKEN_SECONDS left the helper is not started (it would only hear 401 later); one process reads."""
    started = _watch(monkeypatch)
    short = running.sim.issue_token(ttl=120)
    snap = readiness.collect(readiness.connect(graph_url=running.graph_url, token=short), processes=2)
    assert started[0] is not None and started[0].proc is None
    assert snap.requests["processes"] == 1
    assert _body(snap, tmp_path / "s.json.gz") == alone[1]


def test_a_streamed_frame_round_trips_and_a_bad_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job's result goes as a streamed frame (helpers.StreamedFrame: parts of at most PART, then an empty part), so
    the helper never holds its pickle as one bytes object (at 400k: 74 MB at both processes' highest point); the main
    process gathers the parts into one buffer. A part past PART, a part without its mark, or more than FRAME_BYTES in
    all is refused (the helper's collections are then read here, as for any bad frame)."""
    import io
    from types import SimpleNamespace

    def read(data: bytes) -> Any:
        async def go() -> Any:
            reader = asyncio.StreamReader()
            reader.feed_data(data)
            reader.feed_eof()
            return await helpers.Helper._frame(SimpleNamespace(proc=SimpleNamespace(stdout=reader)))
        return asyncio.run(go())

    obj = ("job", "devices", {"text": "x" * (2 * helpers.PART + 5), "rows": list(range(1000))}, {"requests": 3})
    out = io.BytesIO()
    helpers.StreamedFrame(out, obj).send()
    data = out.getvalue()
    assert read(data + helpers.frame(("done",))) == obj  # and a whole frame may follow
    mark = helpers.STREAMED.to_bytes(8, "big")
    with pytest.raises(ValueError):  # a part longer than a part may be
        read((helpers.STREAMED | (helpers.PART + 1)).to_bytes(8, "big") + b"x" * (helpers.PART + 1) + mark)
    with pytest.raises(ValueError):  # a part followed by a head without the mark
        read((helpers.STREAMED | 3).to_bytes(8, "big") + b"abc" + (5).to_bytes(8, "big") + b"hello")
    monkeypatch.setattr(helpers, "FRAME_BYTES", helpers.PART)
    with pytest.raises(ValueError):  # more than a frame may hold in all
        read(data)
