"""Checks on a zip package (an imported `.docx`) before anything unpacks it.

A `.docx` is a zip archive, and a small one can unpack to gigabytes:
python-docx would read each part whole into memory and parse its XML.
`check_package` opens it with `briefer.zipsafe.open_zip` (the list of parts
is measured from the archive's end record before zipfile reads it; at most
`PackageLimits.parts` parts, each declaring at most `part_bytes` unpacked
and all of them at most `total_bytes`, stored or deflated only), then
unpacks each part with a bounded reader, counting what actually comes out,
so a part whose declared size lies is caught too, and a part damaged in the
archive is named before python-docx sees it. Nothing is kept: the check
costs one more unpacking of the package.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefer.zipsafe import MB, UnsafeZip, ZipIssue, ZipLimits, drain_entry, open_zip, shown


@dataclass(frozen=True)
class PackageLimits:
    """How much a package may unpack to. The defaults fit any real Word
    document: a 1,000-page report's `document.xml` is about 10 MB."""

    part_bytes: int = 64 * MB
    total_bytes: int = 256 * MB
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
    bounds = ZipLimits(limits.part_bytes, limits.total_bytes, limits.parts)
    try:
        with open_zip(data, bounds) as archive:
            for info in archive.infolist():
                drain_entry(archive, info, limits.part_bytes)
    except UnsafeZip as exc:
        raise _refusal(exc) from None


def _refusal(exc: UnsafeZip) -> UnsafePackage:
    if exc.issue is ZipIssue.NOT_A_ZIP:
        return BrokenPackage(f"not a zip package: {exc.detail}")
    if exc.issue is ZipIssue.METHOD:
        return BrokenPackage(f"{shown(exc.name)} is packed in a way Word does not use")
    kind = PackageTooLarge if exc.too_large else BrokenPackage
    return kind(exc.describe("part"))
