"""The window's Template menu: switch the brief's template, save the brief as
a template, edit a template, manage them all.

`TemplateCommands` holds the menu's actions for one window. It stands on
the core: switching is `briefer.editing.retemplate` (every word kept, text
that fits nowhere under "Other"), pushed on the brief's undo stack as one
step that puts back the old template too (`BriefModel.apply_template`);
saving a brief as a template is `briefer.template_store.template_from_brief`
and `UserTemplates.save`, run off the GUI thread (`BackgroundCall`). When
the template editor saves the template the open brief is written with, the
brief takes the new version, as one undo step too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from briefer.compose import section_name
from briefer.editing import retemplate
from briefer.errors import BrieferError, environment_error
from briefer.model import Brief, Template
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.template_editing import template_id_for
from briefer.template_store import UserTemplates, template_from_brief
from briefer.templates import TemplateRegistry

from .brief_model import BriefModel
from .dialogs import TemplatePicker
from .forms import accept_buttons

BugReporter = Callable[[BaseException], str]
Status = Callable[[str, int], None]


class BackgroundCall(QObject):
    """One core call on a background thread: `done(result)` or
    `failed(message)` arrive on the GUI thread. A bug is logged through
    `report_bug` and said in words, never raised into Qt."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        call: Callable[[], object],
        *,
        report_bug: BugReporter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._call = call
        self._report_bug = report_bug
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundCall:
        self._thread = threading.Thread(target=self._run, name="briefer-templates", daemon=True)
        self._thread.start()
        return self

    def is_running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def _run(self) -> None:
        signal, args = self.done, ()
        try:
            args = (self._call(),)
        except BrieferError as exc:
            signal, args = self.failed, (str(exc),)
        except Exception as exc:
            problem = environment_error(exc)
            if problem is not None:
                message = str(problem)
            else:
                where = self._report_bug(exc) if self._report_bug is not None else ""
                message = f"{type(exc).__name__}: {exc}. {where}".strip()
            signal, args = self.failed, (message,)
        # Finished before the result arrives: whoever receives it may start
        # the next call.
        self._finished.set()
        self._emit(signal, *args)

    def _emit(self, signal, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            signal.emit(*args)


def switch_template(model: BriefModel, template: Template) -> bool:
    """Put the model's brief in the shape of `template`, every word kept,
    as one undo step (undo brings back the brief and its old template).
    False when there is nothing to change."""
    if template == model.template:
        return False
    brief = retemplate(model.brief, template, old=model.template)
    label = (
        f"Use the edited {template.name}"
        if template.id == model.template.id
        else f"Change template to {template.name}"
    )
    model.apply_template(brief, template, label)
    return True


class SaveAsTemplateDialog(QDialog):
    """Name and description of a template made from the brief, and whether
    its text becomes the template's sample."""

    def __init__(self, model: BriefModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as Template")
        self.setAccessibleName("Save the brief as a template")
        self.name = QLineEdit()
        self.name.setAccessibleName("Template name")
        self.name.setPlaceholderText("For example: Europe desk brief")
        self.description = QLineEdit()
        self.description.setAccessibleName("Template description")
        self.description.setPlaceholderText("What the template is for, in one line (optional)")
        self.keep_sample = QCheckBox("Keep this brief's text as the template's sample")
        self.keep_sample.setToolTip(
            "The sample is what the template manager and the New dialog show; without it,"
            " the template is shown with a line of guidance in each section"
        )
        sections = [
            section_name(s.heading, s.id) if s.heading.strip() else section_name("", s.id).title()
            for s in model.brief.sections
        ]
        summary = QLabel(
            f"Sections, in this order: {', '.join(sections)}.\n"
            f"Look: {model.template.name}'s page, fonts, header and footer."
        )
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Description:", self.description)
        self.buttons = accept_buttons(self, QDialogButtonBox.StandardButton.Save, "Save Template")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.save_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.keep_sample)
        layout.addWidget(summary)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())


class TemplateCommands(QObject):
    """The Template menu of one window: Change Template, Edit Template,
    Save as Template and Manage Templates, each an action with a shortcut."""

    template_saved = Signal(object)  # Template: saved by the editor or "Save as Template"

    def __init__(
        self,
        window: QWidget,
        model: BriefModel,
        registry: TemplateRegistry,
        *,
        cache_dir: Path,
        export_settings: ExportSettings | None = None,
        status: Status | None = None,
        report_bug: BugReporter | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = model
        self.registry = registry
        self.cache_dir = cache_dir
        self.export_settings = export_settings
        self._status = status or (lambda _message, _ms: None)
        self._report_bug = report_bug
        self.picker: TemplatePicker | None = None
        self.save_dialog: SaveAsTemplateDialog | None = None
        self.manager = None  # TemplateManager, once opened
        self.editors: list = []  # TemplateEditor windows open
        self.job: BackgroundCall | None = None

        self.act_change = self._action(
            "&Change Template…",
            "Write this brief with another template; every word is kept",
            "Ctrl+T",
            self.change_template,
        )
        self.act_edit = self._action(
            "&Edit Template…",
            "Change the sections and look of this brief's template",
            "Ctrl+Alt+M",
            self.edit_template,
        )
        self.act_save_as = self._action(
            "&Save as Template…",
            "Make a template of this brief's sections and look",
            "Ctrl+Alt+S",
            self.save_as_template,
        )
        self.act_manage = self._action(
            "&Manage Templates…",
            "See, duplicate, rename, delete, import and export templates",
            "Ctrl+Shift+M",
            self.manage_templates,
        )
        self.template_saved.connect(self.follow_saved)

    def actions(self) -> list[QAction]:
        return [self.act_change, self.act_edit, self.act_save_as, self.act_manage]

    def set_read_only(self, read_only: bool) -> None:
        """A brief open read-only keeps its template."""
        self.act_change.setEnabled(not read_only)

    def _action(self, text: str, tip: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(keys))
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})")
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- switching --------------------------------------------------------

    def change_template(self) -> TemplatePicker:
        """Show the template picker; the template chosen becomes the brief's."""
        picker = TemplatePicker(
            self.registry.all(),
            self.cache_dir,
            self.export_settings,
            current=self.model.template.id,
            parent=self.window,
        )
        picker.setWindowTitle("Change Template")
        picker.setAccessibleName("Change the brief's template")
        ok = picker.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Change Template")
        picker.accepted.connect(lambda: self._picked(picker))
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()
        return picker

    def _picked(self, picker: TemplatePicker) -> None:
        template = picker.selected()
        if template is None:
            return
        old = self.model.template
        if switch_template(self.model, template):
            self._status(
                f"The brief now uses {template.name} (it used {old.name}); Undo switches back.",
                8000,
            )

    def follow_saved(self, template: Template) -> None:
        """A template was saved: the registry forgets what it loaded, and
        the open brief, if written with it, takes the new version."""
        self.registry.refresh()
        if template.id == self.model.template.id and switch_template(self.model, template):
            self._status(f"The brief follows the edited {template.name}.", 6000)

    # -- saving the brief as a template -------------------------------------

    def save_as_template(self) -> SaveAsTemplateDialog:
        dialog = SaveAsTemplateDialog(self.model, self.window)
        dialog.accepted.connect(lambda: self._save_as(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def _save_as(self, dialog: SaveAsTemplateDialog) -> None:
        name = dialog.name.text().strip()
        taken = {t.id for t in self.registry.all()}
        paths = self.registry.paths
        work = _SaveAs(
            self.model.brief,
            self.model.template,
            name=name,
            description=dialog.description.text().strip(),
            keep_sample=dialog.keep_sample.isChecked(),
            taken=frozenset(taken),
            paths=paths,
        )
        job = BackgroundCall(work, report_bug=self._report_bug, parent=self)
        job.done.connect(self._saved_as)
        job.failed.connect(lambda message: self._error("Cannot save the template", message))
        self.job = job.start()
        self._status(f"Saving the template {name}…", 0)

    def _saved_as(self, template: Template) -> None:
        self.registry.refresh()
        self._status(
            f"Saved the template {template.name}. Use it with Change Template (Ctrl+T) or New;"
            " Manage Templates shares it.",
            10000,
        )
        if self.manager is not None:
            self.manager.reload(select=template.id)

    # -- the editor and the manager -------------------------------------------

    def edit_template(self, template: Template | None = None):
        """Open the template editor on `template` (the brief's by default)."""
        from .template_editor import TemplateEditor

        template = template or self.model.template
        for editor in self.editors:
            if editor.template_id == template.id and editor.isVisible():
                editor.raise_()
                editor.activateWindow()
                return editor
        editor = TemplateEditor(
            template,
            self.registry.paths,
            export_settings=self.export_settings,
            report_bug=self._report_bug,
        )
        editor.saved.connect(self.template_saved)
        editor.closed.connect(lambda: self._forget_editor(editor))
        self.editors.append(editor)
        editor.show()
        return editor

    def close_editors(self) -> bool:
        """Close the template editors this window opened (each asks about
        unsaved changes); False while one stays open."""
        return all(editor.close() for editor in list(self.editors))

    def _forget_editor(self, editor: QObject) -> None:
        with contextlib.suppress(ValueError):
            self.editors.remove(editor)
            editor.deleteLater()

    def manage_templates(self):
        """Open the template manager (one per window)."""
        from .template_manager import TemplateManager

        if self.manager is None:
            manager = TemplateManager(
                self.registry,
                cache_dir=self.cache_dir,
                export_settings=self.export_settings,
                report_bug=self._report_bug,
                edit=self.edit_template,
                current=self.model.template.id,
                parent=self.window,
            )
            manager.changed.connect(self._manager_changed)
            self.manager = manager
        self.manager.show()
        self.manager.raise_()
        self.manager.activateWindow()
        return self.manager

    def _manager_changed(self, template_id: str) -> None:
        """A template was duplicated, renamed, deleted or imported: the
        brief written with it follows what is in effect now."""
        self.registry.refresh()
        if template_id != self.model.template.id:
            return
        try:
            current = self.registry.by_id(template_id)
        except BrieferError:
            return  # deleted with no built-in behind it: the brief keeps the template it has
        self.follow_saved(current)

    def _error(self, title: str, message: str) -> None:
        self._status("", 0)
        QMessageBox.warning(self.window, title, message)


@dataclass(frozen=True)
class _SaveAs:
    """The work of "Save as Template", run off the GUI thread: a template
    made from the brief, saved in the user templates folder under an id
    made from its name, never one in use (a built-in's id would override it)."""

    brief: Brief
    source: Template
    name: str
    description: str
    keep_sample: bool
    taken: frozenset[str]
    paths: Paths

    def __call__(self) -> Template:
        # A registry of its own: the window's is not to be touched from here.
        store = UserTemplates(self.paths, TemplateRegistry(self.paths))
        taken = set(self.taken)
        template_id = template_id_for(self.name, taken)
        while store.builtin(template_id) is not None:
            template_id = template_id_for(self.name, taken)
        draft = template_from_brief(
            self.brief,
            self.source,
            template_id=template_id,
            name=self.name,
            description=self.description,
            keep_sample=self.keep_sample,
        )
        return store.save(draft).template
