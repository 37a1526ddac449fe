"""Pictures of templates: the first page of each one's sample, as exported.

The New-brief picker and the template manager show each template as the
PDF exporter draws it. `ThumbnailLoader` makes the pictures on a background
thread (export the sample to PDF, render page 1) and caches them in the
user cache folder under a name that hashes the template's files and
Briefer's version, so an edited template gets a new picture and an
unchanged one is drawn once. A template without a sample is drawn with a
stand-in brief (`briefer.template_editing.preview_brief`): a line in each
section, so its look still shows.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from briefer import __version__
from briefer.errors import BrieferError
from briefer.model import Template
from briefer.pipeline import ExportSettings, export

THUMBNAIL_WIDTH = 220


def thumbnail_path(cache_dir: Path, template: Template) -> Path | None:
    """Where the picture of `template` is cached: the name holds a hash of
    the template folder's files and of Briefer's version, so an edit to
    either makes a new one. None for a template that has no folder."""
    if template.directory is None or not template.directory.is_dir():
        return None
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(template.directory.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return cache_dir / "thumbnails" / f"{template.id}-{digest.hexdigest()[:16]}.png"


class ThumbnailLoader(QObject):
    """Pictures of each template's sample's first page, made on a
    background thread and cached; `ready` carries each as it is made."""

    ready = Signal(str, QImage)  # template id, picture
    failed = Signal(str, str)  # template id, reason

    def __init__(
        self,
        templates: Sequence[Template],
        cache_dir: Path,
        settings: ExportSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._templates = list(templates)
        self._cache_dir = cache_dir
        self._settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="briefer-thumbnails", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        for template in self._templates:
            if self._stop.is_set():
                return
            try:
                image = self._thumbnail(template)
            except Exception as exc:  # a broken sample must not stop the others
                with contextlib.suppress(RuntimeError):
                    self.failed.emit(template.id, str(exc) or type(exc).__name__)
                continue
            if not self._stop.is_set():
                with contextlib.suppress(RuntimeError):  # the dialog went away meanwhile
                    self.ready.emit(template.id, image)

    def _thumbnail(self, template: Template) -> QImage:
        target = thumbnail_path(self._cache_dir, template)
        if target is not None and target.is_file():
            image = QImage(str(target))
            if not image.isNull():
                image.setDevicePixelRatio(2.0)
                return image
        image = render_first_page(template, self._settings)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part.png")
            if image.save(str(partial), "PNG"):
                partial.replace(target)
        return image


def render_first_page(template: Template, settings: ExportSettings | None = None) -> QImage:
    """Export `template`'s sample (or a stand-in brief) to PDF and render
    its first page, on white paper."""
    from PySide6.QtPdf import QPdfDocument

    from briefer.briefs import load_brief
    from briefer.template_editing import preview_brief

    sample = template.sample_path
    if sample is not None:
        brief, base_dir = load_brief(sample), sample.parent
    else:
        brief, base_dir = preview_brief(template, None), template.directory
    with tempfile.TemporaryDirectory(prefix="briefer-thumb-") as folder:
        pdf = Path(folder) / "sample.pdf"
        export(brief, template, pdf, "pdf", base_dir=base_dir, settings=settings)
        document = QPdfDocument()
        document.load(str(pdf))
        if document.pageCount() < 1:
            raise BrieferError(f"the sample of {template.name!r} has no page")
        size = document.pagePointSize(0)
        height = round(THUMBNAIL_WIDTH * size.height() / max(1.0, size.width()))
        page = document.render(0, QSize(THUMBNAIL_WIDTH * 2, height * 2))
        document.close()
    # PDFium leaves the page transparent: paper is white, in a dark window too.
    image = QImage(page.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, page)
    painter.end()
    image.setDevicePixelRatio(2.0)
    return image
