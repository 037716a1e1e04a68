"""Checks of what a script passed to the public API: a wrong type is a UsageError that says what to pass.

Without them a path string given where a Snapshot belongs, or ``concurrency=0``, ended in an AttributeError
deep inside the package or in a collect that waited forever.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError

MAX_CONCURRENCY = 256


def kind(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def connection(value: Any, function: str) -> None:
    from ..config.connection import Connection

    if not isinstance(value, Connection):
        raise UsageError.keyed("api.needs_connection", function=function, kind=kind(value))


def snapshot(value: Any, function: str, argument: str = "snap", *, optional: bool = False) -> None:
    from ..collect.snapshot import Snapshot

    if optional and value is None:
        return
    if not isinstance(value, Snapshot):
        raise UsageError.keyed("api.needs_snapshot_path" if isinstance(value, (str, Path)) else "api.needs_snapshot",
                               function=function, argument=argument, kind=kind(value))


def path(value: Any, function: str) -> Path:
    if not isinstance(value, (str, Path)) or not str(value):
        raise UsageError.keyed("api.needs_path", function=function, kind=kind(value))
    return Path(value)


def run_id(value: Any, function: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError.keyed("api.needs_run_id", function=function, kind=kind(value))
    return value


def text(value: Any, function: str, argument: str, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise UsageError.keyed("api.needs_str", function=function, argument=argument, kind=kind(value))


def concurrency(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise UsageError.keyed("api.bad_concurrency", max=MAX_CONCURRENCY, value=value)
    return value


def processes(value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2)):
        raise UsageError.keyed("api.bad_processes", value=value)


def params(value: Any, function: str) -> None:
    if value is not None and not isinstance(value, dict):
        raise UsageError.keyed("api.params_not_dict", function=function, kind=kind(value))


def language(value: Any) -> None:
    from ..i18n import labels

    if not isinstance(value, str):
        raise UsageError.keyed("api.bad_lang", kind=kind(value))
    labels(value)  # a UsageError naming the languages there are
