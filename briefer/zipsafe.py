"""Zip archives from elsewhere, opened within bounds before anything unpacks.

A zip archive (a `.docx`, a `.dotx`, a shared template) is small on disk and
can unpack to gigabytes, or list millions of entries: zipfile would make an
object of each before a single one is looked at. `open_zip` first reads the
size of the archive's list of entries from its end record and refuses a list
too long for `ZipLimits.entries`; then it refuses more entries than that, a
packing method other than stored or deflated (bzip2 and LZMA unpack a whole
read at once, unbounded), an entry declaring more than `entry_bytes`
unpacked, and entries declaring more than `total_bytes` together.
`read_entry` (or `drain_entry`, which keeps nothing) then unpacks one entry a
chunk at a time, counting what actually comes out, so an entry whose declared
size lies is caught as soon as it does.

`entry_problem` says why an entry must not be written to disk: a name with
`..`, an absolute path or a drive letter, a link, a device or pipe. The
library's import (`briefer.library.zipcheck`), the Word base
(`briefer.export.word_package`) and shared templates (`briefer.template_share`)
all stand on this module; each words the refusals for its own readers from
the `ZipIssue` a `UnsafeZip` carries.
"""

from __future__ import annotations

import enum
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

MB = 1024 * 1024
# Unpacked a chunk at a time: at most this much of an entry is in memory at once.
_CHUNK = 256 * 1024
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# The most one entry of the list of entries may take on average: its fixed
# 46 bytes, a name (Word's are under 60 characters) and extra fields.
LISTING_ENTRY_BYTES = 256
_END = b"PK\x05\x06"  # end of central directory record (APPNOTE 4.3.16)
_END64_LOCATOR = b"PK\x06\x07"  # zip64 end of central directory locator (4.3.15)
_END64 = b"PK\x06\x06"  # zip64 end of central directory record (4.3.14)
_DRIVE = re.compile(r"\A[A-Za-z]:")
# Zip's "made by" systems whose external attributes hold a Unix mode.
_UNIX_SYSTEMS = frozenset({3, 19})  # Unix, OS X


@dataclass(frozen=True)
class ZipLimits:
    """How much an archive may unpack to: each entry, all of them, and how
    many entries it may have."""

    entry_bytes: int
    total_bytes: int
    entries: int


class ZipIssue(enum.Enum):
    NOT_A_ZIP = "not-a-zip"
    LISTING_TOO_LONG = "listing-too-long"  # `size`: bytes of the list of entries
    TOO_MANY_ENTRIES = "too-many-entries"  # `size`: how many
    METHOD = "method"  # packed with bzip2, LZMA, ...
    ENTRY_TOO_LARGE = "entry-too-large"  # `size`: what it declares
    TOTAL_TOO_LARGE = "total-too-large"  # `size`: what they all declare
    LIES = "lies"  # unpacks to more than it declares
    DAMAGED = "damaged"  # `detail`: what zipfile or zlib said


class UnsafeZip(ValueError):
    """An archive that must not be unpacked: which entry (`name`, shown
    printable), what is wrong (`issue`), the size concerned and the limit."""

    def __init__(
        self, issue: ZipIssue, name: str = "", size: int = 0, limit: int = 0, detail: str = ""
    ) -> None:
        self.issue = issue
        self.name = name
        self.size = size
        self.limit = limit
        self.detail = detail
        super().__init__(self.describe())

    @property
    def too_large(self) -> bool:
        return self.issue not in (ZipIssue.NOT_A_ZIP, ZipIssue.METHOD, ZipIssue.DAMAGED)

    def describe(self, noun: str = "entry") -> str:
        """The problem in a few words, calling an entry a `noun` ("part")."""
        nouns = f"{noun}s" if not noun.endswith("y") else f"{noun[:-1]}ies"
        issue, name = self.issue, self.name
        if issue is ZipIssue.NOT_A_ZIP:
            return f"not a zip archive: {self.detail}"
        if issue is ZipIssue.LISTING_TOO_LONG:
            return (
                f"its list of {nouns} takes {size_text(self.size)} (at most {self.limit:,} {nouns})"
            )
        if issue is ZipIssue.TOO_MANY_ENTRIES:
            return f"{self.size:,} {nouns} (at most {self.limit:,})"
        if issue is ZipIssue.METHOD:
            return f"{name} is packed in a way Briefer does not unpack"
        if issue is ZipIssue.ENTRY_TOO_LARGE:
            return (
                f"{name} would unpack to {size_text(self.size)}"
                f" (at most {size_text(self.limit)} {'an' if noun[0] in 'aeiou' else 'a'} {noun})"
            )
        if issue is ZipIssue.TOTAL_TOO_LARGE:
            return (
                f"the {nouns} would unpack to {size_text(self.size)}"
                f" (at most {size_text(self.limit)})"
            )
        if issue is ZipIssue.LIES:
            return f"{name} unpacks to more than it declares"
        return f"{name} cannot be unpacked: {self.detail}"


def open_zip(data: bytes, limits: ZipLimits) -> zipfile.ZipFile:
    """The archive in `data`, opened, after the checks of the module
    docstring that need no unpacking; `UnsafeZip` if any fails. A name
    packed twice counts twice here, though zipfile reads only its last copy:
    the bounds hold for whatever a reader does with the copies."""
    # zipfile reads the whole list of entries into objects first: a small
    # file can list millions. Its size is in the archive's last record.
    listing = listing_size(data)
    if listing > limits.entries * LISTING_ENTRY_BYTES:
        raise UnsafeZip(ZipIssue.LISTING_TOO_LONG, size=listing, limit=limits.entries)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnsafeZip(ZipIssue.NOT_A_ZIP, detail=str(exc) or "no zip archive") from None
    try:
        members = archive.infolist()
        if len(members) > limits.entries:
            raise UnsafeZip(ZipIssue.TOO_MANY_ENTRIES, size=len(members), limit=limits.entries)
        declared = 0
        for info in members:
            name = shown(info.filename)
            if info.compress_type not in _METHODS:
                raise UnsafeZip(ZipIssue.METHOD, name)
            if info.file_size > limits.entry_bytes:
                raise UnsafeZip(ZipIssue.ENTRY_TOO_LARGE, name, info.file_size, limits.entry_bytes)
            declared += info.file_size
        if declared > limits.total_bytes:
            raise UnsafeZip(ZipIssue.TOTAL_TOO_LARGE, size=declared, limit=limits.total_bytes)
    except BaseException:
        archive.close()
        raise
    return archive


def entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's entries, a name packed twice once (its last copy)."""
    return list({info.filename: info for info in archive.infolist()}.values())


def listing_size(data: bytes) -> int:
    """The size of the archive's central directory (its list of entries) as
    its end record gives it, the zip64 one included; 0 when there is no end
    record (zipfile then refuses the archive itself)."""
    at = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or len(data) < at + 22:
        return 0
    size = int.from_bytes(data[at + 12 : at + 16], "little")
    locator = at - 20
    if locator >= 0 and data[locator : locator + 4] == _END64_LOCATOR:
        record = int.from_bytes(data[locator + 8 : locator + 16], "little")
        if data[record : record + 4] == _END64 and len(data) >= record + 48:
            size = max(size, int.from_bytes(data[record + 40 : record + 48], "little"))
    return size


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """One entry unpacked a chunk at a time; `UnsafeZip` as soon as more
    comes out than `cap` (or than the entry declares), or when it is
    damaged or encrypted."""
    cap = min(cap, info.file_size)
    name = shown(info.filename)
    unpacked = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                unpacked += len(chunk)
                if unpacked > cap:
                    raise UnsafeZip(ZipIssue.LIES, name)
                yield chunk
    except UnsafeZip:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError, OSError) as exc:
        # Damaged, or encrypted (RuntimeError).
        raise UnsafeZip(ZipIssue.DAMAGED, name, detail=str(exc) or type(exc).__name__) from None


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """One entry's bytes, unpacked within `cap` (see `_chunks`)."""
    return b"".join(_chunks(archive, info, cap))


def drain_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> None:
    """Unpack one entry within `cap`, keeping nothing: a check that it
    unpacks as it declares."""
    for _ in _chunks(archive, info, cap):
        pass


def entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why the entry must not be written to disk, or None: a name that
    would land outside the folder it is unpacked into (`..`, an absolute
    path, a drive letter, a backslash that Windows reads as a folder), a
    name no file system takes, or an entry that is a link, a device, a pipe
    or a socket rather than a file or folder."""
    name = info.filename
    if not name or not name.isprintable():
        return "has a name with control characters"
    if name.startswith("/") or _DRIVE.match(name):
        return "has an absolute path"
    if "\\" in name:
        return "has a backslash in its name (a folder on Windows)"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "climbs out of its folder (..)"
    if any(part in ("", ".") for part in parts):
        return "has an empty folder name"
    if any(len(part.encode("utf-8")) > 255 for part in parts):
        return "has a name too long for a file system"
    if info.create_system in _UNIX_SYSTEMS:
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            return "is a link"
        if kind and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return "is a device, pipe or socket, not a file"
    return None


def shown(name: str) -> str:
    """An entry's name as a message shows it: printable, and not too long."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= 80 else clean[:79] + "\u2026"


def size_text(count: int) -> str:
    """A byte count in the unit a person reads it in."""
    if count >= 1024 * MB:
        return f"{count / (1024 * MB):.1f} GB"
    if count >= MB:
        return f"{count / MB:.0f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
