"""Long work off the GUI thread: export and diagnostics.

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

Export runs on a thread: it runs while the person waits for it (a
progress dialog), not while typing. The preview renders in a worker process
of its own (`briefer.gui.preview`); pictures of templates are made by
`briefer.gui.thumbnails`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QProcess,
    QProcessEnvironment,
    QTimer,
    Signal,
)

import briefer
from briefer.errors import BrieferError, environment_error
from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.model import Brief, Template
from briefer.pipeline import ExportSettings, export_many
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
