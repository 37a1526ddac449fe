"""The window's dialogs: the template picker for New, About, and the
question asked after an export.

`TemplatePicker` lists the templates (built-in and the user's own) with each
one's name, description, sections and a picture of its sample's first page;
the pictures are made in the background (`thumbnails.ThumbnailLoader`) and
cached, so the dialog opens at once and fills in as they arrive.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from briefer import __version__
from briefer.model import Template
from briefer.pipeline import ExportSettings

from .forms import (
    Question,
    accept_buttons,
    details_column,
    heading_label,
    list_beside_details,
    message_box,
    picture_label,
    sections_summary,
    show_picture,
)
from .thumbnails import ThumbnailLoader


class TemplatePicker(QDialog):
    """Choose the template of a new brief."""

    def __init__(
        self,
        templates: Sequence[Template],
        cache_dir: Path,
        settings: ExportSettings | None = None,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Brief")
        self.setAccessibleName("New brief: choose a template")
        self._templates = list(templates)
        self._thumbnails: dict[str, QImage] = {}

        self.list = QListWidget()
        self.list.setAccessibleName("Templates")
        self.list.setMinimumWidth(220)
        for template in self._templates:
            item = QListWidgetItem(template.name)
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            item.setToolTip(template.description)
            self.list.addItem(item)
        self.name = heading_label(1.25)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.sections = QLabel()
        self.sections.setWordWrap(True)
        self.sections.setTextFormat(Qt.TextFormat.PlainText)
        self.sections.setAccessibleName("Sections")
        self.picture = picture_label("The sample brief's first page", "Drawing the sample…")
        for label in (self.name, self.description):
            label.setTextFormat(Qt.TextFormat.PlainText)

        details = details_column(self.name, self.description, QLabel("Sections:"), self.sections)
        self.buttons = accept_buttons(self, QDialogButtonBox.StandardButton.Ok, "Create")
        layout = QVBoxLayout(self)
        layout.addLayout(list_beside_details(self.list, details, self.picture))
        layout.addWidget(self.buttons)
        self.resize(820, 440)

        self.list.currentRowChanged.connect(self._show)
        self.list.itemActivated.connect(lambda _item: self.accept())
        ids = [t.id for t in self._templates]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)
        self.list.setFocus()

        self._loader = ThumbnailLoader(self._templates, cache_dir, settings, self)
        self._loader.ready.connect(self._thumbnail_ready)
        self._loader.failed.connect(self._thumbnail_failed)
        self._loader.start()
        self.finished.connect(lambda _code: self._loader.stop())

    def selected(self) -> Template | None:
        row = self.list.currentRow()
        return self._templates[row] if 0 <= row < len(self._templates) else None

    def select(self, template_id: str) -> None:
        for row, template in enumerate(self._templates):
            if template.id == template_id:
                self.list.setCurrentRow(row)

    def thumbnail(self, template_id: str) -> QImage | None:
        return self._thumbnails.get(template_id)

    def wait_for_thumbnails(self, timeout: float = 30.0) -> None:
        self._loader.wait(timeout)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._templates):
            return
        template = self._templates[row]
        self.name.setText(template.name)
        self.description.setText(template.description or "No description.")
        self.sections.setText(sections_summary(template) or "No sections.")
        waiting = "Drawing the sample…" if template.sample_path is not None else "No sample brief"
        show_picture(self.picture, self._thumbnails.get(template.id), waiting)

    def _thumbnail_ready(self, template_id: str, image: QImage) -> None:
        self._thumbnails[template_id] = image
        current = self.selected()
        if current is not None and current.id == template_id:
            show_picture(self.picture, image, "")

    def _thumbnail_failed(self, template_id: str, reason: str) -> None:
        current = self.selected()
        if current is not None and current.id == template_id:
            self.picture.setText(f"The sample could not be drawn:\n{reason}")


def show_about(parent: QWidget | None) -> None:
    """The About box: what Briefer is, and its version."""
    from PySide6 import __version__ as pyside_version

    QMessageBox.about(
        parent,
        "About Briefer",
        f"<h3>Briefer {__version__}</h3>"
        "<p>Write sourced briefs from templates and export them to Word and PDF.</p>"
        f"<p>Qt for Python {pyside_version}</p>",
    )


class AfterExport(enum.Enum):
    """What the person wants after an export."""

    OPEN = "open"
    SHOW_FOLDER = "folder"
    NOTHING = "nothing"


def ask_after_export(
    parent: QWidget | None, outputs: Sequence[Path], warnings: Sequence[str]
) -> AfterExport:
    """Say where the export went (and any warnings), and offer to open the
    file or its folder."""
    names = "\n".join(str(p) for p in outputs)
    box = message_box(
        parent,
        "Export finished",
        f"Exported to:\n{names}",
        icon=QMessageBox.Icon.Warning if warnings else QMessageBox.Icon.Information,
        informative=f"With {len(warnings)} warning(s); see the details." if warnings else "",
        details="\n".join(warnings),
    )
    question = Question(box, otherwise=AfterExport.NOTHING)
    question.add("Open" if len(outputs) == 1 else "Open Both", AfterExport.OPEN)
    question.add("Show in Folder", AfterExport.SHOW_FOLDER, QMessageBox.ButtonRole.ActionRole)
    close = question.add(QMessageBox.StandardButton.Close, AfterExport.NOTHING)
    return question.ask(default=close)


class OnDiskChoice(enum.Enum):
    """What to do when the file to save was changed by another program."""

    OVERWRITE = "overwrite"
    SAVE_AS = "save-as"
    CANCEL = "cancel"


def ask_changed_on_disk(parent: QWidget | None, path: Path, changed: bool) -> OnDiskChoice:
    """Saving would overwrite another program's change (or recreate a file
    that was deleted): ask, with Save As (keeping both) as the default."""
    what = (
        "was changed by another program since Briefer opened it"
        if changed
        else "was deleted or moved since Briefer opened it"
    )
    box = message_box(
        parent,
        "Changed on disk",
        f"{path.name} {what}.",
        icon=QMessageBox.Icon.Warning,
        informative="Save yours under another name to keep both, or replace the file with"
        " your version.",
    )
    question = Question(box, otherwise=OnDiskChoice.CANCEL)
    save_as = question.add("Save As…", OnDiskChoice.SAVE_AS)
    question.add("Replace It", OnDiskChoice.OVERWRITE, QMessageBox.ButtonRole.DestructiveRole)
    question.add(QMessageBox.StandardButton.Cancel, OnDiskChoice.CANCEL)
    return question.ask(default=save_as)
