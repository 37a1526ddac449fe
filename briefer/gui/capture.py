"""Getting snippets into the library: the "New snippet" dialog, paste, drops.

`Capture` is what the library panel calls when a person makes a snippet:
`new_snippet()` opens an empty "New snippet" dialog (accessed today);
`paste()` opens it filled from the clipboard (the text, and the page's
address where the clipboard carries one; a lone address fills the URL);
`accepts(mime)` and `drop(mime)` take what is dragged onto the panel: text
and links open the dialog, files are imported through the library's
importers in the background (`import_progress`) with a report at the end.
A snippet dragged out of the library is not taken back in.

The dialog validates as the person goes (dates, addresses; messages under
the field), and saves through `Library.add` on a worker thread with its own
connection (`open_library()` makes one per thread); a snippet the library
already has is said so, not stored twice. What the clipboard holds is turned
into a draft by `briefer.library.clipboard`, with no Qt. Text is data: it
is never read as markup, and a text that names a file stays text; only the
file addresses a drop (or a file manager's copy) carries are files.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QMimeData,
    QObject,
    QStringListModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from briefer.library import AddResult, Library
from briefer.library.clipboard import (
    ClipContent,
    Draft,
    Field,
    Problem,
    decode_moz_url,
    draft_from_clip,
    validate,
)

from .import_progress import (
    ImportQueue,
    ImportReportDialog,
    importable,
    known_kinds,
    user_message,
)
from .snippet_mime import has_snippets

OpenLibrary = Callable[[], Library]

# Formats browsers use for a dragged link and for the page a selection was
# copied from (Firefox; Chromium on some platforms).
MOZ_URL = "text/x-moz-url"
PAGE_URL_FORMATS = ("text/x-moz-url-priv", "chromium/x-source-url")

LABELS = {
    Field.TEXT: "&Text",
    Field.NOTE: "&Note",
    Field.TAGS: "Ta&gs",
    Field.COLLECTION: "&Collection",
    Field.TITLE: "T&itle",
    Field.PUBLISHER: "&Publisher",
    Field.AUTHOR: "&Author",
    Field.URL: "&URL",
    Field.PUBLISHED: "Pu&blished",
    Field.ACCESSED: "Acc&essed",
}
PLACEHOLDERS = {
    Field.TEXT: "The quote, as the source has it",
    Field.NOTE: "Your own note: why it matters, what to check",
    Field.TAGS: "cyber, eu, ports",
    Field.COLLECTION: "Projects/Baltic",
    Field.TITLE: "Title of the article or report",
    Field.PUBLISHER: "Reuters",
    Field.AUTHOR: "Jane Doe; John Roe",
    Field.URL: "https://…",
    Field.PUBLISHED: "2026-11-20, 2026-11 or 2026",
    Field.ACCESSED: "2026-11-23",
}
# Checked as soon as the person leaves them, not only on Save.
CHECKED_ON_LEAVING = (Field.URL, Field.PUBLISHED, Field.ACCESSED)


def mime_files(mime: QMimeData) -> list[Path]:
    """The local files a drop (or a file manager's copy) carries, from its
    file addresses only."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def mime_content(mime: QMimeData) -> ClipContent:
    """The text, HTML and addresses `mime` carries, copied out of it (a drop's
    data lives only as long as the drop)."""
    links = tuple(
        # Readable (a page's own characters, not %-escapes), one word.
        url.toString(QUrl.ComponentFormattingOption.EncodeSpaces)
        for url in (mime.urls() if mime.hasUrls() else [])
        if not url.isLocalFile() and url.isValid()
    )
    moz = decode_moz_url(bytes(mime.data(MOZ_URL).data())) if mime.hasFormat(MOZ_URL) else ("", "")
    page_url = ""
    for name in PAGE_URL_FORMATS:
        if mime.hasFormat(name):
            page_url = decode_moz_url(bytes(mime.data(name).data()))[0]
            if page_url:
                break
    return ClipContent(
        text=mime.text() if mime.hasText() else "",
        html=mime.html() if mime.hasHtml() else "",
        links=links,
        moz_url=moz,
        page_url=page_url,
    )


@dataclass(frozen=True)
class _Outcome:
    value: Any = None
    error: BaseException | None = None


class _Call(QObject):
    """One function run on a worker thread; `done` brings its outcome back
    to the GUI thread."""

    done = Signal(object)  # _Outcome

    def __init__(self, work: Callable[[], Any], parent: QObject) -> None:
        super().__init__(parent)
        self._work = work

    def start(self) -> None:
        threading.Thread(target=self._run, name="briefer-capture", daemon=True).start()

    def _run(self) -> None:
        try:
            outcome = _Outcome(value=self._work())
        except Exception as exc:
            outcome = _Outcome(error=exc)
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            self.done.emit(outcome)


class _ListCompleter(QCompleter):
    """Completes the last of several comma- or semicolon-separated names."""

    def splitPath(self, path: str) -> list[str]:
        return [path.replace(";", ",").split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        completion = super().pathFromIndex(index)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        cut = max(text.rfind(","), text.rfind(";")) + 1
        return f"{text[:cut]} {completion}" if cut else completion


def _error_colour(widget: QWidget) -> str:
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return "#FF8A80" if dark else "#B3261E"


class SnippetDialog(QDialog):
    """The "New snippet" form: the quote, a note, tags and collection, and
    the source's fields. Save emits `save_requested` with the draft; the
    dialog shows the problems it is given under their fields."""

    save_requested = Signal(object)  # Draft

    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new-snippet")
        self.setWindowTitle("New Snippet")
        self.setAccessibleName("New snippet")
        self._busy = False
        self._saved_once = False
        self.editors: dict[Field, QWidget] = {}
        self.errors: dict[Field, QLabel] = {}

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        # Amber, half transparent: a note to read, in light and dark palettes.
        self.notice.setStyleSheet(
            "QLabel#notice { background: rgba(255, 179, 0, 0.16);"
            " border: 1px solid rgba(255, 179, 0, 0.75); border-radius: 4px; padding: 6px; }"
        )
        self.notice.setAccessibleName("Message")
        self.notice.hide()

        quote = QVBoxLayout()
        for field, stretch in ((Field.TEXT, 3), (Field.NOTE, 1)):
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setPlaceholderText(PLACEHOLDERS[field])
            editor.setMinimumHeight(70)
            self._register(field, editor)
            label = QLabel(LABELS[field])
            label.setBuddy(editor)
            quote.addWidget(label)
            quote.addWidget(editor, stretch)
            quote.addWidget(self.errors[field])

        source = QFormLayout()
        source.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        heading = QLabel("Source")
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        source.addRow(heading)
        for field in (
            Field.TITLE,
            Field.PUBLISHER,
            Field.AUTHOR,
            Field.URL,
            Field.PUBLISHED,
            Field.ACCESSED,
        ):
            self._add_row(source, field, QLineEdit())
        filing = QLabel("Filing")
        filing.setFont(bold)
        source.addRow(filing)
        tags = QLineEdit()
        self.tag_completer = _ListCompleter([], tags)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        tags.setCompleter(self.tag_completer)
        self._add_row(source, Field.TAGS, tags)
        collection = QComboBox()
        collection.setEditable(True)
        collection.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        collection.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._add_row(source, Field.COLLECTION, collection)

        columns = QHBoxLayout()
        columns.addLayout(quote, 5)
        columns.addLayout(source, 4)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Add the snippet to the library (Ctrl+Enter)")
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter", QKeySequence.StandardKey.Save):
            QShortcut(QKeySequence(keys), self, activated=self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(columns, 1)
        layout.addWidget(self.buttons)
        self.resize(920, 520)
        self.set_draft(draft)
        self._focus_first_empty()

    # -- fields ------------------------------------------------------------

    def _register(self, field: Field, editor: QWidget) -> None:
        editor.setAccessibleName(LABELS[field].replace("&", ""))
        self.editors[field] = editor
        error = QLabel()
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {_error_colour(self)};")
        error.setAccessibleName(f"{LABELS[field].replace('&', '')}: problem")
        error.hide()
        self.errors[field] = error
        if isinstance(editor, QPlainTextEdit):
            editor.textChanged.connect(lambda: self._edited(field))
        elif isinstance(editor, QLineEdit):
            editor.textEdited.connect(lambda _text: self._edited(field))
            if field in CHECKED_ON_LEAVING:
                editor.editingFinished.connect(lambda: self._check(field))
        elif isinstance(editor, QComboBox):
            editor.editTextChanged.connect(lambda _text: self._edited(field))

    def _add_row(self, form: QFormLayout, field: Field, editor: QWidget) -> None:
        self._register(field, editor)
        if isinstance(editor, QLineEdit):
            editor.setPlaceholderText(PLACEHOLDERS[field])
        elif isinstance(editor, QComboBox) and editor.lineEdit() is not None:
            editor.lineEdit().setPlaceholderText(PLACEHOLDERS[field])
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(editor)
        cell.addWidget(self.errors[field])
        label = QLabel(LABELS[field])
        label.setBuddy(editor)
        form.addRow(label, cell)

    def editor(self, field: Field) -> QWidget:
        return self.editors[field]

    def value(self, field: Field) -> str:
        editor = self.editors[field]
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def set_value(self, field: Field, value: str) -> None:
        editor = self.editors[field]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
        elif isinstance(editor, QComboBox):
            editor.setEditText(value)
        else:
            assert isinstance(editor, QLineEdit)
            editor.setText(value)
            editor.setCursorPosition(0)

    def draft(self) -> Draft:
        return Draft(**{field.value: self.value(field) for field in Field})

    def set_draft(self, draft: Draft) -> None:
        for field in Field:
            self.set_value(field, draft.get(field))

    def set_names(self, tags: Sequence[str], collections: Sequence[str]) -> None:
        """Offer the library's tags and collections for completion."""
        self.tag_completer.setModel(QStringListModel(list(tags), self.tag_completer))
        combo = self.editors[Field.COLLECTION]
        assert isinstance(combo, QComboBox)
        typed = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(list(collections))
        combo.setEditText(typed)
        combo.blockSignals(False)

    def _focus_first_empty(self) -> None:
        for field in (Field.TEXT, Field.URL, Field.TITLE):
            if not self.value(field).strip():
                self.editors[field].setFocus()
                return
        self.editors[Field.TEXT].setFocus()

    # -- problems ----------------------------------------------------------

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Show each problem under its field (and clear the others)."""
        by_field = {p.field: p.message for p in problems}
        for field in self.errors:
            self._show_error(field, by_field.get(field, ""))

    def problem(self, field: Field) -> str:
        """The problem shown under `field` ("" when none)."""
        label = self.errors[field]
        return label.text() if not label.isHidden() else ""

    def _show_error(self, field: Field, message: str) -> None:
        label = self.errors[field]
        label.setText(message)
        label.setVisible(bool(message))

    def _check(self, field: Field) -> None:
        message = next((p.message for p in validate(self.draft()) if p.field is field), "")
        self._show_error(field, message)

    def _edited(self, field: Field) -> None:
        # Once a message is shown (or Save was tried), it follows the typing,
        # so it goes away as soon as the field is right.
        if self._saved_once or not self.errors[field].isHidden():
            self._check(field)
        if not self.notice.isHidden() and not self._busy:
            self.notice.hide()

    def show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    # -- saving ------------------------------------------------------------

    def save(self) -> None:
        if self._busy:
            return
        self._saved_once = True
        problems = validate(self.draft())
        self.show_problems(problems)
        if problems:
            self.editors[problems[0].field].setFocus()
            return
        self.save_requested.emit(self.draft().cleaned())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "Save")

    def is_busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:  # a save under way finishes first
            super().reject()


class Capture(QObject):
    """New snippets from the dialog, the clipboard and drops on the library
    panel; file drops imported in the background. `parent` is the panel."""

    library_changed = Signal()  # after a snippet is added or an import stored something

    def __init__(self, parent: QWidget, open_library: OpenLibrary) -> None:
        super().__init__(parent)
        self._parent = parent
        self._open_library = open_library
        self._dialogs: list[SnippetDialog] = []
        self._imports = ImportQueue(parent, open_library)
        self._imports.stored.connect(self.library_changed)
        self._imports.batch_finished.connect(self._show_report)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._shutdown)

    # -- the interface the panel calls ---------------------------------------

    def new_snippet(self) -> None:
        """Open the "New snippet" dialog, empty but for today's date."""
        self._open_dialog(Draft.new())

    def paste(self) -> None:
        """The clipboard to a new snippet: its text, and its page's address
        where it carries one (files a file manager copied are imported)."""
        mime = QApplication.clipboard().mimeData()
        if mime is None:
            self._tell("Nothing to paste", "The clipboard is empty.")
            return
        files = mime_files(mime)
        if files:
            self._import(files)
            return
        content = mime_content(mime)
        if content.empty:
            self._tell(
                "Nothing to paste",
                "The clipboard holds no text or link to make a snippet of.",
                "Copy the quote (or the page's address) and paste again.",
            )
            return
        self._open_dialog(draft_from_clip(content))

    def accepts(self, mime: QMimeData | None) -> bool:
        """Whether the panel takes this drag: text, links or local files
        (files of any kind, so that a drop can say why one is not imported);
        never snippets dragged out of the library."""
        if mime is None or has_snippets(mime):
            return False
        return mime.hasUrls() or mime.hasText() or mime.hasHtml() or mime.hasFormat(MOZ_URL)

    def drop(self, mime: QMimeData | None) -> bool:
        """Handle a drop on the panel: files are imported, text and links
        open the "New snippet" dialog. False when nothing was taken (a kind
        of file the library does not import is said so, in one message)."""
        if mime is None or not self.accepts(mime):
            return False
        files = mime_files(mime)
        if files:
            return self._import(files)
        content = mime_content(mime)
        if content.empty:
            return False
        self._open_dialog(draft_from_clip(content))
        return True

    # -- more for the panel and tests ----------------------------------------

    def dialogs(self) -> list[SnippetDialog]:
        """The "New snippet" dialogs open now."""
        return list(self._dialogs)

    def imports(self) -> ImportQueue:
        return self._imports

    # -- the dialog ----------------------------------------------------------

    def _open_dialog(self, draft: Draft) -> SnippetDialog:
        dialog = SnippetDialog(draft, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.save_requested.connect(lambda d: self._save(dialog, d))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self._dialogs.append(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self._load_names(dialog)
        return dialog

    def _forget(self, dialog: SnippetDialog) -> None:
        with contextlib.suppress(ValueError):
            self._dialogs.remove(dialog)

    def _run(self, work: Callable[[], Any], done: Callable[[_Outcome], None]) -> None:
        call = _Call(work, self)

        def finish(outcome: _Outcome) -> None:
            call.deleteLater()
            done(outcome)

        call.done.connect(finish)
        call.start()

    def _load_names(self, dialog: SnippetDialog) -> None:
        open_library = self._open_library

        def work() -> tuple[list[str], list[str]]:
            with open_library() as library:
                return (
                    [t.name for t in library.tags() if t.count],
                    [c.name for c in library.collections() if c.count],
                )

        def done(outcome: _Outcome) -> None:
            # No names is no harm: the dialog still works without completion.
            if outcome.value is not None and dialog in self._dialogs:
                dialog.set_names(*outcome.value)

        self._run(work, done)

    def _save(self, dialog: SnippetDialog, draft: Draft) -> None:
        dialog.set_busy(True)
        open_library = self._open_library

        def work() -> tuple[AddResult, bool]:
            with open_library() as library:
                in_trash = library.count(trash=True)
                result = library.add(
                    draft.text,
                    draft.source(),
                    note=draft.note,
                    tags=draft.tag_list(),
                    collection=draft.collection,
                )
                restored = result.duplicate and library.count(trash=True) < in_trash
                return result, restored

        self._run(work, lambda outcome: self._saved(dialog, outcome))

    def _saved(self, dialog: SnippetDialog, outcome: _Outcome) -> None:
        alive = dialog in self._dialogs
        if alive:
            dialog.set_busy(False)
        if outcome.error is not None:
            message = user_message(outcome.error)
            if message is None:
                sys.excepthook(type(outcome.error), outcome.error, outcome.error.__traceback__)
                message = f"Briefer hit a bug ({type(outcome.error).__name__})."
            if alive:
                dialog.show_notice(f"The snippet was not saved: {message}")
            return
        result, restored = outcome.value
        if result.duplicate:
            if restored:
                self.library_changed.emit()
            if alive:
                dialog.show_notice(duplicate_message(result, restored))
            return
        self.library_changed.emit()
        if alive:
            dialog.accept()

    # -- files -----------------------------------------------------------------

    def _import(self, files: Sequence[Path]) -> bool:
        if not any(importable(path) for path in files):
            names = ", ".join(path.name or str(path) for path in files)
            what = f"“{names}”" if len(files) == 1 else f"these {len(files)} files: {names}"
            self._tell(
                "Cannot import",
                f"Briefer cannot import {what}.",
                f"The library imports {known_kinds()}."
                " To keep a quote from anything else, copy its text and paste it.",
            )
            return False
        self._imports.add(files)
        return True

    def _show_report(self, outcomes: list) -> None:
        report = ImportReportDialog(outcomes, self._parent)
        report.show()
        report.raise_()

    # -- messages and shutting down ------------------------------------------

    def _tell(self, title: str, text: str, details: str = "") -> None:
        """One message, not modal (nothing waits on it)."""
        box = QMessageBox(self._parent)
        box.setObjectName("capture-message")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        if details:
            box.setInformativeText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()

    def _shutdown(self) -> None:
        # An import cut off by the exit would be rolled back by SQLite; say
        # stop first, so it ends cleanly while the program closes.
        self._imports.cancel()
        self._imports.wait(2.0)


def duplicate_message(result: AddResult, restored: bool) -> str:
    """What the dialog says when the library already has the snippet."""
    snippet = result.snippet
    added = snippet.created[:10]
    where = f"snippet {snippet.id}, added {added}" if added else f"snippet {snippet.id}"
    if restored:
        return (
            f"This snippet was in the trash ({where}): it is back in the library."
            " Nothing new was stored."
        )
    return (
        f"Already in your library ({where}): the same text from the same source."
        " Nothing new was stored; change the text or the source, or Cancel."
    )
