"""A citation's snippet is shown in the library only if it is the one quoted.

A brief carries, for each source, the quoted words and the id of the
snippet they came from, in the library of whoever cited it. Opened against
another library (a colleague's, a team library), that id may name a
different snippet, or none. Ctrl+Shift+I on a citation (or the Sources
panel's Show in Library) must then never present that other snippet as the
claim's source: the library checks the words, finds the quoted snippet by
them if it is there under another id, else lists the snippets from the
source's address, and says plainly what it did, in the library panel and
the status bar.

A real SQLite library (the user's, redirected per test), the real window,
the brief written as a colleague's would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_window import WindowOpener

from briefer.gui.library_panel import LibraryPanel
from briefer.gui.main_window import MainWindow
from briefer.library import Library
from briefer.library.model import Snippet, Source
from briefer.paths import Paths

TIMEOUT = 10_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LEDGER_URL = "https://news.example.org/halden-berth-data"
LEDGER = Source(
    title="Halden votes to open berth schedules",
    publisher="Northern Ledger",
    author="Jonas Eklund",
    url=LEDGER_URL,
    published="2026-11-18",
)
QUOTED = "Halden's port board voted to publish berth schedules as open data."


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def fill_library(*items: tuple[str, Source]) -> list[Snippet]:
    with Library.open(Paths.from_env().library_path()) as lib:
        return [lib.add(text, source).snippet for text, source in items]


def colleagues_brief(opener: WindowOpener, snippet_id: int, quote: str = QUOTED) -> Path:
    """The smart-brevity sample as a colleague saved it: its [@ledger-1]
    quoted `quote` from snippet `snippet_id` of their library."""
    path = opener.sample("smart-brevity")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sources"]["ledger-1"].update(quote=quote, snippet_id=str(snippet_id))
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def watch_selection(panel: LibraryPanel) -> list[int]:
    """Every snippet id the library panel selects from now on."""
    seen: list[int] = []
    panel.selection_changed.connect(lambda: seen.extend(s.id for s in panel.selected_snippets()))
    return seen


def show_source_of_ledger(qtbot, window: MainWindow) -> None:
    """Put the cursor in the first [@ledger-1] of What Happened?, press Ctrl+Shift+I."""
    editor = window.view.editor("what-happened").editor
    body = editor.toPlainText()
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(body.index("[@ledger-1]") + 3)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(window.view.cite.popup().isVisible, timeout=TIMEOUT)


def wait_for_rows(qtbot, panel: LibraryPanel, count: int) -> None:
    qtbot.waitUntil(lambda: panel.model.rowCount() >= count, timeout=TIMEOUT)


def listed(panel: LibraryPanel) -> list[int]:
    return [panel.model.snippet(r).id for r in range(panel.model.rowCount())]


def test_an_id_naming_another_snippet_here_finds_the_quoted_one_by_its_words(
    open_window, qtbot
) -> None:
    other, quoted = fill_library(
        ("The grid operator confirmed the substation outage.", Source(title="Desk memo")),
        (QUOTED, LEDGER),
    )
    window = open_window([colleagues_brief(open_window, other.id)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 2)
    seen = watch_selection(panel)

    show_source_of_ledger(qtbot, window)
    qtbot.waitUntil(
        lambda: [s.id for s in panel.selected_snippets()] == [quoted.id], timeout=TIMEOUT
    )
    assert other.id not in seen  # the other snippet was never shown as the source
    assert listed(panel) == [quoted.id]
    assert panel.detail.snippet() is not None and panel.detail.snippet().text == QUOTED
    said = (
        f"Snippet #{other.id} of this library is a different one;"
        f" the words this source quotes are snippet #{quoted.id}."
    )
    assert panel.message.isVisible() and panel.message.text() == said
    assert window.statusBar().currentMessage() == said
    # Searching again puts the list back, and the message goes with it.
    qtbot.keyClicks(panel.search_box, "grid")
    qtbot.waitUntil(lambda: listed(panel) == [other.id], timeout=TIMEOUT)
    assert not panel.message.isVisible()


def test_a_snippet_not_in_this_library_is_said_and_its_address_listed(open_window, qtbot) -> None:
    other, first, second = fill_library(
        ("The grid operator confirmed the substation outage.", Source(title="Desk memo")),
        ("The board's vote was unanimous.", LEDGER),
        ("Brokers had charged carriers for the same schedules.", LEDGER),
    )
    # The colleague quoted words this library does not have, from that page.
    window = open_window([colleagues_brief(open_window, other.id)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 3)
    seen = watch_selection(panel)

    show_source_of_ledger(qtbot, window)
    qtbot.waitUntil(lambda: sorted(listed(panel)) == sorted([first.id, second.id]), timeout=TIMEOUT)
    said = (
        "This source's snippet is not in the open library."
        " Listed instead: its 2 snippets from the same address."
    )
    assert panel.message.text() == said and window.statusBar().currentMessage() == said
    assert other.id not in seen and panel.selected_snippets() == []
    assert panel.count_label.text().startswith("2 from its address")


def test_a_snippet_the_library_has_no_trace_of_is_said_plainly(open_window, qtbot) -> None:
    [other] = fill_library(
        ("The grid operator confirmed the substation outage.", Source(title="Desk memo")),
    )
    window = open_window([colleagues_brief(open_window, other.id)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 1)
    seen = watch_selection(panel)

    show_source_of_ledger(qtbot, window)
    said = "This source's snippet is not in the open library."
    qtbot.waitUntil(lambda: panel.message.text() == said, timeout=TIMEOUT)
    assert window.statusBar().currentMessage() == said
    assert other.id not in seen and panel.selected_snippets() == []
    assert listed(panel) == [other.id]  # the list is left as it was
    popup = window.view.cite.popup()
    assert popup.quote_label.text() == f"“{QUOTED}”"  # the brief's own record stays
    # The popup's Show in Library asks again, with the same check.
    window.statusBar().clearMessage()
    qtbot.mouseClick(popup.library_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == said, timeout=TIMEOUT)
    assert other.id not in seen and panel.selected_snippets() == []


def test_an_id_this_library_does_not_have_is_said_so(open_window, qtbot) -> None:
    [quoted] = fill_library((QUOTED, LEDGER))
    window = open_window([colleagues_brief(open_window, quoted.id + 40)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 1)
    show_source_of_ledger(qtbot, window)
    said = (
        f"There is no snippet #{quoted.id + 40} in this library;"
        f" the words this source quotes are snippet #{quoted.id}."
    )
    qtbot.waitUntil(lambda: panel.message.text() == said, timeout=TIMEOUT)
    assert [s.id for s in panel.selected_snippets()] == [quoted.id]


def test_the_right_snippet_is_shown_at_once_and_nothing_is_said(open_window, qtbot) -> None:
    _, quoted = fill_library(
        ("The grid operator confirmed the substation outage.", Source(title="Desk memo")),
        (QUOTED, LEDGER),
    )
    window = open_window([colleagues_brief(open_window, quoted.id)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 2)
    show_source_of_ledger(qtbot, window)
    qtbot.waitUntil(
        lambda: [s.id for s in panel.selected_snippets()] == [quoted.id], timeout=TIMEOUT
    )
    assert not panel.message.isVisible()
    assert "not in the open library" not in window.statusBar().currentMessage()


def test_the_sources_panels_show_in_library_checks_too(open_window, qtbot) -> None:
    other, quoted = fill_library(
        ("The grid operator confirmed the substation outage.", Source(title="Desk memo")),
        (QUOTED, LEDGER),
    )
    window = open_window([colleagues_brief(open_window, other.id)])
    panel = window.library_panel
    wait_for_rows(qtbot, panel, 2)
    seen = watch_selection(panel)
    sources = window.sources
    sources.select_source("ledger-1")
    qtbot.waitUntil(sources.library_button.isVisible, timeout=TIMEOUT)
    qtbot.mouseClick(sources.library_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [s.id for s in panel.selected_snippets()] == [quoted.id], timeout=TIMEOUT
    )
    assert other.id not in seen
