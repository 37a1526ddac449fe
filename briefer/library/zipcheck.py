"""Checks on a zip package (an imported `.docx`) before anything unpacks it.

A `.docx` is a zip archive, and a small one can unpack to gigabytes:
python-docx would read each part whole into memory and parse its XML.
`check_package` first reads the size of the archive's list of parts from its
end record (a small file can list millions of parts, and zipfile would make
an object of each), then looks at every part: no more than
`PackageLimits.parts` parts, each part declaring at most `part_bytes`
unpacked and all of them at most `total_bytes`, stored or deflated only (the
methods Word writes; bzip2 and LZMA unpack a whole read at once, unbounded).
It then unpacks each part with a bounded reader, counting what actually
comes out, so a part whose declared size lies is caught too, and a part
damaged in the archive is named before python-docx sees it. Nothing is kept:
the check costs one more unpacking of the package.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

_MB = 1024 * 1024
# Unpacked a chunk at a time: at most this much of a part is in memory at once.
_CHUNK = 256 * 1024
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


@dataclass(frozen=True)
class PackageLimits:
    """How much a package may unpack to. The defaults fit any real Word
    document: a 1,000-page report's `document.xml` is about 10 MB."""

    part_bytes: int = 64 * _MB
    total_bytes: int = 256 * _MB
    parts: int = 10_000


class UnsafePackage(ValueError):
    """A package that must not be unpacked; the message says which part
    and why, in a few words."""


class PackageTooLarge(UnsafePackage):
    """A package that would unpack to more than the limits allow."""


class BrokenPackage(UnsafePackage):
    """Not a zip archive, or a part that cannot be unpacked (damaged,
    encrypted, packed in a way Word does not use)."""


def check_package(data: bytes, limits: PackageLimits = PackageLimits()) -> None:
    """Raise `UnsafePackage` unless the zip archive `data` unpacks within
    `limits`, with every part readable. See the module docstring."""
    # zipfile reads the whole list of parts into objects first: a small
    # file can list millions. Its size is in the archive's last record.
    listing = _listing_size(data)
    if listing > limits.parts * _LISTING_ENTRY:
        raise PackageTooLarge(
            f"its list of parts takes {_size(listing)} (at most {limits.parts:,} parts)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise BrokenPackage(f"not a zip package: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.parts:
            raise PackageTooLarge(f"{len(members):,} parts (at most {limits.parts:,})")
        declared = 0
        for info in members:
            name = _shown(info.filename)
            if info.compress_type not in _METHODS:
                raise BrokenPackage(f"{name} is packed in a way Word does not use")
            if info.file_size > limits.part_bytes:
                raise PackageTooLarge(
                    f"{name} would unpack to {_size(info.file_size)}"
                    f" (at most {_size(limits.part_bytes)} a part)"
                )
            declared += info.file_size
        if declared > limits.total_bytes:
            raise PackageTooLarge(
                f"the parts would unpack to {_size(declared)} (at most {_size(limits.total_bytes)})"
            )
        for info in members:
            _unpack_counting(archive, info, limits)


# The most one part's entry in the list of parts may take on average: its
# fixed 46 bytes, a name (Word's are under 60 characters) and extra fields.
_LISTING_ENTRY = 256
_END = b"PK\x05\x06"  # end of central directory record (APPNOTE 4.3.16)
_END64_LOCATOR = b"PK\x06\x07"  # zip64 end of central directory locator (4.3.15)
_END64 = b"PK\x06\x06"  # zip64 end of central directory record (4.3.14)


def _listing_size(data: bytes) -> int:
    """The size of the archive's central directory (its list of parts) as
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


def _unpack_counting(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: PackageLimits
) -> None:
    """Unpack one part in chunks, never holding more than one, and fail as
    soon as more comes out than it declared (or than a part may hold)."""
    cap = min(info.file_size, limits.part_bytes)
    name = _shown(info.filename)
    unpacked = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                unpacked += len(chunk)
                if unpacked > cap:
                    raise PackageTooLarge(f"{name} unpacks to more than it declares")
    except UnsafePackage:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError) as exc:
        # A damaged or encrypted part (RuntimeError): python-docx would fail on it too.
        raise BrokenPackage(f"{name} cannot be unpacked: {exc}") from None


def _shown(name: str) -> str:
    """A part's name as a message shows it: printable, and not too long."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= 80 else clean[:79] + "…"


def _size(count: int) -> str:
    """A byte count in the unit a person reads it in."""
    if count >= 1024 * _MB:
        return f"{count / (1024 * _MB):.1f} GB"
    if count >= _MB:
        return f"{count / _MB:.0f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
