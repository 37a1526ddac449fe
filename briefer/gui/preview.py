"""The live preview: the PDF the exporter writes, beside the brief, as it is typed.

`PreviewPanel.request(brief, template, base_dir)` is called on every change.
A moment after typing pauses (`DEBOUNCE_MS`) the panel sends the newest
brief to a worker process (`briefer.preview_worker`, started once and kept
warm, restarted if it dies), which composes and renders it with the PDF
exporter; a newer request overtakes an older one there, and an answer to
anything but the newest request is dropped here. Nothing waits on the GUI
thread: the process's output arrives through `QProcess` signals.

The PDF is shown with `QPdfView`, loaded from memory (a `QBuffer`, no file).
While the view renders the new pages, a picture of the old ones stays in
front, so a rebuild never flashes a blank page; the reader's page and
scroll position are kept. A rebuild that fails keeps the last good pages
and shows the error in a banner over them. The view renders pages at the
screen's pixel ratio and on a white page whatever the palette.
`set_active(False)` (the panel hidden) stops all work: a render in progress
is cancelled, nothing more is rendered, and after `HIDDEN_STOP_MS` the
worker process ends (`PreviewPanel(active=False)` starts none).
`shutdown()` stops the worker; it is also called when the application
quits, and when the panel is deleted.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QObject,
    QProcess,
    QProcessEnvironment,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPalette
from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import briefer
from briefer.preview_worker import (
    MODULE,
    Cancel,
    Failed,
    FrameDecoder,
    Rendered,
    RenderRequest,
    encode,
)

if TYPE_CHECKING:
    from briefer.model import Brief, Template

log = logging.getLogger(__name__)

# How long typing must pause before the preview is rebuilt. Short, because
# the rebuild is in another process and a newer request overtakes it there:
# a pause of this length costs the window nothing, and the page follows the
# text within a third of a second.
DEBOUNCE_MS = 150
# The old pages stay in front of the new ones at most this long, should the
# view not report the new pages painted (a page outside the viewport).
SNAPSHOT_MS = 500
# A worker that dies this many times in a row without answering is not
# started again until the next change.
MAX_RESTARTS = 3
STOP_WAIT_MS = 2000
# A preview hidden this long lets its worker process go (its memory with
# it); shown again, the worker starts afresh (a fifth of a second here).
HIDDEN_STOP_MS = 30_000
BANNER_CHARS = 240  # the rest of a long error is in the banner's tooltip
_EARLY_WORKER = "briefer-preview-early-worker"  # object name, on the application
_ERROR_LINES = 40


@dataclass(frozen=True)
class _Job:
    """What one preview shows: a brief, its template and its folder."""

    brief: Brief
    template: Template
    base_dir: Path | None


@dataclass
class _Flight:
    """The request the worker is rendering for the panel."""

    id: int
    job: _Job
    resent: bool = False


class _WorkerProcess(QObject):
    """The worker process, seen from the window: messages go in as frames
    on its stdin, replies come out of its stdout through `replied`.
    `stopped` says the process ended without being asked to, with why."""

    replied = Signal(object)
    stopped = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None
        self._decoder = FrameDecoder()
        self._errors: deque[str] = deque(maxlen=_ERROR_LINES)

    def process_id(self) -> int | None:
        if self._process is None or self._process.state() == QProcess.ProcessState.NotRunning:
            return None
        return int(self._process.processId()) or None

    def start(self) -> None:
        """Start the process if it is not running; it warms up at once."""
        if self._process is not None:
            return
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", MODULE])
        process.setProcessEnvironment(_worker_environment())
        # Slots of this object, not lambdas: destroyed with the panel, this
        # object takes its connections along before the process ends.
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._ended)
        process.errorOccurred.connect(self._failed_to_start)
        self._process = process
        self._decoder = FrameDecoder()
        self._errors.clear()
        process.start()

    def send(self, message: object) -> None:
        """Queue `message` for the worker (starting it if needed); the write
        happens in the background."""
        self.start()
        assert self._process is not None
        self._process.write(encode(message))

    def stop(self, wait: bool = True) -> None:
        """End the process: closing its stdin tells it to stop as soon as
        the render in progress notices; it is killed if it has not ended
        after `STOP_WAIT_MS`. With `wait`, return only once it has ended."""
        process, self._process = self._process, None
        if process is None:
            return
        process.readyReadStandardOutput.disconnect(self._read)
        process.finished.disconnect(self._ended)
        process.errorOccurred.disconnect(self._failed_to_start)
        if process.state() == QProcess.ProcessState.NotRunning:
            process.deleteLater()
            return
        process.closeWriteChannel()
        if wait:
            if not process.waitForFinished(STOP_WAIT_MS):
                process.kill()
                process.waitForFinished(STOP_WAIT_MS)
            process.deleteLater()
            return
        process.finished.connect(process.deleteLater)
        QTimer.singleShot(STOP_WAIT_MS, process, process.kill)

    def _read(self) -> None:
        process = self._process
        if process is None or self.sender() is not process:
            return
        data = process.readAllStandardOutput().data()
        try:
            replies = self._decoder.feed(data)
        except Exception as exc:  # a broken stream: start afresh
            log.error("preview worker sent an unreadable reply: %s", exc)
            self._errors.append(f"unreadable reply: {exc}")
            process.kill()
            return
        for reply in replies:
            self.replied.emit(reply)

    def _read_errors(self) -> None:
        process = self.sender()
        if not isinstance(process, QProcess):
            return
        text = process.readAllStandardError().data().decode("utf-8", "replace")
        lines = [line for line in text.splitlines() if line.strip()]
        if lines:
            self._errors.extend(lines)
            log.warning("preview worker: %s", "\n".join(lines))

    def _ended(self, code: int, status: QProcess.ExitStatus) -> None:
        process = self._process
        if process is None or self.sender() is not process:
            return
        self._process = None
        process.deleteLater()
        if status == QProcess.ExitStatus.CrashExit:
            why = "the preview process stopped unexpectedly"
        else:
            why = f"the preview process ended (exit status {code})"
        last = self._errors[-1] if self._errors else ""
        self.stopped.emit(f"{why}: {last}" if last else why)

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        process = self._process
        if process is None or self.sender() is not process:
            return
        if error != QProcess.ProcessError.FailedToStart:
            return  # a crash also ends in `finished`, reported there
        self._process = None
        process.deleteLater()
        self.stopped.emit(f"the preview process could not start ({process.errorString()})")


def _worker_environment() -> QProcessEnvironment:
    """This process's environment, with Briefer importable in the worker
    even when it runs from a source folder rather than an installation."""
    env = QProcessEnvironment.systemEnvironment()
    root = str(Path(briefer.__file__).resolve().parent.parent)
    paths = [root, *[p for p in env.value("PYTHONPATH", "").split(os.pathsep) if p]]
    env.insert("PYTHONPATH", os.pathsep.join(dict.fromkeys(paths)))
    return env


class PreviewPanel(QWidget):
    """The exported PDF of the brief being written, rebuilt as it changes.

    Signals: `rendered(pages)` once a new PDF is on screen, `failed(message)`
    when a rebuild fails (the last good pages stay)."""

    rendered = Signal(int)
    failed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        active: bool = True,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Preview")
        self._view = QPdfView(self)
        self._view.setAccessibleName("Preview of the exported PDF")
        self._view.setPageMode(QPdfView.PageMode.MultiPage)
        self._view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)

        viewport = self._view.viewport()
        self._snapshot = QLabel(viewport)
        self._snapshot.hide()
        self._placeholder = QLabel("The preview of the exported PDF appears here.", viewport)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._tint_placeholder()
        self._banner = QLabel(self)
        self._banner.setAccessibleName("Preview error")
        self._banner.setWordWrap(True)
        self._banner.setTextFormat(Qt.TextFormat.PlainText)
        # Fixed colours, readable on a light or a dark palette alike.
        self._banner.setStyleSheet(
            "QLabel { background: #FFF3CD; color: #4D3800; padding: 6px 8px;"
            " border-bottom: 1px solid #D9B84A; }"
        )
        self._banner.hide()
        viewport.installEventFilter(self)
        self._view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self._view.horizontalScrollBar().valueChanged.connect(self._scrolled)
        # The view renders pages in a thread of its own, through a page
        # renderer (a child object) that says when the new pages are drawn.
        # Without one, the snapshot goes after SNAPSHOT_MS.
        renderer = self._view.findChild(QPdfPageRenderer)
        if renderer is not None:
            renderer.pageRendered.connect(self._page_ready)

        self._worker = _adopt_early_worker(self) or _WorkerProcess(self)
        self._worker.replied.connect(self._reply)
        self._worker.stopped.connect(self._worker_stopped)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._dispatch)
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.setSingleShot(True)
        self._snapshot_timer.setInterval(SNAPSHOT_MS)
        self._snapshot_timer.timeout.connect(self._reveal)
        self._hidden_timer = QTimer(self)
        self._hidden_timer.setSingleShot(True)
        self._hidden_timer.setInterval(HIDDEN_STOP_MS)
        self._hidden_timer.timeout.connect(lambda: self._worker.stop(wait=False))

        self._document: QPdfDocument | None = None
        self._latest: _Job | None = None  # the newest brief asked for
        self._settled: _Job | None = None  # the brief last answered (pages or error)
        self._flight: _Flight | None = None
        self._next_id = 0
        self._active = active
        self._closed = False
        self._restarts = 0
        self._restoring = False
        self._awaiting: set[int] = set()  # pages still to render behind the snapshot
        self._announce: int | None = None  # page count to announce once painted

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # A panel deleted without `shutdown` still lets its worker end cleanly.
        worker = self._worker
        self.destroyed.connect(lambda *_: worker.stop(wait=True))
        if active:
            self._worker.start()  # it warms up while the window opens
        else:
            self._worker.stop(wait=False)  # one started early is not wanted

    # ------------------------------------------------------------------
    # The interface the window uses
    # ------------------------------------------------------------------

    def request(self, brief: Brief, template: Template, base_dir: Path | None) -> None:
        """Show `brief` a moment after the last change (call on every change)."""
        if self._closed:
            return
        self._latest = _Job(brief, template, base_dir)
        if not self._active:
            return
        if self._document is None and self._flight is None:
            self._dispatch()  # the first pages: nobody is typing yet
        else:
            self._debounce.start()

    def set_active(self, active: bool) -> None:
        """Work only while shown: inactive, nothing is rendered and a render
        in progress is cancelled; active again, the newest brief is shown."""
        if self._closed or active == self._active:
            return
        self._active = active
        if not active:
            self._debounce.stop()
            if self._flight is not None:
                self._worker.send(Cancel())
                self._flight = None
            self._reveal()
            self._hidden_timer.start()
            return
        self._hidden_timer.stop()
        self._worker.start()
        if self._latest is not None and self._latest != self._settled:
            self._dispatch()

    def is_active(self) -> bool:
        return self._active

    def shutdown(self) -> None:
        """Stop the worker process (the window is closing)."""
        if self._closed:
            return
        self._closed = True
        self._debounce.stop()
        self._snapshot_timer.stop()
        self._hidden_timer.stop()
        self._flight = None
        self._worker.stop(wait=True)

    def view(self) -> QPdfView:
        """The PDF view (to focus it, or read the document it shows)."""
        return self._view

    def worker_pid(self) -> int | None:
        """The worker process's id while it runs (for diagnostics and the
        benchmark's memory figure)."""
        return self._worker.process_id()

    def error_message(self) -> str:
        """The error shown over the pages, or "" when the preview is current."""
        return self._banner.toolTip() if self._banner.isVisible() else ""

    # ------------------------------------------------------------------
    # Requests and replies
    # ------------------------------------------------------------------

    def _dispatch(self) -> None:
        job = self._latest
        if self._closed or not self._active or job is None:
            return
        if self._flight is not None and self._flight.job == job:
            return  # already on its way
        if self._flight is None and job == self._settled:
            return  # already on screen
        self._next_id += 1
        self._flight = _Flight(self._next_id, job)
        self._send(self._flight)
        if self._document is None:
            self._placeholder.setText("Rendering the preview…")

    def _send(self, flight: _Flight) -> None:
        job = flight.job
        self._worker.send(RenderRequest(flight.id, job.brief, job.template, job.base_dir))

    def _reply(self, reply: object) -> None:
        flight = self._flight
        if flight is None or getattr(reply, "id", None) != flight.id:
            return  # an answer to a request since overtaken
        self._flight = None
        self._restarts = 0
        if isinstance(reply, Rendered):
            self._settled = flight.job
            self._show_pdf(reply.pdf)
        elif isinstance(reply, Failed):
            self._settled = flight.job
            self._show_error(reply.message)

    def _worker_stopped(self, why: str) -> None:
        log.warning("%s", why)
        flight = self._flight
        self._restarts += 1
        if flight is not None and not flight.resent and self._restarts <= MAX_RESTARTS:
            flight.resent = True  # once: the brief itself may be what kills it
            self._send(flight)
            return
        if flight is not None:
            self._flight = None
            self._settled = flight.job
            self._show_error(why)
        if self._restarts <= MAX_RESTARTS and self._active and not self._closed:
            self._worker.start()  # warm again for the next change

    # ------------------------------------------------------------------
    # Showing pages and errors
    # ------------------------------------------------------------------

    def _show_pdf(self, pdf: bytes) -> None:
        document = QPdfDocument(self)
        buffer = QBuffer(document)  # lives as long as the document reading it
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready:
            error = document.error().name
            document.deleteLater()
            self._show_error(f"the preview PDF could not be opened ({error})")
            return
        old = self._document
        self._reveal()
        if old is not None and self._view.isVisible():
            self._freeze()
        vertical = self._view.verticalScrollBar().value()
        horizontal = self._view.horizontalScrollBar().value()
        self._restoring = True
        try:
            switch_document(self._view, document)
            self._view.verticalScrollBar().setValue(vertical)
            self._view.horizontalScrollBar().setValue(horizontal)
        finally:
            self._restoring = False
        self._document = document
        if old is not None:
            old.deleteLater()  # the view's renderer let go of it in setDocument
        self._placeholder.hide()
        self._banner.hide()
        self._banner.setToolTip("")
        self._announce = document.pageCount()
        self._awaiting = self._visible_pages() if self._view.isVisible() else set()
        if self._awaiting:
            self._snapshot_timer.start()
        else:
            self._reveal()

    def _show_error(self, message: str) -> None:
        first = message.strip().splitlines()[0] if message.strip() else "unknown error"
        if len(first) > BANNER_CHARS:
            first = first[: BANNER_CHARS - 1] + "…"
        self._banner.setText(f"Preview not updated: {first}")
        self._banner.setToolTip(message)
        self._place_banner()
        self._banner.show()
        self._banner.raise_()
        self.failed.emit(message)

    def _freeze(self) -> None:
        """Put a picture of the pages as they are in front of the view."""
        viewport = self._view.viewport()
        self._snapshot.setPixmap(viewport.grab())
        self._snapshot.setGeometry(viewport.rect())
        self._snapshot.show()
        self._snapshot.raise_()

    def _reveal(self) -> None:
        """Take the picture away: the view shows the new pages."""
        self._snapshot_timer.stop()
        self._awaiting.clear()
        if self._snapshot.isVisible():
            self._snapshot.hide()
            self._snapshot.clear()
        if self._announce is not None:
            pages, self._announce = self._announce, None
            self.rendered.emit(pages)

    def _page_ready(self, page: int, *_: object) -> None:
        if page in self._awaiting:
            self._awaiting.discard(page)
            if not self._awaiting:
                self._reveal()

    def _scrolled(self, _: int) -> None:
        if not self._restoring and self._snapshot.isVisible():
            self._reveal()  # the picture no longer matches what the reader asked for

    def _visible_pages(self) -> set[int]:
        """The pages the viewport shows, as QPdfView lays them out when it
        fits the page width: one below the other, with its margins and
        spacing."""
        document = self._document
        if document is None:
            return set()
        viewport = self._view.viewport()
        margins = self._view.documentMargins()
        width = viewport.width() - margins.left() - margins.right()
        top = self._view.verticalScrollBar().value()
        bottom = top + viewport.height()
        pages: set[int] = set()
        y = float(margins.top())
        for page in range(document.pageCount()):
            size = document.pagePointSize(page)
            if size.width() <= 0:
                continue
            height = size.height() * width / size.width()
            if y >= bottom:
                break
            if y + height > top:
                pages.add(page)
            y += height + self._view.pageSpacing()
        return pages

    # ------------------------------------------------------------------
    # Qt events
    # ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self._view.viewport():
            self._placeholder.setGeometry(self._view.viewport().rect().adjusted(12, 12, -12, -12))
            if self._snapshot.isVisible():
                self._reveal()
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._tint_placeholder()

    def _tint_placeholder(self) -> None:
        """Placeholder text that reads on the view's background (the
        palette's Dark role, light grey or near black)."""
        palette = self._placeholder.palette()
        background = self._view.palette().color(QPalette.ColorRole.Dark)
        text = QColor("#F2F2F2") if background.lightness() < 150 else QColor("#1F1F1F")
        palette.setColor(QPalette.ColorRole.WindowText, text)
        self._placeholder.setPalette(palette)

    def resizeEvent(self, event: QEvent) -> None:
        super().resizeEvent(event)
        self._place_banner()

    def _place_banner(self) -> None:
        width = self.width()
        self._banner.setGeometry(0, 0, width, self._banner.heightForWidth(width))


def start_worker_early(app: QCoreApplication) -> int | None:
    """Start the preview's worker process now, before the window is built:
    it loads the exporter and registers fonts while the window's own
    modules load, and the first `PreviewPanel` made afterwards takes it
    over. Returns its process id. Call it right after making the
    application, and only when the preview will be shown."""
    worker = app.findChild(_WorkerProcess, _EARLY_WORKER)
    if worker is None:
        worker = _WorkerProcess(app)
        worker.setObjectName(_EARLY_WORKER)
        app.aboutToQuit.connect(worker.stop)  # should no panel take it over
        worker.start()
    return worker.process_id()


def _adopt_early_worker(panel: PreviewPanel) -> _WorkerProcess | None:
    app = QCoreApplication.instance()
    worker = app.findChild(_WorkerProcess, _EARLY_WORKER) if app is not None else None
    if worker is None:
        return None
    app.aboutToQuit.disconnect(worker.stop)
    worker.setObjectName("")
    worker.setParent(panel)
    return worker


def switch_document(view: QPdfView, document: QPdfDocument) -> None:
    """Show `document` in `view`, and no page of the document before.

    QPdfView renders pages in a thread of its own (through a page renderer,
    its child) and caches the images it gets back. A page of the old
    document rendered just before a plain `setDocument` arrives after it and
    is cached as that page of the new document, to stay on screen until the
    next rebuild. So the render thread is switched to the new document first
    (which waits for a render in progress), the old pages already on their
    way are delivered, and only then does the view switch and clear its
    cache."""
    renderer = view.findChild(QPdfPageRenderer)
    if renderer is not None:
        renderer.setDocument(document)
        QCoreApplication.sendPostedEvents(renderer, QEvent.Type.MetaCall)
    view.setDocument(document)
