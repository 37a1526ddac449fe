"""The template editor's field rows: a widget tied to one value of the
template and to the core edit that changes it.

A tab declares its fields; `FieldRows` does the rest alike for each: what
the person does in the widget (types, picks, ticks) becomes one call into
`briefer.template_editing` through `Editing`, and `show` puts a template's
values back in the widgets, their signals blocked so that showing a value
is never taken for an edit. `Editing` is the one door every change goes
through: the core returns a new template, pushed on the document's undo
stack, or refuses the value (`EditError`), which is said in the status bar
while the widgets go back to the template as it is.

Also the widget builders the tabs share: spin boxes within the core's
limits, combo boxes of choices, and `ColorButton`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from briefer.errors import EditError
from briefer.model import Template
from briefer.template_editing import Limits, set_details, set_style

from .template_editor_document import TemplateDocument

Change = Callable[[Template], Template]
AnyWidget = TypeVar("AnyWidget", bound=QWidget)


class Editing:
    """Every change the editor's widgets make goes through here: `apply`
    one core edit to the template. `say` puts a message in the status bar;
    `refresh` shows the template as it is in every widget."""

    def __init__(
        self,
        document: TemplateDocument,
        *,
        say: Callable[[str], None],
        refresh: Callable[[], None],
    ) -> None:
        self.document = document
        self.say = say
        self._refresh = refresh

    @property
    def template(self) -> Template:
        return self.document.template

    def apply(self, change: Change, label: str, place: str = "", merge: bool = False) -> bool:
        """Apply one core edit as one undo step, named `label`; with
        `merge`, steps in the same `place` close together in time are one.
        A refusal is said and the widgets show the template as it is."""
        try:
            new = change(self.template)
        except EditError as exc:
            self.say(plain(str(exc)))
            self._refresh()
            return False
        self.document.apply(new, label, place, merge)
        return True


def plain(message: str) -> str:
    """A refusal as the person reads it, without the key it concerns in the
    template file (`style.margins_mm: `)."""
    return re.sub(r"^(style|sections)[\w.\[\]]*: ", "", message)


# --------------------------------------------------------------------------
# Field rows
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """Where a field's value is in a template, and the core edit that sets it."""

    read: Callable[[Template], Any]
    write: Callable[[Template, Any], Template]


def style_value(key: str) -> Value:
    """A key of the template's style, set with `set_style`."""
    return Value(lambda t: getattr(t.style, key), lambda t, v: set_style(t, **{key: v}))


def detail_value(key: str) -> Value:
    """The template's name or description, set with `set_details`."""
    return Value(lambda t: getattr(t, key), lambda t, v: set_details(t, **{key: v}))


class FieldRows:
    """Widgets bound to values of the template, each edit in one of them
    one core edit."""

    def __init__(self, editing: Editing) -> None:
        self._editing = editing
        self._rows: list[tuple[QWidget, Callable[[Template], Any], Callable[[Any], None]]] = []

    def bind(
        self,
        widget: AnyWidget,
        value: Value,
        label: str,
        place: str | None = None,
        *,
        name: str = "",
    ) -> AnyWidget:
        """Show `value` in `widget` and make what the person does in it one
        edit, `label` on the undo stack; with a `place`, the edits there
        close together in time (a word typed, a spin box held) are one
        step. `name` is the widget's spoken name."""
        if name:
            widget.setAccessibleName(name)
        editing = self._editing
        merge = place is not None

        def edited(new: Any) -> None:
            editing.apply(lambda t: value.write(t, new), label, place or "", merge)

        _connect(widget, edited)
        self._rows.append((widget, value.read, _shower(widget)))
        return widget

    def style(
        self,
        widget: AnyWidget,
        key: str,
        label: str,
        place: str | None = None,
        *,
        name: str = "",
    ) -> AnyWidget:
        """`bind` to the style's `key`."""
        return self.bind(widget, style_value(key), label, place, name=name)

    def show(self, template: Template) -> None:
        """Every widget shows its value in `template` (no edit results)."""
        blockers = [QSignalBlocker(widget) for widget, _read, _show in self._rows]
        for _widget, read, show in self._rows:
            show(read(template))
        del blockers


def _connect(widget: QWidget, edited: Callable[[Any], None]) -> None:
    """Call `edited(value)` when the person changes the widget's value."""
    if isinstance(widget, ColorButton):
        widget.picked.connect(edited)
    elif isinstance(widget, QLineEdit):
        widget.textEdited.connect(edited)
    elif isinstance(widget, QComboBox):
        widget.activated.connect(lambda _index: edited(widget.currentData()))
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(edited)
    elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        widget.valueChanged.connect(edited)
    else:
        raise TypeError(f"a {type(widget).__name__} cannot be a field row")


def _shower(widget: QWidget) -> Callable[[Any], None]:
    """How the widget shows a value of the template."""
    if isinstance(widget, ColorButton):
        return widget.set_colour
    if isinstance(widget, QLineEdit):
        return lambda text: set_text(widget, text)
    if isinstance(widget, QComboBox):
        return lambda value: select(widget, value)
    if isinstance(widget, QCheckBox):
        return widget.setChecked
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.setValue
    raise TypeError(f"a {type(widget).__name__} cannot be a field row")


# --------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------


def spin_box(limits: Limits, suffix: str, step: float = 0.5, decimals: int = 1) -> QDoubleSpinBox:
    """A number within the core's `limits` for it."""
    spin = QDoubleSpinBox()
    spin.setRange(limits.low, limits.high)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)  # a value once typed, not at each digit
    spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
    return spin


def choice_combo(choices: Iterable[tuple[object, str]]) -> QComboBox:
    """A combo box of (value, text) choices."""
    combo = QComboBox()
    for value, text in choices:
        combo.addItem(text, value)
    return combo


def select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0 and combo.currentIndex() != index:
        combo.setCurrentIndex(index)


def set_text(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:  # leave the cursor alone while the person types
        edit.setText(text)


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
        if colour.upper() == self._colour and not self.icon().isNull():
            return  # shown already: the editor shows every value at each change
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
