"""The File menu's work for one window: new, open, save, revert, recent.

`BriefFiles` opens a `.brief` (locked against a second Briefer while it is
open; the second is told who has it and may open it read-only or as a
copy) or Markdown notes (a new, unsaved brief), saves through
`briefer.recovery.save_checked` so another program's change to the file is
never silently overwritten (Save As keeps both), reverts as one undo step,
carries on with a brief recovered after a crash, and asks before unsaved
work would be lost. The file logic is the core's (`briefer.briefs`,
`briefer.pipeline`, `briefer.recovery`); this module asks the person and
keeps the window's state: the file's stamp, its lock, read-only or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QWidget

from briefer.briefs import new_brief
from briefer.editing import complete_sections
from briefer.errors import BrieferError, environment_error
from briefer.model import Template
from briefer.pipeline import MARKDOWN_SUFFIXES, ExportSettings, load_input
from briefer.recovery import (
    BriefLock,
    ChangedOnDiskError,
    DiskState,
    FileStamp,
    LockState,
    Recovered,
    disk_state,
    load_stamped,
    save_checked,
)
from briefer.templates import TemplateRegistry
from briefer.text import slugify

from . import dialogs
from .brief_model import BriefModel
from .brief_view import BriefView
from .recovery import Autosaver, DiskWatcher, OpenChoice, ask_how_to_open
from .settings import Settings

BRIEF_FILTER = "Briefs (*.brief)"
MARKDOWN_FILTER = "Markdown (*.md *.markdown *.mdown *.txt)"
OPEN_FILTER = ";;".join(
    ("Briefs and Markdown (*.brief *.md *.markdown *.mdown *.txt)", BRIEF_FILTER, MARKDOWN_FILTER)
)
Ask = QMessageBox.StandardButton


@dataclass
class _FileState:
    """What the window knows about the brief's file on disk."""

    stamp: FileStamp | None = None  # as last read or written
    lock: BriefLock | None = None
    read_only: bool = False
    noticed: FileStamp | DiskState | None = None  # a change on disk already told


class BriefFiles(QObject):
    """Opening, saving and reverting the brief of one window."""

    state_changed = Signal()  # read-only or not, saved, another file: the title follows
    opened = Signal()  # another brief is in the window: the cursor goes to its start

    def __init__(
        self,
        window: QWidget,
        model: BriefModel,
        view: BriefView,
        *,
        registry: TemplateRegistry,
        settings: Settings,
        cache_dir: Path,
        export_settings: ExportSettings | None,
        autosaver: Autosaver,
        status: Callable[[str, int], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.view = view
        self.registry = registry
        self.settings = settings
        self._cache_dir = cache_dir
        self._export_settings = export_settings
        self._autosaver = autosaver
        self._status = status
        self._file = _FileState()
        self.disk_watcher = DiskWatcher(self)
        self.disk_watcher.changed_on_disk.connect(lambda _state: self.check_disk())

    @property
    def read_only(self) -> bool:
        return self._file.read_only

    # -- before work is lost ----------------------------------------------------

    def maybe_save(self, doing: str = "closing") -> bool:
        """Ask to save unsaved changes before they would be lost; False when
        the person cancels (or the save fails)."""
        if not self.model.is_modified():
            return True
        answer = QMessageBox.warning(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.model.display_name()} before {doing}?\n\n"
            "If you don't save, your changes will be lost.",
            Ask.Save | Ask.Discard | Ask.Cancel,
            Ask.Save,
        )
        if answer == Ask.Save:
            return self.save()
        return answer == Ask.Discard

    # -- new and open -------------------------------------------------------------

    def new_brief(self, template: Template | None = None) -> bool:
        """Start a new brief: the template is picked in a dialog (or given)."""
        if template is None:
            picker = dialogs.TemplatePicker(
                self.registry.all(),
                self._cache_dir,
                self._export_settings,
                current=self.model.template.id,
                parent=self.window,
            )
            if picker.exec() != QDialog.DialogCode.Accepted:
                return False
            template = picker.selected()
            if template is None:
                return False
        if not self.maybe_save("starting a new brief"):
            return False
        self.release()
        self.model.load(new_brief(template), template, path=None)
        self.opened.emit()
        return True

    def open_dialog(self) -> bool:
        folder = self.settings.open_folder() or (
            self.model.path.parent if self.model.path else Path.home()
        )
        chosen, _ = QFileDialog.getOpenFileName(self.window, "Open", str(folder), OPEN_FILTER)
        if not chosen:
            return False
        self.settings.set_open_folder(Path(chosen).parent)
        return self.open_path(Path(chosen))

    def open_path(self, path: Path, *, ask: bool = True) -> bool:
        """Open a `.brief` (locked while open) or Markdown notes (a new,
        unsaved brief). False when it cannot be opened or the person
        cancels."""
        path = path.expanduser().absolute()
        if self.model.path is not None and path == self.model.path:
            return True  # already open here
        suffix = path.suffix.lower()
        if suffix != ".brief" and suffix not in MARKDOWN_SUFFIXES:
            self._error("Cannot open", f"{path}: Briefer opens .brief files and Markdown notes.")
            return False
        if ask and not self.maybe_save("opening another brief"):
            return False
        try:
            if suffix == ".brief":
                return self._open_brief(path)
            loaded = load_input(path, self.registry)
        except BrieferError as exc:
            self._error("Cannot open", str(exc))
            return False
        except OSError as exc:
            self._error("Cannot open", str(environment_error(exc) or exc))
            return False
        self.release()
        self.model.load(
            loaded.brief, loaded.template, path=None, base_dir=path.parent, name=path.name
        )
        self.settings.add_recent_file(path)
        self._status(f"Opened {path.name} as a new brief; Save asks where to keep it.", 6000)
        self.opened.emit()
        return True

    def _open_brief(self, path: Path) -> bool:
        brief, stamp = load_stamped(path)
        template = self.registry.by_id(brief.template)
        completed = complete_sections(brief, template)
        lock: BriefLock | None = BriefLock(path)
        attempt = lock.acquire()
        read_only = False
        if attempt.state is LockState.HELD and attempt.holder is not None:
            choice = ask_how_to_open(self.window, path, attempt.holder)
            if choice is OpenChoice.CANCEL:
                return False
            if choice is OpenChoice.COPY:  # a new brief, saved under a new name
                self.release()
                name = f"Copy of {path.name}"
                self.model.load(completed, template, path=None, base_dir=path.parent, name=name)
                self.opened.emit()
                return True
            if choice is OpenChoice.EDIT_ANYWAY:
                attempt = lock.take_over()
            if choice is OpenChoice.READ_ONLY or attempt.state is not LockState.ACQUIRED:
                lock, read_only = None, True
        elif attempt.state is LockState.UNAVAILABLE:
            lock = None  # a read-only folder, say: editing is fine, Save will say
        self.release()
        self._file = _FileState(stamp=stamp, lock=lock, read_only=read_only)
        self.model.load(completed, template, path=path, saved=completed)
        self.view.set_read_only(read_only)
        self.disk_watcher.watch(path, stamp)
        self.settings.add_recent_file(path)
        self.state_changed.emit()
        self.opened.emit()
        return True

    def open_recovered(self, item: Recovered) -> bool:
        """Carry on with a brief recovered after a crash: unsaved, in its
        own file's place when it had one (Save writes there)."""
        brief = item.brief
        if brief is None:
            return False
        try:
            template = self.registry.by_id(brief.template)
        except BrieferError as exc:
            self._error("Cannot recover", str(exc))
            return False
        brief = complete_sections(brief, template)
        self.release()
        original = item.original
        if original is not None and original.is_file():
            try:
                saved, stamp = load_stamped(original)
            except BrieferError:
                saved, stamp = None, None
            lock = BriefLock(original)
            held = lock.acquire().state is LockState.ACQUIRED
            self._file = _FileState(stamp=stamp, lock=lock if held else None)
            saved = complete_sections(saved, template) if saved is not None else None
            self.model.load(brief, template, path=original, saved=saved)
            self.disk_watcher.watch(original, stamp)
        else:
            name = f"{item.title} (recovered)"
            base = original.parent if original is not None else None
            self.model.load(brief, template, path=None, base_dir=base, name=name)
        try:
            self._autosaver.adopt(item)  # it stays recoverable until saved
        except BrieferError as exc:
            self._status(str(exc), 8000)
        self._status(f"Recovered “{item.title}”: save it to keep it.", 8000)
        self.state_changed.emit()
        self.opened.emit()
        return True

    def release(self) -> None:
        """Let the brief's file go (its lock and its watch)."""
        if self._file.lock is not None:
            self._file.lock.release()
        self._file = _FileState()
        self.disk_watcher.stop()
        self.view.set_read_only(False)

    # -- save -------------------------------------------------------------------

    def save(self) -> bool:
        if self.model.path is None or self._file.read_only:
            return self.save_as()
        return self._write(self.model.path, self._file.stamp, overwrite=False)

    def save_as(self) -> bool:
        suggested = self.suggested_path(".brief")
        chosen, _ = QFileDialog.getSaveFileName(
            self.window, "Save Brief As", str(suggested), BRIEF_FILTER
        )
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".brief":
            path = path.with_name(path.name + ".brief")
        path = path.absolute()
        if path == self.model.path:
            return self._write(path, self._file.stamp, overwrite=True)
        lock = BriefLock(path)
        attempt = lock.acquire()
        if attempt.state is LockState.HELD:
            who = attempt.holder.describe() if attempt.holder else "another Briefer"
            self._error("Brief in use", f"{path.name} is open in another Briefer: {who}.")
            return False
        # The file dialog asked before replacing a file there.
        if not self._write(path, None, overwrite=True):
            lock.release()
            return False
        if self._file.lock is not None:
            self._file.lock.release()
        self._file.lock = lock if attempt.state is LockState.ACQUIRED else None
        self._file.read_only = False
        self.view.set_read_only(False)
        self.state_changed.emit()
        return True

    def _write(self, path: Path, expected: FileStamp | None, *, overwrite: bool) -> bool:
        try:
            stamp = save_checked(self.model.brief, path, expected, overwrite=overwrite)
        except ChangedOnDiskError as exc:
            return self._save_over_change(exc)
        except BrieferError as exc:
            self._error("Not saved", str(exc))
            return False
        except OSError as exc:
            self._error("Not saved", str(environment_error(exc) or f"{path}: {exc}"))
            return False
        self._file.stamp = stamp
        self._file.noticed = None
        self.model.mark_saved(path)
        if self.disk_watcher.path == path:
            self.disk_watcher.expect(stamp)
        else:
            self.disk_watcher.watch(path, stamp)
        self.settings.add_recent_file(path)
        self._status(f"Saved {path.name}", 4000)
        self.state_changed.emit()
        return True

    def _save_over_change(self, exc: ChangedOnDiskError) -> bool:
        changed = exc.state is DiskState.CHANGED
        choice = dialogs.ask_changed_on_disk(self.window, exc.path, changed)
        if choice is dialogs.OnDiskChoice.OVERWRITE:
            return self._write(exc.path, None, overwrite=True)
        if choice is dialogs.OnDiskChoice.SAVE_AS:
            return self.save_as()
        return False

    def suggested_path(self, suffix: str) -> Path:
        """Where Save As and Export propose to write: beside the brief (or
        its Markdown notes), named after it (or its title)."""
        model = self.model
        if model.path is not None:
            return model.path.parent / f"{model.path.stem}{suffix}"
        folder = model.base_dir or self.settings.open_folder() or Path.home()
        stem = Path(model.display_name()).stem if model.base_dir else ""
        stem = stem or slugify(model.brief.meta.title, 50) or "brief"
        return folder / f"{stem}{suffix}"

    # -- changes on disk and revert ---------------------------------------------

    def check_disk(self) -> DiskState:
        """Whether the brief's file changed on disk behind Briefer's back.
        Each change is told once: with nothing unsaved, the new version can
        be loaded; else the next save asks before overwriting it."""
        path = self.model.path
        if path is None or self._file.stamp is None:
            return DiskState.UNCHANGED
        state, now = disk_state(path, self._file.stamp)
        if state is DiskState.UNCHANGED:
            return state
        seen = now if now is not None else DiskState.MISSING
        if self._file.noticed == seen:
            return state
        self._file.noticed = seen
        if state is DiskState.CHANGED and not self.model.is_modified():
            answer = QMessageBox.question(
                self.window,
                "Changed on disk",
                f"{path.name} was changed by another program. Load the new version?",
                Ask.Yes | Ask.No,
                Ask.Yes,
            )
            if answer == Ask.Yes:
                self._reload_from_disk()
                return state
        done = "changed" if state is DiskState.CHANGED else "deleted or moved"
        self._status(
            f"{path.name} was {done} by another program; saving will ask before overwriting.",
            15000,
        )
        return state

    def revert(self) -> bool:
        path = self.model.path
        if path is None:
            return False
        if self.model.is_modified():
            answer = QMessageBox.question(
                self.window,
                "Revert to saved",
                f"Go back to {path.name} as saved? Your changes since then can still be"
                " brought back with Undo.",
                Ask.Yes | Ask.Cancel,
                Ask.Cancel,
            )
            if answer != Ask.Yes:
                return False
        return self._reload_from_disk()

    def _reload_from_disk(self) -> bool:
        path = self.model.path
        if path is None:
            return False
        try:
            brief, stamp = load_stamped(path)
            template = self.registry.by_id(brief.template)
        except BrieferError as exc:
            self._error("Cannot revert", str(exc))
            return False
        completed = complete_sections(brief, template)
        self._file.stamp = stamp
        self._file.noticed = None
        self.disk_watcher.expect(stamp)
        if template.id != self.model.template.id:
            self.model.load(completed, template, path=path, saved=completed)
        else:
            self.model.revert_to(completed)
        self._status(f"Reverted to {path.name} as saved", 4000)
        return True

    # -- recent files -------------------------------------------------------------

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        recent = self.settings.recent_files()
        for number, path in enumerate(recent, start=1):
            label = f"&{number} {path.name}" if number < 10 else path.name
            action = menu.addAction(label)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_recent(p))
        if not recent:
            menu.addAction("No recent files").setEnabled(False)
        else:
            menu.addSeparator()
            clear = menu.addAction("&Clear Recent Files")
            clear.setToolTip("Forget the recent files")
            clear.triggered.connect(self.settings.clear_recent_files)

    def open_recent(self, path: Path) -> bool:
        if not path.is_file():
            self.settings.remove_recent_file(path)
            self._error("Cannot open", f"{path} is no longer there; removed from recent files.")
            return False
        return self.open_path(path)

    def _error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.window, title, message)
