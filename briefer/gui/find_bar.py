"""Find (Ctrl+F) across every section of the brief.

The bar sits under the brief. Typing searches as you type from where the
cursor is; Enter and F3 go to the next match and Shift+Enter and Shift+F3
to the previous one, moving from section to section and wrapping around at
the end of the brief; every match is tinted, and the bar says "3 of 7".
Escape closes it and leaves the cursor on the match.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QPalette,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

from .brief_view import BriefView

MAX_TINTED = 2000  # matches tinted per section; beyond, only counted


class FindBar(QWidget):
    """Find text in the brief's sections."""

    def __init__(self, view: BriefView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setAccessibleName("Find in brief")
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find in brief")
        self.field.setAccessibleName("Text to find")
        self.field.setClearButtonEnabled(True)
        self.case = QCheckBox("Match &case")
        self.case.setAccessibleName("Match case")
        self.previous_button = QToolButton()
        self.previous_button.setText("Previous")
        self.previous_button.setToolTip("Previous match (Shift+F3)")
        self.previous_button.setAccessibleName("Previous match")
        self.next_button = QToolButton()
        self.next_button.setText("Next")
        self.next_button.setToolTip("Next match (F3)")
        self.next_button.setAccessibleName("Next match")
        self.status = QLabel()
        self.status.setMinimumWidth(90)
        self.status.setAccessibleName("Matches")
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("Close the find bar (Esc)")
        self.close_button.setAccessibleName("Close find bar")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.field, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.case)
        layout.addWidget(self.status)
        layout.addWidget(self.close_button)

        self.field.textEdited.connect(lambda _t: self.find(forward=True, from_start_of_match=True))
        self.field.returnPressed.connect(lambda: self.find(forward=True))
        self.case.toggled.connect(lambda _on: self.find(forward=True, from_start_of_match=True))
        self.next_button.clicked.connect(lambda: self.find(forward=True))
        self.previous_button.clicked.connect(lambda: self.find(forward=False))
        self.close_button.clicked.connect(self.close_bar)
        QShortcut(QKeySequence("Shift+Return"), self.field, lambda: self.find(forward=False))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close_bar)
        self._editor: QPlainTextEdit | None = None  # where the last match is
        self.hide()

    def open_bar(self) -> None:
        """Show the bar with the editor's selection (if any) as the text."""
        editor = self._current_editor()
        if editor is not None:
            self._editor = editor
            selected = editor.textCursor().selectedText()
            if selected and "\u2029" not in selected:
                self.field.setText(selected)
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self._tint()

    def close_bar(self) -> None:
        self.hide()
        for editor in self.view.section_editors():
            editor.editor.setExtraSelections([])
        if self._editor is not None:
            self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def find(self, *, forward: bool = True, from_start_of_match: bool = False) -> bool:
        """Go to the next (or previous) match after the cursor, across the
        sections in order, wrapping around; False when there is none."""
        needle = self.field.text()
        editors = [e.editor for e in self.view.section_editors()]
        if not needle or not editors:
            self.status.setText("")
            self._tint()
            return False
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if not forward:
            flags |= QTextDocument.FindFlag.FindBackward
        current = self._editor if self._editor in editors else self._current_editor()
        if current not in editors:
            current = editors[0]
        index = editors.index(current)
        cursor = current.textCursor()
        if from_start_of_match and cursor.hasSelection():
            cursor.setPosition(cursor.selectionStart())
        if forward:
            order = editors[index:] + editors[:index]
        else:
            order = editors[index::-1] + editors[:index:-1]
        order.append(current)  # wrapping around into the part before the cursor
        for step, editor in enumerate(order):
            document = editor.document()
            if step == 0:
                start = cursor
            else:
                start = QTextCursor(document)
                if not forward:
                    start.movePosition(QTextCursor.MoveOperation.End)
            found = document.find(needle, start, flags)
            if not found.isNull():
                self._show_match(editor, found)
                return True
        self.status.setText("No matches")
        self._tint()
        return False

    def _show_match(self, editor: QPlainTextEdit, found: QTextCursor) -> None:
        if self._editor is not None and self._editor is not editor:
            left = self._editor.textCursor()  # one match selected at a time
            left.clearSelection()
            self._editor.setTextCursor(left)
        self._editor = editor
        editor.setTextCursor(found)
        editor.ensureCursorVisible()
        self.view.reveal(editor)
        starts = self._tint()
        editors = [e.editor for e in self.view.section_editors()]
        index = editors.index(editor)
        before = sum(len(found_here) for found_here in starts[:index])
        here = sum(1 for at in starts[index] if at <= found.selectionStart())
        total = sum(len(found_here) for found_here in starts)
        self.status.setText(f"{before + here} of {total}")

    def _tint(self) -> list[list[int]]:
        """Tint every match; where the matches start, section by section."""
        needle = self.field.text()
        starts: list[list[int]] = []
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(60)
        tint = QTextCharFormat()
        tint.setBackground(colour)
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        for section in self.view.section_editors():
            editor = section.editor
            selections: list[QTextEdit.ExtraSelection] = []
            found: list[int] = []
            if needle and self.isVisible():
                document = editor.document()
                cursor = document.find(needle, 0, flags)
                while not cursor.isNull():
                    found.append(cursor.selectionStart())
                    if len(selections) < MAX_TINTED:
                        selection = QTextEdit.ExtraSelection()
                        selection.cursor = cursor
                        selection.format = tint
                        selections.append(selection)
                    cursor = document.find(needle, cursor, flags)
            editor.setExtraSelections(selections)
            starts.append(found)
        return starts

    def _current_editor(self) -> QPlainTextEdit | None:
        section = self.view.focused_section()
        if section is not None:
            editor = self.view.editor(section)
            if editor is not None:
                return editor.editor
        return self._editor
