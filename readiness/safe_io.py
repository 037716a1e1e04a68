"""One safe way to write an output file (reports, --out, snapshots, plan files, keys, profiles), and to read a
small input file (playbooks, guest lists) that must be a regular file.

Rules (every output goes through ``write_file`` or ``open_output``):

- **Not a regular file** (a character device such as ``/dev/null``, a FIFO, a terminal): the file is opened
  and written *into*; it is never replaced and its mode is never changed. The process's own streams
  (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``, ``/proc/<its own pid>/fd/N``) are always
  written into, appending, even when the shell pointed them at a regular file (``readiness audit --out /dev/stdout >
  x.txt``). Another process's open files (``/proc/<other pid>/fd/N``) are refused.
  Block devices and sockets are refused: a report never lands on a disk device.
- **A regular file, or no file yet**: replaced atomically. The new content goes to a temporary file made by
  ``tempfile.mkstemp`` in the target's folder (unpredictable name, ``O_EXCL``, never follows a symlink),
  is fsynced, then ``os.replace``-d over the target. A crash leaves the old file or the new one, never half
  of one, and no temporary file behind.
- **A symbolic link**: followed only if the current user owns the link (the rule of Linux's
  ``fs.protected_symlinks``, so that a link planted by someone else in a shared folder such as /tmp cannot
  redirect a report onto a file of the user's choosing). The link's final target is then treated by the rules
  above: a regular target is replaced atomically in *its* folder, so the link itself is kept. A link owned by
  another user, or a dangling link, is refused with a clear error.
- Everything written holds personal data (people, devices, keys), so new files are 0600 and folders that
  ``make_parents`` creates are 0700. Existing folders and special files keep their modes.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import ReadinessError, UsageError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# The process's own streams: always written into, appending (they are links owned by root to pipes, terminals, or
# the file a shell redirected to); never followed and replaced. /dev/stdout, /dev/stderr and /dev/fd are links to
# /proc/self/fd/...; /proc/<pid>/fd/N is this process's own only when <pid> is os.getpid() (``_is_stream``).
_STREAM = re.compile(r"^(/dev/(stdout|stderr|fd/\d+)|/proc/(self|thread-self|(?P<pid>\d+))/fd/\d+)$")


def _is_stream(path: object) -> bool:
    """Whether ``path`` names one of this process's own open files. Another process's (``/proc/<pid>/fd/N``: the
    log a daemon keeps open) is not: ``_target`` refuses it."""
    m = _STREAM.match(str(path))
    return m is not None and (m.group("pid") is None or int(m.group("pid")) == os.getpid())


class OutputError(ReadinessError):
    code = "output"


class InputError(UsageError):
    code = "input"


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (the caller sees it is too big). A FIFO, a device or a folder
    is refused without blocking on it or reading from it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        fd = None
    except OSError as exc:
        raise InputError.keyed("files.unreadable", what=what, path=path, value=exc.strerror or exc) from exc
    if fd is None or not stat.S_ISREG(os.fstat(fd).st_mode):
        if fd is not None:
            os.close(fd)
        raise InputError.keyed("files.not_regular", what=what, path=path)
    with os.fdopen(fd, "rb") as fh:
        try:
            return fh.read(limit + 1)
        except OSError as exc:
            raise InputError.keyed("files.unreadable_path", what=what, path=path, value=exc.strerror or exc) from exc


def make_private_dir(path: Path) -> Path:
    """Create a folder (and missing parents) readable by the owner only; existing folders keep their mode."""
    missing = []
    p = Path(path)
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            pass
    if not Path(path).is_dir():
        raise OutputError.keyed("files.not_folder", path=path)
    return Path(path)


def check_output(path: Path) -> None:
    """Refuse now what ``open_output(path)`` would refuse later, so that a command checks its outputs before a long
    collection: a missing folder, a folder that cannot be written into, a file name that is a folder, a link owned by
    someone else or leading nowhere, a block device or a socket, a path on the kernel's file systems (/proc, /sys:
``_pseudo_fs``). Nothing is created, opened or changed: a FIFO or a
    device is written into later (never replaced), so it is only checked for write permission here (opening a FIFO
    would wait for a reader)."""
    path = Path(path)
    try:
        target, special = _target(path)
    except NotADirectoryError:  # a "folder" on the way is a file
        target, special = path, False
    except OSError as exc:
        raise OutputError.keyed("files.unwritable", path=path, value=exc.strerror or exc) from exc
    if special:
        if not _is_stream(target) and not os.access(target, os.W_OK):
            raise OutputError.keyed("files.unwritable", path=path, value=os.strerror(errno.EACCES))
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise OutputError.keyed("files.no_folder", path=path, folder=folder)
    if not folder.is_dir():
        raise OutputError.keyed("files.not_folder", path=folder)
    if not os.access(folder, os.W_OK | os.X_OK):  # also a read-only file system (EROFS), for root too
        raise OutputError.keyed("files.folder_unwritable", path=path, folder=folder, value=os.strerror(errno.EACCES))


# The kernel's file systems: their files are the system's state (a regular file such as /proc/version or
# /proc/sys/vm/drop_caches among them), never a place for a report; root passes os.access on all of them.
_PSEUDO_FS = frozenset({"proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "configfs",
                        "efivarfs", "bpf", "pstore", "binfmt_misc", "fusectl", "selinuxfs"})


def _pseudo_fs(path: Path) -> str:
    """The type of the kernel file system ``path`` (or the nearest folder of it that exists) is on, else ""; from
    /proc/self/mountinfo, the mount with the longest matching mount point (proc(5)). Without it (not Linux): /proc
    and /sys by their names."""
    real = os.path.realpath(path)
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            mounts = fh.read().splitlines()
    except OSError:
        top = real.split("/")[1:2]
        return {"proc": "proc", "sys": "sysfs"}.get(top[0] if top else "", "")
    best, fs = "", ""
    for line in mounts:
        fields, _, tail = line.partition(" - ")
        parts = fields.split()
        if len(parts) < 5 or not tail:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), parts[4])
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fs = point, tail.split()[0]
    return fs if fs in _PSEUDO_FS else ""


def check_distinct(outputs: list[tuple[str, Path | None]], inputs: list[tuple[str, Path | None]] = ()) -> None:  # type: ignore[assignment]
    """Refuse, before anything is collected or read, two outputs that are the same file (the second would replace the
    first: a snapshot replaced by the result) and an output that is an input (``report s.json --out s.json`` would
    replace the snapshot it reads). Each is ``(option, path)``, the option as the user typed it; compared by the
    resolved path, and by ``os.path.samefile`` when both exist (a hard link, another spelling). What is written into
    and never replaced (a character device such as ``/dev/null``, a FIFO, the process's own streams) may be given more
    than once."""
    seen: list[tuple[str, Path]] = []
    for option, path in outputs:
        if path is None or _written_into(Path(path)):
            continue
        for other_option, other in inputs:
            if other is not None and _same_file(Path(path), Path(other)):
                raise OutputError.keyed("files.output_is_input", path=path, output=option, input=other_option)
        for other_option, other in seen:
            if _same_file(Path(path), other):
                raise OutputError.keyed("files.same_output", path=path, first=other_option, second=option)
        seen.append((option, Path(path)))


def _written_into(path: Path) -> bool:
    """Whether an output is written into rather than replaced (see the module's rules): never the same file twice."""
    if _is_stream(path):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # no file yet (or none reachable): a file to be made
        return False


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def write_file(path: Path, data: str | bytes, *, mode: int = PRIVATE_FILE, make_parents: bool = False) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` by the rules in this module's docstring."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open_output(path, mode=mode, make_parents=make_parents) as fh:
        fh.write(payload)


@contextlib.contextmanager
def open_output(path: Path, *, mode: int = PRIVATE_FILE, make_parents: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; committed when the block ends without an error."""
    path = Path(path)
    special = False
    try:
        target, special = _target(path)
        if special:
            with _open_special(target, stream=_is_stream(target)) as fh:
                yield fh
            return
        if make_parents:
            make_private_dir(target.parent)
        with _atomic(target, mode) as fh:
            yield fh
    except BrokenPipeError:  # the reader of a pipe went away (`--out /dev/stdout | head`): the CLI ends quietly
        raise
    except OSError as exc:
        raise _unwritable(path, exc, special) from exc


def _unwritable(path: Path, exc: OSError, special: bool) -> OutputError:
    """Why ``path`` could not be written, with a fix that fits the cause: a device, pipe or stream written into
    (``--out /dev/stdout > /dev/full``) has no folder to check; a full disk needs room, not permissions."""
    value = exc.strerror or exc
    if special:
        return OutputError.keyed("files.device_unwritable", path=path, value=value)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError.keyed("files.disk_full", path=path, value=value)
    return OutputError.keyed("files.unwritable", path=path, value=value)


def _target(path: Path) -> tuple[Path, bool]:
    """The path to write (a symlink's final target) and whether it is written into rather than replaced."""
    whole = os.path.abspath(path)
    if _is_stream(whole):
        return Path(whole), True
    other = _STREAM.match(whole)
    if other:  # /proc/<another pid>/fd/N: writing there would append to that process's file
        raise OutputError.keyed("files.foreign_fd", path=path, pid=other.group("pid"))
    fs = _pseudo_fs(path)  # /proc/version as root: its folder looks writable, yet no file can be made or written there
    if fs:
        raise OutputError.keyed("files.pseudo_fs", path=path, fs=fs)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path, False
    if stat.S_ISLNK(st.st_mode):
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            raise OutputError.keyed("files.foreign_symlink", path=path)
        real = Path(os.path.realpath(path))
        try:
            st = os.stat(real)
        except FileNotFoundError:
            raise OutputError.keyed("files.dangling_symlink", path=path, real=real) from None
        path = real
    return path, _classify(path, st)


def _classify(path: Path, st: os.stat_result) -> bool:
    """True when the file is written into (FIFO, character device); False for a regular file."""
    if stat.S_ISREG(st.st_mode):
        return False
    if stat.S_ISDIR(st.st_mode):
        raise OutputError.keyed("files.is_folder", path=path)
    if stat.S_ISBLK(st.st_mode):
        raise OutputError.keyed("files.block_device", path=path)
    if stat.S_ISSOCK(st.st_mode):
        raise OutputError.keyed("files.socket", path=path)
    return True  # FIFO or character device


@contextlib.contextmanager
def _open_special(path: Path, *, stream: bool) -> Iterator[BinaryIO]:
    # No O_CREAT and no O_TRUNC: the file is neither made nor emptied, and its mode stays as it is. O_APPEND makes
    # /dev/stdout pointed at a regular file continue after what is already there. Anything but a stream was checked
    # with lstat already: O_NOFOLLOW and the fstat below make sure it is still that file.
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags if stream else flags | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            _classify(path, st)  # refuses a block device or socket reached through /dev/fd/N
        elif not stream:
            raise OutputError.keyed("files.replaced", path=path)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "wb") as fh:
        yield fh


@contextlib.contextmanager
def _atomic(target: Path, mode: int) -> Iterator[BinaryIO]:
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")  # 0600, O_EXCL, no symlink
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if mode != PRIVATE_FILE:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
