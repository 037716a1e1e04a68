"""Where readiness keeps its files: the platform's config and data folders (platformdirs).

READINESS_HOME overrides both (tests, portable installs): config in $READINESS_HOME/config, data in
$READINESS_HOME/data.
"""
from __future__ import annotations

import os
from pathlib import Path

from .safe_io import make_private_dir, write_file


def _home() -> Path | None:
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
