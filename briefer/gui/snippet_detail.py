"""The selected snippet in full: its text, note, source, tags and collection.

`SnippetDetail` shows one snippet's fields for reading and editing: the
whole text and the note, the source's title, publisher, author, address
(with a button that opens it in the browser), published and accessed
dates, the tags (separated by commas) and the collection. Changing a field
enables Save (Ctrl+Return) and Revert; Save hands the fields, as a
`SnippetEdit`, to whoever stores them (`save_requested`); the library
checks them (a date that is no date is refused with the field named) and
the result comes back through `saved` or `save_failed`. Text is shown and
edited as plain text: nothing in a snippet is read as markup.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from briefer.library import Snippet, Source, normalize

from .library_service import SnippetEdit

SOURCE_FIELDS = ("title", "publisher", "author", "url", "published", "accessed")
FIELD_LABELS = {
    "title": "Title",
    "publisher": "Publisher",
    "author": "Author",
    "url": "Address",
    "published": "Published",
    "accessed": "Accessed",
}
SAFE_SCHEMES = ("http", "https", "mailto")


class _PlainEdit(QPlainTextEdit):
    """A plain-text field a few lines tall that Tab leaves, as a form expects."""

    def __init__(self, lines: int, name: str) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setAccessibleName(name)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._height = self.fontMetrics().lineSpacing() * lines + 12
        self.setMinimumHeight(self._height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)

    def text(self) -> str:
        return self.toPlainText()


class SnippetDetail(QWidget):
    """Reads and edits one snippet; says when the person wants it saved."""

    save_requested = Signal(int, object)  # snippet id, SnippetEdit
    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Snippet details")
        self._snippet: Snippet | None = None
        self._loading = False
        self._dirty = False
        self._submitted: SnippetEdit | None = None  # the fields last sent to be saved

        self.heading = QLabel("No snippet selected")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName("Snippet")

        self.text_edit = _PlainEdit(6, "Snippet text")
        self.note_edit = _PlainEdit(2, "Note")
        self.note_edit.setPlaceholderText("Your note on this snippet")
        self.source_edits: dict[str, QLineEdit] = {}
        for name in SOURCE_FIELDS:
            edit = QLineEdit()
            edit.setAccessibleName(FIELD_LABELS[name])
            self.source_edits[name] = edit
        self.source_edits["published"].setPlaceholderText("YYYY-MM-DD")
        self.source_edits["accessed"].setPlaceholderText("YYYY-MM-DD")
        self.source_edits["url"].setPlaceholderText("https://…")
        self.tags_edit = QLineEdit()
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setPlaceholderText("cyber, eu")
        self.tags_edit.setToolTip("Tags, separated by commas")
        self.collection_edit = QLineEdit()
        self.collection_edit.setAccessibleName("Collection")
        self.collection_edit.setPlaceholderText("Projects/Baltic")
        self.collection_edit.setToolTip("A collection; / separates folders")

        self.open_url_button = QPushButton("Open")
        self.open_url_button.setToolTip("Open the address in the browser")
        self.open_url_button.setAccessibleName("Open the address")
        self.open_url_button.clicked.connect(self.open_url)
        url_row = QHBoxLayout()
        url_row.setContentsMargins(0, 0, 0, 0)
        url_row.addWidget(self.source_edits["url"], 1)
        url_row.addWidget(self.open_url_button)

        self.dates_label = QLabel()
        self.dates_label.setTextFormat(Qt.TextFormat.PlainText)
        self.dates_label.setWordWrap(True)
        self.dates_label.setAccessibleName("Added and changed")
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Why the snippet was not saved")
        self.error_label.setStyleSheet("color: #C62828;")
        self.error_label.hide()

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("&Text", self.text_edit)
        form.addRow("&Note", self.note_edit)
        form.addRow("Tit&le", self.source_edits["title"])
        form.addRow("&Publisher", self.source_edits["publisher"])
        form.addRow("A&uthor", self.source_edits["author"])
        form.addRow("Addr&ess", url_row)
        form.addRow("Publis&hed", self.source_edits["published"])
        form.addRow("Accesse&d", self.source_edits["accessed"])
        form.addRow("Ta&gs", self.tags_edit)
        form.addRow("C&ollection", self.collection_edit)

        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the changes to this snippet (Ctrl+Return)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Undo the changes not saved yet")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dates_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(6, 4, 6, 4)
        inner.addWidget(self.heading)
        inner.addLayout(form)
        inner.addWidget(self.error_label)
        inner.addLayout(buttons)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        for shortcut in ("Ctrl+Return", "Ctrl+Enter"):
            keys = QShortcut(QKeySequence(shortcut), self, self.save)
            keys.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for edit in self._edits():
            edit.textChanged.connect(self._changed)
        self.show_snippet(None)

    # -- showing ---------------------------------------------------------

    def snippet(self) -> Snippet | None:
        return self._snippet

    def show_snippet(self, snippet: Snippet | None, edit: SnippetEdit | None = None) -> None:
        """Show `snippet` (None: nothing selected); with `edit`, its fields
        as the person had changed them (a save that failed)."""
        self._snippet = snippet
        self._loading = True
        try:
            fields = edit or (SnippetEdit.of(snippet) if snippet is not None else None)
            source = fields.source if fields is not None else Source()
            self.text_edit.setPlainText(fields.text if fields else "")
            self.note_edit.setPlainText(fields.note if fields else "")
            for name, line in self.source_edits.items():
                line.setText(getattr(source, name))
                line.setCursorPosition(0)
            self.tags_edit.setText(", ".join(fields.tags) if fields else "")
            self.collection_edit.setText(fields.collection if fields else "")
        finally:
            self._loading = False
        for widget in (*self._edits(), self.open_url_button):
            widget.setEnabled(snippet is not None)
        self.heading.setText(_heading(snippet))
        self.dates_label.setText(_dates(snippet))
        self.error_label.hide()
        self._set_dirty(edit is not None and snippet is not None and bool(edit.changes(snippet)))
        self._update_url_button()

    def show_error(self, message: str) -> None:
        self.error_label.setText(f"Not saved: {message}")
        self.error_label.show()

    # -- editing ---------------------------------------------------------

    def is_dirty(self) -> bool:
        return self._dirty

    def edit(self) -> SnippetEdit | None:
        """The fields as they stand now."""
        if self._snippet is None:
            return None
        source = Source(**{n: e.text().strip() for n, e in self.source_edits.items()})
        return SnippetEdit(
            text=self.text_edit.toPlainText(),
            note=self.note_edit.toPlainText(),
            source=source,
            tags=normalize.split_tags(self.tags_edit.text()),
            collection=self.collection_edit.text().strip(),
        )

    def save(self) -> None:
        edit = self.edit()
        if self._snippet is None or edit is None or not self._dirty:
            return
        self.error_label.hide()
        self._submitted = edit
        self.save_requested.emit(self._snippet.id, edit)

    def saved(self, snippet: Snippet) -> None:
        """The library stored the snippet: show it as stored, unless the
        person has moved on to another one or typed on meanwhile."""
        if self._snippet is None or self._snippet.id != snippet.id:
            return
        if self._dirty and self.edit() != self._submitted:
            self._snippet = snippet  # typed on after saving: still unsaved
            self.dates_label.setText(_dates(snippet))
            return
        self.show_snippet(snippet)

    def refused(self, snippet: Snippet, message: str) -> None:
        """The library refused the edit of this snippet: keep the person's
        fields, take the snippet as it is stored now (a save again goes
        over it) and say why."""
        if self._snippet is None or self._snippet.id != snippet.id:
            return
        self._snippet = snippet
        self.dates_label.setText(_dates(snippet))
        self._changed()
        self.show_error(message)

    def revert(self) -> None:
        self.show_snippet(self._snippet)

    def open_url(self) -> None:
        url = QUrl(self.source_edits["url"].text().strip())
        if url.isValid() and url.scheme().lower() in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)

    def _edits(self) -> list[QLineEdit | QPlainTextEdit]:
        return [
            self.text_edit,
            self.note_edit,
            *self.source_edits.values(),
            self.tags_edit,
            self.collection_edit,
        ]

    def _changed(self) -> None:
        if self._loading or self._snippet is None:
            return
        edit = self.edit()
        self._set_dirty(edit is not None and bool(edit.changes(self._snippet)))
        self._update_url_button()

    def _set_dirty(self, dirty: bool) -> None:
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _update_url_button(self) -> None:
        url = QUrl(self.source_edits["url"].text().strip())
        safe = url.isValid() and url.scheme().lower() in SAFE_SCHEMES
        self.open_url_button.setEnabled(self._snippet is not None and safe)


def _heading(snippet: Snippet | None) -> str:
    if snippet is None:
        return "No snippet selected"
    where = " (in the trash)" if snippet.in_trash else ""
    return f"Snippet {snippet.id}{where}"


def _dates(snippet: Snippet | None) -> str:
    if snippet is None:
        return ""
    added = snippet.created[:10]
    changed = snippet.modified[:10]
    text = f"Added {added}" if added else ""
    if changed and changed != added:
        text += f" · changed {changed}"
    if snippet.in_trash:
        text += f" · trashed {snippet.deleted[:10]}"
    return text
