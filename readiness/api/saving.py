"""Saving a snapshot while the audit goes on (issue 15): ``readiness audit --snapshot-out`` writes the file in a
thread while ``evaluate`` runs, instead of before it.

Most of a save is zlib compressing (~1 s at 100,000 people, level 1), which lets go of the GIL, so on two cores it
runs beside evaluate. The file is written exactly as ``Snapshot.save`` writes it (safe_io: 0600, atomic, the output
path rules); ``wait()`` gives its error, if any, before anything else is written: a failed save still stops the
command before the report is emitted, as it did when it came first. The snapshot is read only, by both threads.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..collect.snapshot import Snapshot


class Saving:
    """A snapshot being written by a thread; ``wait()`` for it (and its error)."""

    def __init__(self, snapshot: Snapshot, path: Path) -> None:
        self.path = Path(path)
        self._error: BaseException | None = None
        # not a daemon: a command that fails meanwhile still finishes the file (or its safe writer removes the temporary one)
        self._thread = threading.Thread(target=self._save, args=(snapshot,), name="readiness-save")
        self._thread.start()

    def _save(self, snapshot: Snapshot) -> None:
        try:
            snapshot.save(self.path)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait(), in the caller's thread
            self._error = exc

    def wait(self) -> None:
        """Until the file is written; its error raised here."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def start_saving(snapshot: Snapshot, path: Path | str) -> Saving:
    """Start writing ``snapshot`` to ``path`` (as ``snapshot.save(path)``) in a thread."""
    return Saving(snapshot, Path(path))
