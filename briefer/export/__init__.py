"""Exporters: one module per output format, found through a registry.

Each exporter is a class with `NAME` (the `--format` value), `EXTENSION`
(with the dot) and `render(document, stream, progress)`, which writes the
whole file to a binary stream, reports how far it has come through the
optional `progress` callback (raising `briefer.jobs.Cancelled` there stops
it) and returns the warnings of that render. A renderer only reads the
`Document`, so one composed document can be rendered by several exporters at
once. Modules are imported only when their format is asked for, so a DOCX
export never pays for loading reportlab. `export_document` writes
atomically: a failed or cancelled export leaves no file behind and never
damages an existing one. Nothing here reads the environment: the caller
passes what an export needs (such as the font cache folder).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from briefer.document import Document
from briefer.errors import ExportError
from briefer.export.lazy_regex import costly_reportlab_patterns_deferred
from briefer.fsutil import atomic_write
from briefer.jobs import ProgressCallback


class Exporter(Protocol):
    NAME: str
    EXTENSION: str

    def render(
        self, document: Document, stream: BinaryIO, progress: ProgressCallback | None = None
    ) -> list[str]: ...


@dataclass(frozen=True)
class _Entry:
    name: str
    extension: str
    target: str  # "module:Class", imported on first use


_REGISTRY: tuple[_Entry, ...] = (
    _Entry("docx", ".docx", "briefer.export.word:WordExporter"),
    _Entry("pdf", ".pdf", "briefer.export.pdf:PdfExporter"),
)


def available_formats() -> list[str]:
    return [entry.name for entry in _REGISTRY if _importable(entry)]


def _importable(entry: _Entry) -> bool:
    module_name = entry.target.partition(":")[0]
    return importlib.util.find_spec(module_name) is not None


def _load(module_name: str) -> Any:
    """Import an exporter module, deferring reportlab's costly pattern.

    Only the first import needs the shim; once the module is in
    `sys.modules`, `import_module` returns it (waiting, if another thread is
    still running it, until that import is done) and `re.compile` is left
    alone. The shim itself lets one thread at a time install and remove it."""
    if module_name in sys.modules:
        return importlib.import_module(module_name)
    with costly_reportlab_patterns_deferred():
        return importlib.import_module(module_name)


def exporter_for(
    name: str, *, font_cache: Path | None = None, font_dirs: Sequence[Path] | None = None
) -> Exporter:
    """The exporter for a format name such as "docx" or "pdf".

    Every exporter takes the same font options: `font_cache`, the folder
    where font data is kept between processes (Briefer's is
    `Paths.cache_dir / "fonts"`; None keeps nothing on disk), and
    `font_dirs`, the folders to find fonts in (None: the platform's
    standard ones). Formats that embed no fonts ignore them."""
    for entry in _REGISTRY:
        if entry.name == name.lower() and _importable(entry):
            module_name, _, class_name = entry.target.partition(":")
            cls = getattr(_load(module_name), class_name)
            return cls(font_cache=font_cache, font_dirs=font_dirs)
    known = ", ".join(available_formats())
    raise ExportError(f"unknown export format {name!r} (known: {known})")


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The format whose extension `path` has, if any."""
    suffix = Path(path).suffix.lower()
    for entry in _REGISTRY:
        if entry.extension == suffix and _importable(entry):
            return entry.name
    return None


def extension_for(name: str) -> str:
    for entry in _REGISTRY:
        if entry.name == name:
            return entry.extension
    raise ExportError(f"unknown export format {name!r}")


def export_document(
    document: Document,
    path: str | os.PathLike[str],
    fmt: str,
    *,
    progress: ProgressCallback | None = None,
    font_cache: Path | None = None,
    font_dirs: Sequence[Path] | None = None,
) -> list[str]:
    """Render `document` as `fmt` into `path`, atomically, and return the
    render's warnings. A target that cannot be written is refused before
    rendering (`briefer.fsutil.atomic_write`). `Cancelled` raised from
    `progress` propagates after the temporary file is removed; an existing
    file at `path` is untouched."""
    exporter = exporter_for(fmt, font_cache=font_cache, font_dirs=font_dirs)
    with atomic_write(path) as stream:
        return exporter.render(document, stream, progress)
