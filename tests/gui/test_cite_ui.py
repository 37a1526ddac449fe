"""From snippet to brief, and back to the source: citing in the window.

A person selects snippets in the library panel and drags them onto a
section (a real drag: drag-enter, drag-move, drop, carrying the mime data
the library panel's model puts on a drag), presses Ctrl+Shift+C with a
snippet selected, or uses the editor's right-click menu; then Ctrl+clicks a
citation to see where it came from. Each test checks what they would: the
text and the source in the brief, the place the drop shows while the drag
moves, one Ctrl+Z putting the brief back exactly, the popup's words and
links, the library showing the snippet, the underline under a citation
that has no source.

The snippets are in a real SQLite library, the user's (redirected to the
test's folder by tests/conftest.py), shown by the window's real library
panel. `wire` makes the connections main_window.py is to make.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QToolTip
from test_window import WindowOpener

from briefer.briefs import load_brief
from briefer.editing import CiteMode, citations, set_source_fields, unknown_citations
from briefer.gui.brief_view import CitePreferences
from briefer.gui.library_panel import LibraryPanel
from briefer.gui.main_window import MainWindow
from briefer.gui.section_editor import CitationScan, MarkdownEdit
from briefer.gui.snippet_mime import snippets_to_mime
from briefer.library import Library
from briefer.library.model import Snippet, Source
from briefer.paths import Paths
from briefer.text import utf16_from_index

TIMEOUT = 10_000
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier
REUTERS = Source(
    title="Halden to publish crane schedules",
    publisher="Reuters",
    author="Ana Lind",
    url="https://www.reuters.example/halden-cranes",
    published="2026-11-21",
    accessed="2026-11-22",
)
BALTIC = Source(
    title="Baltic ports weigh open data",
    publisher="Baltic Freight Review",
    url="https://bfr.example/open-data",
    published="2026-11-23",
)


@pytest.fixture
def library() -> list[Snippet]:
    """Three snippets in the user's library; the second is in the trash."""
    with Library.open(Paths.from_env().library_path()) as lib:
        cranes = lib.add("Halden will publish crane schedules from February.", REUTERS).snippet
        old = lib.add("An older report, since withdrawn.", REUTERS).snippet
        baltic = lib.add(
            "Two Baltic ports are studying the same step; a *decision* is due in March.", BALTIC
        ).snippet
        lib.delete(old.id)
        return [lib.get(cranes.id), lib.get(old.id), lib.get(baltic.id)]


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def wire(qtbot, window: MainWindow, rows: int = 2) -> LibraryPanel:
    """What main_window.py does with the library panel and the view: cite
    the panel's selection, show a citation's snippet in it, remember the
    drop mode, say what happened in the status bar. Then wait for the
    panel's first results (`rows` of them)."""
    panel = window.library_panel
    cite = window.view.cite
    cite.connect_library(panel.selected_snippets, panel.show_snippet, panel.selection_changed)
    cite.set_settings_file(window.settings.path)
    cite.message.connect(lambda text: window.statusBar().showMessage(text))
    qtbot.waitUntil(lambda: panel.model.rowCount() >= rows, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: all(s.isVisible() for s in window.view.section_editors()))
    return panel


def select(qtbot, panel: LibraryPanel, *snippets: Snippet) -> None:
    """Click the snippets' rows in the library (Ctrl+click for more)."""
    for n, snippet in enumerate(snippets):
        qtbot.waitUntil(lambda s=snippet: panel.model.row_of(s.id) >= 0, timeout=TIMEOUT)
        index = panel.model.index(panel.model.row_of(snippet.id), 0)
        rect = panel.results.visualRect(index)
        modifier = CTRL if n else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(
            panel.results.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center()
        )
    assert {s.id for s in panel.selected_snippets()} == {s.id for s in snippets}


def dragged(qtbot, panel: LibraryPanel, *snippets: Snippet) -> QMimeData:
    """What a drag out of the library carries: the model's mime data for
    the rows selected (QDrag itself cannot run headless)."""
    select(qtbot, panel, *snippets)
    indexes = panel.results.selectionModel().selectedRows()
    return panel.model.mimeData(indexes)


def point_at(editor: MarkdownEdit, index: int) -> QPoint:
    """The viewport point of the character at Python index `index`."""
    cursor = QTextCursor(editor.document())
    cursor.setPosition(utf16_from_index(editor.toPlainText(), index))
    rect = editor.cursorRect(cursor)
    return QPoint(rect.x() + 2, rect.center().y())


def drag(
    editor: MarkdownEdit,
    mime: QMimeData,
    points: list[QPoint],
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    *,
    drop: bool = True,
) -> bool:
    """A drag entering `editor` at the first point, moving through the
    others and dropped at the last: the events Qt sends to the viewport."""
    viewport = editor.viewport()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    left = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(points[0], actions, mime, left, modifiers)
    QApplication.sendEvent(viewport, enter)
    if not enter.isAccepted():
        return False
    for point in points:
        move = QDragMoveEvent(point, actions, mime, left, modifiers)
        QApplication.sendEvent(viewport, move)
        assert move.isAccepted()
    if not drop:
        return True
    dropped = QDropEvent(QPointF(points[-1]), actions, mime, left, modifiers)
    QApplication.sendEvent(viewport, dropped)
    return dropped.isAccepted()


def accent_pixels(editor: MarkdownEdit) -> int:
    """How many pixels of the viewport are in the highlight colour."""
    image = editor.viewport().grab().toImage()
    accent = editor.palette().color(editor.palette().ColorRole.Highlight)
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = QColor(image.pixel(x, y))
            if (
                abs(pixel.red() - accent.red()) < 24
                and abs(pixel.green() - accent.green()) < 24
                and abs(pixel.blue() - accent.blue()) < 24
            ):
                count += 1
    return count


# --------------------------------------------------------------------------
# Dragging snippets onto a section
# --------------------------------------------------------------------------


def test_a_snippet_dragged_into_what_happened_is_quoted_cited_and_undone(
    open_window, qtbot, library
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    before = window.model.brief
    section = window.view.editor("what-happened")
    editor = section.editor
    body = editor.toPlainText()
    word = body.index("operational")
    path = [point_at(editor, 5), point_at(editor, word + 3)]
    mime = dragged(qtbot, panel, library[0])
    quiet = accent_pixels(editor)

    assert drag(editor, mime, path, drop=False)
    target = editor.drop_target()
    assert target is not None and target.mode is CiteMode.QUOTE and target.block
    assert target.index == word + 3  # where the mouse is...
    assert target.landing == len(body)  # ... and the quote goes after that paragraph
    assert target.hint().startswith("Quote here")
    assert "Ctrl: citation only" in target.hint()
    assert accent_pixels(editor) > quiet + 100  # the line is drawn
    # What the drop will do is said above the text, where it hides no words.
    assert section.drop_label.isVisible() and not section.words_label.isVisible()
    assert section.drop_label.text() == "Drop: Quote here · Ctrl: citation only"

    dropped = QDropEvent(
        QPointF(path[-1]),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(editor.viewport(), dropped)
    assert dropped.isAccepted() and dropped.dropAction() == Qt.DropAction.CopyAction
    assert editor.drop_target() is None
    assert not section.drop_label.isVisible() and section.words_label.isVisible()
    assert accent_pixels(editor) <= quiet

    key = "reuters-2026-11-21"
    shown = editor.toPlainText()
    assert shown == (f"{body}\n\n> Halden will publish crane schedules from February. [@{key}]")
    after = window.model.brief
    assert after.section("what-happened").body == shown
    source = after.sources[key]
    assert (source.publisher, source.url, source.snippet_id) == (
        "Reuters",
        REUTERS.url,
        str(library[0].id),
    )
    assert source.quote == library[0].text
    assert editor.hasFocus()
    assert editor.textCursor().position() == utf16_from_index(shown, len(shown))
    assert window.isWindowModified()
    assert f"[@{key}]" in window.statusBar().currentMessage()

    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.model.brief == before  # the text and the sources, exactly
    assert editor.toPlainText() == body
    qtbot.keyClick(
        editor,
        Qt.Key.Key_Z,
        CTRL_SHIFT,
    )
    assert window.model.brief == after


def test_paraphrase_mode_inserts_only_the_citation_and_ctrl_gives_the_other(
    open_window, qtbot, library, tmp_path: Path
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    window.view.cite.mode_actions[CiteMode.PARAPHRASE].trigger()  # the menu's choice
    editor = window.view.editor("why-it-matters").editor
    body = editor.toPlainText()
    inside = body.index("trucking") + 3  # dropped in the middle of a word
    mime = dragged(qtbot, panel, library[2])

    assert drag(editor, mime, [point_at(editor, inside)], drop=False)
    target = editor.drop_target()
    assert target is not None and target.mode is CiteMode.PARAPHRASE and not target.block
    end = body.index("trucking") + len("trucking")
    assert target.landing == end  # at the end of the word, never inside it
    assert target.hint().startswith("Citation only here")
    assert drag(editor, mime, [point_at(editor, inside)])
    key = "baltic-freight-review-2026-11-23"
    cited = window.model.brief.section("why-it-matters").body
    assert cited == f"{body[:end]} [@{key}]{body[end:]}"
    assert "Two Baltic ports" not in cited
    assert window.model.brief.sources[key].publisher == "Baltic Freight Review"

    # With Ctrl held, the same drop quotes.
    other = window.view.editor("whats-next").editor
    assert drag(other, mime, [point_at(other, 3)], Qt.KeyboardModifier.ControlModifier)
    quoted = window.model.brief.section("whats-next").body
    assert "Two Baltic ports are studying the same step; a \\*decision\\* is due" in quoted
    assert quoted.endswith(f"[@{key}]")  # the same work: the same key

    # The mode is remembered in the settings file for the next window.
    assert CitePreferences(window.settings.path).mode() is CiteMode.PARAPHRASE
    second = open_window()
    second.view.cite.set_settings_file(second.settings.path)
    assert second.view.cite.mode is CiteMode.PARAPHRASE
    assert second.view.cite.mode_actions[CiteMode.PARAPHRASE].isChecked()


def test_several_snippets_dropped_at_once_are_one_undo_step(open_window, qtbot, library) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    before = window.model.brief
    steps = window.model.undo_stack.count()
    editor = window.view.editor("what-happened").editor
    mime = dragged(qtbot, panel, library[0], library[2])
    assert drag(editor, mime, [point_at(editor, 0)])
    body = window.model.brief.section("what-happened").body
    # Dropped at the start of the paragraph: both quotes before it, in the
    # order the library lists them.
    quotes = {
        library[0].id: "> Halden will publish crane schedules from February. [@reuters-2026-11-21]",
        library[2].id: "> Two Baltic ports are studying the same step; a \\*decision\\* is"
        " due in March. [@baltic-freight-review-2026-11-23]",
    }
    listed = [quotes[s.id] for s in panel.selected_snippets()]
    assert body.startswith("\n\n".join(listed) + "\n\n")
    assert body.endswith(before.section("what-happened").body)
    assert set(window.model.brief.sources) == {
        *before.sources,
        "reuters-2026-11-21",
        "baltic-freight-review-2026-11-23",
    }
    assert window.model.undo_stack.count() == steps + 1
    assert window.model.undo_stack.undoText() == "Cite 2 snippets"
    window.act_undo.trigger()
    assert window.model.brief == before


def test_a_snippet_dragged_from_the_trash_is_refused_and_the_reason_said(
    open_window, qtbot, library
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    panel.act_show_trash.trigger()  # the Trash view lists the trashed snippet
    qtbot.waitUntil(lambda: panel.model.row_of(library[1].id) >= 0, timeout=TIMEOUT)
    mime = dragged(qtbot, panel, library[1])
    before = window.model.brief
    steps = window.model.undo_stack.count()
    section = window.view.editor("what-happened")
    editor = section.editor
    path = [point_at(editor, 5), point_at(editor, 40)]
    quiet = accent_pixels(editor)

    assert drag(editor, mime, path, drop=False)
    target = editor.drop_target()
    assert target is not None and target.refused and target.trashed == 1
    # Said where the drop would be said, in the warning colour; no place drawn.
    assert section.drop_label.isVisible()
    assert section.drop_label.text() == "In the Trash: restore it to cite it"
    assert accent_pixels(editor) <= quiet

    dropped = QDropEvent(
        QPointF(path[-1]),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(editor.viewport(), dropped)
    assert not dropped.isAccepted()  # refused: the drag's source copies nothing
    assert (
        window.model.brief == before
        and editor.toPlainText() == before.section("what-happened").body
    )
    assert window.model.undo_stack.count() == steps  # no undo step
    assert not window.isWindowModified()
    assert window.statusBar().currentMessage() == (
        "“An older report, since withdrawn.” is in the Trash: restore it to cite it."
    )
    assert not section.drop_label.isVisible() and section.words_label.isVisible()


def test_of_several_snippets_dropped_the_trashed_one_is_left_out_and_named(
    open_window, qtbot, library
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    wire(qtbot, window)
    before = window.model.brief
    steps = window.model.undo_stack.count()
    editor = window.view.editor("whats-next").editor
    # A drag of three snippets, one of them from the trash (as a drag from
    # another Briefer window on the same library may carry).
    mime = snippets_to_mime(library, library="elsewhere.sqlite3")
    assert drag(editor, mime, [point_at(editor, 3)], drop=False)
    target = editor.drop_target()
    assert target is not None and (target.count, target.trashed) == (2, 1)
    assert target.hint().startswith("Quote (2 snippets; 1 in the Trash left out) here")
    dropped = QDropEvent(
        QPointF(point_at(editor, 3)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(editor.viewport(), dropped)
    assert dropped.isAccepted()
    body = window.model.brief.section("whats-next").body
    assert "Halden will publish crane schedules" in body and "Two Baltic ports" in body
    assert "withdrawn" not in body
    assert window.model.undo_stack.count() == steps + 1  # one step for the drop
    message = window.statusBar().currentMessage()
    assert message.startswith("Cited [@reuters-2026-11-21], [@baltic-freight-review-2026-11-23]")
    assert message.endswith(
        "“An older report, since withdrawn.” (not cited) is in the Trash: restore it to cite it."
    )
    window.act_undo.trigger()
    assert window.model.brief == before


def test_a_read_only_brief_takes_no_drop(open_window, qtbot, library) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    window.view.set_read_only(True)
    editor = window.view.editor("what-happened").editor
    before = window.model.brief
    assert not drag(editor, dragged(qtbot, panel, library[0]), [point_at(editor, 0)])
    assert window.model.brief == before
    assert not window.view.cite.act_cite_selected.isEnabled()


# --------------------------------------------------------------------------
# The library's selection, by shortcut and by menu
# --------------------------------------------------------------------------


def test_ctrl_shift_c_cites_the_selected_snippet_at_the_cursor(open_window, qtbot, library) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    before = window.model.brief
    editor = window.view.editor("why-it-matters").editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End)

    panel.results.clearSelection()
    qtbot.keyClick(editor, Qt.Key.Key_C, CTRL_SHIFT)
    assert window.model.brief == before  # nothing selected in the library: nothing cited
    assert "Select a snippet in the library first" in window.statusBar().currentMessage()

    # Select in the library (the focus goes there), press the shortcut:
    # the section last written in gets it, at its cursor.
    select(qtbot, panel, library[0])
    assert window.view.cite.act_cite_selected.text() == "&Cite Selected Snippet"
    qtbot.keyClick(panel.results, Qt.Key.Key_C, CTRL_SHIFT)
    body = window.model.brief.section("why-it-matters").body
    assert body.endswith(
        "\n\n> Halden will publish crane schedules from February. [@reuters-2026-11-21]"
    )
    assert editor.hasFocus()  # back in the text, after the quote

    select(qtbot, panel, library[0], library[2])
    assert window.view.cite.act_cite_selected.text() == "&Cite Selected 2 Snippets"
    qtbot.keyClick(panel.results, Qt.Key.Key_C, CTRL_SHIFT)
    assert "Two Baltic ports" in window.model.brief.section("why-it-matters").body
    assert (
        "“Halden will publish crane schedules from February.” left out:"
        " the section quotes it already." in window.statusBar().currentMessage()
    )

    # A snippet in the trash is not cited, and the person is told why.
    panel.act_show_trash.trigger()
    select(qtbot, panel, library[1])
    cited = window.model.brief
    qtbot.keyClick(panel.results, Qt.Key.Key_C, CTRL_SHIFT)
    assert window.model.brief == cited
    message = window.statusBar().currentMessage()
    assert message == "“An older report, since withdrawn.” is in the Trash: restore it to cite it."

    window.act_undo.trigger()
    window.act_undo.trigger()
    assert window.model.brief == before


def test_the_editor_menu_offers_show_source_cite_here_and_the_mode(
    open_window, qtbot, library
) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    select(qtbot, panel, library[2])
    editor = window.view.editor("what-happened").editor
    body = editor.toPlainText()
    at_citation = body.index("[@ledger-1]") + 4
    menu = editor.context_menu(point_at(editor, at_citation))
    texts = [a.text() for a in menu.actions()]
    assert "Show Source of [@ledger-1]" in texts
    assert "Cite Selected Snippet Here" in texts
    assert "Cite Snippets &As" in texts
    modes = next(a for a in menu.actions() if a.text() == "Cite Snippets &As").menu()
    assert [a.text() for a in modes.actions()] == [
        "As &Quote",
        "As &Inline Quote",
        "As Citation &Only (Paraphrase)",
    ]
    next(a for a in menu.actions() if a.text() == "Show Source of [@ledger-1]").trigger()
    popup = window.view.cite.popup()
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT)
    assert popup.key_label.text() == "[@ledger-1]"
    assert popup.byline_label.text() == "Northern Ledger · Jonas Eklund"
    assert popup.cited_label.text() == "Cited 3 times: Key points, What Happened?, What's Next?"
    popup.close()
    menu.deleteLater()

    # "Cite ... Here" cites where the menu was opened, in the chosen mode.
    window.view.cite.set_mode(CiteMode.INLINE)
    start_of_second = body.index("The authority")
    menu = editor.context_menu(point_at(editor, start_of_second))
    assert "Show Source of [@ledger-1]" not in [a.text() for a in menu.actions()]
    next(a for a in menu.actions() if a.text() == "Cite Selected Snippet Here").trigger()
    new = window.model.brief.section("what-happened").body
    assert new[start_of_second:].startswith(
        "“Two Baltic ports are studying the same step; a \\*decision\\* is due in March.”"
        " [@baltic-freight-review-2026-11-23] The authority"
    )
    menu.deleteLater()


# --------------------------------------------------------------------------
# Provenance: from a citation to its snippet and source
# --------------------------------------------------------------------------


def test_ctrl_click_on_a_citation_shows_its_snippet_and_source(
    open_window, qtbot, library, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True)
    )
    window = open_window([open_window.sample("smart-brevity")])
    panel = wire(qtbot, window)
    editor = window.view.editor("what-happened").editor
    assert drag(editor, dragged(qtbot, panel, library[0]), [point_at(editor, 0)])
    select(qtbot, panel, library[2])  # the library moves on to another snippet
    body = editor.toPlainText()
    citation = next(c for c in citations(body) if c.key == "reuters-2026-11-21")
    point = point_at(editor, citation.start + 2)

    qtbot.mouseClick(
        editor.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, point
    )
    popup = window.view.cite.popup()
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT)
    assert popup.key_label.text() == "[@reuters-2026-11-21]"
    assert popup.quote_label.text() == "“Halden will publish crane schedules from February.”"
    assert popup.title_label.text() == "Halden to publish crane schedules"
    assert popup.byline_label.text() == "Reuters · Ana Lind"
    assert popup.dates_label.text() == "Published 2026-11-21, accessed 2026-11-22"
    assert "https://www.reuters.example/halden-cranes</a>" in popup.url_label.text()
    assert popup.snippet_label.text() == f"Cited from snippet #{library[0].id} of a library"
    # The library shows the snippet the citation came from.
    qtbot.waitUntil(
        lambda: [s.id for s in panel.selected_snippets()] == [library[0].id], timeout=TIMEOUT
    )
    assert popup.library_button.isVisible() and popup.open_button.isEnabled()
    # The popup sits under the citation.
    below = editor.viewport().mapToGlobal(point)
    assert 0 < popup.geometry().top() - below.y() < 40
    assert editor.toPlainText() == body  # the click changed nothing

    qtbot.mouseClick(popup.open_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://www.reuters.example/halden-cranes"]
    assert not popup.isVisible()


def test_only_web_and_mail_addresses_open_and_a_missing_source_says_so(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True)
    )
    window = open_window([open_window.sample("smart-brevity")])
    wire(qtbot, window, rows=0)
    brief = window.model.brief
    window.model.apply(
        set_source_fields(brief, "coastal-2", url="file:///etc/passwd"), "Edit source"
    )
    editor = window.view.editor("what-happened").editor
    body = editor.toPlainText()
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(body.index("[@coastal-2]") + 3)
    editor.setTextCursor(cursor)
    qtbot.keyClick(
        editor,
        Qt.Key.Key_I,
        CTRL_SHIFT,
    )
    popup = window.view.cite.popup()
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT)
    assert popup.key_label.text() == "[@coastal-2]"
    assert not popup.open_button.isEnabled()
    assert "<a " not in popup.url_label.text() and "not opened" in popup.url_label.text()
    assert not popup.open_url()
    assert popup.snippet_label.text() == "Not from a library"
    assert not popup.library_button.isVisible()
    popup.close()
    assert opened == []

    # A key without a source.
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClicks(editor, " See [@rumour].")
    cursor = editor.textCursor()
    cursor.setPosition(cursor.position() - 3)
    editor.setTextCursor(cursor)
    qtbot.keyClick(
        editor,
        Qt.Key.Key_I,
        CTRL_SHIFT,
    )
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT)
    assert popup.key_label.text() == "[@rumour]"
    assert "This brief has no source [@rumour]" in popup.quote_label.text()
    assert not popup.edit_button.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_a_citation_without_a_source_is_underlined_with_a_tooltip(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    editor = window.view.editor("why-it-matters").editor
    assert editor.unknown_citations() == []
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End)
    qtbot.keyClicks(editor, " Rivals may follow [@ledger-1; @rumour] soon.")
    text = editor.toPlainText()
    [unknown] = editor.unknown_citations()
    assert unknown.key == "rumour"
    marks = [
        s
        for s in editor.extraSelections()
        if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    ]
    assert len(marks) == 1
    # Exactly "@rumour" is underlined, not its neighbour in the brackets.
    start = utf16_from_index(text, text.index("@rumour"))
    assert (marks[0].cursor.selectionStart(), marks[0].cursor.selectionEnd()) == (start, start + 7)

    point = point_at(editor, text.index("@rumour") + 3)
    help_event = QHelpEvent(QHelpEvent.Type.ToolTip, point, editor.viewport().mapToGlobal(point))
    QApplication.sendEvent(editor.viewport(), help_event)
    assert QToolTip.text().startswith("No source [@rumour] in this brief")
    QToolTip.hideText()

    # Find's tint and the mark live together.
    window.find_bar.open_bar()
    qtbot.keyClicks(window.find_bar.field, "Rivals")
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    selections = editor.extraSelections()
    formats = [QTextCharFormat(s.format) for s in selections]
    assert any(f.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline for f in formats)
    assert any(f.background().style() != Qt.BrushStyle.NoBrush for f in formats)
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)

    # Correcting the key takes the mark away.
    cursor = editor.textCursor()
    cursor.setPosition(utf16_from_index(text, text.index("; @rumour")))
    cursor.setPosition(
        utf16_from_index(text, text.index("] soon")), QTextCursor.MoveMode.KeepAnchor
    )
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert editor.toPlainText().endswith("Rivals may follow [@ledger-1] soon.")
    assert editor.unknown_citations() == []
    assert not [
        s
        for s in editor.extraSelections()
        if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    ]


def test_a_citation_shows_its_source_in_a_tooltip(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    editor = window.view.editor("why-it-matters").editor
    text = editor.toPlainText()
    point = point_at(editor, text.index("[@freight-3]") + 3)
    QApplication.sendEvent(
        editor.viewport(),
        QHelpEvent(QHelpEvent.Type.ToolTip, point, editor.viewport().mapToGlobal(point)),
    )
    assert QToolTip.text() == (
        "Freight Desk Weekly · What brokers charge for port schedules · 2026-10-02\n"
        "Ctrl+click to see the source."
    )
    QToolTip.hideText()
    brief = load_brief(open_window.sample("smart-brevity"))
    assert brief == window.model.brief


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["word ", "[@known]", "[@gone]", "[@known; @lost]", "\n\n", "\n", "😀", "@", "[", "]"]
        ),
        max_size=60,
    ),
    st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["", "x", "\n\n", "[@gone]"]))),
)
def test_the_paragraph_scan_finds_what_the_core_finds(parts: list[str], edits) -> None:
    """The editor's paragraph-by-paragraph scan for unknown citations gives
    what `unknown_citations` gives on the whole text, edit after edit."""
    scan = CitationScan(limit=5)
    text = "".join(parts)
    for at, insert in [(0, ""), *edits]:
        at = min(at, len(text))
        text = text[:at] + insert + text[at:]
        assert scan.unknown(text, {"known"}) == unknown_citations(text, {"known"})[:5]
