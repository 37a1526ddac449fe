"""Atomic file writing.

A user's file is never opened for writing directly: data goes to a temporary
file in the same folder, is flushed and fsynced, and is then renamed over the
target. A crash or an exception part-way leaves the old file untouched and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from briefer.errors import BrieferError


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces `path` atomically.
    A target that cannot or must not be replaced (a folder, a device or
    FIFO, a read-only file, a missing or unwritable folder) is one
    `BrieferError` before anything is written."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        old_mode: int | None = target.stat().st_mode
    except OSError:
        old_mode = None
    if old_mode is not None:
        if stat.S_ISDIR(old_mode):
            raise BrieferError(f"{target}: is a folder, not a file")
        if not stat.S_ISREG(old_mode):
            # A device or FIFO is never replaced by a regular file.
            raise BrieferError(f"{target}: not a regular file; refusing to write over it")
        if not old_mode & 0o222:
            # Replacing by rename would ignore the read-only bit; honour it.
            raise BrieferError(f"{target}: the file is read-only; make it writable first")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError as exc:
        raise BrieferError(f"{folder}: no such folder") from exc
    except OSError as exc:
        raise BrieferError(f"{target}: cannot write ({exc.strerror})") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if old_mode is not None:
            # Keep the permissions the user gave the file they are replacing.
            with contextlib.suppress(OSError):
                os.chmod(tmp, old_mode & 0o7777)
        else:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise BrieferError(f"{target}: cannot write ({exc.strerror})") from exc
        _fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_write(path) as handle:
        handle.write(data)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
