"""The main window as a person first sees it: layout, counts, look and feel.

Each test opens the real window (`MainWindow`) on the real core, with the
user folders redirected (tests/conftest.py) and dialogs patched, and checks
what the person would see: the metadata form, one editor per section with
its heading, guidance and word budget, the total words and reading time in
the status bar, the library's place and the preview, menus whose every
action has a shortcut and a tooltip, and light and dark palettes switching
while the window runs.

`open_window` is shared with the other window tests.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPlainTextEdit, QWidget

from briefer import __version__
from briefer.gui.app import dark_palette, install_excepthook
from briefer.gui.main_window import MainWindow, WindowContext
from briefer.gui.section_editor import MarkdownEdit
from briefer.gui.settings import Appearance, Settings
from briefer.paths import Paths

REPO = Path(__file__).resolve().parents[2]
SAMPLES = {p.parent.name: p for p in (REPO / "templates").glob("*/sample.brief")}


class WindowOpener:
    """Opens the Briefer window as `briefer [FILE]` does; at the end of the
    test the window is closed and unsaved work discarded."""

    def __init__(self, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.monkeypatch = monkeypatch
        self.tmp_path = tmp_path
        self.windows: list[MainWindow] = []

    def sample(self, template_id: str) -> Path:
        """A copy of a built-in template's sample brief: a window locks the
        brief it opens, and the repository's copy is not the test's to lock."""
        folder = self.tmp_path / "samples" / template_id
        if not folder.exists():
            shutil.copytree(SAMPLES[template_id].parent, folder)
        return folder / "sample.brief"

    def __call__(
        self, files: Sequence[Path] = (), *, preview: bool = False, show: bool = True
    ) -> MainWindow:
        """The preview is hidden unless asked for (hidden, it starts no
        worker process)."""
        paths = Paths.from_env()
        Settings.for_paths(paths).set_preview_shown(preview)
        window = MainWindow(WindowContext.create(paths, QApplication.instance()))
        # pytest-qt closes the window after the test: unsaved work is discarded.
        self.qtbot.addWidget(window, before_close_func=lambda _w: self.discard_on_close())
        self.windows.append(window)
        if show:
            window.show()
            window.activateWindow()  # shortcuts go to the active window
            self.qtbot.waitUntil(window.isActiveWindow)
        window.start(list(files))
        return window

    def discard_on_close(self) -> None:
        discard = QMessageBox.StandardButton.Discard
        self.monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: discard))


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def close_window(qtbot, window: MainWindow) -> None:
    """Close as a person does; the window must go without asking."""
    assert window.close()
    qtbot.waitUntil(lambda: not window.isVisible())


def visible_text(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


@pytest.fixture
def no_questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail loudly if a test would block on an unexpected message box."""
    asked: list[str] = []

    def refuse(*args, **kwargs):
        asked.append(str(args[1:3]))
        raise AssertionError(f"unexpected message box: {args[1:3]}")

    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))
    return asked


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def test_the_window_shows_metadata_sections_library_and_preview(
    open_window, qtbot, no_questions
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    view = window.view
    assert view.meta_edits["title"].text() == "Port of Halden opens its cargo data to rivals"
    assert view.meta_edits["author"].text() == "Mira Castell"
    assert view.meta_edits["date"].text() == "2026-11-20"
    assert view.meta_edits["classification"].text() == "INTERNAL"
    assert [e.heading() for e in view.section_editors()] == [
        "Key points",  # heading-less: named in words, in italics
        "What Happened?",
        "Why It Matters?",
        "What's Next?",
    ]
    first = view.section_editors()[0]
    assert first.heading_label.font().italic()
    assert "printed without a heading" in first.heading_label.toolTip()
    assert first.text().startswith("- The Port of Halden will publish")
    assert first.words_label.text() == "36 / 120 words"
    assert window.library_panel.search_box.placeholderText() == "Search snippets"
    sizes = window.splitter.sizes()
    assert len(sizes) == 3 and sizes[1] >= 360  # library | brief | preview
    assert window.windowTitle().startswith("sample.brief")
    assert window.words_label.text() == "138 words · 1 min read"


def test_a_new_brief_shows_the_guidance_and_starts_in_the_first_section(open_window, qtbot) -> None:
    window = open_window()
    editors = window.view.section_editors()
    assert [e.section_id for e in editors] == [
        "key-points",
        "what-happened",
        "why-it-matters",
        "whats-next",
    ]
    assert editors[1].editor.placeholderText() == (
        "The facts, in two or three sentences. Cite each claim."
    )
    assert "Three to five one-sentence bullets" in editors[0].editor.placeholderText()
    assert window.focusWidget() is editors[0].editor  # the cursor starts here
    assert window.windowTitle() == "Untitled[*] — Briefer"
    assert not window.isWindowModified()
    assert window.words_label.text() == "0 words"


def test_word_counts_follow_typing_and_turn_to_warning_when_over_budget(open_window, qtbot) -> None:
    window = open_window()
    section = window.view.editor("what-happened")
    assert section is not None
    normal = section.words_label.palette().color(QPalette.ColorRole.WindowText)
    qtbot.keyClicks(section.editor, "The port opened its data [@x] on **Tuesday**.")
    assert section.words_label.text() == "7 / 150 words"  # markup and citations are no words
    assert window.words_label.text() == "7 words · 1 min read"
    section.editor.selectAll()
    section.editor.insertPlainText(" ".join(["word"] * 149))  # as a paste does
    qtbot.keyClicks(section.editor, " two more")
    assert section.words_label.text() == "151 / 150 words, 1 over"
    assert section.is_over_budget()
    warning = section.words_label.palette().color(QPalette.ColorRole.WindowText)
    assert warning != normal and warning.red() > 150 and warning.green() < 100
    assert section.words_label.font().bold()
    assert "Over this section's budget of 150 words" in section.words_label.toolTip()
    for _ in range(5):  # back to the budget: the warning goes
        qtbot.keyClick(section.editor, Qt.Key.Key_Backspace)
    assert section.words_label.text() == "150 / 150 words"
    assert section.words_label.palette().color(QPalette.ColorRole.WindowText) == normal
    assert window.words_label.text() == "150 words · 1 min read"


def test_splitter_positions_and_geometry_are_remembered(open_window, qtbot) -> None:
    window = open_window()
    window.resize(780, 560)  # the offscreen screen is 800 x 600
    window.splitter.setSizes([120, 420, 240])
    sizes = window.splitter.sizes()
    close_window(qtbot, window)
    again = open_window()
    assert (again.size().width(), again.size().height()) == (780, 560)
    assert again.splitter.sizes() == sizes


def test_the_preview_can_be_hidden_and_that_is_remembered(open_window, qtbot) -> None:
    window = open_window()
    assert not window.preview.isVisible()  # open_window hides it
    window.act_preview.trigger()
    assert window.preview.isVisible()
    close_window(qtbot, window)
    assert Settings.for_paths(Paths.from_env()).preview_shown()


# --------------------------------------------------------------------------
# Look and feel
# --------------------------------------------------------------------------


def all_actions(window: MainWindow) -> list[QAction]:
    found: list[QAction] = []

    def walk(actions: Sequence[QAction]) -> None:
        for action in actions:
            if action.menu() is not None:
                walk(action.menu().actions())
            elif not action.isSeparator():
                found.append(action)

    walk(window.menuBar().actions())
    return found


def test_every_action_is_in_a_menu_with_a_tooltip_and_the_commands_with_shortcuts(
    open_window, qtbot
) -> None:
    window = open_window()
    actions = all_actions(window)
    names = {a.text().replace("&", "") for a in actions}
    for wanted in (
        "New…",
        "Open…",
        "Save",
        "Save As…",
        "Revert to Saved",
        "Export PDF…",
        "Export DOCX…",
        "Export Both…",
        "Undo",
        "Redo",
        "Find…",
        "Bold",
        "Italic",
        "Link…",
        "Bullet List",
        "Show Preview",
        "About Briefer",
    ):
        assert wanted in names, wanted
    window_actions = [a for a in window.actions() if a in actions]
    for action in window_actions:
        assert action.toolTip(), action.text()
    commands = [a for a in window_actions if not a.isCheckable() or a is window.act_preview]
    for action in commands:
        assert not action.shortcut().isEmpty(), action.text()
    shortcuts = [a.shortcut().toString() for a in commands]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"
    assert window.act_bold.toolTip() == "Make the selection bold (**text**) (Ctrl+B)"


def test_every_control_has_an_accessible_name_and_tab_reaches_every_editor(
    open_window, qtbot
) -> None:
    window = open_window()
    view = window.view
    for field, edit in view.meta_edits.items():
        assert edit.accessibleName(), field
    for section in view.section_editors():
        assert section.editor.accessibleName().startswith(section.heading())
    assert window.library_panel.accessibleName() == "Snippet library"
    assert window.words_label.accessibleName()
    # Tab from the last metadata field walks through the sections in order.
    widget: QWidget = view.meta_edits["keywords"]
    reached = []
    for _ in view.section_editors():
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
        reached.append(widget)
    assert reached == [s.editor for s in view.section_editors()]


def test_dark_and_light_switch_while_running_and_the_highlighting_follows(
    open_window, qtbot
) -> None:
    window = open_window()
    app = QApplication.instance()
    section = window.view.editor("what-happened")
    assert section is not None
    qtbot.keyClicks(section.editor, "Cited [@x].")
    light_base = section.editor.palette().color(QPalette.ColorRole.Base)
    light_citation = citation_colour(section.editor)
    try:
        window.appearance_actions[Appearance.DARK].trigger()
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 128
        qtbot.waitUntil(
            lambda: section.editor.palette().color(QPalette.ColorRole.Base) != light_base
        )
        dark_base = section.editor.palette().color(QPalette.ColorRole.Base)
        assert dark_base.lightness() < 80 < light_base.lightness()
        citation = citation_colour(section.editor)
        assert citation != light_citation and citation.lightness() > 128  # readable on dark
        assert Settings.for_paths(Paths.from_env()).appearance() is Appearance.DARK
    finally:
        window.appearance_actions[Appearance.SYSTEM].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128
    qtbot.waitUntil(lambda: section.editor.palette().color(QPalette.ColorRole.Base) == light_base)


def test_recolouring_an_editor_for_dark_is_no_edit_of_the_brief(qtbot) -> None:
    """Qt reports the highlighting's new colours as a change of the text; an
    editor (such as one of a brief just closed, still being deleted) must not
    pass that on as an edit, or it would write its old text into the brief."""
    editor = MarkdownEdit()
    qtbot.addWidget(editor)
    editor.load_text("Cited **bold** [@x].")
    edits: list[tuple[int, int, bool]] = []
    editor.edited.connect(lambda *args: edits.append(args))
    editor.setPalette(dark_palette())
    qtbot.wait(50)
    assert edits == []
    qtbot.keyClicks(editor, "A")
    assert len(edits) == 1 and editor.toPlainText() == "ACited **bold** [@x]."


def test_following_the_system_the_window_turns_dark_when_the_system_does(open_window, qtbot):
    window = open_window()
    appearance = window.context.appearance
    assert appearance is not None and appearance.appearance() is Appearance.SYSTEM
    app = QApplication.instance()
    try:
        appearance.follow(Qt.ColorScheme.Dark)  # what Qt reports when the desktop switches
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 128
        appearance.follow(Qt.ColorScheme.Light)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128
        window.appearance_actions[Appearance.LIGHT].trigger()  # the person's choice wins
        appearance.follow(Qt.ColorScheme.Dark)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128
    finally:
        window.appearance_actions[Appearance.SYSTEM].trigger()
        appearance.follow(Qt.ColorScheme.Light)


def citation_colour(editor: QPlainTextEdit) -> QColor:
    """The colour `[@x]` is drawn in, at the 7th character of the text."""
    formats = editor.document().firstBlock().layout().formats()
    return next(f.format.foreground().color() for f in formats if f.start == 6)


def test_the_about_box_names_the_version(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda _p, t, m: shown.append((t, m))))
    window = open_window()
    window.act_about.trigger()
    assert shown and shown[0][0] == "About Briefer"
    assert f"Briefer {__version__}" in shown[0][1]


def test_a_bug_in_the_window_is_logged_and_told(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda _p, t, m: shown.append((t, m)))
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    paths = Paths.from_env()
    install_excepthook(paths)
    try:
        raise RuntimeError("a slot went wrong")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)  # what Qt does with it
    title, message = shown[0]
    assert title == "Briefer hit a bug"
    assert "RuntimeError: a slot went wrong" in message and str(paths.log_dir) in message
    [log] = paths.log_dir.glob("crash-*.log")
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_the_editor_font_is_readable(open_window, qtbot) -> None:
    window = open_window()
    editor = window.view.section_editors()[0].editor
    assert editor.fontInfo().pixelSize() >= 12
