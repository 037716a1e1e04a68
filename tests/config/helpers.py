"""Run the real CLI in a subprocess with an isolated home and no usable keyring."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLIENT_ID = "11111111-2222-3333-4444-555555555555"


def cli(home: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("READINESS_CLIENT_SECRET_")}
    full.update(READINESS_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")  # no Secret Service either
    full.pop("DISPLAY", None)
    full.pop("READINESS_ACCESS_TOKEN", None)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "readiness", *args], input=stdin, env=full,
                          capture_output=True, text=True, timeout=60)


def files_under(home: Path) -> list[Path]:
    return [f for f in home.rglob("*") if f.is_file()]
