"""A brief just begun greets the analyst with hints, not errors.

A new brief from a template has every required section empty: that is
where writing starts, not a mistake. Each such section says so quietly, in
the placeholder's grey, under its editor. Once the analyst has written in a
section and left it empty, or asks to save or export the brief, the red
"required section is empty" warning shows, as it does at once for a brief
opened from a file (finished work with a real gap).

The real window, the real diagnostics worker process; the checks are what
the analyst sees: the note's words, its colour, red pixels or none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog
from test_window import WindowOpener

from briefer.gui.dialogs import TemplatePicker
from briefer.gui.main_window import MainWindow
from briefer.gui.section_editor import REQUIRED_HINT, SectionEditor, warning_colour

TIMEOUT = 10_000
REQUIRED = ("key-points", "what-happened", "why-it-matters")  # smart-brevity's


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def editor_of(window: MainWindow, section_id: str) -> SectionEditor:
    found = window.view.editor(section_id)
    assert found is not None, section_id
    return found


def warning_pixels(section: SectionEditor) -> int:
    """How many pixels of the section's note are drawn in the warning red."""
    if not section.notes_label.isVisible():
        return 0
    image = section.notes_label.grab().toImage()
    red = warning_colour(section.palette())
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = QColor(image.pixel(x, y))
            if (
                abs(pixel.red() - red.red()) < 40
                and abs(pixel.green() - red.green()) < 40
                and abs(pixel.blue() - red.blue()) < 40
            ):
                count += 1
    return count


def note_colour(section: SectionEditor) -> QColor:
    return section.notes_label.palette().color(QPalette.ColorRole.WindowText)


def assert_quiet(section: SectionEditor) -> None:
    """The section shows the grey hint, and no warning."""
    assert section.diagnostics() == []
    assert section.required_hint() == REQUIRED_HINT
    assert section.notes_label.isVisible()
    assert section.notes_label.text() == REQUIRED_HINT
    assert "⚠" not in section.notes_label.text()
    quiet = section.palette().color(QPalette.ColorRole.PlaceholderText)
    assert note_colour(section) == quiet
    assert warning_pixels(section) == 0


def assert_warned(section: SectionEditor) -> None:
    """The section shows the red "required section is empty" warning."""
    assert any("required" in n and "empty" in n for n in section.diagnostics())
    assert section.required_hint() == ""
    assert section.notes_label.text().startswith("⚠ ")
    assert note_colour(section) == warning_colour(section.palette())
    assert warning_pixels(section) > 20


def wait_for_notes(qtbot, window: MainWindow) -> None:
    """Until compose's notes (from the worker process) are on the editors."""
    qtbot.waitUntil(
        lambda: all(editor_of(window, s).notes_label.isVisible() for s in REQUIRED),
        timeout=TIMEOUT,
    )


def test_a_new_brief_hints_quietly_at_its_required_sections(open_window, qtbot) -> None:
    window = open_window()
    wait_for_notes(qtbot, window)
    for section_id in REQUIRED:
        assert_quiet(editor_of(window, section_id))
    optional = editor_of(window, "whats-next")
    assert not optional.notes_label.isVisible() and optional.diagnostics() == []
    assert not window.view.brief_notes.isVisible()


def test_writing_in_a_section_then_emptying_it_warns_there_only(open_window, qtbot) -> None:
    window = open_window()
    wait_for_notes(qtbot, window)
    key_points = editor_of(window, "key-points")
    key_points.editor.setFocus()
    qtbot.keyClicks(key_points.editor, "- T")
    assert not key_points.notes_label.isVisible()  # written in: the hint goes at once
    qtbot.keyClick(key_points.editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(key_points.editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(key_points.editor, Qt.Key.Key_Backspace)
    assert key_points.text() == ""
    qtbot.waitUntil(lambda: bool(key_points.diagnostics()), timeout=TIMEOUT)
    assert_warned(key_points)
    # The sections not written in yet stay quiet.
    assert_quiet(editor_of(window, "what-happened"))
    assert_quiet(editor_of(window, "why-it-matters"))


def test_exporting_a_new_brief_warns_about_every_gap(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def cancel(*args, **kwargs):
        asked.append(str(args[1]))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(cancel))
    window = open_window()
    wait_for_notes(qtbot, window)
    qtbot.keyClick(
        editor_of(window, "key-points").editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier
    )
    assert asked == ["Export PDF"]  # the export asked where, and was cancelled
    for section_id in REQUIRED:
        assert_warned(editor_of(window, section_id))


def test_saving_a_new_brief_warns_about_every_gap(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    window = open_window()
    wait_for_notes(qtbot, window)
    window.act_save.trigger()  # Ctrl+S; no file yet, so Save As asks, and is cancelled
    for section_id in REQUIRED:
        assert_warned(editor_of(window, section_id))


def test_file_new_begins_a_quiet_draft_again(open_window, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    window = open_window()
    wait_for_notes(qtbot, window)
    window.act_save.trigger()
    assert_warned(editor_of(window, "key-points"))

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TemplatePicker):
            QTimer.singleShot(20, pick)
            return
        names = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        dialog.list.setCurrentRow(names.index("BLUF memo"))
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    QTimer.singleShot(0, pick)
    window.act_new.trigger()
    assert window.model.template.id == "bluf-memo"
    required = [e for e in window.view.section_editors() if e.spec and e.spec.required]
    assert required
    qtbot.waitUntil(lambda: all(e.notes_label.isVisible() for e in required), timeout=TIMEOUT)
    for section in required:
        assert_quiet(section)


def test_a_saved_brief_with_an_empty_required_section_warns_at_once(
    open_window, qtbot, tmp_path: Path
) -> None:
    path = open_window.sample("smart-brevity")
    data = json.loads(path.read_text(encoding="utf-8"))
    for section in data["sections"]:
        if section["id"] == "why-it-matters":
            section["body"] = ""
    path.write_text(json.dumps(data), encoding="utf-8")
    window = open_window([path])
    why = editor_of(window, "why-it-matters")
    qtbot.waitUntil(lambda: bool(why.diagnostics()), timeout=TIMEOUT)
    assert_warned(why)
