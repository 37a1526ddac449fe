"""The template manager and the window's Template menu, driven as a person does.

The manager lists the real built-in templates and the person's own (user
folders redirected by tests/conftest.py), each with a picture of its
sample's first page drawn by the PDF exporter; duplicate, rename, delete,
restore a built-in, export to a .zip and import it back, and a hostile
package refused with every problem listed and nothing written. The window's
commands switch a brief's template (every word kept, one undo step that
brings the old template back) and save a brief as a template. Only modal
dialog statics are patched (QInputDialog, QFileDialog, QMessageBox).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QInputDialog, QMessageBox
from test_window import WindowOpener

from briefer.briefs import load_brief
from briefer.gui.template_commands import TemplateCommands
from briefer.gui.template_manager import TemplateManager
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.templates import TemplateRegistry, load_template
from briefer.words import count_words

WAIT_MS = 30_000
Ask = QMessageBox.StandardButton


@pytest.fixture(autouse=True)
def _shared_font_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One font cache (and picture cache) for the module."""
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "font-cache"))


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


class Answers:
    """What the patched dialogs answer, and what they were asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        self.files: list[Path] = []
        self.questions: list[str] = []
        self.warnings: list[str] = []
        self.reply = Ask.Yes
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(self._text))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._file))
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(self._file))
        monkeypatch.setattr(
            QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(self._file()[0]))
        )
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self._question))
        monkeypatch.setattr(QMessageBox, "warning", staticmethod(self._warning))

    def _text(self, parent, title, label, mode=None, text="", *a, **k):
        self.questions.append(f"{title}: {text}")
        return (self.names.pop(0), True) if self.names else ("", False)

    def _file(self, *a, **k):
        return (str(self.files.pop(0)), "") if self.files else ("", "")

    def _question(self, parent, title, text, *a, **k):
        self.questions.append(f"{title}: {text}")
        return self.reply

    def _warning(self, parent, title, text, *a, **k):
        self.warnings.append(f"{title}: {text}")
        return Ask.Discard


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


def open_manager(qtbot, edit=None) -> TemplateManager:
    paths = Paths.from_env()
    manager = TemplateManager(
        TemplateRegistry(paths),
        cache_dir=paths.cache_dir,
        export_settings=ExportSettings.from_env(paths),
        edit=edit,
    )
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(lambda: manager.list.count() > 0, timeout=WAIT_MS)
    return manager


def listed(manager: TemplateManager) -> dict[str, str]:
    """Each template's id and the second line of its entry (Built-in, Yours, ...)."""
    rows = (manager.list.item(i) for i in range(manager.list.count()))
    return {item.data(Qt.ItemDataRole.UserRole): item.text().split("\n")[1] for item in rows}


def finish(qtbot, manager: TemplateManager, job) -> None:
    """Wait for a command and for the list to show its outcome."""
    assert job is not None
    with qtbot.waitSignal(manager.reloaded, timeout=WAIT_MS):
        pass
    assert not job.is_running()


def test_every_template_is_listed_with_a_picture_of_its_first_page(qtbot) -> None:
    manager = open_manager(qtbot)
    assert listed(manager) == {
        "smart-brevity": "Built-in",
        "long-form": "Built-in",
        "bluf-memo": "Built-in",
    }
    manager.select("long-form")
    assert manager.name.text() == "Long-form article"
    assert "Built into Briefer" in manager.origin.text()
    assert not manager.delete_button.isEnabled() and not manager.rename_button.isEnabled()
    for template_id in ("smart-brevity", "long-form", "bluf-memo"):
        qtbot.waitUntil(lambda i=template_id: manager.picture_of(i) is not None, timeout=WAIT_MS)
    image = manager.picture_of("long-form")
    corner = image.pixelColor(3, 3)
    assert (corner.red(), corner.green(), corner.blue()) == (255, 255, 255)  # paper
    dark = sum(
        1
        for y in range(0, image.height(), 5)
        for x in range(0, image.width(), 5)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark > 50  # text was drawn
    qtbot.waitUntil(lambda: not manager.picture.pixmap().isNull())
    assert all(not manager.list.item(i).icon().isNull() for i in range(3))


def test_duplicate_rename_and_delete_the_persons_own(qtbot, answers: Answers) -> None:
    manager = open_manager(qtbot)
    manager.select("bluf-memo")
    answers.names.append("Europe desk memo")
    job = manager.duplicate_selected()
    finish(qtbot, manager, job)
    assert answers.questions == ["Duplicate Template: BLUF memo (copy)"]
    assert listed(manager)["europe-desk-memo"] == "Yours"
    assert manager.selected().id == "europe-desk-memo"
    folder = Paths.from_env().user_templates / "europe-desk-memo"
    copy = load_template(folder)
    assert copy.name == "Europe desk memo"
    assert [s.id for s in copy.sections] == [
        s.id for s in TemplateRegistry(Paths.from_env()).by_id("bluf-memo").sections
    ]
    assert load_brief(folder / "sample.brief").template == "europe-desk-memo"
    # Its picture is drawn like the others.
    qtbot.waitUntil(lambda: manager.picture_of("europe-desk-memo") is not None, timeout=WAIT_MS)

    assert manager.rename_button.isEnabled()
    answers.names.append("Europe desk BLUF")
    finish(qtbot, manager, manager.rename_selected())
    assert load_template(folder).name == "Europe desk BLUF"
    assert manager.name.text() == "Europe desk BLUF"

    assert manager.delete_button.text() == "De&lete…"
    finish(qtbot, manager, manager.delete_selected())
    assert answers.questions[-1].startswith(
        "Delete Template: Delete the template Europe desk BLUF?"
    )
    assert "europe-desk-memo" not in listed(manager)
    assert not folder.exists()


def test_an_edited_builtin_replaces_it_until_restored(qtbot, answers: Answers) -> None:
    from briefer.gui.template_editor import TemplateEditor

    paths = Paths.from_env()
    editors: list[TemplateEditor] = []

    def edit(template):
        editor = TemplateEditor(template, paths, preview=False)
        qtbot.addWidget(editor)
        editors.append(editor)
        editor.show()
        return editor

    manager = open_manager(qtbot, edit=edit)
    manager.select("smart-brevity")
    editor = manager.edit_selected()
    editor.name_edit.setFocus()
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Smart Brevity (desk)")
    with qtbot.waitSignal(manager.reloaded, timeout=WAIT_MS):
        editor.save()
    assert listed(manager)["smart-brevity"] == "Yours (replaces the built-in)"
    assert manager.name.text() == "Smart Brevity (desk)"
    assert "Restore Built-in" in manager.delete_button.text()
    assert "replaces the built-in" in manager.origin.text()

    finish(qtbot, manager, manager.delete_selected())
    assert answers.questions[-1].startswith("Restore Built-in Template: Delete your copy")
    assert listed(manager)["smart-brevity"] == "Built-in"
    assert manager.selected().name == "Smart Brevity"
    assert not (paths.user_templates / "smart-brevity").exists()
    editor.document.stack.clear()


def test_export_to_a_zip_and_import_it_back(qtbot, answers: Answers, tmp_path: Path) -> None:
    manager = open_manager(qtbot)
    manager.select("long-form")
    answers.names.append("Desk long-form")
    finish(qtbot, manager, manager.duplicate_selected())
    target = tmp_path / "out" / "desk-long-form"
    target.parent.mkdir()
    answers.files.append(target)  # the .zip is added
    manager.export_selected()
    qtbot.waitUntil(lambda: "desk-long-form.zip" in manager.status.text(), timeout=WAIT_MS)
    package = target.with_name("desk-long-form.zip")
    with zipfile.ZipFile(package) as archive:
        names = sorted(archive.namelist())
    assert names == [
        "desk-long-form/logo.png",
        "desk-long-form/sample.brief",
        "desk-long-form/template.toml",
    ]
    assert "send that file to a colleague" in manager.status.text()

    finish(qtbot, manager, manager.delete_selected())
    assert "desk-long-form" not in listed(manager)
    answers.files.append(package)
    manager.act_import_zip.trigger()
    qtbot.waitUntil(lambda: "desk-long-form" in listed(manager), timeout=WAIT_MS)
    assert manager.selected().id == "desk-long-form"
    assert manager.status.text().startswith("Imported Desk long-form.")

    # Importing it again asks before replacing the person's own.
    answers.files.append(package)
    answers.reply = Ask.Cancel
    manager.act_import_zip.trigger()
    qtbot.waitUntil(lambda: manager.status.text() == "Not imported.", timeout=WAIT_MS)
    assert answers.questions[-1].startswith("Replace Template: You have a template")


def test_a_hostile_package_is_refused_whole_and_nothing_is_written(
    qtbot, answers: Answers, tmp_path: Path
) -> None:
    manager = open_manager(qtbot)
    package = tmp_path / "gift.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("gift/template.toml", "[template]\nid = 'gift'\nname = 'Gift'\n")
        archive.writestr("../../outside.txt", "escaped")
        archive.writestr("/etc/briefer-owned.toml", "absolute")
    answers.files.append(package)
    manager.act_import_zip.trigger()
    qtbot.waitUntil(lambda: getattr(manager, "refusal", None) is not None, timeout=WAIT_MS)
    box = manager.refusal
    assert "gift.zip cannot be imported: 2 problems found" in box.text()
    details = box.detailedText()
    assert "../../outside.txt" in details and "/etc/briefer-owned.toml" in details
    box.close()
    user = Paths.from_env().user_templates
    assert not user.exists() or not any(user.iterdir())
    assert not (tmp_path.parent / "outside.txt").exists()

    # A folder with a broken template.toml: every problem is listed.
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "template.toml").write_text(
        "[template]\nid = 'broken'\nname = 'Broken'\n\n[[sections]]\nid = 'body'\n"
        "max_words = 0\n\n[style]\nbody_size_pt = 99\naccent = 'blue'\n",
        encoding="utf-8",
    )
    manager.refusal = None
    answers.files.append(folder)
    manager.act_import_folder.trigger()
    qtbot.waitUntil(lambda: manager.refusal is not None, timeout=WAIT_MS)
    details = manager.refusal.detailedText()
    for where in ("sections[0].max_words", "style.body_size_pt", "style.accent"):
        assert where in details
    manager.refusal.close()
    assert "broken" not in listed(manager)


# --------------------------------------------------------------------------
# The window's Template menu
# --------------------------------------------------------------------------


def commands_of(window) -> TemplateCommands:
    """The window's template commands (made here if the window has none)."""
    existing = getattr(window, "templates", None)
    if isinstance(existing, TemplateCommands):
        return existing
    return TemplateCommands(
        window,
        window.model,
        window.context.registry,
        cache_dir=window.context.paths.cache_dir,
        export_settings=window.context.export_settings,
        status=lambda message, ms: window.statusBar().showMessage(message, ms),
    )


def words_of(brief) -> int:
    return sum(count_words(s.body) for s in brief.sections)


def test_changing_the_template_keeps_every_word_and_undo_brings_it_back(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    commands = commands_of(window)
    before, template = window.model.brief, window.model.template
    picker = commands.change_template()
    qtbot.waitUntil(picker.isVisible)
    assert picker.windowTitle() == "Change Template"
    picker.select("bluf-memo")
    ok = picker.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Change Template"
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.template.id == "bluf-memo")
    brief = window.model.brief
    assert brief.template == "bluf-memo"
    assert [s.id for s in brief.sections][:4] == [s.id for s in window.model.template.sections]
    assert words_of(brief) == words_of(before)  # every word kept
    headings = [e.heading_label.text() for e in window.view.section_editors()]
    assert headings[:2] == ["Bottom Line Up Front", "Key Judgments"]
    assert window.isWindowModified()
    assert "now uses BLUF memo" in window.statusBar().currentMessage()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window.view.first_editor().editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
    )
    assert window.model.template == template
    assert window.model.brief == before
    assert not window.isWindowModified()
    assert [e.section_id for e in window.view.section_editors()] == [s.id for s in before.sections]


def test_save_as_template_keeps_the_sections_and_the_sample_if_wanted(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    commands = commands_of(window)
    dialog = commands.save_as_template()
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.name, "Europe desk brief")
    qtbot.keyClicks(dialog.description, "Smart Brevity as the Europe desk writes it.")
    qtbot.mouseClick(dialog.keep_sample, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: commands.job is not None and not commands.job.is_running(), timeout=WAIT_MS
    )
    folder = Paths.from_env().user_templates / "europe-desk-brief"
    qtbot.waitUntil(lambda: "Saved the template" in window.statusBar().currentMessage())
    saved = load_template(folder)
    brief = window.model.brief
    assert saved.name == "Europe desk brief"
    assert saved.description == "Smart Brevity as the Europe desk writes it."
    assert [(s.id, s.heading) for s in saved.sections] == [
        (s.id, s.heading) for s in brief.sections
    ]
    assert saved.section("what-happened").max_words == 150  # the budgets came along
    assert saved.style.citations == window.model.template.style.citations
    sample = load_brief(folder / "sample.brief")
    assert sample.template == "europe-desk-brief"
    assert sample.sections == brief.sections
    # The brief keeps its own template; the new one is offered with the others.
    assert window.model.template.id == "smart-brevity"
    assert "europe-desk-brief" in [t.id for t in window.context.registry.all()]

    # Without "keep", no sample is written; a second one gets an id of its own.
    dialog = commands.save_as_template()
    qtbot.keyClicks(dialog.name, "Europe desk brief")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: commands.job is not None and not commands.job.is_running(), timeout=WAIT_MS
    )
    second = Paths.from_env().user_templates / "europe-desk-brief-2"
    qtbot.waitUntil(lambda: second.is_dir(), timeout=WAIT_MS)
    assert not (second / "sample.brief").exists()


def test_a_saved_template_edit_reaches_the_open_brief_as_one_undo_step(
    open_window, qtbot, answers: Answers
) -> None:
    window = open_window([open_window.sample("bluf-memo")])
    commands = commands_of(window)
    editor = commands.edit_template()
    qtbot.addWidget(editor)
    editor.section_list.setCurrentRow(3)  # Outlook
    editor.heading_edit.setFocus()
    editor.heading_edit.selectAll()
    qtbot.keyClicks(editor.heading_edit, "Looking Ahead")
    with qtbot.waitSignal(commands.template_saved, timeout=WAIT_MS):
        editor.save()
    qtbot.waitUntil(lambda: window.model.template.section("outlook").heading == "Looking Ahead")
    editors = {e.section_id: e for e in window.view.section_editors()}
    assert editors["outlook"].heading_label.text() == "Looking Ahead"
    assert not window.model.template.builtin
    window.model.undo()
    assert window.model.template.builtin
    assert window.model.template.section("outlook").heading == "Outlook"
    shutil.rmtree(Paths.from_env().user_templates)
    QApplication.processEvents()


def test_the_template_menu_has_every_command_with_its_shortcut(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    entries = [a for a in menus["Template"].actions() if not a.isSeparator()]
    assert [(a.text().replace("&", ""), a.shortcut().toString()) for a in entries] == [
        ("Change Template…", "Ctrl+T"),
        ("Edit Template…", "Ctrl+Alt+M"),
        ("Save as Template…", "Ctrl+Alt+S"),
        ("Manage Templates…", "Ctrl+Shift+M"),
    ]
    assert all(a.toolTip() for a in entries)
    qtbot.keyClick(
        window.view.first_editor().editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(
        lambda: window.templates.picker is not None and window.templates.picker.isVisible()
    )
    window.templates.picker.reject()
    qtbot.keyClick(
        window.view.first_editor().editor,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.templates.manager is not None)
    manager = window.templates.manager
    qtbot.waitUntil(lambda: manager.selected() is not None, timeout=WAIT_MS)
    assert manager.selected().id == "smart-brevity"  # the brief's own template first
    manager.reject()
