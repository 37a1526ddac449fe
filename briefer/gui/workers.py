"""Long work off the GUI thread: export, diagnostics, template thumbnails.

Each job is a QObject whose signals arrive on the GUI thread (Qt queues a
signal emitted from another thread or read from a process), so the window
never waits:

- `ExportJob` exports a brief to one or more files with the core's
  `briefer.pipeline.export_many`, reporting `Progress` and stopping cleanly
  when cancelled (`briefer.jobs.CancelToken`): no temporary file is left and
  an existing output is untouched.
- `DiagnosticsRunner` composes the brief a moment after typing pauses, in
  a worker process (`compose_worker`), newest request winning, and hands
  back compose's diagnostics. Not on a thread: composing a 10,000-word
  brief holds the interpreter for 30-80 ms, and keystrokes typed meanwhile
  took 33 ms instead of 5 ms (measured on the 2-core development machine).
- `ThumbnailLoader` renders the first page of each template's sample as a
  picture for the template picker, and caches it in the user cache folder.

Export and thumbnails run on threads: they run while the person waits
for them (a progress dialog, the template picker), not while typing. The
preview renders in a worker process of its own (`briefer.gui.preview`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QProcess,
    QProcessEnvironment,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter

import briefer
from briefer import __version__
from briefer.errors import BrieferError, environment_error
from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.model import Brief, Template
from briefer.pipeline import ExportSettings, export, export_many
from briefer.preview_worker import FrameDecoder, encode

from .compose_worker import MODULE as COMPOSE_MODULE
from .compose_worker import Composed, ComposeRequest

# Logs a bug's details and says where, in words ("Details are in ...").
BugReporter = Callable[[BaseException], str]

# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    """One brief to export, to `(output, format)` targets."""

    brief: Brief
    template: Template
    targets: tuple[tuple[Path, str], ...]
    base_dir: Path | None = None


class ExportJob(QObject):
    """An export on a background thread, with progress and cancel."""

    progressed = Signal(int, int, str)  # done, total (0: unknown), what
    succeeded = Signal(object)  # list[ExportResult]
    failed = Signal(str)  # a message for the person
    cancelled = Signal()

    def __init__(
        self,
        request: ExportRequest,
        settings: ExportSettings | None = None,
        *,
        report_bug: BugReporter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self._settings = settings
        self._report_bug = report_bug
        self._token = CancelToken()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="briefer-export", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop at the next progress report; `cancelled` follows."""
        self._token.cancel()

    def is_running(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _run(self) -> None:
        request = self.request
        try:
            results = export_many(
                request.brief,
                request.template,
                list(request.targets),
                base_dir=request.base_dir,
                settings=self._settings,
                progress=self._token.callback(self._report),
            )
        except Cancelled:
            self._emit(self.cancelled)
        except BrieferError as exc:
            self._emit(self.failed, str(exc))
        except Exception as exc:
            problem = environment_error(exc)
            if problem is not None:
                self._emit(self.failed, str(problem))
            else:
                self._emit(self.failed, _internal_error(exc, self._report_bug))
        else:
            self._emit(self.succeeded, results)
        finally:
            self._done.set()

    def _report(self, progress: Progress) -> None:
        self._emit(self.progressed, progress.done, progress.total, progress.what)

    def _emit(self, signal, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            signal.emit(*args)


def _internal_error(exc: BaseException, report_bug: BugReporter | None) -> str:
    """The message for a bug: what happened, and where its details went."""
    what = f"{type(exc).__name__}: {exc}"
    where = report_bug(exc) if report_bug is not None else ""
    return f"Briefer could not export ({what}).{' ' + where if where else ''}"


# --------------------------------------------------------------------------
# Diagnostics
# --------------------------------------------------------------------------


class DiagnosticsRunner(QObject):
    """Compose's diagnostics for the latest brief, computed a moment after
    the last request in a worker process (`compose_worker`), started on
    the first request and kept warm. The newest request wins: one is in
    the worker at a time, and only the newest waits behind it."""

    ready = Signal(object)  # tuple[Diagnostic, ...]

    def __init__(self, delay_ms: int = 400, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._dispatch)
        self._process: QProcess | None = None
        self._decoder = FrameDecoder()
        self._waiting: ComposeRequest | None = None  # the newest, not yet sent
        self._sent: ComposeRequest | None = None  # in the worker now
        self._next_id = 0
        self._restarts = 0
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def request(self, brief: Brief, template: Template, base_dir: Path | None) -> None:
        """Compose `brief` a moment after the last call (call on every change)."""
        if self._closed:
            return
        self._next_id += 1
        self._waiting = ComposeRequest(self._next_id, brief, template, base_dir)
        self._timer.start()

    def request_now(self, brief: Brief, template: Template, base_dir: Path | None) -> None:
        """Compose `brief` as soon as the worker is free (a brief just opened)."""
        self.request(brief, template, base_dir)
        self._timer.stop()
        self._dispatch()

    def shutdown(self) -> None:
        """Stop the worker (the window is closing, or the application)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        process, self._process = self._process, None
        if process is None:
            return
        process.finished.disconnect(self._ended)
        process.closeWriteChannel()  # the worker ends when its input does
        if not process.waitForFinished(2000):
            process.kill()
            process.waitForFinished(2000)
        process.deleteLater()

    def _dispatch(self) -> None:
        if self._closed or self._waiting is None or self._sent is not None:
            return
        request, self._waiting = self._waiting, None
        if self._process is None:
            self._start()
        assert self._process is not None
        self._sent = request
        self._process.write(encode(request))

    def _start(self) -> None:
        process = QProcess(self)
        process.setProgram(sys.executable)
        process.setArguments(["-m", COMPOSE_MODULE])
        process.setProcessEnvironment(_worker_environment())
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._ended)
        self._decoder = FrameDecoder()
        self._process = process
        process.start()

    def _read(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            replies = self._decoder.feed(process.readAllStandardOutput().data())
        except Exception:  # a broken stream: start afresh
            process.kill()
            return
        for reply in replies:
            if self._sent is None or getattr(reply, "id", None) != self._sent.id:
                continue
            self._sent = None
            self._restarts = 0
            # A newer brief waiting makes these notes stale: compose that instead.
            if isinstance(reply, Composed) and self._waiting is None:
                self.ready.emit(reply.diagnostics)
        if not self._timer.isActive():
            self._dispatch()

    def _ended(self, *_: object) -> None:
        lost, self._sent = self._sent, None
        if self._process is not None:
            self._process.deleteLater()
            self._process = None
        if self._closed or self._restarts >= 3:
            return  # no notes rather than a worker started over and over
        self._restarts += 1
        if self._waiting is None:
            self._waiting = lost
        self._dispatch()


def _worker_environment() -> QProcessEnvironment:
    """This process's environment, with Briefer importable in the worker
    when it runs from a source folder rather than an installation."""
    env = QProcessEnvironment.systemEnvironment()
    root = str(Path(briefer.__file__).resolve().parent.parent)
    path = env.value("PYTHONPATH", "")
    if root not in path.split(os.pathsep):
        env.insert("PYTHONPATH", root + (os.pathsep + path if path else ""))
    return env


# --------------------------------------------------------------------------
# Template thumbnails
# --------------------------------------------------------------------------

THUMBNAIL_WIDTH = 220


def thumbnail_path(cache_dir: Path, template: Template) -> Path | None:
    """Where the thumbnail of `template`'s sample is cached: the name holds
    a hash of the template and sample files and of Briefer's version, so an
    edit to either makes a new one."""
    sample = template.sample_path
    if sample is None or template.directory is None:
        return None
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(template.directory.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return cache_dir / "thumbnails" / f"{template.id}-{digest.hexdigest()[:16]}.png"


class ThumbnailLoader(QObject):
    """Pictures of each template's sample's first page, made on a
    background thread (export to PDF, render page 1) and cached."""

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
            if image is not None and not self._stop.is_set():
                with contextlib.suppress(RuntimeError):
                    self.ready.emit(template.id, image)

    def _thumbnail(self, template: Template) -> QImage | None:
        target = thumbnail_path(self._cache_dir, template)
        if target is None:
            return None
        if target.is_file():
            image = QImage(str(target))
            if not image.isNull():
                return image
        image = render_first_page(template, self._settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part.png")
        if image.save(str(partial), "PNG"):
            partial.replace(target)
        return image


def render_first_page(template: Template, settings: ExportSettings | None = None) -> QImage:
    """Export `template`'s sample to PDF and render its first page."""
    import tempfile

    from PySide6.QtPdf import QPdfDocument

    from briefer.briefs import load_brief

    sample = template.sample_path
    if sample is None:
        raise BrieferError(f"template {template.id!r} has no sample")
    brief = load_brief(sample)
    with tempfile.TemporaryDirectory(prefix="briefer-thumb-") as folder:
        pdf = Path(folder) / "sample.pdf"
        export(
            brief,
            template,
            pdf,
            "pdf",
            base_dir=sample.parent,
            settings=settings,
        )
        document = QPdfDocument()
        document.load(str(pdf))
        if document.pageCount() < 1:
            raise BrieferError(f"{sample}: the sample has no page")
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
