"""`readiness report` / `audit` end the process as soon as the result is written whole, without Python's teardown
freeing the audit object by object (0.1-0.2 s at 100,000 people, issue 15), but only then: exit handlers still run,
the output is complete, and any other ending (an error, main([...]) called by a program) is the ordinary one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.checks.test_evaluate_golden import snapshot_of

PROBE = """
import atexit, os, sys, threading
from readiness.cli import main

def hook(event, args, write=os.write):  # os.write kept: late in the teardown, module globals may be gone
    if event == "cpython.PyInterpreterState_Clear":  # raised by the interpreter's own teardown (Py_FinalizeEx)
        write(2, b"TEARDOWN\\n")

sys.addaudithook(hook)
atexit.register(lambda: sys.stderr.write("ATEXIT\\n"))
if sys.argv.pop(1) == "thread":
    def late(write=os.write):
        threading.Event().wait(1)
        write(2, b"THREAD DONE\\n")
    threading.Thread(target=late).start()  # still running when the command ends
sys.argv = ["readiness", *sys.argv[1:]]
main()
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)


def test_a_written_report_ends_without_teardown_after_the_exit_handlers(tmp_path: Path) -> None:
    snap = tmp_path / "s.json.gz"
    snapshot_of("unprepared-sme").save(snap)
    out = tmp_path / "report.json"
    done = _run("-", "report", str(snap), "-o", "json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "ATEXIT" in done.stderr and "TEARDOWN" not in done.stderr
    assert json.loads(out.read_text())["data"]["people"]  # written whole and closed
    stdout = _run("-", "report", str(snap), "-o", "json")
    assert stdout.returncode == 0 and "ATEXIT" in stdout.stderr and "TEARDOWN" not in stdout.stderr
    assert json.loads(stdout.stdout) == json.loads(out.read_text())  # stdout flushed whole before the end


def test_other_endings_are_the_ordinary_ones(tmp_path: Path) -> None:
    snap = tmp_path / "s.json.gz"
    snapshot_of("unprepared-sme").save(snap)
    failed = _run("-", "report", str(tmp_path / "missing.json.gz"), "-o", "json")  # an error: nothing written
    assert failed.returncode != 0 and "TEARDOWN" in failed.stderr and "Traceback" not in failed.stderr
    threaded = _run("thread", "report", str(snap), "-o", "json", "--out", str(tmp_path / "r.json"))
    assert threaded.returncode == 0 and "THREAD DONE" in threaded.stderr  # another thread still running: waited for
