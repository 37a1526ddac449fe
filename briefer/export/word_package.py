"""The Word base a DOCX export starts from, read within bounds.

The base is a house reference document (.docx, .dotx, .docm, .dotm) or
python-docx's default. A Word file is a zip archive, and a small one can
unpack to gigabytes: a 3.2 MB reference document holding one 3 GiB part took
35 s and 6.3 GB of memory, and was copied into every export. So the file is
read only if it is a regular file of at most `MAX_BASE_BYTES`
(`briefer.fsutil.read_regular_file`), and its parts are checked before
python-docx sees them: at most `MAX_PARTS` parts, each declaring at most
`MAX_PART_BYTES` unpacked and all together at most `MAX_PACKAGE_BYTES`,
packed the ways Word packs (stored or deflated; other methods unpack a whole
read at once). Each part is then unpacked a chunk at a time, counting what
comes out, so a part that holds more than it declares is caught as well
(`briefer.zipsafe`, which the library's import and shared templates use too).
The parts are handed to python-docx stored, not packed again, so nothing is
unpacked twice. A refusal is one `ExportError` naming the file and the part.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument

from briefer.errors import ExportError, FileAccessError
from briefer.fsutil import read_regular_file
from briefer.zipsafe import (
    MB,
    UnsafeZip,
    ZipIssue,
    ZipLimits,
    entries,
    open_zip,
    read_entry,
    size_text,
)

# A house style is styles, numbering, a header with a logo, perhaps
# embedded fonts: a few megabytes. These bounds leave ample room.
MAX_BASE_BYTES = 64 * MB
MAX_PART_BYTES = 64 * MB
MAX_PACKAGE_BYTES = 128 * MB
MAX_PARTS = 2_000

_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TEMPLATE_MAINS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
)
_CONTENT_TYPES = "[Content_Types].xml"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class _Refused(Exception):
    """A package that must not be opened; the message says why."""


def open_base(path: Path | None) -> DocxDocument:
    """The base document, from `path` (.docx or .dotx) or python-docx's default.

    The user's file is only read; a .dotx is turned into a document in
    memory. A file that is not a regular file, is too large, unpacks to too
    much or is not a Word document is an `ExportError` naming it."""
    if path is None:
        return docx.Document()
    try:
        data = read_regular_file(path, MAX_BASE_BYTES, "a Word document")
    except FileAccessError as exc:
        raise ExportError(f"{path}: cannot use the reference document ({exc.reason})") from exc
    try:
        package = _checked_package(data)
    except _Refused as exc:
        raise ExportError(f"{path}: not a usable Word document or template ({exc})") from None
    try:
        return docx.Document(io.BytesIO(package))
    except Exception as exc:  # any failure here means a broken user file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExportError(f"{path}: not a usable Word document or template ({reason})") from exc


def _checked_package(data: bytes) -> bytes:
    """The package in `data`, checked part by part (see the module
    docstring), as a stored zip archive with a template's main part
    declared a document's, as python-docx requires."""
    limits = ZipLimits(MAX_PART_BYTES, MAX_PACKAGE_BYTES, MAX_PARTS)
    out = io.BytesIO()
    try:
        with (
            open_zip(data, limits) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target,
        ):
            # A name packed twice is read as its last copy, as zipfile reads it.
            for info in entries(source):
                if info.is_dir():
                    continue
                blob = read_entry(source, info, MAX_PART_BYTES)
                if info.filename == _CONTENT_TYPES:
                    blob = _as_document_types(blob)
                target.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH), blob)
    except UnsafeZip as exc:
        raise _Refused(_reason(exc)) from None
    return out.getvalue()


def _reason(exc: UnsafeZip) -> str:
    """A refusal in the words this module's messages have always used."""
    name, issue = exc.name, exc.issue
    if issue is ZipIssue.NOT_A_ZIP:
        return exc.detail
    if issue in (ZipIssue.LISTING_TOO_LONG, ZipIssue.TOO_MANY_ENTRIES):
        return exc.describe("part")
    if issue is ZipIssue.METHOD:
        return f"part {name} is packed in a way Word does not use"
    if issue is ZipIssue.ENTRY_TOO_LARGE:
        return (
            f"part {name} would unpack to {size_text(exc.size)};"
            f" at most {size_text(exc.limit)} a part"
        )
    if issue is ZipIssue.TOTAL_TOO_LARGE:
        return f"its parts would unpack to {size_text(exc.size)}; at most {size_text(exc.limit)}"
    if issue is ZipIssue.LIES:
        return f"part {name} unpacks to more than it declares"
    return f"part {name} cannot be unpacked: {exc.detail}"


def _as_document_types(blob: bytes) -> bytes:
    """`[Content_Types].xml` with a template's main part declared a
    document's; a document's is returned as it is."""
    try:
        types = blob.decode("utf-8")
    except UnicodeDecodeError:
        return blob  # python-docx will say what is wrong with it
    if not any(kind in types for kind in _TEMPLATE_MAINS):
        return blob
    for kind in _TEMPLATE_MAINS:
        types = types.replace(kind, _DOCUMENT_MAIN)
    return types.encode("utf-8")
