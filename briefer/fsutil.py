"""Atomic file writing.

A user's file is never opened for writing directly: data goes to a temporary
file in the same folder, is flushed and fsynced, and is then renamed over the
target. A crash or an exception part-way leaves the old file untouched and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from briefer.errors import BrieferError


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file; on a clean exit it replaces `path` atomically."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.exists():
        if not target.is_file():
            # A device, FIFO or folder is never replaced by a regular file.
            raise BrieferError(f"{target}: not a regular file; refusing to write over it")
        if not target.stat().st_mode & 0o222:
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
        if target.exists():
            # Keep the permissions the user gave the file they are replacing.
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
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
