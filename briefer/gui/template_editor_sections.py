"""The template editor's Sections tab: the template's sections in their
order, and the one chosen.

Sections are added (after the one chosen), removed and moved up and down
with buttons and their shortcuts; the one chosen shows its heading, kind,
guidance, word budget and whether it is required. A section the template
had when it was opened (or last saved) keeps its id, which briefs name it
by; one added here takes its id from its heading as the heading is typed.
Every change is one edit through `Editing`.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from briefer.compose import section_name
from briefer.model import SectionKind, SectionSpec, Template
from briefer.template_editing import (
    add_section,
    move_section,
    new_section_id,
    remove_section,
    section_id_for,
    section_limits,
    set_section,
)

from .forms import push_button
from .template_editor_fields import Editing, FieldRows, Value, choice_combo, set_text

KIND_NAMES = {SectionKind.PROSE: "Prose", SectionKind.BULLETS: "Bullets"}


class SectionsTab(QWidget):
    """The sections of the template, and the fields of the one chosen."""

    def __init__(self, editing: Editing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        template = editing.template
        # Sections the template had when opened (or last saved) keep their
        # ids, which briefs name them by; a section added here takes its id
        # from its heading as the heading is typed.
        self.kept_ids = {s.id for s in template.sections}
        self.section_id: str | None = template.sections[0].id if template.sections else None

        self.section_list = QListWidget()
        self.section_list.setAccessibleName("Sections")
        self.section_list.currentRowChanged.connect(self._section_chosen)
        self.add_button = _button("&Add", "Add a section after the one chosen", "Ctrl+Shift+N")
        self.add_button.clicked.connect(self.add_section)
        self.remove_button = _button("&Remove", "Remove the section chosen", "Ctrl+Shift+Backspace")
        self.remove_button.clicked.connect(self.remove_section)
        self.up_button = _button("Move &Up", "Move the section chosen up", "Alt+Up")
        self.up_button.clicked.connect(lambda: self.move_section(-1))
        self.down_button = _button("Move Do&wn", "Move the section chosen down", "Alt+Down")
        self.down_button.clicked.connect(lambda: self.move_section(1))
        buttons = QVBoxLayout()
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
        self.guidance_edit = QPlainTextEdit()
        self.guidance_edit.setAccessibleName("Section guidance")
        self.guidance_edit.setPlaceholderText(
            "Shown in grey in the empty section while the brief is written; never exported"
        )
        self.guidance_edit.setTabChangesFocus(True)
        self.guidance_edit.setFixedHeight(self.guidance_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.guidance_edit.textChanged.connect(self._guidance_typed)

        self.rows = FieldRows(editing)
        self.kind_combo = self.rows.bind(
            choice_combo(KIND_NAMES.items()),
            self._field("kind"),
            "Change section",
            name="Section kind",
        )
        budget = section_limits("max_words")
        self.budget_spin = QSpinBox()
        self.budget_spin.setRange(int(budget.low) - 1, int(budget.high))
        self.budget_spin.setSpecialValueText("No limit")
        self.budget_spin.setSingleStep(10)
        self.budget_spin.setSuffix(" words")
        self.budget_spin.setKeyboardTracking(False)
        no_limit = self.budget_spin.minimum()
        self.rows.bind(
            self.budget_spin,
            Value(
                lambda t: self._spec(t).max_words or no_limit,
                lambda t, words: self._set(t, max_words=words if words >= budget.low else None),
            ),
            "Change word budget",
            name="Word budget",
        )
        self.required_check = self.rows.bind(
            QCheckBox("Required: a warning while it is left empty"),
            self._field("required"),
            "Change section",
        )
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
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.section_box)

    # ------------------------------------------------------------------
    # Editing
    # ------------------------------------------------------------------

    def add_section(self) -> None:
        row = self.section_list.currentRow()
        before = self.editing.template
        if self.editing.apply(
            lambda t: add_section(t, index=row + 1 if row >= 0 else None), "Add section"
        ):
            self.section_id = new_section_id(before, self.editing.template)
            self.refresh(self.editing.template)
            self.heading_edit.setFocus()
            self.heading_edit.selectAll()

    def remove_section(self) -> None:
        section_id = self.section_id
        if section_id is None:
            return
        row = self.section_list.currentRow()
        if self.editing.apply(lambda t: remove_section(t, section_id), "Remove section"):
            sections = self.editing.template.sections
            self.section_id = sections[min(row, len(sections) - 1)].id
            self.refresh(self.editing.template)

    def move_section(self, offset: int) -> None:
        section_id = self.section_id
        row = self.section_list.currentRow()
        if section_id is None or not 0 <= row + offset < len(self.editing.template.sections):
            return
        self.editing.apply(lambda t: move_section(t, section_id, row + offset), "Move section")

    def keep_ids(self, template: Template) -> None:
        """`template` was saved: its sections' ids are the ones briefs know."""
        self.kept_ids = {s.id for s in template.sections}

    def _field(self, key: str) -> Value:
        """A field of the section chosen."""
        return Value(lambda t: getattr(self._spec(t), key), lambda t, v: self._set(t, **{key: v}))

    def _spec(self, template: Template) -> SectionSpec | None:
        return template.section(self.section_id) if self.section_id else None

    def _set(self, template: Template, **changes: object) -> Template:
        if self.section_id is None:
            return template
        return set_section(template, self.section_id, **changes)

    def _heading_typed(self, text: str) -> None:
        section_id = self.section_id
        if section_id is None:
            return
        changes: dict[str, object] = {"heading": text}
        if section_id not in self.kept_ids:
            changes["id"] = section_id_for(self.editing.template, text, replacing=section_id)
        new_id = str(changes.get("id", section_id))
        if self.editing.apply(
            lambda t: set_section(t, section_id, **changes),
            "Change heading",
            f"heading-{section_id}",
            merge=True,
        ):
            self.section_id = new_id

    def _guidance_typed(self) -> None:
        section_id = self.section_id
        spec = self._spec(self.editing.template)
        text = self.guidance_edit.toPlainText()
        if spec is None or spec.guidance == text:
            return
        self.editing.apply(
            lambda t: set_section(t, section_id, guidance=text),
            "Change guidance",
            f"guidance-{section_id}",
            merge=True,
        )

    def _section_chosen(self, row: int) -> None:
        sections = self.editing.template.sections
        if 0 <= row < len(sections):
            self.section_id = sections[row].id
            self._refresh_section(self.editing.template)

    # ------------------------------------------------------------------
    # Showing
    # ------------------------------------------------------------------

    def refresh(self, template: Template) -> None:
        """The list and the section chosen, from `template`."""
        if self.section_id is None or template.section(self.section_id) is None:
            # Undo took the chosen section away (or renamed it): choose by place.
            row = max(0, self.section_list.currentRow())
            if template.sections:
                self.section_id = template.sections[min(row, len(template.sections) - 1)].id
        sections = template.sections
        labels = [section_label(s.heading, s.id) for s in sections]
        current = [self.section_list.item(i).text() for i in range(self.section_list.count())]
        blocker = QSignalBlocker(self.section_list)
        if labels != current:
            self.section_list.clear()
            for spec, label in zip(sections, labels, strict=True):
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, spec.id)
                self.section_list.addItem(item)
        ids = [s.id for s in sections]
        row = ids.index(self.section_id) if self.section_id in ids else 0
        self.section_list.setCurrentRow(row if sections else -1)
        del blocker
        self.remove_button.setEnabled(len(sections) > 1)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(row < len(sections) - 1)
        self._refresh_section(template)

    def _refresh_section(self, template: Template) -> None:
        spec = self._spec(template)
        self.section_box.setEnabled(spec is not None)
        if spec is None:
            return
        blockers = [QSignalBlocker(w) for w in (self.heading_edit, self.guidance_edit)]
        set_text(self.heading_edit, spec.heading)
        if self.guidance_edit.toPlainText() != spec.guidance:
            self.guidance_edit.setPlainText(spec.guidance)
        del blockers
        self.rows.show(template)
        self.section_box.setTitle(f"Section: {section_label(spec.heading, spec.id)}")
        kept = "" if spec.id in self.kept_ids else " (made from the heading)"
        self.section_id_label.setText(f"Briefs name this section {spec.id!r}{kept}.")
        row = self.section_list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(template.sections) - 1)


def section_label(heading: str, section_id: str) -> str:
    """A section as the list names it: its heading, or its name in brackets."""
    return heading.strip() or f"({section_name('', section_id).capitalize()}: no heading)"


def _button(text: str, tip: str, keys: str) -> QPushButton:
    """A button of the section list, with its shortcut in its tooltip."""
    button = push_button(text, f"{tip} ({keys})")
    button.setShortcut(QKeySequence(keys))
    return button
