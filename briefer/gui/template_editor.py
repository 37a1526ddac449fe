"""The template editor: a template's sections and look, with its sample
exported beside them as each change is made.

`TemplateEditor` is a window of its own. On the left, the template's name
and description, then tabs: the sections (add, remove, reorder; heading,
kind, guidance, word budget, required), the page (size, margins, logo,
classification banner), the text (fonts from the installed ones, sizes,
colours with a colour picker, heading look), the header and footer (with
buttons that insert the fields) and the sources (citation style). On the
right, the live preview: the same panel as the main window's
(`preview.PreviewPanel`, a worker process rendering the PDF), showing the
template's sample reshaped to the sections as they are
(`briefer.template_editing.preview_brief`).

Every change is one call into `briefer.template_editing`, which returns a
new template or refuses the value (`EditError`): `TemplateDocument` pushes
each new value on a QUndoStack of template snapshots, as `BriefModel` does
for briefs, merging the keystrokes of one field into one step. Widgets are
constrained to what the template file can hold (ranges come from the
core), so an invalid value cannot be typed; what the core still refuses
(margins that leave no room to write, a field Briefer does not know) is
said in the status bar and the widget goes back to the template's value.

Saving goes through `briefer.template_store.UserTemplates`, off the GUI
thread: the person's own template is rewritten atomically in its folder; a
built-in one becomes the person's own copy of the same id, which replaces
it until deleted in the template manager.

This module is the window: its layout, actions, undo, preview and saving.
The parts live beside it: `template_editor_document` (the template and its
undo stack, saving), `template_editor_fields` (the field rows every tab is
made of, and the one door edits go through), `template_editor_sections`
(the Sections tab) and `template_editor_look` (Page, Text, Header & Footer
and Sources).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from briefer.model import Brief, Template
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.template_editing import preview_brief

from .preview import PreviewPanel
from .section_editor import undo_keys, yields_key
from .template_commands import BackgroundCall, BugReporter
from .template_editor_document import SaveTemplate, TemplateDocument, load_sample
from .template_editor_fields import Editing, FieldRows, detail_value
from .template_editor_look import FontLister, HeaderFooterTab, PageTab, SourcesTab, TextTab
from .template_editor_sections import SectionsTab

__all__ = ["TemplateDocument", "TemplateEditor"]


class TemplateEditor(QMainWindow):
    """Edit one template, with its sample previewed beside it."""

    saved = Signal(object)  # the Template as saved
    save_failed = Signal(str)
    closed = Signal()

    def __init__(
        self,
        template: Template,
        paths: Paths,
        *,
        export_settings: ExportSettings | None = None,
        report_bug: BugReporter | None = None,
        preview: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("briefer-template-editor")
        self.paths = paths
        self.export_settings = export_settings
        self._report_bug = report_bug
        self.document = TemplateDocument(template, parent=self)
        self.editing = Editing(self.document, say=self._say, refresh=self._refresh)
        self.template_id = template.id
        self._sample = load_sample(template)
        self._today = dt.date.today().isoformat()
        self._closing = False
        self.save_job: BackgroundCall | None = None
        self._yield = _YieldUndo(self)

        self.preview = PreviewPanel(self, active=preview)
        self.preview.rendered.connect(
            lambda pages: self.preview_label.setText(f"Preview: {pages} page{'s' * (pages != 1)}")
        )
        self.preview.failed.connect(lambda _m: self.preview_label.setText("Preview: not updated"))
        self.sections_tab = SectionsTab(self.editing)
        self.page_tab = PageTab(self.editing)
        self.text_tab = TextTab(self.editing)
        self.header_tab = HeaderFooterTab(self.editing)
        self.sources_tab = SourcesTab(self.editing)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.sections_tab, "&Sections")
        self.tabs.addTab(self.page_tab, "&Page")
        self.tabs.addTab(self.text_tab, "&Text")
        self.tabs.addTab(self.header_tab, "&Header && Footer")
        self.tabs.addTab(self.sources_tab, "S&ources")
        self._name_widgets()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(self._details_form())
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setAccessibleName("About this template")
        left_layout.addWidget(self.note)
        left_layout.addWidget(self.tabs, 1)
        left.setMinimumWidth(430)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 620])
        self.setCentralWidget(self.splitter)
        self.preview_label = QLabel()
        self.statusBar().addPermanentWidget(self.preview_label)

        self._make_actions()
        self.document.changed.connect(self._changed)
        self.document.modified_changed.connect(lambda _m: self._update_title())
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QLineEdit, QPlainTextEdit, QAbstractSpinBox)):
                widget.installEventFilter(self._yield)
        self._fonts = FontLister(export_settings, self)
        self._fonts.ready.connect(self.text_tab.fonts_listed)
        self._fonts.start()
        self._refresh()
        self._request_preview()
        self.resize(1200, 820)

    @property
    def template(self) -> Template:
        return self.document.template

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------

    def _name_widgets(self) -> None:
        """The tabs' widgets, by the names a person's script (and the
        tests) reach them by."""
        sections, page, text = self.sections_tab, self.page_tab, self.text_tab
        self.section_list = sections.section_list
        self.add_button = sections.add_button
        self.remove_button = sections.remove_button
        self.up_button = sections.up_button
        self.down_button = sections.down_button
        self.section_box = sections.section_box
        self.heading_edit = sections.heading_edit
        self.kind_combo = sections.kind_combo
        self.guidance_edit = sections.guidance_edit
        self.budget_spin = sections.budget_spin
        self.required_check = sections.required_check
        self.page_combo = page.page_combo
        self.margin_spins = page.margin_spins
        self.logo_label = page.logo_label
        self.logo_button = page.logo_button
        self.logo_remove = page.logo_remove
        self.logo_width = page.logo_width
        self.banner_check = page.banner_check
        self.banner_colour = page.banner_colour
        self.font_combos = text.font_combos
        self.font_note = text.font_note
        self.body_size = text.body_size
        self.title_size = text.title_size
        self.heading_spins = text.heading_spins
        self.line_spacing = text.line_spacing
        self.text_colour = text.text_colour
        self.accent_colour = text.accent_colour
        self.look_combo = text.look_combo
        self.level_combo = text.level_combo
        self.smart_check = text.smart_check
        self.pattern_edits = self.header_tab.pattern_edits
        self.citation_combo = self.sources_tab.citation_combo
        self.text_edits = self.sources_tab.text_edits
        self.contents_check = self.sources_tab.contents_check

    def _make_actions(self) -> None:
        bar = QToolBar("Template")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        sk = QKeySequence.StandardKey
        self.act_save = QAction("&Save Template", self)
        self.act_save.setShortcut(sk.Save)
        self.act_save.triggered.connect(lambda: self.save())
        self.act_undo = self.document.stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts(sk.Undo)
        self.act_redo = self.document.stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts(sk.Redo)
        self.act_close = QAction("&Close", self)
        self.act_close.setShortcut(sk.Close)
        self.act_close.triggered.connect(self.close)
        for action, tip in (
            (self.act_save, "Save the template; briefs written with it follow"),
            (self.act_undo, "Undo the last change to the template"),
            (self.act_redo, "Redo what was undone"),
            (self.act_close, "Close the editor"),
        ):
            shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({shown})")
            action.setStatusTip(tip)
            self.addAction(action)
        bar.addAction(self.act_save)
        bar.addSeparator()
        bar.addActions([self.act_undo, self.act_redo])
        menu = self.menuBar().addMenu("&Template")
        menu.addActions([self.act_save, self.act_close])
        edit = self.menuBar().addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        for each in (menu, edit):
            each.setToolTipsVisible(True)

    def _details_form(self) -> QFormLayout:
        self.details = FieldRows(self.editing)
        self.name_edit = self.details.bind(
            QLineEdit(), detail_value("name"), "Rename template", "name", name="Template name"
        )
        self.description_edit = self.details.bind(
            QLineEdit(),
            detail_value("description"),
            "Change description",
            "description",
            name="Template description",
        )
        self.description_edit.setPlaceholderText("What the template is for, in one line")
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Description:", self.description_edit)
        return form

    # ------------------------------------------------------------------
    # Showing the template
    # ------------------------------------------------------------------

    def _say(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _changed(self, old: Template, new: Template) -> None:
        self._refresh()
        # The stand-in title of a template without a sample carries its name.
        if (old.sections, old.style, old.id, old.name) != (
            new.sections,
            new.style,
            new.id,
            new.name,
        ):
            self._request_preview()

    def _request_preview(self) -> None:
        template = self.template
        brief: Brief = preview_brief(template, self._sample, date=self._today)
        base = template.sample_path.parent if template.sample_path else template.directory
        self.preview.request(brief, template, base)

    def _refresh(self) -> None:
        """Every widget from the template as it is (no edits result)."""
        template = self.template
        self.details.show(template)
        for tab in (
            self.sections_tab,
            self.page_tab,
            self.text_tab,
            self.header_tab,
            self.sources_tab,
        ):
            tab.refresh(template)
        self._update_title()

    def _update_title(self) -> None:
        template = self.template
        self.setWindowTitle(f"{template.name}[*] — Template — Briefer")
        self.setWindowModified(self.document.is_modified())
        if template.builtin:
            self.note.setText(
                f"{template.name} is built into Briefer. Saving makes it your own copy, which"
                " replaces the built-in one until you delete it in Manage Templates."
            )
        else:
            self.note.setText(f"Your template, kept in {template.directory}.")

    # ------------------------------------------------------------------
    # Saving and closing
    # ------------------------------------------------------------------

    def save(self) -> BackgroundCall | None:
        """Save in the background; `saved` or `save_failed` follows."""
        if self.save_job is not None and self.save_job.is_running():
            return self.save_job
        work = SaveTemplate(self.template, self._sample, self.paths)
        job = BackgroundCall(work, report_bug=self._report_bug, parent=self)
        job.done.connect(self._saved)
        job.failed.connect(self._save_failed)
        self.save_job = job.start()
        self.statusBar().showMessage("Saving…")
        return job

    def _saved(self, template: Template) -> None:
        self.sections_tab.keep_ids(template)
        if template.sample_path is not None:
            self._sample = load_sample(template)
        self.document.mark_saved(template)
        self.statusBar().showMessage(f"Saved {template.name} in {template.directory}.", 8000)
        self.saved.emit(template)
        if self._closing:
            self.close()

    def _save_failed(self, message: str) -> None:
        self._closing = False
        self.statusBar().showMessage("Not saved.", 8000)
        self.save_failed.emit(message)
        QMessageBox.warning(self, "Cannot save the template", message)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.save_job is not None and self.save_job.is_running():
            self._closing = True  # closes once saved
            event.ignore()
            return
        if self.document.is_modified() and not self._closing:
            Ask = QMessageBox.StandardButton
            answer = QMessageBox.warning(
                self,
                "Unsaved changes",
                f"Save the changes to the template {self.template.name}?",
                Ask.Save | Ask.Discard | Ask.Cancel,
                Ask.Save,
            )
            if answer == Ask.Cancel:
                event.ignore()
                return
            if answer == Ask.Save:
                self._closing = True
                self.save()
                event.ignore()
                return
        self.preview.shutdown()
        event.accept()
        self.closed.emit()


class _YieldUndo(QObject):
    """Lets Undo and Redo through to the editor's actions from any field
    (a field's own undo would go behind the template's back)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.keys = undo_keys()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if yields_key(event, self.keys):
            event.ignore()
            return True
        return super().eventFilter(watched, event)
