"""Where readiness keeps its files: the platform's config and data folders (platformdirs).

READINESS_HOME overrides both (tests, portable installs): config in $READINESS_HOME/config, data in
$READINESS_HOME/data. ``home(folder)`` does the same for one block of code (a drill keeps its runs, journals and
locks in its own folder) without touching the process's environment: it is a context variable, so other threads
and the environment children inherit are not affected.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
from pathlib import Path
from typing import Iterator

from .safe_io import make_private_dir, write_file


_HOME: contextvars.ContextVar[Path | None] = contextvars.ContextVar("readiness_home", default=None)


@contextlib.contextmanager
def home(folder: Path) -> Iterator[Path]:
    """Config and data in ``folder``/config and ``folder``/data while the block runs (this context only)."""
    token = _HOME.set(Path(folder))
    try:
        yield Path(folder)
    finally:
        _HOME.reset(token)


def _home() -> Path | None:
    override = _HOME.get()
    if override is not None:
        return override
    value = os.environ.get("READINESS_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home:
        return home / "config"
    from platformdirs import user_config_path

    return user_config_path("readiness", appauthor=False)


def data_dir() -> Path:
    home = _home()
    if home:
        return home / "data"
    from platformdirs import user_data_path

    return user_data_path("readiness", appauthor=False)


def private_dir(path: Path) -> Path:
    """Create a folder (and missing parents) readable by the owner only."""
    return make_private_dir(path)


def write_private(path: Path, text: str) -> None:
    """Write a file atomically with mode 0600, folders 0700 (see safe_io for special files and symlinks)."""
    write_file(path, text, make_parents=True)
