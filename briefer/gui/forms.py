"""Widget builders the window's dialogs share, so each looks and answers the
same way wherever it is built.

- Questions: `message_box` makes a message box; `Question` gives it
  buttons that are answers and returns the answer clicked (after an
  export, a file changed on disk, a brief open in another Briefer).
- Buttons: `push_button` (text, tip, its spoken name), `accept_buttons`
  (the OK-and-Cancel row of a dialog, the OK button named for what it
  does).
- Labels: `spoken` (a label's words as a screen reader should say them),
  `heading_label` (a bold name over details).
- Template cards, as the New-brief picker and the template manager show a
  template: `details_column`, `list_beside_details` (list, details,
  picture in one row), `picture_label`, `show_picture` and
  `sections_summary`.
- Fields: `field_edit` and `YieldingLineEdit`, a line edit that leaves
  Undo and Redo to the window; `mark_invalid` says a field's problem on it.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QImage, QKeySequence, QPalette, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer.compose import section_name
from briefer.model import Template

from .section_editor import undo_keys, warning_colour, yields_key
from .thumbnails import THUMBNAIL_WIDTH

Answer = TypeVar("Answer")

# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


def message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon,
    informative: str = "",
    details: str = "",
) -> QMessageBox:
    """A message box with its words; buttons are the caller's (or `Question`'s)."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(icon)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    return box


class Question(Generic[Answer]):
    """A message box whose buttons are answers: `add` one button per answer,
    in the order they stand, then `ask` shows the box and returns the
    answer of the button clicked (`otherwise` for Esc or any other way
    out)."""

    def __init__(self, box: QMessageBox, otherwise: Answer) -> None:
        self.box = box
        self._otherwise = otherwise
        self._answers: list[tuple[QPushButton, Answer]] = []

    def add(
        self,
        button: str | QMessageBox.StandardButton,
        answer: Answer,
        role: QMessageBox.ButtonRole = QMessageBox.ButtonRole.AcceptRole,
    ) -> QPushButton:
        """A button of its own (`button` its text, in `role`) or a standard
        one (Close, Cancel), answering `answer`."""
        if isinstance(button, QMessageBox.StandardButton):
            made = self.box.addButton(button)
        else:
            made = self.box.addButton(button, role)
        self._answers.append((made, answer))
        return made

    def ask(self, default: QPushButton) -> Answer:
        """Show the box (modal), Return pressing `default`; the answer chosen."""
        self.box.setDefaultButton(default)
        self.box.exec()
        clicked = self.box.clickedButton()
        return next((a for button, a in self._answers if button is clicked), self._otherwise)


# --------------------------------------------------------------------------
# Buttons and labels
# --------------------------------------------------------------------------


def spoken(label: str) -> str:
    """A label's words as a screen reader should say them: `"Body si&ze:"`
    is "Body size", `"&Save As…"` is "Save As"."""
    return label.replace("&", "").rstrip(":…")


def push_button(text: str, tip: str, *, name: str = "", auto_default: bool = True) -> QPushButton:
    """A button with its tooltip; `name` is its spoken name where the text
    alone says too little or too much. `auto_default=False` for a button in
    a dialog that Return must not press."""
    button = QPushButton(text)
    button.setToolTip(tip)
    if name:
        button.setAccessibleName(name)
    if not auto_default:
        button.setAutoDefault(False)
    return button


def accept_buttons(
    dialog: QDialog, accept: QDialogButtonBox.StandardButton, text: str
) -> QDialogButtonBox:
    """The row of `accept` (named `text`, for what it does) and Cancel,
    accepting and rejecting `dialog`."""
    buttons = QDialogButtonBox(accept | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(accept).setText(text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def heading_label(scale: float = 1.0) -> QLabel:
    """A bold label, `scale` times the size of the text around it: the name
    of what the details under it describe."""
    label = QLabel()
    font = label.font()
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


# --------------------------------------------------------------------------
# Template cards
# --------------------------------------------------------------------------


def details_column(*rows: QWidget | int) -> QVBoxLayout:
    """Widgets one under another (a number: that much space between), then
    the room to spare."""
    column = QVBoxLayout()
    for row in rows:
        if isinstance(row, int):
            column.addSpacing(row)
        else:
            column.addWidget(row)
    column.addStretch(1)
    return column


def list_beside_details(list_widget: QWidget, details: QLayout, picture: QWidget) -> QHBoxLayout:
    """A list on the left, the chosen item's details taking the room left,
    and its picture on the right, at the top."""
    row = QHBoxLayout()
    row.addWidget(list_widget)
    row.addLayout(details, 1)
    row.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
    return row


def picture_label(name: str, text: str = "") -> QLabel:
    """The label a template's first page is shown in, at thumbnail size;
    `text` until the picture comes (and in its place if it cannot)."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFixedSize(QSize(THUMBNAIL_WIDTH + 8, round(THUMBNAIL_WIDTH * 1.42) + 8))
    label.setAccessibleName(name)
    label.setWordWrap(True)
    return label


def show_picture(label: QLabel, image: QImage | None, waiting: str) -> None:
    """Show `image` in `label`, or say `waiting` while it has none."""
    if image is not None:
        label.setPixmap(QPixmap.fromImage(image))
    else:
        label.setPixmap(QPixmap())
        label.setText(waiting)


def sections_summary(template: Template) -> str:
    """A template's sections, one a line: "• What Happened? (up to 150
    words)"; a section without a heading by its name, capitalised."""
    lines = []
    for spec in template.sections:
        name = section_name(spec.heading, spec.id)
        label = name if spec.heading.strip() else name.capitalize()
        budget = f" (up to {spec.max_words} words)" if spec.max_words else ""
        lines.append(f"• {label}{budget}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------


def field_edit(field: str, label: str, hint: str, *, object_name: str) -> YieldingLineEdit:
    """The line edit of a form's `field`: `hint` in grey while it is empty,
    spoken as its `label` says."""
    edit = YieldingLineEdit(field)
    edit.setObjectName(object_name)
    edit.setPlaceholderText(hint)
    edit.setAccessibleName(spoken(label))
    return edit


def mark_invalid(edit: QLineEdit, problem: str, palette: QPalette) -> None:
    """Say `problem` on a field: its text in the warning colour of
    `palette`, the problem as its tooltip and its accessible description;
    an empty `problem` clears them."""
    if bool(problem) == bool(edit.property("invalid")):
        if problem:
            edit.setToolTip(problem)
        return
    edit.setProperty("invalid", bool(problem))
    edit.setToolTip(problem)
    colours = QPalette()  # only the text colour set; the rest inherited
    if problem:
        colours.setColor(QPalette.ColorRole.Text, warning_colour(palette))
    edit.setPalette(colours)
    edit.setAccessibleDescription(problem)


class YieldingLineEdit(QLineEdit):
    """A line edit for one `field` that leaves Undo and Redo (and any key in
    `yielded_keys`) to the window: its own undo would go behind the
    window's back."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.yielded_keys: list[QKeySequence] = undo_keys()

    def event(self, event: QEvent) -> bool:
        if yields_key(event, self.yielded_keys):
            event.ignore()
            return True
        return super().event(event)
