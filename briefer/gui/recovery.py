"""Never losing a word, in the window: autosave to the recovery folder, the
"Recover unsaved work" dialog, the lock prompt and the disk watcher.

The file logic is `briefer.recovery` (no Qt); this module times it and asks
the person. What the window does with it:

    autosaver = Autosaver.for_model(model, paths)   # or Autosaver(get_brief, get_path, paths)
    ...                                              # every change: autosaver.changed()
    autosaver.close()                                # in closeEvent, once the close is sure

    for item in RecoveryDialog.offer(paths, window): # at start
        ...open item.brief as unsaved, from item.original...
        autosaver.adopt(item)                        # its copy carries on being written

    watcher = DiskWatcher(window)
    watcher.watch(path, stamp)                       # after open / save (expect(stamp) after save)
    watcher.changed_on_disk.connect(window.check_disk)

- `Autosaver` writes the brief to its recovery file when typing has paused
  for `idle_ms` (1 s; the issue asks for 2 s), and at least every
  `longest_ms` (10 s) while typing goes on, so a crash loses at most about
  a second of work. The write runs on a single background thread: here
  it takes 0.5 ms to serialise a 10,000-word brief and 0.7 ms to write
  and fsync it, under the 2 ms a GUI-thread write may take, but fsync on
  a laptop disk or a network home folder can take tens of milliseconds,
  and a keystroke must never wait for a disk. A brief back at its saved
  state has no copy (`saved`); a clean close removes it (`close`).
- `RecoveryDialog` ("Recover unsaved work") lists what crashed or killed
  Briefers left, with Recover, Save As…, Discard and Later (keep them for
  the next start).
- `ask_how_to_open` tells a second Briefer who holds a brief and offers to
  open it read-only, as a copy, or (for a holder on another machine, whose
  process cannot be checked from here) to edit it anyway.
- `DiskWatcher` (QFileSystemWatcher on the file and its folder, so an
  editor's save-by-rename is seen) signals a change another program made;
  Briefer's own saves are not reported once `expect` has their stamp.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer.errors import BrieferError
from briefer.model import Brief
from briefer.paths import Paths
from briefer.recovery import (
    BriefLock,
    DiskState,
    FileStamp,
    LockOwner,
    LockState,
    Recovered,
    RecoveryFile,
    discard,
    disk_state,
    list_recovered,
    recovery_bytes,
    save_checked,
)
from briefer.text import slugify

from .forms import Question, message_box, push_button, spoken

__all__ = [
    "Autosaver",
    "BriefLock",
    "DiskWatcher",
    "OpenChoice",
    "RecoveryDialog",
    "ask_how_to_open",
    "held_message",
]

IDLE_MS = 1000  # a pause in typing this long writes the copy
LONGEST_MS = 10_000  # and while typing goes on, at least this often


# --------------------------------------------------------------------------
# Autosave
# --------------------------------------------------------------------------


class Autosaver(QObject):
    """Writes the brief to its recovery file a moment after each change.

    `get_brief()` gives the current brief, `get_path()` its file (None for
    one never saved) and `is_modified()` whether it differs from the saved
    one (default: always, once changed). Call `changed()` on every change.
    Errors (a full disk) are reported through `failed` and retried at the
    next change; `written` gives the recovery file after each write."""

    written = Signal(object)  # Path of the recovery file
    failed = Signal(str)
    # From the writer thread: the RecoveryFile, the file written (or None), an error.
    _finished = Signal(object, object, object)

    def __init__(
        self,
        get_brief: Callable[[], Brief],
        get_path: Callable[[], Path | None],
        paths: Paths,
        *,
        is_modified: Callable[[], bool] | None = None,
        idle_ms: int = IDLE_MS,
        longest_ms: int = LONGEST_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._get_brief = get_brief
        self._get_path = get_path
        self._is_modified = is_modified or (lambda: True)
        self._paths = paths
        self._longest = longest_ms / 1000
        self._handle = RecoveryFile(paths)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefer-autosave")
        self._last: tuple[Brief, Path | None] | None = None  # as last written
        self._pending_since: float | None = None
        self._recovery_path: Path | None = None
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(idle_ms)
        self._timer.timeout.connect(self.write_now)
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @classmethod
    def for_model(cls, model: QObject, paths: Paths, parent: QObject | None = None) -> Autosaver:
        """An autosaver for the window's `BriefModel` (its `brief`, `path`,
        `is_modified()` and its `changed`, `modified_changed` and
        `document_changed` signals), connected."""
        saver = cls(
            lambda: model.brief,  # type: ignore[attr-defined]
            lambda: model.path,  # type: ignore[attr-defined]
            paths,
            is_modified=model.is_modified,  # type: ignore[attr-defined]
            parent=parent or model,
        )
        model.changed.connect(lambda *_: saver.changed())  # type: ignore[attr-defined]
        model.modified_changed.connect(  # type: ignore[attr-defined]
            lambda modified: saver.changed() if modified else saver.saved()
        )
        model.document_changed.connect(saver.restart)  # type: ignore[attr-defined]
        return saver

    @property
    def recovery_path(self) -> Path | None:
        """The recovery file, once written (None before the first write
        and after the copy is removed)."""
        return self._recovery_path

    def changed(self) -> None:
        """The brief changed: write it when typing pauses (or has gone on
        for `longest_ms`)."""
        if self._closed:
            return
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        if now - self._pending_since >= self._longest:
            self.write_now()
        else:
            self._timer.start()

    def write_now(self) -> None:
        """Write the copy now (or remove it if the brief is as saved)."""
        self._timer.stop()
        self._pending_since = None
        if self._closed:
            return
        if not self._is_modified():
            self.saved()
            return
        brief, original = self._get_brief(), self._get_path()
        if self._last is not None and self._last[0] == brief and self._last[1] == original:
            return
        self._last = (brief, original)
        self._submit(self._handle, _write, brief, original)

    def flush(self, timeout: float = 5.0) -> None:
        """Write a pending change now and wait for the disk (before a risky
        step, and in tests)."""
        if self._timer.isActive():
            self.write_now()
        self._wait(timeout)

    def saved(self) -> None:
        """The brief was saved, or is back as saved: its copy goes."""
        self._timer.stop()
        self._pending_since = None
        self._last = None
        if not self._closed:
            self._submit(self._handle, _remove)

    def restart(self) -> None:
        """Another brief (New, Open, a template switch): the old copy goes
        and the brief in the window gets a file of its own."""
        if self._closed:
            return
        self._timer.stop()
        self._pending_since = None
        self._last = None
        old, self._handle = self._handle, RecoveryFile(self._paths)
        self._recovery_path = None
        self._submit(old, _close)
        if self._is_modified():
            self.changed()

    def adopt(self, recovered: Recovered) -> None:
        """Carry on in a recovered brief's file (after Recover), so it stays
        recoverable until saved. Raises `BrieferError` when another
        running Briefer has taken it."""
        self._timer.stop()
        self._wait(5.0)
        adopted = RecoveryFile.adopt(self._paths, recovered)
        old, self._handle = self._handle, adopted
        old.close()
        self._recovery_path = adopted.path
        if recovered.brief is not None:
            self._last = (recovered.brief, recovered.original)

    def close(self) -> None:
        """A clean close: the copy goes and no more are written."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._submit(self._handle, _close)
        self._writer.shutdown(wait=True)
        self._recovery_path = None

    # -- on the writer thread -------------------------------------------------

    def _submit(self, handle: RecoveryFile, job: Callable[..., Path | None], *args: object) -> None:
        """Run `job(handle, *args)` on the writer thread, in order."""

        def run() -> None:
            try:
                result = job(handle, *args)
            except Exception as exc:  # reported, never raised on a thread
                self._finished.emit(handle, None, exc)
            else:
                self._finished.emit(handle, result, None)

        self._writer.submit(run)

    def _wait(self, timeout: float) -> None:
        done: Future[None] = self._writer.submit(lambda: None)
        done.result(timeout)

    def _on_finished(
        self, handle: RecoveryFile, path: Path | None, error: BaseException | None
    ) -> None:
        if self._closed or handle is not self._handle:
            return  # about a brief no longer in the window
        if error is not None:
            self._last = None  # try again at the next change
            self.failed.emit(f"Unsaved work could not be kept for recovery: {error}")
            return
        self._recovery_path = path
        if path is not None:
            self.written.emit(path)


def _write(handle: RecoveryFile, brief: Brief, original: Path | None) -> Path:
    return handle.write_bytes(recovery_bytes(brief, original), brief, original)


def _remove(handle: RecoveryFile) -> None:
    handle.remove()


def _close(handle: RecoveryFile) -> None:
    handle.close()


# --------------------------------------------------------------------------
# "Recover unsaved work"
# --------------------------------------------------------------------------

BRIEF_FILTER = "Briefs (*.brief)"


class RecoveryDialog(QDialog):
    """What Briefers that crashed or were killed left unsaved: Recover one
    (the window opens it), Save As… a file, Discard, or decide Later (they
    are offered again at the next start)."""

    def __init__(self, items: Sequence[Recovered], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work")
        self.setObjectName("recovery-dialog")
        self.setMinimumWidth(560)
        self._chosen: list[Recovered] = []

        intro = QLabel(
            "Briefer was closed without saving the work below (it crashed, or was"
            " stopped). Recover a brief to carry on writing it, save it as a file,"
            " or discard it."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Unsaved briefs")
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        for item in items:
            self._add(item)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What was done")

        buttons = QDialogButtonBox()
        self.recover_button = _button("&Recover", "Open this brief to carry on")
        self.save_button = _button("&Save As…", "Save this brief as a file")
        self.discard_button = _button("&Discard", "Delete this unsaved work")
        self.later_button = _button("&Later", "Decide at the next start")
        buttons.addButton(self.recover_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.recover_button.clicked.connect(self.recover_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.later_button.clicked.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.recover_selected())
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        # Made the default once it is in the dialog (before, Qt would not
        # know whose default it is, and pick the next button at show).
        self.recover_button.setDefault(True)  # Return recovers the brief chosen
        self.list.setCurrentRow(0)
        self.list.setFocus()
        self._update_buttons()

    @classmethod
    def offer(cls, paths: Paths, parent: QWidget | None = None) -> list[Recovered]:
        """At start: show the dialog if anything is left to recover, and
        return what the person chose to recover ([] otherwise)."""
        items = list_recovered(paths)
        if not items:
            return []
        dialog = cls(items, parent)
        dialog.exec()
        return dialog.chosen()

    def chosen(self) -> list[Recovered]:
        """The briefs chosen with Recover, for the window to open."""
        return list(self._chosen)

    def remaining(self) -> list[Recovered]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
        ]

    def selected(self) -> Recovered | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    # -- the buttons ------------------------------------------------------------

    def recover_selected(self) -> None:
        recovered = self.selected()
        if recovered is None or recovered.brief is None:
            return
        self._chosen.append(recovered)
        self._take(recovered)
        self.accept()

    def save_selected(self) -> bool:
        recovered = self.selected()
        if recovered is None or recovered.brief is None:
            return False
        folder = recovered.original.parent if recovered.original else Path.home()
        name = (
            recovered.original.name
            if recovered.original
            else f"{slugify(recovered.title, 50) or 'recovered'}.brief"
        )
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save Recovered Brief As", str(folder / name), BRIEF_FILTER
        )
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".brief":
            path = path.with_name(path.name + ".brief")
        lock = BriefLock(path)
        attempt = lock.acquire()
        try:
            if attempt.state is LockState.HELD and attempt.holder is not None:
                QMessageBox.warning(self, "Not saved", held_message(path, attempt.holder))
                return False
            # The file dialog asked before replacing a file: overwrite.
            save_checked(recovered.brief, path, None, overwrite=True)
            discard(recovered)
        except (BrieferError, OSError) as exc:
            QMessageBox.critical(self, "Not saved", str(exc))
            return False
        finally:
            lock.release()
        self._take(recovered)
        self.status.setText(f"Saved “{recovered.title}” as {path}.")
        self._close_if_done()
        return True

    def discard_selected(self) -> bool:
        recovered = self.selected()
        if recovered is None:
            return False
        answer = QMessageBox.question(
            self,
            "Discard unsaved work",
            f"Discard the unsaved work in “{recovered.title}”? It cannot be brought back.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return False
        try:
            discard(recovered)
        except BrieferError as exc:
            QMessageBox.warning(self, "Not discarded", str(exc))
            return False
        self._take(recovered)
        self.status.setText(f"Discarded “{recovered.title}”.")
        self._close_if_done()
        return True

    # -- inside -----------------------------------------------------------------

    def _add(self, recovered: Recovered) -> None:
        item = QListWidgetItem(f"{recovered.title}\n{recovered.describe()}")
        item.setData(Qt.ItemDataRole.UserRole, recovered)
        item.setToolTip(str(recovered.original or "Never saved"))
        if recovered.brief is None:
            font = QFont(item.font())
            font.setItalic(True)
            item.setFont(font)
        self.list.addItem(item)

    def _take(self, recovered: Recovered) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) is recovered:
                self.list.takeItem(row)
                break
        self._update_buttons()

    def _close_if_done(self) -> None:
        if self.list.count() == 0:
            self.accept()

    def _update_buttons(self) -> None:
        recovered = self.selected()
        usable = recovered is not None and recovered.brief is not None
        self.recover_button.setEnabled(usable)
        self.save_button.setEnabled(usable)
        self.discard_button.setEnabled(recovered is not None)


def _button(text: str, tip: str) -> QPushButton:
    return push_button(text, tip, name=spoken(text))


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------


class OpenChoice(enum.Enum):
    READ_ONLY = "read-only"  # read and export it; Save asks for a new name
    COPY = "copy"  # open it as a new, unsaved brief
    EDIT_ANYWAY = "edit-anyway"  # take the lock over (holder on another machine)
    CANCEL = "cancel"


def held_message(path: Path, holder: LockOwner) -> str:
    """`“halden.brief” is open in another Briefer: anna on ws-12 (process
    4121), since 14:02 today.`"""
    return f"“{Path(path).name}” is open in another Briefer: {holder.describe()}."


def ask_how_to_open(parent: QWidget | None, path: Path, holder: LockOwner) -> OpenChoice:
    """Tell the person who holds the brief and ask how to open it. "Edit
    Anyway" is offered only for a holder on another machine: one on this
    machine is known to be running (a dead one's lock is taken over
    without asking)."""
    box = message_box(
        parent,
        "Brief in use",
        held_message(path, holder),
        icon=QMessageBox.Icon.Information,
        informative="Open it read-only to read and export it, or open a copy to work on"
        " separately (you choose a new name when you save).",
    )
    question = Question(box, otherwise=OpenChoice.CANCEL)
    read_only = question.add("Open &Read-Only", OpenChoice.READ_ONLY)
    question.add("Open a &Copy", OpenChoice.COPY, QMessageBox.ButtonRole.ActionRole)
    if not holder.on_this_host:
        question.add("&Edit Anyway", OpenChoice.EDIT_ANYWAY, QMessageBox.ButtonRole.DestructiveRole)
        box.setDetailedText(
            f"The lock file {path.parent / ('.~' + Path(path).name + '.lock')} says the brief"
            f" is open on {holder.host or 'another machine'}. If Briefer is no longer running"
            " there, Edit Anyway takes the lock over; if it is, saving from both would"
            " overwrite each other's work (Briefer will still warn before overwriting a"
            " change it did not make)."
        )
    question.add(QMessageBox.StandardButton.Cancel, OpenChoice.CANCEL)
    return question.ask(default=read_only)


# --------------------------------------------------------------------------
# Changed on disk
# --------------------------------------------------------------------------


class DiskWatcher(QObject):
    """Signals when another program changes or removes the brief's file.

    Watches the file and its folder (an editor that saves by writing a new
    file and renaming it over the old one replaces the watched file). Each
    change is signalled once, a moment (`settle_ms`) after the writing
    stops; a change back to what Briefer expects is no change."""

    changed_on_disk = Signal(object)  # DiskState.CHANGED or DiskState.MISSING

    def __init__(self, parent: QObject | None = None, *, settle_ms: int = 250) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._poke)
        self._watcher.directoryChanged.connect(self._poke)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settle_ms)
        self._timer.timeout.connect(self.check)
        self._path: Path | None = None
        self._expected: FileStamp | None = None
        self._told: str | DiskState | None = None  # the change signalled last

    @property
    def path(self) -> Path | None:
        return self._path

    def watch(self, path: Path | None, stamp: FileStamp | None = None) -> None:
        """Watch `path`, as Briefer read or wrote it (`stamp`); None stops."""
        self.stop()
        if path is None:
            return
        self._path = Path(path)
        self._expected = stamp
        self._add_paths()

    def expect(self, stamp: FileStamp | None) -> None:
        """Briefer saved the file itself: this is what it is now."""
        self._expected = stamp
        self._told = None

    def stop(self) -> None:
        self._timer.stop()
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        self._path = None
        self._expected = None
        self._told = None

    def check(self) -> DiskState:
        """Compare the file with what Briefer expects now; signal a change
        not told before."""
        self._timer.stop()
        if self._path is None:
            return DiskState.UNCHANGED
        self._add_paths()  # a replaced or re-created file is watched again
        state, now = disk_state(self._path, self._expected)
        if state is DiskState.UNCHANGED:
            self._told = None
            return state
        seen = now.sha256 if now is not None else state  # a touch is not a new change
        if seen != self._told:
            self._told = seen
            self.changed_on_disk.emit(state)
        return state

    def _poke(self, _path: str) -> None:
        self._timer.start()

    def _add_paths(self) -> None:
        if self._path is None:
            return
        wanted = [str(self._path.parent)]
        if self._path.exists():
            wanted.append(str(self._path))
        missing = [
            p for p in wanted if p not in self._watcher.files() + self._watcher.directories()
        ]
        if missing:
            self._watcher.addPaths(missing)
