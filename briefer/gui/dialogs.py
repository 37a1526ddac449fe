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

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer import __version__
from briefer.compose import section_name
from briefer.model import Template
from briefer.pipeline import ExportSettings

from .thumbnails import THUMBNAIL_WIDTH, ThumbnailLoader


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
        self.name = QLabel()
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.name.setFont(font)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.sections = QLabel()
        self.sections.setWordWrap(True)
        self.sections.setTextFormat(Qt.TextFormat.PlainText)
        self.sections.setAccessibleName("Sections")
        self.picture = QLabel("Drawing the sample…")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFixedSize(QSize(THUMBNAIL_WIDTH + 8, round(THUMBNAIL_WIDTH * 1.42) + 8))
        self.picture.setAccessibleName("The sample brief's first page")
        for label in (self.name, self.description):
            label.setTextFormat(Qt.TextFormat.PlainText)

        details = QVBoxLayout()
        details.addWidget(self.name)
        details.addWidget(self.description)
        details.addWidget(QLabel("Sections:"))
        details.addWidget(self.sections)
        details.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addLayout(details, 1)
        body.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
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
        lines = []
        for spec in template.sections:
            name = section_name(spec.heading, spec.id)
            label = name if spec.heading.strip() else name.capitalize()
            budget = f" (up to {spec.max_words} words)" if spec.max_words else ""
            lines.append(f"• {label}{budget}")
        self.sections.setText("\n".join(lines) or "No sections.")
        image = self._thumbnails.get(template.id)
        if image is not None:
            self.picture.setPixmap(QPixmap.fromImage(image))
        else:
            self.picture.setPixmap(QPixmap())
            has_sample = template.sample_path is not None
            self.picture.setText("Drawing the sample…" if has_sample else "No sample brief")

    def _thumbnail_ready(self, template_id: str, image: QImage) -> None:
        self._thumbnails[template_id] = image
        current = self.selected()
        if current is not None and current.id == template_id:
            self.picture.setPixmap(QPixmap.fromImage(image))

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


def ask_after_export(parent: QWidget | None, outputs: Sequence[Path], warnings: Sequence[str]):
    """Say where the export went (and any warnings), and offer to open the
    file or its folder."""
    box = QMessageBox(parent)
    box.setWindowTitle("Export finished")
    box.setIcon(QMessageBox.Icon.Warning if warnings else QMessageBox.Icon.Information)
    names = "\n".join(str(p) for p in outputs)
    box.setText(f"Exported to:\n{names}")
    if warnings:
        box.setInformativeText(f"With {len(warnings)} warning(s); see the details.")
        box.setDetailedText("\n".join(warnings))
    label = "Open" if len(outputs) == 1 else "Open Both"
    open_button = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Show in Folder", QMessageBox.ButtonRole.ActionRole)
    close_button: QPushButton = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is open_button:
        return AfterExport.OPEN
    if clicked is folder_button:
        return AfterExport.SHOW_FOLDER
    return AfterExport.NOTHING


class OnDiskChoice(enum.Enum):
    """What to do when the file to save was changed by another program."""

    OVERWRITE = "overwrite"
    SAVE_AS = "save-as"
    CANCEL = "cancel"


def ask_changed_on_disk(parent: QWidget | None, path: Path, changed: bool) -> OnDiskChoice:
    """Saving would overwrite another program's change (or recreate a file
    that was deleted): ask, with Save As (keeping both) as the default."""
    box = QMessageBox(parent)
    box.setWindowTitle("Changed on disk")
    box.setIcon(QMessageBox.Icon.Warning)
    what = (
        "was changed by another program since Briefer opened it"
        if changed
        else "was deleted or moved since Briefer opened it"
    )
    box.setText(f"{path.name} {what}.")
    box.setInformativeText(
        "Save yours under another name to keep both, or replace the file with your version."
    )
    save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
    overwrite = box.addButton("Replace It", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save_as)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save_as:
        return OnDiskChoice.SAVE_AS
    if clicked is overwrite:
        return OnDiskChoice.OVERWRITE
    return OnDiskChoice.CANCEL
