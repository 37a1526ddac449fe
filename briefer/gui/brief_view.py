"""The brief in the middle of the window: metadata form and section editors.

`BriefView` is a scroll area holding, in a column of readable width, the
metadata form (title, subtitle, author, date, classification, language,
keywords) and one `SectionEditor` per section of the brief, in the
template's order. It reads the `BriefModel` and sends every edit back to
it; it holds no brief logic. When the model changes (typing elsewhere,
undo, redo, revert), only the editors of the sections that changed are
touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from briefer.document import Diagnostic
from briefer.errors import EditError

from .brief_model import BriefModel, Change, Place
from .section_editor import SectionEditor, SpellActions, undo_keys, warning_colour, yields_key

COLUMN_WIDTH = 860  # a readable measure for the text column, in pixels

META_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "&Title", "The brief's title"),
    ("subtitle", "S&ubtitle", "A deck or subtitle under the title (optional)"),
    ("author", "&Author", "Who wrote the brief"),
    ("date", "&Date", "YYYY-MM-DD"),
    ("classification", "C&lassification", "For example INTERNAL or OFFICIAL-SENSITIVE"),
    ("language", "Lan&guage", "en"),
    ("keywords", "&Keywords", "Words separated by commas"),
)


class _MetaEdit(QLineEdit):
    """A metadata field that leaves undo and redo to the window."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.yielded_keys: list[QKeySequence] = undo_keys()

    def event(self, event: QEvent) -> bool:
        if yields_key(event, self.yielded_keys):
            event.ignore()
            return True
        return super().event(event)


class BriefView(QScrollArea):
    """Metadata form and section editors for the model's brief."""

    def __init__(self, model: BriefModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Brief")
        self._editors: dict[str, SectionEditor] = {}
        self._yielded: list[QKeySequence] = []
        self._spell_actions: SpellActions | None = None
        self._history_actions: list[QAction] = []
        self._format_actions: list[QAction] = []
        self._editor_hooks: list[Callable[[SectionEditor], object]] = []
        self._read_only = False

        outer = QWidget()
        row = QHBoxLayout(outer)
        row.setContentsMargins(16, 12, 16, 24)
        self.page = QWidget()
        self.page.setMaximumWidth(COLUMN_WIDTH)
        row.addStretch(1)
        row.addWidget(self.page, 100)
        row.addStretch(1)
        self.setWidget(outer)

        column = QVBoxLayout(self.page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.meta_edits: dict[str, _MetaEdit] = {}
        for field, label, hint in META_FIELDS:
            edit = _MetaEdit(field)
            edit.setObjectName(f"meta-{field}")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", ""))
            edit.textEdited.connect(lambda text, f=field: self._meta_edited(f, text))
            if field == "title":
                font = edit.font()
                font.setPointSizeF(font.pointSizeF() * 1.35)
                font.setBold(True)
                edit.setFont(font)
            form.addRow(label, edit)
            self.meta_edits[field] = edit
        column.addLayout(form)
        self.brief_notes = QLabel()
        self.brief_notes.setWordWrap(True)
        self.brief_notes.setTextFormat(Qt.TextFormat.PlainText)
        self.brief_notes.setVisible(False)
        self.brief_notes.setAccessibleName("Notes on the brief")
        column.addWidget(self.brief_notes)
        self.sections_box = QVBoxLayout()
        self.sections_box.setSpacing(10)
        column.addLayout(self.sections_box)
        column.addStretch(1)

        model.changed.connect(self.refresh)
        model.document_changed.connect(self.rebuild)
        model.focus_requested.connect(self.focus_place)
        self.rebuild()

    # -- building ---------------------------------------------------------------

    def rebuild(self) -> None:
        """Make one editor per section of the model's brief (a new brief or
        template)."""
        had_focus = self.focused_section()
        for editor in self._editors.values():
            self.sections_box.removeWidget(editor)
            editor.hide()  # gone from the page now, deleted once the event loop runs
            editor.setParent(None)
            editor.deleteLater()
        self._editors = {}
        brief, template = self.model.brief, self.model.template
        previous: QWidget = self.meta_edits["keywords"]
        for section in brief.sections:
            editor = SectionEditor(section.id, section.heading, template.section(section.id))
            editor.editor.load_text(section.body)
            editor.set_words(self.model.words(section.id))
            editor.editor.yielded_keys += self._yielded
            editor.editor.spell_actions = self._spell_actions
            editor.editor.history_actions = self._history_actions
            editor.editor.format_actions = self._format_actions
            editor.editor.setReadOnly(self._read_only)
            editor.edited.connect(self._section_edited)
            editor.editor.cursorPositionChanged.connect(self._keep_cursor_visible)
            self.sections_box.addWidget(editor)
            self._editors[section.id] = editor
            QWidget.setTabOrder(previous, editor.editor)
            previous = editor.editor
            for hook in self._editor_hooks:
                hook(editor)
        self._refresh_meta()
        self._fit_editors()
        if had_focus and had_focus in self._editors:
            self._editors[had_focus].editor.setFocus()

    def add_editor_hook(self, hook: Callable[[SectionEditor], object]) -> None:
        """Call `hook(section_editor)` for every section editor, now and
        whenever the editors are rebuilt (spell checking attaches here)."""
        self._editor_hooks.append(hook)
        for editor in self._editors.values():
            hook(editor)

    def set_yielded_keys(self, keys: Iterable[QKeySequence]) -> None:
        """Shortcuts the window handles, which editors must not take."""
        self._yielded = [k for k in keys if not k.isEmpty()]
        for edit in self.meta_edits.values():
            edit.yielded_keys += self._yielded
        for editor in self._editors.values():
            editor.editor.yielded_keys += self._yielded

    def set_read_only(self, read_only: bool) -> None:
        """Show the brief without letting it be changed (a brief another
        Briefer has open)."""
        self._read_only = read_only
        for edit in self.meta_edits.values():
            edit.setReadOnly(read_only)
        for editor in self._editors.values():
            editor.editor.setReadOnly(read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def set_context_menu(
        self,
        spell_actions: SpellActions | None,
        history: Sequence[QAction] = (),
        formats: Sequence[QAction] = (),
    ) -> None:
        """What the editors' right-click menus offer besides cut, copy and
        paste: spelling suggestions for the word clicked, the brief's Undo
        and Redo, and the formatting commands."""
        self._spell_actions = spell_actions
        self._history_actions = list(history)
        self._format_actions = list(formats)
        for editor in self._editors.values():
            editor.editor.spell_actions = spell_actions
            editor.editor.history_actions = self._history_actions
            editor.editor.format_actions = self._format_actions

    # -- reading ----------------------------------------------------------------

    def editor(self, section_id: str) -> SectionEditor | None:
        return self._editors.get(section_id)

    def section_editors(self) -> list[SectionEditor]:
        return list(self._editors.values())

    def first_editor(self) -> SectionEditor | None:
        return next(iter(self._editors.values()), None)

    def focused_section(self) -> str | None:
        """The section whose editor has (or last had) the focus."""
        widget = self.window().focusWidget() if self.window() else None
        for section_id, editor in self._editors.items():
            if widget is editor.editor:
                return section_id
        return None

    # -- refreshing from the model ----------------------------------------------

    def refresh(self, change: Change) -> None:
        if change.structure:
            self.rebuild()
            return
        brief = self.model.brief
        for section_id in change.sections:
            editor = self._editors.get(section_id)
            section = brief.section(section_id)
            if editor is None or section is None:
                continue
            editor.set_text(section.body)
            editor.set_heading(section.heading)
            editor.set_words(self.model.words(section_id))
        if change.meta:
            self._refresh_meta()

    def _refresh_meta(self) -> None:
        meta = self.model.brief.meta
        for field, edit in self.meta_edits.items():
            value = ", ".join(meta.keywords) if field == "keywords" else getattr(meta, field)
            if field == "keywords" and _keywords(edit.text()) == meta.keywords:
                continue
            if edit.text() != value:
                edit.setText(value)
            self._mark_invalid(edit, "")

    def focus_place(self, place: Place, position: int) -> None:
        """Put the cursor at `position` of the section or field `place`."""
        if place.section:
            editor = self._editors.get(place.section)
            if editor is not None:
                editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)
                if position >= 0:
                    editor.editor.place_cursor(position)
                self._keep_cursor_visible(editor.editor)
        elif place.field in self.meta_edits:
            edit = self.meta_edits[place.field]
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.ensureWidgetVisible(edit)

    def set_diagnostics(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Show each diagnostic on the editor of its section; those about
        the whole brief go under the metadata."""
        by_section: dict[str, list[str]] = {}
        for diagnostic in diagnostics:
            target = diagnostic.section if diagnostic.section in self._editors else ""
            by_section.setdefault(target, []).append(diagnostic.message)
        for section_id, editor in self._editors.items():
            editor.set_diagnostics(by_section.get(section_id, []))
        notes = list(dict.fromkeys(by_section.get("", [])))
        self.brief_notes.setText("\n".join(f"⚠ {note}" for note in notes))
        self.brief_notes.setVisible(bool(notes))
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.WindowText, warning_colour(self.palette()))
        self.brief_notes.setPalette(palette)

    # -- edits ------------------------------------------------------------------

    def _section_edited(
        self, section_id: str, text: str, start: int, end: int, typing: bool
    ) -> None:
        self.model.edit_body(section_id, text, start=start, end=end, typing=typing)

    def _meta_edited(self, field: str, text: str) -> None:
        edit = self.meta_edits[field]
        try:
            self.model.edit_meta(field, text)
        except EditError as exc:
            self._mark_invalid(edit, str(exc))
        else:
            self._mark_invalid(edit, "")

    def _mark_invalid(self, edit: QLineEdit, problem: str) -> None:
        if bool(problem) == bool(edit.property("invalid")):
            if problem:
                edit.setToolTip(problem)
            return
        edit.setProperty("invalid", bool(problem))
        edit.setToolTip(problem)
        palette = QPalette()  # only the text colour set; the rest inherited
        if problem:
            palette.setColor(QPalette.ColorRole.Text, warning_colour(self.palette()))
        edit.setPalette(palette)
        edit.setAccessibleDescription(problem)

    # -- layout -----------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_editors()

    def _fit_editors(self) -> None:
        # A long section scrolls inside its editor once it fills most of
        # the view, so a keystroke never lays out 10,000 words at once.
        limit = max(160, self.viewport().height() - 90)
        for editor in self._editors.values():
            if editor.editor.max_height != limit:
                editor.editor.max_height = limit
                editor.editor.fit_height()

    def _keep_cursor_visible(self, editor: QPlainTextEdit | None = None) -> None:
        editor = editor if editor is not None else self.sender()
        if isinstance(editor, QPlainTextEdit) and editor.hasFocus():
            self.reveal(editor)

    def reveal(self, editor: QPlainTextEdit) -> None:
        """Scroll so that `editor`'s cursor can be seen."""
        rect = editor.cursorRect()
        point = editor.viewport().mapTo(self.widget(), QPoint(rect.x(), rect.center().y()))
        self.ensureVisible(point.x(), point.y(), 20, rect.height() + 12)


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())
