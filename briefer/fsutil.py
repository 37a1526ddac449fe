"""Reading and writing the user's files without harm.

Writing (`atomic_write`): a user's file is never opened for writing. Data
goes to a temporary file in the same folder, is flushed and fsynced, and is
renamed over the target, so a crash or an error part-way leaves the old file
as it was. A target that exists and is not a regular file (a folder, a named
pipe, a device) is refused before anything is written, and never opened.

A temporary file is named `.NAME.briefer-PID-XXXXXXXX.tmp` and is locked by
its writer while it is written. A writer killed outright (`kill -9`, a power
cut) cannot remove its own, so every write first removes the ones in its
folder whose process is gone and whose lock nobody holds.

Reading (`read_regular_file`): only a regular file is read, and only up to a
size cap; a named pipe or a device is refused without waiting on it or
reading from it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from briefer.errors import WRITE_ERRNOS, FileAccessError, os_error_reason

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which protects it
    fcntl = None  # type: ignore[assignment]

_TEMP_NAME = re.compile(r"\A\..*\.briefer-(?P<pid>[0-9]{1,10})-[0-9a-f]{8}\.tmp\Z", re.DOTALL)
# How much of the target's name a temporary file's name repeats: enough to
# tell whose it is, short enough for the 255-byte limit on a name.
_NAME_BYTES = 100

_O_BINARY = getattr(os, "O_BINARY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces `path` atomically.

    A target that cannot or must not be replaced (a folder, a named pipe or
    device, a read-only file, a missing or unwritable folder) is a
    `FileAccessError` before anything is written. So is a disk that fills
    up or turns read-only while the data is written; the old file is then
    untouched and no temporary file is left."""
    target = Path(path)
    folder = target.parent
    old_mode = _replaceable_mode(target)
    if old_mode is not None and not old_mode & 0o222:
        # Replacing by rename would ignore the read-only bit; honour it.
        raise FileAccessError(target, "the file is read-only; make it writable first")
    remove_stale_temporaries(folder)
    # A file replacing a private one is private until it has the old mode.
    fd, tmp = _create_temporary(target, 0o666 if old_mode is None else 0o600)
    handle = os.fdopen(fd, "wb")
    try:
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        except OSError as exc:
            # Without a file name, the error came from writing `handle`.
            if exc.filename is None and exc.errno in WRITE_ERRNOS:
                raise FileAccessError(target, f"cannot write: {os_error_reason(exc)}") from exc
            raise
        if old_mode is not None:
            # Keep the permissions the user gave the file being replaced.
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(old_mode))
        # Checked again: a pipe or device put there while the data was
        # written is not replaced either.
        _replaceable_mode(target)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise FileAccessError(target, f"cannot write: {os_error_reason(exc)}") from exc
        _fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            handle.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_write(path) as handle:
        handle.write(data)


def _replaceable_mode(target: Path) -> int | None:
    """The mode of the file at `target` (following a link), None when there
    is none; a `FileAccessError` when what is there must not be replaced.
    Only stat is used: opening a named pipe would wait for a writer."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        reason = os_error_reason(exc) if isinstance(exc, OSError) else "not a valid file name"
        raise FileAccessError(target, f"cannot write: {reason}") from exc
    if stat.S_ISDIR(mode):
        raise FileAccessError(target, "is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise FileAccessError(
            target, f"not a regular file ({special_kind(mode)}); refusing to write over it"
        )
    return mode


def _create_temporary(target: Path, mode: int) -> tuple[int, Path]:
    """A new, locked temporary file beside `target`, named so that a later
    write can tell it from everything else and see whose it is."""
    name = target.name
    while len(os.fsencode(name)) > _NAME_BYTES:
        name = name[:-1]
    pid = os.getpid()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY | _O_CLOEXEC
    for _ in range(100):
        tmp = target.parent / f".{name}.briefer-{pid}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, flags, mode)
        except FileExistsError:
            continue
        except FileNotFoundError as exc:
            raise FileAccessError(target.parent, "no such folder") from exc
        except NotADirectoryError as exc:
            raise FileAccessError(target.parent, "not a folder") from exc
        except OSError as exc:
            raise FileAccessError(target, f"cannot write: {os_error_reason(exc)}") from exc
        if fcntl is not None:
            # Held until the file is closed or the process dies, however it dies.
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, tmp
    raise FileAccessError(target, "cannot write: no free name for a temporary file")


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that writers which died part-way (killed,
    or a power cut) left in `folder`, and return them.

    A file is removed only when its name is one `atomic_write` gives, it is
    a regular file of this user, the process its name gives is not running
    and no process holds its lock. Anything else is left alone: another
    program's files, a live writer's (on this machine or, through its lock,
    another), a link, a folder. Never raises."""
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            candidates = [
                (Path(entry.path), int(match["pid"]))
                for entry in entries
                if (match := _TEMP_NAME.match(entry.name))
            ]
    except OSError:
        return removed
    me = os.getpid()
    for path, pid in candidates:
        if pid != me and not _process_alive(pid) and _remove_if_abandoned(path):
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        # No safe liveness test (os.kill would terminate it); deleting a
        # file another process has open fails there, which protects it.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or no telling: keep its file
    return True


def _remove_if_abandoned(path: Path) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return False
    if fcntl is None:
        try:
            os.unlink(path)
        except OSError:
            return False
        return True
    try:
        # Opened for writing as well: over NFS an exclusive lock needs it.
        fd = os.open(path, os.O_RDWR | _O_NONBLOCK | _O_NOFOLLOW | _O_CLOEXEC)
    except OSError:
        return False
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return False
        # Free only when its writer is gone; where the file system has no
        # locks this fails too, and the file is kept rather than guessed at.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "a file") -> bytes:
    """The bytes of the regular file at `path` (a link to one is followed),
    at most `limit` of them.

    Anything else is a `FileAccessError` naming the file and saying why, in
    words that fit `what` (such as "a brief" or "an image"): missing, a
    folder, a named pipe or device (refused without opening it, so it never
    blocks or streams for ever), larger than `limit`, or unreadable."""
    info = _stat_for_reading(path, what)
    _require_regular(path, info, limit, what)
    flags = os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY | _O_CLOEXEC | _O_BINARY
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileAccessError(path, f"cannot read: {os_error_reason(exc)}") from exc
    with os.fdopen(fd, "rb") as handle:
        # The file opened may not be the one looked at (swapped in between);
        # O_NONBLOCK kept the open itself from waiting on a pipe.
        _require_regular(path, os.fstat(fd), limit, what)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileAccessError(path, f"cannot read: {os_error_reason(exc)}") from exc
    if len(data) > limit:  # it grew while it was read
        raise FileAccessError(path, f"too large for {what} (at most {_size(limit)})")
    return data


def _stat_for_reading(path: str | os.PathLike[str], what: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError as exc:
        raise FileAccessError(path, "no such file") from exc
    except ValueError as exc:  # a NUL in the name
        raise FileAccessError(path, "not a valid file name") from exc
    except OSError as exc:
        raise FileAccessError(path, f"cannot read: {os_error_reason(exc)}") from exc


def _require_regular(
    path: str | os.PathLike[str], info: os.stat_result, limit: int, what: str
) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileAccessError(path, f"is a folder, not {what}")
    if not stat.S_ISREG(info.st_mode):
        raise FileAccessError(path, f"{special_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        size, cap = _size(info.st_size), _size(limit)
        if size == cap:  # rounded to the same: the bytes tell them apart
            size, cap = f"{info.st_size:,} bytes", f"{limit:,} bytes"
        raise FileAccessError(path, f"too large for {what} ({size}; at most {cap})")


def special_kind(mode: int) -> str:
    """How messages name a file that is not a regular one (`a named pipe`)."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.1f} KB"
    return f"{count} bytes"
