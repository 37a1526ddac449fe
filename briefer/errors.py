"""Errors a user can act on.

Anything derived from `BrieferError` is the user's to fix (a bad file, an
unknown template, a malformed option): the command line prints its message on
one line and exits 2, the GUI shows it in a dialog. Every other exception is a
bug and is logged with its traceback.

The machine can refuse too: a full disk, a read-only file system, a file the
user may not write, a damaged library database. Those are not bugs either, so
`environment_error` and `database_error_reason` turn them into the same one
line, in plain words, naming the file where the system said which.
"""

from __future__ import annotations

import errno
import os


class BrieferError(Exception):
    """A problem with the user's input, described in one line."""


class BriefFormatError(BrieferError):
    """A `.brief` file that cannot be read: bad JSON, a wrong field, a newer version."""


class TemplateError(BrieferError):
    """A template that cannot be found, parsed or validated."""


class ExportError(BrieferError):
    """An export that cannot be done (unknown format, unwritable target, bad base document)."""


class EditError(BrieferError):
    """An edit that cannot be made: an unknown section or source, a bad value,
    a source that is still cited."""


class FileAccessError(BrieferError):
    """A file that cannot be used as asked: the system refused it (no space,
    read-only, no permission), or it is not a regular file (a folder, a
    named pipe, a device), or it is larger than Briefer reads."""

    def __init__(self, path: str | os.PathLike[str] | None, reason: str) -> None:
        self.path = None if path is None else os.fspath(path)
        self.reason = reason
        super().__init__(reason if self.path is None else f"{self.path}: {reason}")


# What the system says, in the words a user would search for.
_REASONS: dict[int, str] = {
    errno.ENOSPC: "no space left on device",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EFBIG: "file too large for this file system or for this process's limit",
    errno.EIO: "input/output error (a failing disk or a lost network drive?)",
    errno.ENAMETOOLONG: "file name too long",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files",
    errno.ELOOP: "too many levels of symbolic links",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder, not a file",
}
if hasattr(errno, "EDQUOT"):  # not on Windows
    _REASONS[errno.EDQUOT] = "disk quota exceeded"

# The failures that come from the machine rather than from Briefer. A file
# that is missing where Briefer itself expects one is not among them: that
# is a broken installation or a bug, and goes to the crash log.
_ENVIRONMENT = frozenset(_REASONS) - {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR}

# Errors that can only come from writing data out: raised by a write to an
# open file, they carry no file name, and the writer names its target.
WRITE_ERRNOS = frozenset(
    code
    for code in (errno.ENOSPC, errno.EROFS, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", None))
    if code is not None
)


def os_error_reason(exc: OSError) -> str:
    """Why the system refused, in a few plain words, for any OSError."""
    known = _REASONS.get(exc.errno or -1)
    if known:
        return known
    if exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def environment_error(exc: BaseException) -> FileAccessError | None:
    """The one-line error for an OSError the machine caused (disk full,
    read-only, no permission, ...), naming the file the system named; None
    for anything else. An error raised `from` such an OSError counts too."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _ENVIRONMENT:
            return FileAccessError(current.filename, os_error_reason(current))
        current = current.__cause__
    return None


DAMAGED_LIBRARY = "damaged: run briefer snippets check"

# SQLite's messages (they have no stable codes in Python's sqlite3 before
# 3.11's `sqlite_errorcode`, and the text is what every version shares).
_DATABASE_REASONS = (
    ("database disk image is malformed", DAMAGED_LIBRARY),
    ("file is not a database", DAMAGED_LIBRARY),
    ("database or disk is full", "no space left on device"),
    ("attempt to write a readonly database", "read-only: the library cannot be changed here"),
    ("disk i/o error", "input/output error (a failing disk or a lost network drive?)"),
    ("unable to open database file", "cannot open the library (permission denied or no folder)"),
)


def database_error_reason(exc: BaseException) -> str | None:
    """A plain reason for an error SQLite raised because of the file or the
    disk under it (damaged, full, read-only); None for anything else.
    Checked by the class's module so that sqlite3 need not be imported."""
    if type(exc).__module__ != "sqlite3":
        return None
    message = str(exc).lower()
    for fragment, reason in _DATABASE_REASONS:
        if fragment in message:
            return reason
    return None
