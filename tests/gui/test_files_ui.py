"""Files in the window: new, open, save, revert, recent, lock, export.

The first test is a new user's whole path: pick a template in the New
dialog, type in every section, save, close, reopen and see the same text,
export both formats and read the exported text back from the PDF (pypdf)
and the DOCX (python-docx). The others cover Markdown opening as a new
unsaved brief, the unsaved mark and the prompt before work is lost, Save
As, Revert and recent files, a second window told the brief is in use,
another program's change never silently overwritten, export progress,
cancel and errors, the template picker's pictures, and how `briefer`,
`briefer FILE.brief` and `briefer NOTES.md` start the window.

File dialogs and message boxes are patched; everything else is real.
"""

from __future__ import annotations

import os
from pathlib import Path

import docx
import pypdf
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QPushButton
from test_window import SAMPLES, WindowOpener

from briefer.briefs import load_brief, save_brief
from briefer.cli import CliContext, main
from briefer.cli.gui_launch import display_problem
from briefer.gui import dialogs, file_commands
from briefer.gui.dialogs import AfterExport, OnDiskChoice, TemplatePicker
from briefer.gui.main_window import MainWindow
from briefer.gui.recovery import OpenChoice
from briefer.gui.section_editor import SectionEditor
from briefer.gui.thumbnails import thumbnail_path
from briefer.launch import is_short_lived
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

MS = QMessageBox.StandardButton


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


class Dialogs:
    """File dialogs and message boxes, answered as the test says; every
    question asked is kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.save_as: list[Path] = []  # answers to Save dialogs, in order
        self.open: list[Path] = []
        self.answers: list[MS] = []  # answers to questions, in order
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.after_export: list[tuple[list[Path], list[str]]] = []
        mp = monkeypatch
        mp.setattr(QFileDialog, "getSaveFileName", staticmethod(self._save))
        mp.setattr(QFileDialog, "getOpenFileName", staticmethod(self._open))
        mp.setattr(QMessageBox, "warning", staticmethod(self._question))
        mp.setattr(QMessageBox, "question", staticmethod(self._question))
        mp.setattr(QMessageBox, "critical", staticmethod(self._critical))
        mp.setattr(dialogs, "ask_after_export", self._after_export)

    def _save(self, _parent, title, suggested, _filter):
        self.asked.append(f"{title}: {suggested}")
        return (str(self.save_as.pop(0)), "") if self.save_as else ("", "")

    def _open(self, _parent, title, _folder, _filter):
        self.asked.append(title)
        return (str(self.open.pop(0)), "") if self.open else ("", "")

    def _question(self, _parent, title, text, *_args):
        self.asked.append(f"{title}: {text}")
        if not self.answers:
            raise AssertionError(f"unexpected question: {title}: {text}")
        return self.answers.pop(0)

    def _critical(self, _parent, title, text, *_args):
        self.errors.append(f"{title}: {text}")
        return MS.Ok

    def _after_export(self, _parent, outputs, warnings):
        self.after_export.append((list(outputs), list(warnings)))
        return AfterExport.NOTHING


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    return Dialogs(monkeypatch)


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def choose_in_picker(qtbot, template_name: str, seen: list[str]) -> None:
    """When the New dialog opens, pick `template_name` as a person does:
    click it in the list, look at the details, press Create."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TemplatePicker):
            QTimer.singleShot(20, act)
            return
        names = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        row = names.index(template_name)
        dialog.list.setCurrentRow(row)
        seen.extend([dialog.name.text(), dialog.description.text(), dialog.sections.text()])
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    QTimer.singleShot(0, act)


# --------------------------------------------------------------------------
# A new user's path
# --------------------------------------------------------------------------


def test_a_new_user_picks_a_template_writes_saves_reopens_and_exports(
    open_window, qtbot, answer: Dialogs, tmp_path: Path
) -> None:
    window = open_window()
    seen: list[str] = []
    choose_in_picker(qtbot, "BLUF memo", seen)
    assert window.files.new_brief()
    assert seen[0] == "BLUF memo"
    assert "Bottom line up front" in seen[1]
    assert "• Bottom Line Up Front (up to 60 words)" in seen[2]
    assert [e.heading() for e in window.view.section_editors()] == [
        "Bottom Line Up Front",
        "Key Judgments",
        "Discussion",
        "Outlook",
    ]
    assert window.focusWidget() is window.view.first_editor().editor
    on_page = window.view.findChildren(SectionEditor)
    assert len(on_page) == 4  # the new brief's sections only: the old ones are gone at once

    view = window.view
    view.meta_edits["title"].setFocus()
    qtbot.keyClicks(view.meta_edits["title"], "Ransomware crews turn to ports")
    qtbot.keyClicks(view.meta_edits["classification"], "OFFICIAL")
    texts = {
        "bluf": "Expect ransomware against port systems before the holidays.",
        "key-judgments": "- Crews now pick ports with high confidence.",
        "discussion": "Three ports reported intrusions since October.",
        "outlook": "Watch the December schedules.",
    }
    for section_id, text in texts.items():
        editor = view.editor(section_id).editor
        editor.setFocus()
        qtbot.keyClicks(editor, text)
    assert window.isWindowModified()
    assert window.words_label.text() == "25 words · 1 min read"

    target = tmp_path / "ports.brief"
    answer.save_as.append(target)
    window.act_save.trigger()  # never saved: Save asks where
    assert target.is_file()
    assert window.windowTitle() == "ports.brief[*] — Briefer"
    assert not window.isWindowModified()
    assert window.close()

    again = open_window([target])
    assert again.view.meta_edits["title"].text() == "Ransomware crews turn to ports"
    for section_id, text in texts.items():
        assert again.view.editor(section_id).text() == text
    assert not again.isWindowModified()

    answer.save_as.append(tmp_path / "out" / "ports.pdf")
    (tmp_path / "out").mkdir()
    again.act_export_both.trigger()
    qtbot.waitUntil(lambda: bool(answer.after_export), timeout=30_000)
    outputs, warnings = answer.after_export[0]
    assert sorted(p.name for p in outputs) == ["ports.docx", "ports.pdf"]
    assert warnings == []
    pdf = pdf_text(tmp_path / "out" / "ports.pdf")
    assert "Ransomware crews turn to ports" in pdf
    assert "OFFICIAL" in pdf
    for text in texts.values():
        assert text.removeprefix("- ") in pdf
    paragraphs = docx_text(tmp_path / "out" / "ports.docx")
    assert "Ransomware crews turn to ports" in paragraphs
    for text in texts.values():
        assert text.removeprefix("- ") in paragraphs
    assert answer.errors == []
    assert "Exported ports.docx, ports.pdf" in again.statusBar().currentMessage()


# --------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------


def test_markdown_opens_as_a_new_unsaved_brief(open_window, answer: Dialogs, tmp_path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "---\ntemplate: smart-brevity\ntitle: Port data\n---\n\n- one key point\n\n"
        "## What Happened?\n\nThe port opened its data.\n",
        encoding="utf-8",
    )
    window = open_window()
    answer.open.append(notes)
    window.act_open.trigger()
    assert window.view.meta_edits["title"].text() == "Port data"
    assert window.view.editor("what-happened").text() == "The port opened its data."
    assert window.model.path is None  # unsaved: Save asks where
    assert window.isWindowModified()
    assert window.windowTitle() == "notes.md[*] — Briefer"
    answer.save_as.append(tmp_path / "notes.brief")
    assert window.files.save()
    assert answer.asked[-1] == f"Save Brief As: {tmp_path / 'notes.brief'}"  # suggested name
    assert load_brief(tmp_path / "notes.brief").meta.title == "Port data"


def test_a_file_that_cannot_be_opened_is_a_clear_message(open_window, answer, tmp_path) -> None:
    broken = tmp_path / "broken.brief"
    broken.write_text("{ not json", encoding="utf-8")
    window = open_window()
    assert not window.files.open_path(broken)
    assert answer.errors and "broken.brief" in answer.errors[0]
    assert window.windowTitle() == "Untitled[*] — Briefer"


# --------------------------------------------------------------------------
# Unsaved work
# --------------------------------------------------------------------------


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(
    open_window, qtbot, answer: Dialogs, tmp_path: Path
) -> None:
    path = tmp_path / "b.brief"
    save_brief(load_brief(SAMPLES["smart-brevity"]), path)
    window = open_window([path])
    editor = window.view.editor("whats-next").editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, " More.")
    assert window.isWindowModified()
    answer.answers.append(MS.Cancel)
    assert not window.close()
    assert window.isVisible()
    assert "Save the changes to b.brief before closing?" in answer.asked[-1]
    answer.answers.append(MS.Save)
    assert window.close()
    assert load_brief(path).section("whats-next").body.endswith(" More.")


def test_new_asks_before_dropping_unsaved_work(open_window, qtbot, answer: Dialogs) -> None:
    window = open_window()
    editor = window.view.first_editor().editor
    qtbot.keyClicks(editor, "- a point")
    seen: list[str] = []
    choose_in_picker(qtbot, "Long-form article", seen)
    answer.answers.append(MS.Cancel)
    assert not window.files.new_brief()
    assert window.view.first_editor().text() == "- a point"
    choose_in_picker(qtbot, "Long-form article", seen)
    answer.answers.append(MS.Discard)
    assert window.files.new_brief()
    assert window.model.template.id == "long-form"
    assert not window.isWindowModified()


def test_save_as_revert_and_recent_files(open_window, qtbot, answer: Dialogs, tmp_path) -> None:
    original = tmp_path / "a.brief"
    save_brief(load_brief(SAMPLES["long-form"]), original)
    window = open_window([original])
    editor = window.view.editor("conclusion").editor
    before = editor.toPlainText()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, " Changed.")
    answer.answers.append(MS.Yes)
    assert window.files.revert()
    assert editor.toPlainText() == before
    assert not window.isWindowModified()
    window.act_undo.trigger()  # revert is a step: the change comes back
    assert editor.toPlainText() == before + " Changed."

    copy = tmp_path / "b.brief"
    answer.save_as.append(copy)
    assert window.files.save_as()
    assert window.windowTitle() == "b.brief[*] — Briefer"
    assert load_brief(copy).section("conclusion").body == before + " Changed."
    assert load_brief(original).section("conclusion").body == before
    window.recent_menu.aboutToShow.emit()
    recent = [a.text() for a in window.recent_menu.actions() if a.text()]
    assert recent[:2] == ["&1 b.brief", "&2 a.brief"]
    answer.answers.append(MS.Discard)
    window.recent_menu.actions()[1].trigger()
    assert window.model.path == original


# --------------------------------------------------------------------------
# The lock and changes on disk
# --------------------------------------------------------------------------


def test_a_second_window_is_told_the_brief_is_in_use_and_may_read_it(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch, answer: Dialogs, tmp_path: Path
) -> None:
    path = tmp_path / "shared.brief"
    save_brief(load_brief(SAMPLES["bluf-memo"]), path)
    first = open_window([path])
    assert (tmp_path / ".~shared.brief.lock").is_file()
    told: list[str] = []

    def ask(_parent, asked_path, holder):
        told.append(f"{asked_path.name}: {holder.describe()}")
        return OpenChoice.READ_ONLY

    monkeypatch.setattr(file_commands, "ask_how_to_open", ask)
    second = open_window([path])
    assert told and told[0].startswith("shared.brief: ") and f"process {os.getpid()}" in told[0]
    assert second.windowTitle() == "shared.brief[*] (read-only) — Briefer"
    assert second.view.first_editor().editor.isReadOnly()
    assert second.view.meta_edits["title"].isReadOnly()
    copy = tmp_path / "mine.brief"
    answer.save_as.append(copy)
    second.act_save.trigger()  # read-only: Save saves a copy
    assert copy.is_file()
    assert not second.view.first_editor().editor.isReadOnly()
    assert first.close()
    assert not (tmp_path / ".~shared.brief.lock").exists()


def test_another_programs_change_is_never_silently_overwritten(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch, answer: Dialogs, tmp_path: Path
) -> None:
    path = tmp_path / "watched.brief"
    save_brief(load_brief(SAMPLES["smart-brevity"]), path)
    window = open_window([path])
    editor = window.view.editor("whats-next").editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, " Mine.")
    theirs = load_brief(path)
    from briefer.editing import set_meta

    save_brief(set_meta(theirs, title="Their title"), path)  # another program writes
    qtbot.waitUntil(lambda: "changed by another program" in window.statusBar().currentMessage())
    choices: list[OnDiskChoice] = [OnDiskChoice.CANCEL]
    monkeypatch.setattr(dialogs, "ask_changed_on_disk", lambda *_a: choices.pop(0))
    assert not window.files.save()
    assert load_brief(path).meta.title == "Their title"  # untouched
    choices.append(OnDiskChoice.SAVE_AS)
    answer.save_as.append(tmp_path / "mine.brief")
    assert window.files.save()
    assert load_brief(path).meta.title == "Their title"
    assert load_brief(tmp_path / "mine.brief").section("whats-next").body.endswith(" Mine.")


def test_a_change_on_disk_to_an_unmodified_brief_can_be_loaded(
    open_window, qtbot, answer: Dialogs, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.brief"
    save_brief(load_brief(SAMPLES["smart-brevity"]), path)
    window = open_window([path])
    from briefer.editing import set_meta

    answer.answers.append(MS.Yes)
    save_brief(set_meta(load_brief(path), title="New from elsewhere"), path)
    qtbot.waitUntil(lambda: window.view.meta_edits["title"].text() == "New from elsewhere")
    assert "Load the new version?" in answer.asked[-1]
    assert not window.isWindowModified()


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def test_export_can_be_cancelled_and_leaves_no_file(open_window, qtbot, answer, tmp_path) -> None:
    window = open_window([open_window.sample("long-form")])
    out = tmp_path / "out"
    out.mkdir()
    target = out / "long.pdf"
    window.start_export([(target, "pdf")])
    window.export_progress.findChild(QPushButton).click()  # the progress dialog's Cancel
    qtbot.waitUntil(
        lambda: "Export cancelled" in window.statusBar().currentMessage(), timeout=30_000
    )
    assert not target.exists()
    assert list(out.iterdir()) == []  # no temporary file left either
    assert "no file was changed" in window.statusBar().currentMessage()


def test_export_reports_progress_and_remembers_the_folder(
    open_window, qtbot, answer: Dialogs, tmp_path: Path
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    window.start_export([(tmp_path / "sb.docx", "docx"), (tmp_path / "sb.pdf", "pdf")])
    bar = window.export_progress
    qtbot.waitUntil(lambda: bool(answer.after_export), timeout=30_000)
    assert bar.maximum() == 2000  # progress came: two files, 1000 steps each
    assert "Port of Halden opens its cargo data to rivals" in docx_text(tmp_path / "sb.docx")
    assert "Port of Halden opens its cargo data to rivals" in pdf_text(tmp_path / "sb.pdf")
    answer.save_as.append(tmp_path / "chosen" / "sb.pdf")
    (tmp_path / "chosen").mkdir()
    window.act_export_pdf.trigger()
    qtbot.waitUntil(lambda: len(answer.after_export) == 2, timeout=30_000)
    answer.after_export.clear()
    window.act_export_docx.trigger()  # the dialog opens where the last export went
    assert answer.asked[-1] == f"Export DOCX: {tmp_path / 'chosen' / 'sample.docx'}"


def test_an_export_that_fails_says_why(open_window, qtbot, answer, tmp_path) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    target = tmp_path / "missing-folder" / "x.pdf"
    window.start_export([(target, "pdf")])
    qtbot.waitUntil(lambda: bool(answer.errors), timeout=30_000)
    assert answer.errors and answer.errors[0].startswith("Export failed: ")
    assert "missing-folder" in answer.errors[0]


def answer_box(press: str, seen: list[str]) -> None:
    """When a message box is up (as `exec` shows it), note its words and
    buttons, then press the button `press` ("Esc": the Escape key). A box
    left open after 10 s is closed, so a test never hangs."""
    started = QTimer()
    started.setInterval(20)

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            return
        started.stop()
        seen.append(box.text())
        seen.append(" | ".join(sorted(b.text() for b in box.buttons())))
        seen.append(box.defaultButton().text() if box.defaultButton() else "")
        if press == "Esc":
            QTest.keyClick(box, Qt.Key.Key_Escape)
        else:
            next(b for b in box.buttons() if b.text() == press).click()

    def give_up() -> None:
        started.stop()
        box = QApplication.activeModalWidget()
        if box is not None:
            box.reject()

    started.timeout.connect(poll)
    started.start()
    QTimer.singleShot(10_000, give_up)
    _kept_timers.append(started)


_kept_timers: list[QTimer] = []


def test_after_an_export_the_button_pressed_is_the_answer(qtbot, tmp_path: Path) -> None:
    pdf, docx_file = tmp_path / "brief.pdf", tmp_path / "brief.docx"
    seen: list[str] = []
    answer_box("Open", seen)
    assert dialogs.ask_after_export(None, [pdf], []) is AfterExport.OPEN
    assert seen == [f"Exported to:\n{pdf}", "Close | Open | Show in Folder", "Close"]
    seen.clear()
    answer_box("Show in Folder", seen)
    choice = dialogs.ask_after_export(None, [pdf, docx_file], ["A font was missing"])
    assert choice is AfterExport.SHOW_FOLDER
    assert seen[1] == "Close | Open Both | Show Details... | Show in Folder"
    answer_box("Esc", seen)
    assert dialogs.ask_after_export(None, [pdf], []) is AfterExport.NOTHING


def test_a_change_on_disk_asks_with_save_as_first(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "brief.brief"
    seen: list[str] = []
    answer_box("Replace It", seen)
    assert dialogs.ask_changed_on_disk(None, path, True) is OnDiskChoice.OVERWRITE
    assert seen[0] == "brief.brief was changed by another program since Briefer opened it."
    assert seen[1:] == ["Cancel | Replace It | Save As…", "Save As…"]  # Return keeps both
    seen.clear()
    answer_box("Save As…", seen)
    assert dialogs.ask_changed_on_disk(None, path, False) is OnDiskChoice.SAVE_AS
    assert seen[0] == "brief.brief was deleted or moved since Briefer opened it."
    answer_box("Esc", seen)
    assert dialogs.ask_changed_on_disk(None, path, True) is OnDiskChoice.CANCEL


# --------------------------------------------------------------------------
# The template picker
# --------------------------------------------------------------------------


def test_the_picker_shows_each_templates_sample_and_caches_it(qtbot) -> None:
    paths = Paths.from_env()
    templates = TemplateRegistry(paths).all()
    picker = TemplatePicker(templates, paths.cache_dir)
    qtbot.addWidget(picker)
    picker.select("long-form")
    qtbot.waitUntil(lambda: picker.thumbnail("long-form") is not None, timeout=30_000)
    picker.wait_for_thumbnails()
    image = picker.thumbnail("long-form")
    assert image.width() > 300 and image.height() > image.width()  # a portrait page
    corner = image.pixelColor(3, 3)  # the paper: white
    assert (corner.red(), corner.green(), corner.blue()) == (255, 255, 255)
    dark = sum(
        1
        for y in range(0, image.height(), 5)
        for x in range(0, image.width(), 5)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark > 50  # text was drawn on it
    assert not picker.picture.pixmap().isNull()  # shown
    assert picker.name.text() == "Long-form article"
    for template in templates:
        cached = thumbnail_path(paths.cache_dir, template)
        assert cached is not None and cached.is_file()
    picker.reject()
    again = TemplatePicker(templates, paths.cache_dir)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.thumbnail("smart-brevity") is not None, timeout=5_000)
    again.reject()
    assert isinstance(again, QDialog)


# --------------------------------------------------------------------------
# Starting the window from the command line
# --------------------------------------------------------------------------


def test_briefer_alone_a_brief_or_notes_start_the_window() -> None:
    assert not is_short_lived([])
    assert not is_short_lived(["notes.md"])
    assert not is_short_lived(["Notes.Markdown"])
    assert not is_short_lived(["mine.brief"])
    assert is_short_lived(["export", "notes.md"])
    assert is_short_lived(["--help"])


def test_briefer_notes_md_opens_the_window_with_the_notes(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    notes = tmp_path / "halden.md"
    notes.write_text("# Halden opens its data\n\n- one point\n", encoding="utf-8")
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: MS.Discard))

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        shown = [w for w in windows if w.isVisible()]
        if not shown:
            QTimer.singleShot(20, look)
            return
        window = shown[-1]
        seen.append((window.windowTitle(), window.view.meta_edits["title"].text()))
        window.close()

    QTimer.singleShot(0, look)
    code = main([str(notes)], CliContext(paths=Paths.from_env()))
    assert code == 0
    assert seen == [("halden.md[*] — Briefer", "Halden opens its data")]


def test_without_a_display_briefer_says_so_in_one_line(tmp_path: Path) -> None:
    assert display_problem({}, "linux").startswith("no display to open the Briefer window on")
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "win32") is None
    import io

    err = io.StringIO()
    env = dict(os.environ)
    try:
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            os.environ.pop(name, None)
        code = main([], CliContext(paths=Paths.from_env(), stderr=err))
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert code == 2
    assert err.getvalue().startswith("briefer: error: no display to open the Briefer window on")
    assert "briefer export" in err.getvalue()
