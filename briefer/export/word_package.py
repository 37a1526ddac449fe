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
comes out, so a part that holds more than it declares is caught as well.
The parts are handed to python-docx stored, not packed again, so nothing is
unpacked twice. A refusal is one `ExportError` naming the file and the part.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import docx
from docx.document import Document as DocxDocument

from briefer.errors import ExportError, FileAccessError
from briefer.fsutil import read_regular_file

_MB = 1024 * 1024
# A house style is styles, numbering, a header with a logo, perhaps
# embedded fonts: a few megabytes. These bounds leave ample room.
MAX_BASE_BYTES = 64 * _MB
MAX_PART_BYTES = 64 * _MB
MAX_PACKAGE_BYTES = 128 * _MB
MAX_PARTS = 2_000
_CHUNK = 256 * 1024
_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

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
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _Refused(str(exc) or "not a zip package") from None
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        # A name packed twice is read as its last copy, as zipfile reads it.
        members = list({info.filename: info for info in source.infolist()}.values())
        if len(members) > MAX_PARTS:
            raise _Refused(f"{len(members):,} parts; at most {MAX_PARTS:,}")
        declared = 0
        for info in members:
            if info.compress_type not in _METHODS:
                raise _Refused(f"part {_shown(info.filename)} is packed in a way Word does not use")
            if info.file_size > MAX_PART_BYTES:
                raise _Refused(
                    f"part {_shown(info.filename)} would unpack to {_size(info.file_size)};"
                    f" at most {_size(MAX_PART_BYTES)} a part"
                )
            declared += info.file_size
        if declared > MAX_PACKAGE_BYTES:
            raise _Refused(
                f"its parts would unpack to {_size(declared)}; at most {_size(MAX_PACKAGE_BYTES)}"
            )
        for info in members:
            if info.is_dir():
                continue
            blob = _unpack(source, info)
            if info.filename == _CONTENT_TYPES:
                blob = _as_document_types(blob)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH), blob)
    return out.getvalue()


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, unpacked a chunk at a time; more than it declared is refused
    as soon as it comes out."""
    name = _shown(info.filename)
    chunks: list[bytes] = []
    unpacked = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                unpacked += len(chunk)
                if unpacked > info.file_size:
                    raise _Refused(f"part {name} unpacks to more than it declares")
                chunks.append(chunk)
    except _Refused:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError, OSError) as exc:
        # Damaged, or encrypted (RuntimeError): python-docx would fail on it too.
        raise _Refused(f"part {name} cannot be unpacked: {exc}") from None
    return b"".join(chunks)


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


def _shown(name: str) -> str:
    """A part's name as a message shows it: printable, and not too long."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= 80 else clean[:79] + "\u2026"


def _size(count: int) -> str:
    if count >= 1024 * _MB:
        return f"{count / (1024 * _MB):.1f} GB"
    if count >= _MB:
        return f"{count / _MB:.0f} MB"
    return f"{count / 1024:.0f} KB"
