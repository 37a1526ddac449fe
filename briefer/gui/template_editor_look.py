"""The template editor's tabs for the template's look: Page, Text, Header &
Footer and Sources.

Each tab is a column of field rows (`template_editor_fields.FieldRows`):
a widget per key of the template's style, constrained to what the
template file can hold (ranges come from the core), its edits going
through `Editing`. What a tab shows beyond its rows is said in its
`refresh`: the margins' ranges, which follow the other margins; the logo's
file; the fonts, listed from the installed ones on a background thread
(`FontLister`); the wording fields that only count with a citation style
or a contents list.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer.document import HEADER_FIELDS
from briefer.model import CitationStyle, HeadingLook, PageSize, Template
from briefer.pipeline import ExportSettings
from briefer.template_editing import (
    MARGIN_NAMES,
    margin_limits,
    pattern_problem,
    set_heading_size,
    set_margin,
    set_style,
    style_limits,
)

from .forms import spoken
from .template_editor_fields import (
    ColorButton,
    Editing,
    FieldRows,
    Value,
    choice_combo,
    spin_box,
)

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
# Page
# --------------------------------------------------------------------------


class PageTab(QWidget):
    """Page size, margins, logo and classification banner."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        rows = self.rows = FieldRows(editing)
        sizes = choice_combo((size, f"{size.value} ({_mm(size)})") for size in PageSize)
        self.page_combo = rows.style(sizes, "page_size", "Change page size", name="Page size")
        limits = style_limits("margins_mm")
        self.margin_spins: list[QDoubleSpinBox] = [
            rows.bind(
                spin_box(limits, " mm", step=1),
                _margin(index),
                "Change margin",
                f"margin-{index}",
                name=f"{name.capitalize()} margin",
            )
            for index, name in enumerate(MARGIN_NAMES)
        ]
        top, right, bottom, left = self.margin_spins
        margins = QGridLayout()
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
            lambda: editing.apply(lambda t: set_style(t, logo=None), "Remove logo")
        )
        self.logo_width = rows.style(
            spin_box(style_limits("logo_width_mm"), " mm", step=1),
            "logo_width_mm",
            "Change logo width",
            "logo",
            name="Logo width",
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

        self.banner_check = rows.style(
            QCheckBox("Classification &banner at the top and bottom of every page"),
            "banner",
            "Change banner",
        )
        self.banner_colour = rows.style(
            ColorButton("Banner colour"), "banner_color", "Change banner colour"
        )
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner_check, 1)
        banner_row.addWidget(self.banner_colour)

        form = QFormLayout()
        form.addRow("Page si&ze:", self.page_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(margin_box)
        layout.addWidget(logo_box)
        layout.addLayout(banner_row)
        layout.addStretch(1)

    def choose_logo(self) -> None:
        folder = self.editing.template.directory or Path.home()
        chosen, _ = QFileDialog.getOpenFileName(
            self.window(),
            "Choose a Logo",
            str(folder),
            "Images (*.png *.jpg *.jpeg *.gif *.bmp *.tif)",
        )
        if chosen:
            self.editing.apply(lambda t: set_style(t, logo=Path(chosen)), "Choose logo")

    def refresh(self, template: Template) -> None:
        style = template.style
        for index, spin in enumerate(self.margin_spins):
            # Each margin's range leaves the text block its room with the
            # others as they are: set before the value it must hold.
            limits = margin_limits(style, index)
            blocker = QSignalBlocker(spin)
            spin.setRange(limits.low, limits.high)
            del blocker
            spin.setToolTip(f"{limits.low:g} to {limits.high:g} mm with the other margins as set")
        self.rows.show(template)
        self.logo_label.setText(
            f"Logo: {style.logo.name}" if style.logo else "No logo: the title opens page 1"
        )
        self.logo_remove.setEnabled(style.logo is not None)
        self.logo_width.setEnabled(style.logo is not None)


def _margin(index: int) -> Value:
    return Value(lambda t: t.style.margins_mm[index], lambda t, mm: set_margin(t, index, mm))


def _mm(size: PageSize) -> str:
    width, height = size.mm
    return f"{width:g} × {height:g} mm"


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


class TextTab(QWidget):
    """Fonts, sizes, line spacing, colours, the section headings' look and
    typographic quotes."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        rows = self.rows = FieldRows(editing)
        form = QFormLayout(self)
        self.font_combos: dict[str, QComboBox] = {}
        for key, label in (
            ("body_font", "&Body font:"),
            ("heading_font", "Hea&ding font:"),
            ("mono_font", "&Code font:"),
        ):
            combo = QComboBox()
            combo.setAccessibleName(spoken(label))
            combo.setMinimumWidth(220)
            combo.activated.connect(lambda _i, k=key: self._font_chosen(k))
            self.font_combos[key] = combo
            form.addRow(label, combo)
        self.font_note = QLabel("Listing the installed fonts…")
        self.font_note.setWordWrap(True)
        form.addRow("", self.font_note)

        def size(key: str, label: str) -> QDoubleSpinBox:
            spin = spin_box(style_limits(key), " pt")
            return rows.style(spin, key, "Change size", key, name=spoken(label))

        self.body_size = size("body_size_pt", "Body si&ze:")
        form.addRow("Body si&ze:", self.body_size)
        self.title_size = size("title_size_pt", "T&itle size:")
        form.addRow("T&itle size:", self.title_size)
        self.heading_spins: list[QDoubleSpinBox] = []
        for level in (1, 2, 3):
            spin = rows.bind(
                spin_box(style_limits("heading_sizes_pt"), " pt"),
                _heading_size(level),
                "Change size",
                f"heading-{level}",
                name=f"Heading {level} size",
            )
            self.heading_spins.append(spin)
            form.addRow(f"Heading {level} size:", spin)
        self.line_spacing = rows.style(
            spin_box(style_limits("line_spacing"), " ×", step=0.05, decimals=2),
            "line_spacing",
            "Change line spacing",
            "spacing",
            name="Line spacing",
        )
        form.addRow("&Line spacing:", self.line_spacing)
        self.text_colour = rows.style(
            ColorButton("Text colour"), "text_color", "Change text colour"
        )
        self.accent_colour = rows.style(
            ColorButton("Accent colour"), "accent", "Change accent colour"
        )
        form.addRow("Text colour:", self.text_colour)
        form.addRow("Accent colour:", self.accent_colour)
        self.look_combo = rows.style(
            choice_combo(LOOK_NAMES.items()),
            "heading_look",
            "Change heading look",
            name="Heading look",
        )
        form.addRow("Section headin&gs:", self.look_combo)
        self.level_combo = rows.style(
            choice_combo(((1, "Heading 1"), (2, "Heading 2 (compact)"))),
            "section_heading_level",
            "Change heading level",
            name="Section heading level",
        )
        form.addRow("Heading le&vel:", self.level_combo)
        self.smart_check = rows.style(
            QCheckBox("Typographic quotes and dashes (“ ” – …)"),
            "smart_punctuation",
            "Change quotes",
        )
        form.addRow("", self.smart_check)

    def refresh(self, template: Template) -> None:
        blockers = [QSignalBlocker(combo) for combo in self.font_combos.values()]
        for key, combo in self.font_combos.items():
            _show_font(combo, getattr(template.style, key))
        del blockers
        self.rows.show(template)

    def fonts_listed(self, names: list[str]) -> None:
        """The installed font families are known: offer them."""
        for key, combo in self.font_combos.items():
            blocker = QSignalBlocker(combo)
            combo.clear()
            for name in names:
                combo.addItem(name, name)
            _show_font(combo, getattr(self.editing.template.style, key))
            del blocker
        self.font_note.setText(
            f"{len(names)} font families installed. A font missing on another"
            " machine gives way to DejaVu Sans there."
        )

    def _font_chosen(self, key: str) -> None:
        name = self.font_combos[key].currentData()
        if name:
            self.editing.apply(lambda t: set_style(t, **{key: name}), "Change font")


def _heading_size(level: int) -> Value:
    return Value(
        lambda t: t.style.heading_sizes_pt[level - 1],
        lambda t, pt: set_heading_size(t, level, pt),
    )


def _show_font(combo: QComboBox, name: str) -> None:
    index = combo.findData(name)
    if index < 0:
        combo.insertItem(0, f"{name} (not installed)", name)
        index = 0
    combo.setCurrentIndex(index)


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


# --------------------------------------------------------------------------
# Header & Footer
# --------------------------------------------------------------------------


class PatternValidator(QValidator):
    """A header or footer: a `{field}` Briefer does not know cannot be
    typed (the closing brace is refused); an unclosed one is still text."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if "\n" in text or pattern_problem(text):
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos


class HeaderFooterTab(QWidget):
    """The header and the footer, with buttons that insert the fields."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        self.rows = FieldRows(editing)
        layout = QVBoxLayout(self)
        self.pattern_edits: dict[str, QLineEdit] = {}
        for key, title in (("header", "Header"), ("footer", "Footer")):
            edit = self.rows.style(QLineEdit(), key, f"Change {title.lower()}", key, name=title)
            edit.setValidator(PatternValidator(edit))
            edit.setPlaceholderText(f"No {key}")
            edit.inputRejected.connect(lambda e=edit: self._pattern_refused(e))
            self.pattern_edits[key] = edit
            fields = QGridLayout()
            fields.addWidget(QLabel("Insert:"), 0, 0)
            for index, name in enumerate(HEADER_FIELDS):
                button = QPushButton(FIELD_NAMES.get(name, name))
                button.setAccessibleName(f"Insert {{{name}}} in the {key}")
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

    def insert_field(self, edit: QLineEdit, name: str) -> None:
        """Put `{name}` at the cursor of a header or footer, as typing would."""
        edit.setFocus()
        edit.insert(f"{{{name}}}")  # emits textEdited, as typing does

    def refresh(self, template: Template) -> None:
        self.rows.show(template)

    def _pattern_refused(self, edit: QLineEdit) -> None:
        """A key the header or footer refused: say which fields there are."""
        typed = edit.text()[: edit.cursorPosition()] + "}"
        self.editing.say(pattern_problem(typed) or pattern_problem("{?}"))


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


class SourcesTab(QWidget):
    """How sources are cited, and the wording around them."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = self.rows = FieldRows(editing)
        self.citation_combo = rows.style(
            choice_combo(CITATION_NAMES.items()),
            "citations",
            "Change citation style",
            name="Citation style",
        )
        form = QFormLayout(self)
        form.addRow("Sources &as:", self.citation_combo)
        self.text_edits: dict[str, QLineEdit] = {}
        for key, label in (
            ("source_line_label", '"Source:" la&bel:'),
            ("sources_title", "Sources &list title:"),
            ("contents_title", "&Contents title:"),
        ):
            edit = rows.style(QLineEdit(), key, "Change wording", key, name=spoken(label))
            self.text_edits[key] = edit
            form.addRow(label, edit)
        self.contents_check = rows.style(
            QCheckBox("A contents list under the title"), "contents", "Change contents list"
        )
        form.addRow("", self.contents_check)

    def refresh(self, template: Template) -> None:
        style = template.style
        self.rows.show(template)
        self.text_edits["source_line_label"].setEnabled(
            style.citations is CitationStyle.SOURCE_LINE
        )
        self.text_edits["contents_title"].setEnabled(style.contents)
