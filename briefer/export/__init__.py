"""Exporters: one module per output format, found through a registry.

Each exporter is a class with `NAME` (the `--format` value), `EXTENSION`
(with the dot) and `render(document, stream)`, which writes the whole file to
a binary stream and records problems with `document.warn(...)`. Modules are
imported only when their format is asked for, so a DOCX export never pays for
loading reportlab. `export_document` writes atomically: a failed export
leaves no file behind and never damages an existing one.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from briefer.document import Document
from briefer.errors import ExportError
from briefer.export.lazy_regex import costly_reportlab_patterns_deferred
from briefer.fsutil import atomic_write


class Exporter(Protocol):
    NAME: str
    EXTENSION: str

    def render(self, document: Document, stream: BinaryIO) -> None: ...


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


def exporter_for(name: str) -> Exporter:
    """The exporter for a format name such as "docx" or "pdf"."""
    for entry in _REGISTRY:
        if entry.name == name.lower() and _importable(entry):
            module_name, _, class_name = entry.target.partition(":")
            with costly_reportlab_patterns_deferred():
                module = importlib.import_module(module_name)
            return getattr(module, class_name)()
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


def export_document(document: Document, path: str | os.PathLike[str], fmt: str) -> None:
    """Render `document` as `fmt` into `path`, atomically."""
    exporter = exporter_for(fmt)
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"{target}: is a folder, not a file")
    if not target.parent.exists():
        raise ExportError(f"{target.parent}: no such folder")
    try:
        with atomic_write(target) as stream:
            exporter.render(document, stream)
    except PermissionError as exc:
        raise ExportError(f"{target}: cannot write ({exc.strerror})") from exc
