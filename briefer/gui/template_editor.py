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
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPixmap,
    QUndoCommand,
    QUndoStack,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from briefer.briefs import load_brief
from briefer.compose import section_name
from briefer.document import HEADER_FIELDS
from briefer.errors import BrieferError, EditError
from briefer.model import (
    Brief,
    CitationStyle,
    HeadingLook,
    PageSize,
    SectionKind,
    Template,
)
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.template_editing import (
    MARGIN_NAMES,
    Limits,
    add_section,
    margin_limits,
    move_section,
    new_section_id,
    pattern_problem,
    preview_brief,
    remove_section,
    section_id_for,
    section_limits,
    set_details,
    set_heading_size,
    set_margin,
    set_section,
    set_style,
    style_limits,
)
from briefer.template_store import TemplateDraft, UserTemplates
from briefer.templates import TemplateRegistry

from .preview import PreviewPanel
from .section_editor import undo_keys, yields_key
from .template_commands import BackgroundCall, BugReporter

BURST_SECONDS = 2.0  # keystrokes in one field closer than this are one undo step
_MERGING = 7  # QUndoCommand.id() of steps that may merge

KIND_NAMES = {SectionKind.PROSE: "Prose", SectionKind.BULLETS: "Bullets"}
LOOK_NAMES = {
    HeadingLook.HEADING: "Headings on a line of their own",
    HeadingLook.LEAD_IN: "Bold lead-in opening the paragraph",
}
CITATION_NAMES = {
    CitationStyle.SOURCE_LINE: 'A closing "Source:" line',
    CitationStyle.ENDNOTES: "Numbered sources list (endnotes)",
    CitationStyle.FOOTNOTES: "Footnotes at the foot of the page",
}
FIELD_NAMES = {
    "title": "Title",
    "date": "Date",
    "page": "Page",
    "pages": "Pages",
    "classification": "Classification",
    "author": "Author",
}


# --------------------------------------------------------------------------
# The template being edited, and its undo
# --------------------------------------------------------------------------


class TemplateDocument(QObject):
    """The template being edited: its current value and a QUndoStack of
    snapshots. `changed(old, new)` follows every change, undo and redo
    included; "modified" is the stack not being at its clean index."""

    changed = Signal(object, object)
    modified_changed = Signal(bool)

    def __init__(
        self,
        template: Template,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._template = template
        self._clock = clock
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(500)
        self.stack.cleanChanged.connect(self._clean_changed)

    @property
    def template(self) -> Template:
        return self._template

    def is_modified(self) -> bool:
        return not self.stack.isClean()

    def apply(self, template: Template, label: str, place: str = "", merge: bool = False) -> None:
        """Make `template` current as one undo step; with `merge`, steps in
        the same `place` close together in time are one."""
        if template == self._template:
            return
        self.stack.push(_Step(self, self._template, template, label, place, merge))

    def mark_saved(self, template: Template) -> None:
        """`template` (as saved: its folder, its copied files) is current
        and clean; undo still goes back through the changes made."""
        old, self._template = self._template, template
        # Every value in the history now lives where the template was saved:
        # undoing past the save must not send the next save elsewhere.
        for index in range(self.stack.count()):
            step = self.stack.command(index)
            if isinstance(step, _Step):
                step.before = _moved(step.before, template)
                step.after = _moved(step.after, template)
                step.sealed = True
        last = self.stack.command(self.stack.index() - 1) if self.stack.index() > 0 else None
        if isinstance(last, _Step):
            last.after = template
        self.stack.setClean()
        if old != template:
            self.changed.emit(old, template)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _set(self, template: Template) -> None:
        old, self._template = self._template, template
        self.changed.emit(old, template)


def _moved(template: Template, saved: Template) -> Template:
    return dataclasses.replace(template, directory=saved.directory, builtin=saved.builtin)


class _Step(QUndoCommand):
    """One undo step: the template before and after."""

    def __init__(
        self,
        document: TemplateDocument,
        before: Template,
        after: Template,
        label: str,
        place: str,
        merge: bool,
    ) -> None:
        super().__init__(label)
        self.document = document
        self.before = before
        self.after = after
        self.place = place
        self.merge = merge
        self.sealed = not merge
        self.stamp = document._clock()

    def id(self) -> int:
        return _MERGING if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Step) or self.sealed or other.place != self.place:
            return False
        if other.stamp - self.stamp > BURST_SECONDS:
            return False
        self.after = other.after
        self.stamp = other.stamp
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        self.document._set(self.after)

    def undo(self) -> None:
        self.document._set(self.before)


# --------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------


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


class PatternValidator(QValidator):
    """A header or footer: a `{field}` Briefer does not know cannot be
    typed (the closing brace is refused); an unclosed one is still text."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if "\n" in text or pattern_problem(text):
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos


class ColorButton(QPushButton):
    """A colour: a swatch and its code; a click opens the colour picker."""

    picked = Signal(str)  # "#RRGGBB"

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._colour = "#000000"
        self.setAccessibleName(title)
        self.clicked.connect(self._choose)

    def colour(self) -> str:
        return self._colour

    def set_colour(self, colour: str) -> None:
        self._colour = colour.upper()
        swatch = QPixmap(28, 16)
        swatch.fill(QColor(self._colour))
        self.setIcon(QIcon(swatch))
        self.setText(self._colour)
        self.setToolTip(f"{self._title}: {self._colour}. Click to choose another colour.")

    def _choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._colour), self.window(), self._title)
        if chosen.isValid():
            self.picked.emit(chosen.name(QColor.NameFormat.HexRgb).upper())


class FontLister(QObject):
    """The font families the PDF exporter finds installed, listed on a
    background thread (a first scan opens every font file)."""

    ready = Signal(list)  # sorted family names

    def __init__(self, settings: ExportSettings | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    def start(self) -> None:
        threading.Thread(target=self._run, name="briefer-fonts", daemon=True).start()

    def _run(self) -> None:
        from briefer.export.fonts import resolver_for

        settings = self._settings
        resolver = resolver_for(
            settings.font_cache if settings else None, settings.font_dirs if settings else None
        )
        try:
            families = resolver.families
        except OSError:
            families = {}
        names = sorted(
            {next(iter(faces.values())).family for faces in families.values() if faces},
            key=str.casefold,
        )
        with contextlib.suppress(RuntimeError):  # the editor closed meanwhile
            self.ready.emit(names)


def _spin(limits: Limits, suffix: str, step: float = 0.5, decimals: int = 1) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(limits.low, limits.high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)  # a value once typed, not at each digit
    spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
    return spin


def _combo(choices: Iterable[tuple[object, str]]) -> QComboBox:
    combo = QComboBox()
    for value, text in choices:
        combo.addItem(text, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0 and combo.currentIndex() != index:
        combo.setCurrentIndex(index)


def _set_text(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:  # leave the cursor alone while the person types
        edit.setText(text)


# --------------------------------------------------------------------------
# The editor window
# --------------------------------------------------------------------------


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
        self.template_id = template.id
        # Sections the template had when opened (or last saved) keep their
        # ids, which briefs name them by; a section added here takes its id
        # from its heading as the heading is typed.
        self._kept_ids = {s.id for s in template.sections}
        self._section_id: str | None = template.sections[0].id if template.sections else None
        self._sample = _load_sample(template)
        self._today = dt.date.today().isoformat()
        self._closing = False
        self.save_job: BackgroundCall | None = None
        self._yield = _YieldUndo(self)

        self.preview = PreviewPanel(self, active=preview)
        self.preview.rendered.connect(
            lambda pages: self.preview_label.setText(f"Preview: {pages} page{'s' * (pages != 1)}")
        )
        self.preview.failed.connect(lambda _m: self.preview_label.setText("Preview: not updated"))
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._sections_tab(), "&Sections")
        self.tabs.addTab(self._page_tab(), "&Page")
        self.tabs.addTab(self._text_tab(), "&Text")
        self.tabs.addTab(self._header_tab(), "&Header && Footer")
        self.tabs.addTab(self._sources_tab(), "S&ources")
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
        self._fonts.ready.connect(self._fonts_listed)
        self._fonts.start()
        self._refresh()
        self._request_preview()
        self.resize(1200, 820)

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------

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
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Template name")
        self.name_edit.textEdited.connect(
            lambda text: self._edit(
                lambda t: set_details(t, name=text), "Rename template", "name", merge=True
            )
        )
        self.description_edit = QLineEdit()
        self.description_edit.setAccessibleName("Template description")
        self.description_edit.setPlaceholderText("What the template is for, in one line")
        self.description_edit.textEdited.connect(
            lambda text: self._edit(
                lambda t: set_details(t, description=text),
                "Change description",
                "description",
                merge=True,
            )
        )
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Description:", self.description_edit)
        return form

    def _sections_tab(self) -> QWidget:
        self.section_list = QListWidget()
        self.section_list.setAccessibleName("Sections")
        self.section_list.currentRowChanged.connect(self._section_chosen)
        buttons = QVBoxLayout()
        self.add_button = QPushButton("&Add")
        self.add_button.setToolTip("Add a section after the one chosen (Ctrl+Shift+N)")
        self.add_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.add_button.clicked.connect(self.add_section)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setToolTip("Remove the section chosen (Ctrl+Shift+Backspace)")
        self.remove_button.setShortcut(QKeySequence("Ctrl+Shift+Backspace"))
        self.remove_button.clicked.connect(self.remove_section)
        self.up_button = QPushButton("Move &Up")
        self.up_button.setToolTip("Move the section chosen up (Alt+Up)")
        self.up_button.setShortcut(QKeySequence("Alt+Up"))
        self.up_button.clicked.connect(lambda: self.move_section(-1))
        self.down_button = QPushButton("Move Do&wn")
        self.down_button.setToolTip("Move the section chosen down (Alt+Down)")
        self.down_button.setShortcut(QKeySequence("Alt+Down"))
        self.down_button.clicked.connect(lambda: self.move_section(1))
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.section_list, 1)
        top.addLayout(buttons)

        self.heading_edit = QLineEdit()
        self.heading_edit.setAccessibleName("Section heading")
        self.heading_edit.setPlaceholderText("No heading: the text follows the title")
        self.heading_edit.textEdited.connect(self._heading_typed)
        self.kind_combo = _combo((k, name) for k, name in KIND_NAMES.items())
        self.kind_combo.setAccessibleName("Section kind")
        self.kind_combo.activated.connect(
            lambda _i: self._edit_section(kind=self.kind_combo.currentData())
        )
        self.guidance_edit = QPlainTextEdit()
        self.guidance_edit.setAccessibleName("Section guidance")
        self.guidance_edit.setPlaceholderText(
            "Shown in grey in the empty section while the brief is written; never exported"
        )
        self.guidance_edit.setTabChangesFocus(True)
        self.guidance_edit.setFixedHeight(self.guidance_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.guidance_edit.textChanged.connect(self._guidance_typed)
        budget = section_limits("max_words")
        self.budget_spin = QSpinBox()
        self.budget_spin.setAccessibleName("Word budget")
        self.budget_spin.setRange(int(budget.low) - 1, int(budget.high))
        self.budget_spin.setSpecialValueText("No limit")
        self.budget_spin.setSingleStep(10)
        self.budget_spin.setSuffix(" words")
        self.budget_spin.setKeyboardTracking(False)
        self.budget_spin.valueChanged.connect(
            lambda value: self._edit_section(
                "Change word budget", max_words=value if value >= budget.low else None
            )
        )
        self.required_check = QCheckBox("Required: a warning while it is left empty")
        self.required_check.toggled.connect(lambda on: self._edit_section(required=on))
        self.section_id_label = QLabel()
        self.section_id_label.setTextFormat(Qt.TextFormat.PlainText)
        self.section_id_label.setEnabled(False)
        form = QFormLayout()
        form.addRow("Hea&ding:", self.heading_edit)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&Guidance:", self.guidance_edit)
        form.addRow("&Budget:", self.budget_spin)
        form.addRow("", self.required_check)
        form.addRow("", self.section_id_label)
        self.section_box = QGroupBox("Section")
        self.section_box.setLayout(form)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(top, 1)
        layout.addWidget(self.section_box)
        return tab

    def _page_tab(self) -> QWidget:
        self.page_combo = _combo((size, f"{size.value} ({_mm(size)})") for size in PageSize)
        self.page_combo.setAccessibleName("Page size")
        self.page_combo.activated.connect(
            lambda _i: self._edit(
                lambda t: set_style(t, page_size=self.page_combo.currentData()), "Change page size"
            )
        )
        self.margin_spins: list[QDoubleSpinBox] = []
        margins = QGridLayout()
        limits = style_limits("margins_mm")
        for index, name in enumerate(MARGIN_NAMES):
            spin = _spin(limits, " mm", step=1)
            spin.setAccessibleName(f"{name.capitalize()} margin")
            spin.valueChanged.connect(
                lambda value, i=index: self._edit(
                    lambda t: set_margin(t, i, value), "Change margin", f"margin-{i}", merge=True
                )
            )
            self.margin_spins.append(spin)
        top, right, bottom, left = self.margin_spins
        margins.addWidget(QLabel("Top"), 0, 1, Qt.AlignmentFlag.AlignCenter)
        margins.addWidget(top, 1, 1)
        margins.addWidget(QLabel("Left"), 2, 0)
        margins.addWidget(left, 3, 0)
        margins.addWidget(QLabel("Right"), 2, 2)
        margins.addWidget(right, 3, 2)
        margins.addWidget(bottom, 4, 1)
        margins.addWidget(QLabel("Bottom"), 5, 1, Qt.AlignmentFlag.AlignCenter)
        margin_box = QGroupBox("Margins")
        margin_box.setLayout(margins)

        self.logo_label = QLabel()
        self.logo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.logo_label.setAccessibleName("Logo file")
        self.logo_button = QPushButton("Choose &Logo…")
        self.logo_button.clicked.connect(self.choose_logo)
        self.logo_remove = QPushButton("No Logo")
        self.logo_remove.clicked.connect(
            lambda: self._edit(lambda t: set_style(t, logo=None), "Remove logo")
        )
        self.logo_width = _spin(style_limits("logo_width_mm"), " mm", step=1)
        self.logo_width.setAccessibleName("Logo width")
        self.logo_width.valueChanged.connect(
            lambda v: self._edit(
                lambda t: set_style(t, logo_width_mm=v), "Change logo width", "logo", merge=True
            )
        )
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.logo_remove)
        logo_row.addWidget(QLabel("Width:"))
        logo_row.addWidget(self.logo_width)
        logo_row.addStretch(1)
        logo_box = QGroupBox("Logo (on page 1)")
        logo_layout = QVBoxLayout(logo_box)
        logo_layout.addWidget(self.logo_label)
        logo_layout.addLayout(logo_row)

        self.banner_check = QCheckBox("Classification &banner at the top and bottom of every page")
        self.banner_check.toggled.connect(
            lambda on: self._edit(lambda t: set_style(t, banner=on), "Change banner")
        )
        self.banner_colour = ColorButton("Banner colour")
        self.banner_colour.picked.connect(
            lambda c: self._edit(lambda t: set_style(t, banner_color=c), "Change banner colour")
        )
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner_check, 1)
        banner_row.addWidget(self.banner_colour)

        form = QFormLayout()
        form.addRow("Page si&ze:", self.page_combo)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(margin_box)
        layout.addWidget(logo_box)
        layout.addLayout(banner_row)
        layout.addStretch(1)
        return tab

    def _text_tab(self) -> QWidget:
        self.font_combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for field, label in (
            ("body_font", "&Body font:"),
            ("heading_font", "Hea&ding font:"),
            ("mono_font", "&Code font:"),
        ):
            combo = QComboBox()
            combo.setAccessibleName(label.replace("&", "").rstrip(":"))
            combo.setMinimumWidth(220)
            combo.activated.connect(lambda _i, f=field: self._font_chosen(f))
            self.font_combos[field] = combo
            form.addRow(label, combo)
        self.font_note = QLabel("Listing the installed fonts…")
        self.font_note.setWordWrap(True)
        form.addRow("", self.font_note)

        def size(field: str, label: str, suffix: str = " pt", step: float = 0.5) -> QDoubleSpinBox:
            spin = _spin(style_limits(field), suffix, step=step)
            spin.setAccessibleName(label.replace("&", "").rstrip(":"))
            spin.valueChanged.connect(
                lambda v: self._edit(
                    lambda t: set_style(t, **{field: v}), "Change size", field, merge=True
                )
            )
            form.addRow(label, spin)
            return spin

        self.body_size = size("body_size_pt", "Body si&ze:")
        self.title_size = size("title_size_pt", "T&itle size:")
        self.heading_spins: list[QDoubleSpinBox] = []
        limits = style_limits("heading_sizes_pt")
        for level in (1, 2, 3):
            spin = _spin(limits, " pt")
            spin.setAccessibleName(f"Heading {level} size")
            spin.valueChanged.connect(
                lambda v, n=level: self._edit(
                    lambda t: set_heading_size(t, n, v), "Change size", f"heading-{n}", merge=True
                )
            )
            self.heading_spins.append(spin)
            form.addRow(f"Heading {level} size:", spin)
        self.line_spacing = _spin(style_limits("line_spacing"), " ×", step=0.05, decimals=2)
        self.line_spacing.setAccessibleName("Line spacing")
        self.line_spacing.valueChanged.connect(
            lambda v: self._edit(
                lambda t: set_style(t, line_spacing=v), "Change line spacing", "spacing", True
            )
        )
        form.addRow("&Line spacing:", self.line_spacing)
        self.text_colour = ColorButton("Text colour")
        self.text_colour.picked.connect(
            lambda c: self._edit(lambda t: set_style(t, text_color=c), "Change text colour")
        )
        self.accent_colour = ColorButton("Accent colour")
        self.accent_colour.picked.connect(
            lambda c: self._edit(lambda t: set_style(t, accent=c), "Change accent colour")
        )
        form.addRow("Text colour:", self.text_colour)
        form.addRow("Accent colour:", self.accent_colour)
        self.look_combo = _combo(LOOK_NAMES.items())
        self.look_combo.setAccessibleName("Heading look")
        self.look_combo.activated.connect(
            lambda _i: self._edit(
                lambda t: set_style(t, heading_look=self.look_combo.currentData()),
                "Change heading look",
            )
        )
        form.addRow("Section headin&gs:", self.look_combo)
        self.level_combo = _combo(((1, "Heading 1"), (2, "Heading 2 (compact)")))
        self.level_combo.setAccessibleName("Section heading level")
        self.level_combo.activated.connect(
            lambda _i: self._edit(
                lambda t: set_style(t, section_heading_level=self.level_combo.currentData()),
                "Change heading level",
            )
        )
        form.addRow("Heading le&vel:", self.level_combo)
        self.smart_check = QCheckBox("Typographic quotes and dashes (“ ” – …)")
        self.smart_check.toggled.connect(
            lambda on: self._edit(lambda t: set_style(t, smart_punctuation=on), "Change quotes")
        )
        form.addRow("", self.smart_check)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    def _header_tab(self) -> QWidget:
        layout = QVBoxLayout()
        self.pattern_edits: dict[str, QLineEdit] = {}
        for field, title in (("header", "Header"), ("footer", "Footer")):
            edit = QLineEdit()
            edit.setAccessibleName(title)
            edit.setValidator(PatternValidator(edit))
            edit.setPlaceholderText(f"No {field}")
            edit.textEdited.connect(
                lambda text, f=field, name=title: self._edit(
                    lambda t: set_style(t, **{f: text}), f"Change {name.lower()}", f, merge=True
                )
            )
            edit.inputRejected.connect(lambda e=edit: self._pattern_refused(e))
            self.pattern_edits[field] = edit
            fields = QGridLayout()
            fields.addWidget(QLabel("Insert:"), 0, 0)
            for index, name in enumerate(HEADER_FIELDS):
                button = QPushButton(FIELD_NAMES.get(name, name))
                button.setAccessibleName(f"Insert {{{name}}} in the {field}")
                button.setToolTip(f"Insert {{{name}}} at the cursor")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the field
                button.clicked.connect(lambda _c=False, e=edit, n=name: self.insert_field(e, n))
                fields.addWidget(button, index // 3, 1 + index % 3)
            fields.setColumnStretch(4, 1)
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            inner.addWidget(edit)
            inner.addLayout(fields)
            layout.addWidget(box)
        hint = QLabel(
            "Fields are filled from each brief: {title}, {date}, {author}, {classification};"
            " {page} and {pages} number the pages. Other text is printed as typed."
        )
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        layout.addStretch(1)
        tab = QWidget()
        tab.setLayout(layout)
        return tab

    def _sources_tab(self) -> QWidget:
        self.citation_combo = _combo(CITATION_NAMES.items())
        self.citation_combo.setAccessibleName("Citation style")
        self.citation_combo.activated.connect(
            lambda _i: self._edit(
                lambda t: set_style(t, citations=self.citation_combo.currentData()),
                "Change citation style",
            )
        )
        self.text_edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.addRow("Sources &as:", self.citation_combo)
        for field, label in (
            ("source_line_label", '"Source:" la&bel:'),
            ("sources_title", "Sources &list title:"),
            ("contents_title", "&Contents title:"),
        ):
            edit = QLineEdit()
            edit.setAccessibleName(label.replace("&", "").rstrip(":"))
            edit.textEdited.connect(
                lambda text, f=field: self._edit(
                    lambda t: set_style(t, **{f: text}), "Change wording", f, merge=True
                )
            )
            self.text_edits[field] = edit
            form.addRow(label, edit)
        self.contents_check = QCheckBox("A contents list under the title")
        self.contents_check.toggled.connect(
            lambda on: self._edit(lambda t: set_style(t, contents=on), "Change contents list")
        )
        form.addRow("", self.contents_check)
        tab = QWidget()
        tab.setLayout(form)
        return tab

    # ------------------------------------------------------------------
    # Editing
    # ------------------------------------------------------------------

    @property
    def template(self) -> Template:
        return self.document.template

    def _edit(
        self, change: Callable[[Template], Template], label: str, place: str = "", merge=False
    ) -> bool:
        """Apply one core edit; a refusal is said and the widgets show the
        template as it is."""
        try:
            new = change(self.template)
        except EditError as exc:
            self.statusBar().showMessage(_plain(str(exc)), 8000)
            self._refresh()
            return False
        self.document.apply(new, label, place, merge)
        return True

    def _edit_section(self, label: str = "Change section", **changes: object) -> None:
        section_id = self._section_id
        if section_id is None:
            return
        self._edit(lambda t: set_section(t, section_id, **changes), label)

    def _heading_typed(self, text: str) -> None:
        section_id = self._section_id
        if section_id is None:
            return
        changes: dict[str, object] = {"heading": text}
        if section_id not in self._kept_ids:
            changes["id"] = section_id_for(self.template, text, replacing=section_id)
        new_id = str(changes.get("id", section_id))
        if self._edit(
            lambda t: set_section(t, section_id, **changes),
            "Change heading",
            f"heading-{section_id}",
            merge=True,
        ):
            self._section_id = new_id

    def _guidance_typed(self) -> None:
        section_id = self._section_id
        spec = self.template.section(section_id) if section_id else None
        text = self.guidance_edit.toPlainText()
        if spec is None or spec.guidance == text:
            return
        self._edit(
            lambda t: set_section(t, section_id, guidance=text),
            "Change guidance",
            f"guidance-{section_id}",
            merge=True,
        )

    def add_section(self) -> None:
        row = self.section_list.currentRow()
        before = self.template
        if self._edit(lambda t: add_section(t, index=row + 1 if row >= 0 else None), "Add section"):
            self._section_id = new_section_id(before, self.template)
            self._refresh()
            self.heading_edit.setFocus()
            self.heading_edit.selectAll()

    def remove_section(self) -> None:
        section_id = self._section_id
        if section_id is None:
            return
        row = self.section_list.currentRow()
        if self._edit(lambda t: remove_section(t, section_id), "Remove section"):
            sections = self.template.sections
            self._section_id = sections[min(row, len(sections) - 1)].id
            self._refresh()

    def move_section(self, offset: int) -> None:
        section_id = self._section_id
        row = self.section_list.currentRow()
        if section_id is None or not 0 <= row + offset < len(self.template.sections):
            return
        self._edit(lambda t: move_section(t, section_id, row + offset), "Move section")

    def _section_chosen(self, row: int) -> None:
        sections = self.template.sections
        if 0 <= row < len(sections):
            self._section_id = sections[row].id
            self._refresh_section()

    def _font_chosen(self, field: str) -> None:
        name = self.font_combos[field].currentData()
        if name:
            self._edit(lambda t: set_style(t, **{field: name}), "Change font")

    def choose_logo(self) -> None:
        folder = self.template.directory or Path.home()
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a Logo", str(folder), "Images (*.png *.jpg *.jpeg *.gif *.bmp *.tif)"
        )
        if chosen:
            self._edit(lambda t: set_style(t, logo=Path(chosen)), "Choose logo")

    def _pattern_refused(self, edit: QLineEdit) -> None:
        """A key the header or footer refused: say which fields there are."""
        typed = edit.text()[: edit.cursorPosition()] + "}"
        problem = pattern_problem(typed) or pattern_problem("{?}")
        self.statusBar().showMessage(problem, 8000)

    def insert_field(self, edit: QLineEdit, name: str) -> None:
        """Put `{name}` at the cursor of a header or footer, as typing would."""
        edit.setFocus()
        edit.insert(f"{{{name}}}")  # emits textEdited, as typing does

    # ------------------------------------------------------------------
    # Showing the template
    # ------------------------------------------------------------------

    def _changed(self, old: Template, new: Template) -> None:
        if self._section_id is None or new.section(self._section_id) is None:
            # Undo took the chosen section away (or renamed it): choose by place.
            row = max(0, self.section_list.currentRow())
            if new.sections:
                self._section_id = new.sections[min(row, len(new.sections) - 1)].id
        self._refresh()
        if old.sections != new.sections or old.style != new.style or old.id != new.id:
            self._request_preview()
        elif old.name != new.name:
            self._request_preview()  # the stand-in title carries the name

    def _request_preview(self) -> None:
        template = self.template
        brief: Brief = preview_brief(template, self._sample, date=self._today)
        base = template.sample_path.parent if template.sample_path else template.directory
        self.preview.request(brief, template, base)

    def _refresh(self) -> None:
        """Every widget from the template as it is (no edits result)."""
        template = self.template
        style = template.style
        blockers = [QSignalBlocker(w) for w in self._value_widgets()]
        _set_text(self.name_edit, template.name)
        _set_text(self.description_edit, template.description)
        self._refresh_sections()
        _select(self.page_combo, style.page_size)
        for index, spin in enumerate(self.margin_spins):
            limits = margin_limits(style, index)
            spin.setRange(limits.low, limits.high)
            spin.setValue(style.margins_mm[index])
            spin.setToolTip(f"{limits.low:g} to {limits.high:g} mm with the other margins as set")
        self.logo_label.setText(
            f"Logo: {style.logo.name}" if style.logo else "No logo: the title opens page 1"
        )
        self.logo_remove.setEnabled(style.logo is not None)
        self.logo_width.setValue(style.logo_width_mm)
        self.logo_width.setEnabled(style.logo is not None)
        self.banner_check.setChecked(style.banner)
        self.banner_colour.set_colour(style.banner_color)
        for field, combo in self.font_combos.items():
            self._show_font(combo, getattr(style, field))
        self.body_size.setValue(style.body_size_pt)
        self.title_size.setValue(style.title_size_pt)
        for spin, value in zip(self.heading_spins, style.heading_sizes_pt, strict=True):
            spin.setValue(value)
        self.line_spacing.setValue(style.line_spacing)
        self.text_colour.set_colour(style.text_color)
        self.accent_colour.set_colour(style.accent)
        _select(self.look_combo, style.heading_look)
        _select(self.level_combo, style.section_heading_level)
        self.smart_check.setChecked(style.smart_punctuation)
        for field, edit in self.pattern_edits.items():
            _set_text(edit, getattr(style, field))
        _select(self.citation_combo, style.citations)
        for field, edit in self.text_edits.items():
            _set_text(edit, getattr(style, field))
        self.text_edits["source_line_label"].setEnabled(
            style.citations is CitationStyle.SOURCE_LINE
        )
        self.contents_check.setChecked(style.contents)
        self.text_edits["contents_title"].setEnabled(style.contents)
        del blockers
        self._update_title()

    def _value_widgets(self) -> list[QObject]:
        return [
            self.name_edit,
            self.description_edit,
            self.section_list,
            self.page_combo,
            *self.margin_spins,
            self.logo_width,
            self.banner_check,
            *self.font_combos.values(),
            self.body_size,
            self.title_size,
            *self.heading_spins,
            self.line_spacing,
            self.look_combo,
            self.level_combo,
            self.smart_check,
            *self.pattern_edits.values(),
            self.citation_combo,
            *self.text_edits.values(),
            self.contents_check,
        ]

    def _refresh_sections(self) -> None:
        sections = self.template.sections
        labels = [_section_label(s.heading, s.id) for s in sections]
        current = [self.section_list.item(i).text() for i in range(self.section_list.count())]
        blocker = QSignalBlocker(self.section_list)
        if labels != current:
            self.section_list.clear()
            for spec, label in zip(sections, labels, strict=True):
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, spec.id)
                self.section_list.addItem(item)
        ids = [s.id for s in sections]
        row = ids.index(self._section_id) if self._section_id in ids else 0
        self.section_list.setCurrentRow(row if sections else -1)
        del blocker
        self.remove_button.setEnabled(len(sections) > 1)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(row < len(sections) - 1)
        self._refresh_section()

    def _refresh_section(self) -> None:
        spec = self.template.section(self._section_id) if self._section_id else None
        self.section_box.setEnabled(spec is not None)
        if spec is None:
            return
        widgets = (
            self.heading_edit,
            self.kind_combo,
            self.guidance_edit,
            self.budget_spin,
            self.required_check,
        )
        blockers = [QSignalBlocker(w) for w in widgets]
        _set_text(self.heading_edit, spec.heading)
        _select(self.kind_combo, spec.kind)
        if self.guidance_edit.toPlainText() != spec.guidance:
            self.guidance_edit.setPlainText(spec.guidance)
        self.budget_spin.setValue(spec.max_words or self.budget_spin.minimum())
        self.required_check.setChecked(spec.required)
        del blockers
        self.section_box.setTitle(f"Section: {_section_label(spec.heading, spec.id)}")
        kept = "" if spec.id in self._kept_ids else " (made from the heading)"
        self.section_id_label.setText(f"Briefs name this section {spec.id!r}{kept}.")
        row = self.section_list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(self.template.sections) - 1)

    def _show_font(self, combo: QComboBox, name: str) -> None:
        index = combo.findData(name)
        if index < 0:
            combo.insertItem(0, f"{name} (not installed)", name)
            index = 0
        combo.setCurrentIndex(index)

    def _fonts_listed(self, names: list[str]) -> None:
        for field, combo in self.font_combos.items():
            blocker = QSignalBlocker(combo)
            combo.clear()
            for name in names:
                combo.addItem(name, name)
            self._show_font(combo, getattr(self.template.style, field))
            del blocker
        self.font_note.setText(
            f"{len(names)} font families installed. A font missing on another"
            " machine gives way to DejaVu Sans there."
        )

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
        work = _Save(self.template, self._sample, self.paths)
        job = BackgroundCall(work, report_bug=self._report_bug, parent=self)
        job.done.connect(self._saved)
        job.failed.connect(self._save_failed)
        self.save_job = job.start()
        self.statusBar().showMessage("Saving…")
        return job

    def _saved(self, template: Template) -> None:
        self._kept_ids = {s.id for s in template.sections}
        if template.sample_path is not None:
            self._sample = _load_sample(template)
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


@dataclasses.dataclass(frozen=True)
class _Save:
    """Saving, off the GUI thread: the person's own template is rewritten
    in its folder; any other becomes their own copy of the same id."""

    template: Template
    sample: Brief | None
    paths: Paths

    def __call__(self) -> Template:
        store = UserTemplates(self.paths, TemplateRegistry(self.paths))
        if store.own(self.template.id) is not None:
            return store.update(self.template)
        copy = dataclasses.replace(self.template, builtin=False)
        return store.save(TemplateDraft(copy, self.sample)).template


def _load_sample(template: Template) -> Brief | None:
    """The template's sample brief (a few KB), or None when it has none or
    it cannot be read (the preview then shows a stand-in)."""
    path = template.sample_path
    if path is None:
        return None
    try:
        return load_brief(path)
    except BrieferError:
        return None


def _section_label(heading: str, section_id: str) -> str:
    return heading.strip() or f"({section_name('', section_id).capitalize()}: no heading)"


def _mm(size: PageSize) -> str:
    width, height = size.mm
    return f"{width:g} × {height:g} mm"


def _plain(message: str) -> str:
    """A refusal as the person reads it, without the key it concerns in the
    template file (`style.margins_mm: `)."""
    return re.sub(r"^(style|sections)[\w.\[\]]*: ", "", message)
