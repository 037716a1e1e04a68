"""Where readiness keeps its files: the platform's config and data folders (platformdirs).

READINESS_HOME overrides both (tests, portable installs): config in $READINESS_HOME/config, data in
$READINESS_HOME/data.
"""
from __future__ import annotations

import os
from pathlib import Path


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
    """Create a folder readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file atomically with mode 0600 (profiles and sign-in records; never secrets)."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
