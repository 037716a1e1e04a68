"""Start `readiness simulator serve` in a separate process (so client CPU is measured alone)."""
from __future__ import annotations

import re
import subprocess
import sys
import time


class ServerProcess:
    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.url = self.token = ""

    def __enter__(self) -> "ServerProcess":
        self.proc = subprocess.Popen([sys.executable, "-m", "readiness", "simulator", "serve", "--port", "0", *self.args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.time() + 1800  # a 400,000-person tenant takes minutes to generate on a busy machine
        while time.time() < deadline and not (self.url and self.token):
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError("simulator exited early")
            if m := re.search(r"on (http://127\.0\.0\.1:\d+/v1\.0)", line):
                self.url = m.group(1)
            if line.startswith("export READINESS_ACCESS_TOKEN="):
                self.token = line.strip().split("=", 1)[1]
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU the simulator process has used so far (Linux /proc)."""
        import os

        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
