"""Importing dropped files into the library, in the background.

`ImportQueue` takes the files a person drops on the library panel and
imports them one after the other, each on a worker thread with a library
connection of its own (`Library.import_file`: one transaction per file),
while the window goes on working. A small progress window appears when an
import takes longer than a moment; its Cancel stops the file being imported
(nothing of it is kept: the library is as it was before that file) and the
files still waiting. At the end, `ImportReportDialog` shows what each file
gave: snippets added, already in the library, rows rejected with their line
and reason, or why a file could not be used at all.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefer.errors import BrieferError, database_error_reason, environment_error
from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.library import ImportReport, Library
from briefer.library.importers import READERS, STEPS

OpenLibrary = Callable[[], Library]

# The progress window appears only for an import still running after this
# long, so a small file does not flash a window.
SHOW_PROGRESS_AFTER_MS = 400
# While the progress window first appears the import pauses (at its next
# progress report) for this long: drawn while the worker holds the
# interpreter, the window took 50-100 ms of the GUI thread instead of 8.
PAUSE_FOR_WINDOW_MS = 40
# A pause never lasts longer than this, whatever happens to the window.
PAUSE_LIMIT_S = 1.0
# Rejected rows listed in the report window per file (Copy Report has all).
MAX_REJECTIONS_SHOWN = 500


def importable(path: Path) -> bool:
    """Whether the library has a reader for a file of this name (by its
    extension only: nothing is opened or looked at on disk)."""
    return path.suffix.lower() in READERS


# How a message names each reader's kind of file (by the reader's NAME; a
# reader without a name here is named by its NAME).
KIND_NAMES = {
    "html": "web pages",
    "text": "text",
    "markdown": "Markdown",
    "docx": "Word documents",
    "csv": "tables",
    "jsonl": "JSON Lines",
    "ris": "RIS citations",
    "csl-json": "CSL-JSON citations",
}


def known_kinds() -> str:
    """The kinds of file the library imports, in words with their
    extensions, from the importers' registry: "web pages (.html, …), …"."""
    kinds: dict[str, list[str]] = {}
    for extension, reader in READERS.items():
        kinds.setdefault(reader.NAME, []).append(extension)
    parts = [
        f"{KIND_NAMES.get(name, name)} ({', '.join(extensions)})"
        for name, extensions in kinds.items()
    ]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def refusal(path: Path) -> str:
    """Why a file of this kind is not imported."""
    suffix = path.suffix.lower()
    return f"Briefer does not import {suffix} files" if suffix else "a file with no extension"


def user_message(exc: BaseException) -> str | None:
    """What to tell the person about an error they can act on (the library
    busy, read-only, damaged; a full disk); None for a bug."""
    if isinstance(exc, BrieferError):
        return str(exc)
    problem = environment_error(exc)
    if problem is not None:
        return str(problem)
    return database_error_reason(exc)


class Status(enum.Enum):
    """How one file's import ended."""

    DONE = "done"  # imported (some rows may have been rejected)
    FAILED = "failed"  # the file, or the library, could not be used: nothing imported
    CANCELLED = "cancelled"  # stopped part-way: nothing of the file kept
    SKIPPED = "skipped"  # still waiting when the import was cancelled
    REFUSED = "refused"  # a kind of file the library does not import


@dataclass(frozen=True)
class ImportOutcome:
    """One file of a batch: how it ended, its report when it was imported
    (or read and found unusable), and the reason when it was not."""

    path: Path
    status: Status
    report: ImportReport | None = None
    reason: str = ""

    @property
    def added(self) -> int:
        return self.report.added if self.report and self.status is Status.DONE else 0

    @property
    def duplicates(self) -> int:
        return self.report.duplicates if self.report and self.status is Status.DONE else 0

    @property
    def rejected(self) -> int:
        return len(self.report.rejected) if self.report and self.status is Status.DONE else 0


class ImportJob(QObject):
    """One file imported on a worker thread with its own library connection."""

    progressed = Signal(object)  # Progress
    paused = Signal()  # the worker has stopped at a progress report (see `pause`)
    finished = Signal(object)  # ImportOutcome

    def __init__(self, path: Path, open_library: OpenLibrary, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self._open_library = open_library
        self._token = CancelToken()
        self._running = threading.Event()
        self._running.set()
        self._done = threading.Event()
        self._bug: BaseException | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="briefer-import", daemon=True).start()

    def cancel(self) -> None:
        """Stop at the import's next progress report (within a fraction of a second)."""
        self._token.cancel()
        self._running.set()

    def pause(self) -> None:
        """Hold the worker at its next progress report (`paused` says when),
        for at most PAUSE_LIMIT_S, so the GUI thread has the interpreter
        to itself meanwhile."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def take_bug(self) -> BaseException | None:
        """The unexpected exception that ended the job, once (for the crash log)."""
        bug, self._bug = self._bug, None
        return bug

    def _run(self) -> None:
        try:
            outcome = self._import()
        finally:
            self._done.set()
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            self.finished.emit(outcome)

    def _import(self) -> ImportOutcome:
        library: Library | None = None
        collecting = gc.isenabled()
        try:
            library = self._open_library()
            # An import makes a record per row: Python's full collections of
            # so many objects (50-60 ms for 50,000 rows, holding the
            # interpreter) would stall the GUI thread. The records hold no
            # cycles, so nothing is lost by not collecting meanwhile.
            gc.disable()
            report = library.import_file(self.path, progress=self._token.callback(self._report))
        except Cancelled:
            return ImportOutcome(self.path, Status.CANCELLED)
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                self._bug = exc
                message = f"Briefer hit a bug importing it ({type(exc).__name__}: {exc})"
            return ImportOutcome(self.path, Status.FAILED, reason=message)
        finally:
            if collecting:
                gc.enable()
            if library is not None:
                with contextlib.suppress(Exception):
                    library.close()
        if report.failed:
            return ImportOutcome(self.path, Status.FAILED, report, report.error)
        return ImportOutcome(self.path, Status.DONE, report)

    def _report(self, progress: Progress) -> None:
        with contextlib.suppress(RuntimeError):
            self.progressed.emit(progress)
            if not self._running.is_set():
                self.paused.emit()
                self._running.wait(PAUSE_LIMIT_S)


class ImportProgressDialog(QDialog):
    """What is being imported, how far along, and Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import-progress")
        self.setWindowTitle("Importing Snippets")
        self.setAccessibleName("Import progress")
        self.label = QLabel("Starting…")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setMinimumWidth(380)
        self.bar = QProgressBar()
        self.bar.setRange(0, STEPS)
        self.bar.setAccessibleName("Progress of the file being imported")
        self.note = QLabel("Cancel keeps the library as it was before this file.")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setEnabled(False)  # drawn as secondary text
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

    def show_progress(self, what: str, done: int, total: int) -> None:
        self.label.setText(what)
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)  # busy, amount unknown

    def show_cancelling(self) -> None:
        self.label.setText("Cancelling…")
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        """Cancel (the button, Escape, or closing the window): the window
        stays until the import has stopped."""
        self.cancel_requested.emit()


class ImportQueue(QObject):
    """Files imported one after another, with one progress window and one
    report for the batch (files dropped while a batch runs join it)."""

    stored = Signal()  # a file's import changed the library
    batch_finished = Signal(object)  # list[ImportOutcome], in the order given

    def __init__(self, parent: QWidget, open_library: OpenLibrary) -> None:
        super().__init__(parent)
        self._parent = parent
        self._open_library = open_library
        self._pending: list[tuple[int, Path]] = []
        self._outcomes: list[tuple[int, ImportOutcome]] = []  # with the order given
        self._order = 0
        self._job: ImportJob | None = None
        self._cancelled = False
        self._count = 0  # files in the batch that import (not refused)
        self._current = 0  # the order of the file being imported
        self._dialog: ImportProgressDialog | None = None
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_PROGRESS_AFTER_MS)
        self._show_timer.timeout.connect(self._show_dialog)
        # The panel closing with the window: stop the import rather than let
        # it run on, unseen, to its end.
        parent.destroyed.connect(lambda *_: self._abandon())

    def _abandon(self) -> None:
        # Runs as the Qt objects go: only Python state is touched here.
        job = self._job
        if job is not None:
            job.cancel()

    def add(self, paths: Sequence[Path]) -> None:
        """Import `paths` after any still waiting; files of kinds the library
        does not import are only listed in the batch's report."""
        for path in paths:
            self._order += 1
            if importable(path):
                self._pending.append((self._order, path))
                self._count += 1
            else:
                refused = ImportOutcome(path, Status.REFUSED, reason=refusal(path))
                self._outcomes.append((self._order, refused))
        if self._job is None:
            self._next()

    def is_running(self) -> bool:
        return self._job is not None

    def cancel(self) -> None:
        """Stop the file being imported and drop those still waiting."""
        if self._job is None:
            return
        self._cancelled = True
        self._job.cancel()
        if self._dialog is not None:
            self._dialog.show_cancelling()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running file's thread (for shutting down)."""
        return self._job is None or self._job.wait(timeout)

    def progress_dialog(self) -> ImportProgressDialog | None:
        """The batch's progress window (hidden until the import has taken
        a moment)."""
        return self._dialog

    def _next(self) -> None:
        if not self._pending:
            self._finish_batch()
            return
        self._current, path = self._pending.pop(0)
        job = ImportJob(path, self._open_library, self)
        job.progressed.connect(self._progressed)
        job.paused.connect(self._paused)
        job.finished.connect(self._job_finished)
        self._job = job
        if self._dialog is None:
            # Made before the worker starts: built while the worker holds
            # the interpreter, the window took 100 ms of the GUI thread.
            self._dialog = ImportProgressDialog(self._parent)
            self._dialog.cancel_requested.connect(self.cancel)
            self._show_timer.start()
        self._dialog.show_progress(self._what(f"Reading {path.name}"), 0, STEPS)
        job.start()

    def _what(self, what: str) -> str:
        done = sum(o.status is not Status.REFUSED for _, o in self._outcomes)
        if self._count > 1:
            return f"{what} (file {done + 1} of {self._count})"
        return what

    def _progressed(self, progress: Progress) -> None:
        if self._dialog is not None and not self._cancelled:
            self._dialog.show_progress(self._what(progress.what), progress.done, progress.total)

    def _show_dialog(self) -> None:
        """Time to show the progress: first hold the worker (`_paused`
        shows the window), or show it anyway if the worker does not stop."""
        if self._job is not None and self._dialog is not None:
            self._job.pause()
            QTimer.singleShot(250, self._show_now)

    def _paused(self) -> None:
        job = self._job
        self._show_now()
        if job is not None:
            QTimer.singleShot(PAUSE_FOR_WINDOW_MS, job.resume)

    def _show_now(self) -> None:
        if self._job is not None and self._dialog is not None and not self._dialog.isVisible():
            self._dialog.show()
            self._dialog.repaint()  # drawn now, while the worker waits

    def _job_finished(self, outcome: ImportOutcome) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.deleteLater()
            bug = job.take_bug()
            if bug is not None:  # logged and shown the way every bug is
                sys.excepthook(type(bug), bug, bug.__traceback__)
        self._outcomes.append((self._current, outcome))
        if outcome.added or outcome.duplicates:
            # A duplicate taken out of the trash changes the library too.
            self.stored.emit()
        if self._cancelled:
            self._outcomes.extend((i, ImportOutcome(p, Status.SKIPPED)) for i, p in self._pending)
            self._pending.clear()
        self._next()

    def _finish_batch(self) -> None:
        self._show_timer.stop()
        outcomes = [outcome for _, outcome in sorted(self._outcomes, key=lambda o: o[0])]
        self._outcomes = []
        self._cancelled = False
        self._count = 0
        dialog, self._dialog = self._dialog, None
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()
        if outcomes:
            self.batch_finished.emit(outcomes)


# -- the report --------------------------------------------------------------


@dataclass(frozen=True)
class ReportText:
    """The report in words: a headline, then per file its lines."""

    headline: str
    files: list[tuple[str, list[str]]] = field(default_factory=list)

    def plain(self) -> str:
        lines = [self.headline, ""]
        for title, details in self.files:
            lines.append(title)
            lines.extend(f"    {line}" for line in details)
        return "\n".join(lines).rstrip() + "\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _file_line(outcome: ImportOutcome) -> str:
    name = outcome.path.name
    if outcome.status is Status.DONE:
        parts = [_count(outcome.added, "snippet added", "snippets added")]
        if outcome.duplicates:
            parts.append(f"{outcome.duplicates:,} already in the library")
        if outcome.rejected:
            parts.append(_count(outcome.rejected, "row rejected", "rows rejected"))
        return f"{name}: {', '.join(parts)}"
    if outcome.status is Status.CANCELLED:
        return f"{name}: cancelled; nothing of it was stored"
    if outcome.status is Status.SKIPPED:
        return f"{name}: not imported (cancelled before it started)"
    return f"{name}: not imported: {outcome.reason}"


def describe(outcomes: Sequence[ImportOutcome]) -> ReportText:
    """The report of a batch, in words a person reads."""
    added = sum(o.added for o in outcomes)
    duplicates = sum(o.duplicates for o in outcomes)
    rejected = sum(o.rejected for o in outcomes)
    imported = [o for o in outcomes if o.status is Status.DONE]
    cancelled = next((o for o in outcomes if o.status is Status.CANCELLED), None)
    if cancelled is not None:
        headline = (
            f"Import cancelled. Nothing of {cancelled.path.name} was stored: the library"
            " is as it was before that file."
        )
        if imported:
            headline += f" Files imported before it: {_count(added, 'snippet', 'snippets')} added."
    elif not imported:
        headline = (
            f"{outcomes[0].path.name} was not imported."
            if len(outcomes) == 1
            else "None of the files was imported."
        )
    else:
        what = outcomes[0].path.name if len(outcomes) == 1 else f"{len(imported)} files"
        headline = f"Imported {what}: {_count(added, 'snippet added', 'snippets added')}"
        extras = []
        if duplicates:
            extras.append(f"{duplicates:,} already in the library")
        if rejected:
            extras.append(_count(rejected, "row rejected", "rows rejected"))
        headline += (", " + ", ".join(extras) if extras else "") + "."
        left_out = len(outcomes) - len(imported)
        if left_out:
            headline += f" {_count(left_out, 'file was', 'files were')} not imported."
    files = []
    for outcome in outcomes:
        details = []
        if outcome.status is Status.DONE and outcome.report is not None:
            details = [f"line {r.line}: {r.reason}" for r in outcome.report.rejected]
        files.append((_file_line(outcome), details))
    return ReportText(headline, files)


class ImportReportDialog(QDialog):
    """The report of a batch of imports (not modal: read it, copy it,
    close it). Every text in it is plain text, never markup."""

    def __init__(self, outcomes: Sequence[ImportOutcome], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import-report")
        self.setWindowTitle("Import Report")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.outcomes = list(outcomes)
        self.text = describe(self.outcomes)

        self.headline = QLabel(self.text.headline)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Files imported")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["File", "Added", "Already in library", "Rejected"])
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for outcome in self.outcomes:
            self._add_file(outcome)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy Report")
        self.copy_button.setToolTip("Copy the whole report, every rejected row, as text")
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 340 if any(o.rejected for o in self.outcomes) else 240)

    def _add_file(self, outcome: ImportOutcome) -> None:
        if outcome.status is Status.DONE:
            counts = [f"{outcome.added:,}", f"{outcome.duplicates:,}", f"{outcome.rejected:,}"]
        else:
            counts = ["–", "–", "–"]
        item = QTreeWidgetItem([outcome.path.name, *counts])
        item.setToolTip(0, str(outcome.path))
        self.tree.addTopLevelItem(item)  # first: a row spans columns only in its tree
        for column in (1, 2, 3):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        if outcome.status is not Status.DONE:
            reason = _file_line(outcome).split(": ", 1)[1]
            self._add_line(item, reason[:1].upper() + reason[1:].rstrip(".") + ".")
        elif outcome.report is not None:
            rejected = outcome.report.rejected
            for rejection in rejected[:MAX_REJECTIONS_SHOWN]:
                self._add_line(item, f"Line {rejection.line}: {rejection.reason}")
            if len(rejected) > MAX_REJECTIONS_SHOWN:
                more = len(rejected) - MAX_REJECTIONS_SHOWN
                self._add_line(item, f"… and {more:,} more (Copy Report lists them all)")
        item.setExpanded(True)

    def _add_line(self, parent: QTreeWidgetItem, text: str) -> None:
        child = QTreeWidgetItem([" ".join(text.split())])
        child.setToolTip(0, text)
        parent.addChild(child)
        child.setFirstColumnSpanned(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.plain())
