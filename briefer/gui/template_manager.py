"""The template manager: every template, as it exports, and what can be
done with it.

`TemplateManager` (Template > Manage Templates…) lists the built-in
templates and the person's own, each with a picture of its sample's first
page drawn by the PDF exporter (`thumbnails.ThumbnailLoader`, cached), its
description, sections and where it lives. From it a template is edited
(the template editor), duplicated, renamed or deleted (the person's own
only: a built-in template is changed by saving an edited copy of it, which
replaces it until that copy is deleted, "Restore Built-in"), imported from
a `.zip` or a folder (checked whole first, every problem listed), and
exported to a `.zip` for a colleague.

The work is the core's (`briefer.template_store.UserTemplates`,
`briefer.template_share`); it runs off the GUI thread (`BackgroundCall`),
and so does reading the templates folder, since loading a template with a
Word base reads that document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer.model import Template
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.template_editing import template_id_for
from briefer.template_share import PackageReport, check_package, export_template, import_template
from briefer.template_store import UserTemplates
from briefer.templates import SkippedTemplate, TemplateRegistry

from .forms import (
    details_column,
    heading_label,
    list_beside_details,
    message_box,
    picture_label,
    push_button,
    sections_summary,
    show_picture,
)
from .template_commands import BackgroundCall, BugReporter
from .thumbnails import ThumbnailLoader

ICON_WIDTH = 72


@dataclass(frozen=True)
class Catalogue:
    """The templates in effect (user ones replacing built-in ones of the
    same id), the ids of built-in templates a user one replaces, and the
    folders that could not be read."""

    templates: tuple[Template, ...]
    overriding: frozenset[str]
    skipped: tuple[SkippedTemplate, ...]

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)


def read_catalogue(paths: Paths) -> Catalogue:
    """The templates folder as the manager shows it (run off the GUI thread)."""
    registry = TemplateRegistry(paths)
    templates, skipped = registry.scan()
    store = UserTemplates(paths, registry)
    overriding = frozenset(
        t.id for t in templates if not t.builtin and store.builtin(t.id) is not None
    )
    return Catalogue(tuple(templates), overriding, tuple(skipped))


class TemplateManager(QDialog):
    """Every template, with its picture, and the commands on it."""

    changed = Signal(str)  # the id of a template added, changed or deleted
    reloaded = Signal()  # the list shows the templates folder as it is now

    def __init__(
        self,
        registry: TemplateRegistry,
        *,
        cache_dir: Path,
        export_settings: ExportSettings | None = None,
        report_bug: BugReporter | None = None,
        edit: Callable[[Template], object] | None = None,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Templates")
        self.setAccessibleName("Manage templates")
        self.registry = registry
        self.paths = registry.paths
        self.cache_dir = cache_dir
        self.export_settings = export_settings
        self._report_bug = report_bug
        self._edit = edit
        self.catalogue = Catalogue((), frozenset(), ())
        self._pictures: dict[str, QImage] = {}
        self._loader: ThumbnailLoader | None = None
        self._select_after: str | None = None
        self.job: BackgroundCall | None = None  # the command running, one at a time
        self._scan: BackgroundCall | None = None

        self.list = QListWidget()
        self.list.setAccessibleName("Templates")
        self.list.setIconSize(QSize(ICON_WIDTH, round(ICON_WIDTH * 1.42)))
        self.list.setMinimumWidth(280)
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(lambda _row: self._show())
        self.list.itemActivated.connect(lambda _item: self.edit_selected())

        self.name = heading_label(1.3)
        self.origin = QLabel()
        self.origin.setAccessibleName("Where the template comes from")
        self.description = QLabel()
        self.sections = QLabel()
        self.sections.setAccessibleName("Sections")
        for label in (self.name, self.origin, self.description, self.sections):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.picture = picture_label("The sample's first page")
        details = details_column(
            self.name, self.origin, self.description, 6, QLabel("Sections:"), self.sections
        )
        body = list_beside_details(self.list, details, self.picture)

        self.edit_button = _button("&Edit…", "Change the template's sections and look")
        self.edit_button.clicked.connect(self.edit_selected)
        self.duplicate_button = _button("&Duplicate…", "Make a copy of your own to change")
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.rename_button = _button("Re&name…", "Give your template another name")
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = _button("De&lete…", "Delete your template")
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button = _button("&Import", "Add a template a colleague sent you")
        menu = QMenu(self.import_button)
        self.act_import_zip = menu.addAction("From a .&zip File…", self.import_zip)
        self.act_import_folder = menu.addAction("From a &Folder…", self.import_folder)
        self.import_button.setMenu(menu)
        self.export_button = _button("E&xport…", "Save the template as one .zip file to share")
        self.export_button.clicked.connect(self.export_selected)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (
            self.edit_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
        ):
            row.addWidget(button)
        row.addSpacing(18)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.close_buttons)

        self.status = QLabel()
        self.status.setAccessibleName("Template manager status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self.resize(980, 560)
        self.finished.connect(lambda _code: self._stop_pictures())
        self._update_buttons()
        self.reload(select=current)

    # ------------------------------------------------------------------
    # The list
    # ------------------------------------------------------------------

    def reload(self, select: str | None = None) -> BackgroundCall:
        """Read the templates folder again (in the background) and show it;
        `select` the template of that id once shown."""
        self.registry.refresh()
        if select is not None:
            self._select_after = select
        elif self._select_after is None and (current := self.selected()) is not None:
            self._select_after = current.id
        paths = self.paths
        scan = BackgroundCall(
            lambda: read_catalogue(paths), report_bug=self._report_bug, parent=self
        )
        scan.done.connect(lambda catalogue: self._show_catalogue(scan, catalogue))
        scan.failed.connect(self.say)
        self._scan = scan.start()
        return scan

    def _show_catalogue(self, scan: BackgroundCall, catalogue: Catalogue) -> None:
        if scan is not self._scan:
            return  # a newer reading is on its way
        self.catalogue = catalogue
        wanted = self._select_after
        self._select_after = None
        self.list.blockSignals(True)
        self.list.clear()
        for template in catalogue.templates:
            item = QListWidgetItem(f"{template.name}\n{self._kind(template)}")
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            item.setToolTip(template.description)
            picture = self._pictures.get(template.id)
            if picture is not None:
                item.setIcon(_icon(picture))
            self.list.addItem(item)
        ids = [t.id for t in catalogue.templates]
        self.list.setCurrentRow(ids.index(wanted) if wanted in ids else 0 if ids else -1)
        self.list.blockSignals(False)
        self._show()
        if catalogue.skipped:
            lines = [f"{s.folder.name}: {s.message}" for s in catalogue.skipped]
            self.status.setToolTip("\n".join(lines))
            count = len(lines)
            self.say(
                f"{count} template folder{'s' * (count != 1)} could not be read and"
                f" {'are' if count != 1 else 'is'} left out: {lines[0]}"
            )
        self._load_pictures(catalogue.templates)
        self.reloaded.emit()

    def _kind(self, template: Template) -> str:
        if template.builtin:
            return "Built-in"
        if template.id in self.catalogue.overriding:
            return "Yours (replaces the built-in)"
        return "Yours"

    def selected(self) -> Template | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self.catalogue.get(item.data(Qt.ItemDataRole.UserRole))

    def select(self, template_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == template_id:
                self.list.setCurrentRow(row)

    def picture_of(self, template_id: str) -> QImage | None:
        return self._pictures.get(template_id)

    def _show(self) -> None:
        template = self.selected()
        self._update_buttons()
        if template is None:
            for label in (self.name, self.origin, self.description, self.sections):
                label.clear()
            self.picture.clear()
            return
        self.name.setText(template.name)
        if template.builtin:
            origin = "Built into Briefer. Edit it to make your own copy, which replaces it."
        elif template.id in self.catalogue.overriding:
            origin = (
                f"Yours, in {template.directory}. It replaces the built-in template of the"
                " same name; Restore Built-in deletes your copy."
            )
        else:
            origin = f"Yours, in {template.directory}."
        self.origin.setText(origin)
        self.description.setText(template.description or "No description.")
        self.sections.setText(sections_summary(template))
        show_picture(self.picture, self._pictures.get(template.id), "Drawing the first page…")

    def _update_buttons(self) -> None:
        template = self.selected()
        busy = self.job is not None and self.job.is_running()
        own = template is not None and not template.builtin
        overriding = own and template is not None and template.id in self.catalogue.overriding
        self.edit_button.setEnabled(template is not None and self._edit is not None)
        self.duplicate_button.setEnabled(template is not None and not busy)
        self.rename_button.setEnabled(own and not busy)
        self.delete_button.setEnabled(own and not busy)
        self.delete_button.setText("&Restore Built-in…" if overriding else "De&lete…")
        self.delete_button.setToolTip(
            "Delete your copy; the built-in template is used again"
            if overriding
            else "Delete your template"
        )
        self.export_button.setEnabled(template is not None and not busy)
        self.import_button.setEnabled(not busy)

    # ------------------------------------------------------------------
    # Pictures
    # ------------------------------------------------------------------

    def _load_pictures(self, templates: tuple[Template, ...]) -> None:
        self._stop_pictures()
        loader = ThumbnailLoader(templates, self.cache_dir, self.export_settings, self)
        loader.ready.connect(self._picture_ready)
        loader.failed.connect(self._picture_failed)
        self._loader = loader
        loader.start()

    def _stop_pictures(self) -> None:
        if self._loader is not None:
            self._loader.stop()

    def wait_for_pictures(self, timeout: float = 60.0) -> None:
        if self._loader is not None:
            self._loader.wait(timeout)

    def _picture_ready(self, template_id: str, image: QImage) -> None:
        if self.sender() is not self._loader:
            return  # a picture of the folder as it was before
        self._pictures[template_id] = image
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == template_id:
                item.setIcon(_icon(image))
        current = self.selected()
        if current is not None and current.id == template_id:
            show_picture(self.picture, image, "")

    def _picture_failed(self, template_id: str, reason: str) -> None:
        current = self.selected()
        if current is not None and current.id == template_id:
            self.picture.setText(f"The first page could not be drawn:\n{reason}")

    # ------------------------------------------------------------------
    # Commands
    # ------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.status.setText(message)

    def _run(
        self, what: str, work: Callable[[], object], done: Callable[[object], None]
    ) -> BackgroundCall | None:
        if self.job is not None and self.job.is_running():
            self.say("Wait for the last command to finish.")
            return None
        job = BackgroundCall(work, report_bug=self._report_bug, parent=self)
        job.done.connect(done)
        job.failed.connect(lambda message: self._failed(what, message))
        job.done.connect(lambda _r: self._update_buttons())
        job.failed.connect(lambda _m: self._update_buttons())
        self.job = job.start()
        self._update_buttons()
        self.say(f"{what}…")
        return job

    def _failed(self, what: str, message: str) -> None:
        self.say(f"{what}: not done.")
        QMessageBox.warning(self, what, message)

    def _store(self) -> UserTemplates:
        # Its own registry: the work runs on a background thread.
        return UserTemplates(self.paths, TemplateRegistry(self.paths))

    def edit_selected(self) -> object | None:
        template = self.selected()
        if template is None or self._edit is None:
            return None
        editor = self._edit(template)
        saved = getattr(editor, "saved", None)
        if saved is not None:
            saved.connect(lambda t: self.reload(select=t.id))
        return editor

    def duplicate_selected(self) -> BackgroundCall | None:
        template = self.selected()
        if template is None:
            return None
        name, ok = QInputDialog.getText(
            self,
            "Duplicate Template",
            "Name of the copy:",
            QLineEdit.EchoMode.Normal,
            f"{template.name} (copy)",
        )
        name = name.strip()
        if not ok or not name:
            return None
        new_id = template_id_for(name, {t.id for t in self.catalogue.templates})
        store = self._store()

        def done(saved: object) -> None:
            copy = saved.template  # type: ignore[attr-defined]
            self.say(f"Made {copy.name}, a copy of {template.name}: yours to change.")
            self.changed.emit(copy.id)
            self.reload(select=copy.id)

        return self._run(
            "Duplicate the template", lambda: store.duplicate(template.id, new_id, name), done
        )

    def rename_selected(self) -> BackgroundCall | None:
        template = self.selected()
        if template is None or template.builtin:
            return None
        name, ok = QInputDialog.getText(
            self, "Rename Template", "New name:", QLineEdit.EchoMode.Normal, template.name
        )
        name = name.strip()
        if not ok or not name or name == template.name:
            return None
        store = self._store()

        def done(renamed: object) -> None:
            self.say(f"Renamed {template.name} to {name}; briefs written with it follow.")
            self.changed.emit(template.id)
            self.reload(select=template.id)

        return self._run("Rename the template", lambda: store.rename(template.id, name), done)

    def delete_selected(self) -> BackgroundCall | None:
        template = self.selected()
        if template is None or template.builtin:
            return None
        Ask = QMessageBox.StandardButton
        if template.id in self.catalogue.overriding:
            question = (
                f"Delete your copy of {template.name}? The built-in template is used again,"
                " also by briefs written with your copy."
            )
            title = "Restore Built-in Template"
        else:
            question = (
                f"Delete the template {template.name}? Briefs written with it keep their"
                " text, but open only once a template of its id is back."
            )
            title = "Delete Template"
        if QMessageBox.question(self, title, question, Ask.Yes | Ask.Cancel, Ask.Cancel) != Ask.Yes:
            return None
        store = self._store()

        def done(builtin: object) -> None:
            if builtin is not None:
                self.say(f"Deleted your copy: the built-in {template.name} is back.")
            else:
                self.say(f"Deleted {template.name}.")
            self.changed.emit(template.id)
            self.reload(select=template.id if builtin is not None else None)

        return self._run(title, lambda: store.delete(template.id), done)

    def export_selected(self) -> BackgroundCall | None:
        template = self.selected()
        if template is None:
            return None
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Export Template",
            str(Path.home() / f"{template.id}.zip"),
            "Template packages (*.zip)",
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")

        def done(_names: object) -> None:
            self.say(f"Exported {template.name} to {target}: send that file to a colleague.")

        return self._run("Export the template", lambda: export_template(template, target), done)

    def import_zip(self) -> BackgroundCall | None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import Template", str(Path.home()), "Template packages (*.zip)"
        )
        return self.import_from(Path(chosen)) if chosen else None

    def import_folder(self) -> BackgroundCall | None:
        chosen = QFileDialog.getExistingDirectory(self, "Import Template Folder", str(Path.home()))
        return self.import_from(Path(chosen)) if chosen else None

    def import_from(self, source: Path) -> BackgroundCall | None:
        """Check the template in `source` whole; if it passes, ask before
        replacing one of the person's own, then import it."""
        settings = self.export_settings
        return self._run(
            f"Check {source.name}",
            lambda: check_package(source, settings),
            lambda report: self._checked(source, report),  # type: ignore[arg-type]
        )

    def _checked(self, source: Path, report: PackageReport) -> None:
        if report.errors or report.template is None:
            self._refused(source, report)
            return
        template = report.template
        existing = self.catalogue.get(template.id)
        replace = False
        if existing is not None and not existing.builtin:
            Ask = QMessageBox.StandardButton
            answer = QMessageBox.question(
                self,
                "Replace Template",
                f"You have a template {existing.name!r} with the id {template.id!r}."
                f" Replace it with the one in {source.name}?",
                Ask.Yes | Ask.Cancel,
                Ask.Cancel,
            )
            if answer != Ask.Yes:
                self.say("Not imported.")
                return
            replace = True
        paths, settings = self.paths, self.export_settings

        def done(imported: object) -> None:
            new = imported.template  # type: ignore[attr-defined]
            notes = [str(p) for p in imported.warnings]  # type: ignore[attr-defined]
            replaces = (
                " It replaces the built-in one of the same id."
                if imported.overrides is not None  # type: ignore[attr-defined]
                else ""
            )
            count = len(notes)
            warned = f" {count} warning{'s' * (count != 1)}: {notes[0]}" if notes else ""
            self.say(f"Imported {new.name}.{replaces}{warned}")
            self.status.setToolTip("\n".join(notes))
            self.changed.emit(new.id)
            self.reload(select=new.id)

        self._run(
            f"Import {source.name}",
            lambda: import_template(source, paths, settings, replace=replace),
            done,
        )

    def _refused(self, source: Path, report: PackageReport) -> None:
        errors = report.errors
        count = len(errors)
        self.say(f"{source.name} was not imported: {count} problem{'s' * (count != 1)}.")
        box = message_box(
            self,
            "Template Not Imported",
            f"{source.name} cannot be imported: {count} problem{'s' * (count != 1)} found."
            " Nothing was added to your templates.",
            icon=QMessageBox.Icon.Warning,
            informative=str(errors[0]) if errors else "It holds no template.",
            details="\n".join(str(p) for p in report.problems),
        )
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        self.refusal = box
        box.open()


def _button(text: str, tip: str) -> QPushButton:
    # Return in the manager presses none of its commands.
    return push_button(text, tip, auto_default=False)


def _icon(image: QImage) -> QIcon:
    scaled = image.scaledToWidth(
        ICON_WIDTH * 2, Qt.TransformationMode.SmoothTransformation
    )  # the picture is drawn at twice the size, for sharp high-DPI screens
    scaled.setDevicePixelRatio(2.0)
    return QIcon(QPixmap.fromImage(scaled))
