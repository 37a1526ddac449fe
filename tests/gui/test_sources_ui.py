"""The brief's sources in the window: listed, edited, removed, renumbered.

A person opens the Sources panel beside the brief and sees every source
with how often the text cites it; edits a publisher and watches the
preview (the real PDF export, from the real worker process) follow; tries
to remove a source still cited and is told where it is cited, with links
there; removes one no longer cited; cuts a cited sentence and pastes it in
another section, and the export numbers the sources by first use.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_window import WindowOpener

from briefer.briefs import load_brief, save_brief
from briefer.editing import set_body
from briefer.gui.main_window import MainWindow
from briefer.gui.sources_panel import SourcesPanel
from briefer.pipeline import export
from briefer.text import utf16_from_index

PREVIEW_MS = 30_000  # a first render on a busy two-core machine, fonts not yet cached
TIMEOUT = 5000
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def _shared_font_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One font cache for the module's preview workers."""
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "font-cache"))


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def sources_panel(qtbot, window: MainWindow) -> SourcesPanel:
    """The Sources panel on the window's brief, wired as main_window.py
    wires it (its "cited in" links go to the citation; the source popup's
    "Edit Source…" selects the source here)."""
    panel = SourcesPanel(window.model)
    qtbot.addWidget(panel)
    panel.citation_requested.connect(window.view.show_citation)
    window.view.cite.source_requested.connect(panel.select_source)
    window.view.read_only_changed.connect(panel.set_read_only)
    panel.message.connect(lambda text: window.statusBar().showMessage(text))
    panel.resize(760, 330)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def rows(panel: SourcesPanel) -> list[tuple[str, str]]:
    """The list as a person reads it: each source and how often it is cited."""
    items = (panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount()))
    return [(item.text(0), item.text(1)) for item in items]


def click_row(qtbot, panel: SourcesPanel, key: str) -> None:
    item = panel.item(key)
    assert item is not None, key
    rect = panel.list.visualItemRect(item)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.current_key() == key


def replace_text(qtbot, field, text: str) -> None:
    """Select what the field holds and type over it, as a person does."""
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(field, text)


def preview_text(window: MainWindow) -> str:
    """The text of the PDF the preview shows, as its reader could select it."""
    document = window.preview.view().document()
    if document is None:
        return ""
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return " ".join(" ".join(text.split()) for text in pages)


def test_the_panel_lists_every_source_with_how_often_it_is_cited(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    assert panel.heading.text() == "Sources (3)"
    assert rows(panel) == [
        ("[@ledger-1]  Northern Ledger", "3×"),
        ("[@coastal-2]  Coastal Wire", "2×"),
        ("[@freight-3]  Freight Desk Weekly", "1×"),
    ]
    assert not panel.unused_label.isVisible() and not panel.remove_unused_button.isVisible()
    click_row(qtbot, panel, "coastal-2")
    fields = {name: edit.text() for name, edit in panel.fields.items()}
    assert fields == {
        "title": "Carriers offered priority for sharing arrival data",
        "publisher": "Coastal Wire",
        "author": "",
        "url": "https://coastalwire.example.com/2026/11/halden-priority",
        "published": "2026-11-19",
        "accessed": "2026-11-20",
    }
    assert panel.key_label.text() == "[@coastal-2]"
    cited = panel.cited_label.text()
    assert "Cited in" in cited and "Key points" in cited and "What Happened?" in cited
    assert panel.open_button.isEnabled()


def test_editing_a_publisher_changes_the_preview_and_undo_takes_it_back(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")], preview=True)
    window.resize(1500, 900)
    panel = sources_panel(qtbot, window)
    old_line = "Sources: Northern Ledger [1]; Coastal Wire [2]; Freight Desk Weekly [3]"
    qtbot.waitUntil(lambda: old_line in preview_text(window), timeout=PREVIEW_MS)
    steps = window.model.undo_stack.count()

    click_row(qtbot, panel, "freight-3")
    replace_text(qtbot, panel.fields["publisher"], "Halden Freight Review")
    assert window.model.brief.sources["freight-3"].publisher == "Halden Freight Review"
    assert rows(panel)[2] == ("[@freight-3]  Halden Freight Review", "1×")
    new_line = "Sources: Northern Ledger [1]; Coastal Wire [2]; Halden Freight Review [3]"
    qtbot.waitUntil(lambda: new_line in preview_text(window), timeout=PREVIEW_MS)
    assert window.model.undo_stack.count() == steps + 1  # the typing is one step

    qtbot.keyClick(panel.fields["publisher"], Qt.Key.Key_Z, CTRL)
    assert window.model.brief.sources["freight-3"].publisher == "Freight Desk Weekly"
    assert panel.fields["publisher"].text() == "Freight Desk Weekly"
    qtbot.waitUntil(lambda: old_line in preview_text(window), timeout=PREVIEW_MS)


def test_a_date_that_is_no_date_is_marked_and_not_stored(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    click_row(qtbot, panel, "ledger-1")
    field = panel.fields["published"]
    replace_text(qtbot, field, "18 Nov")
    assert field.property("invalid")
    assert "expected a date like 2026-11-20" in field.toolTip()
    assert window.model.brief.sources["ledger-1"].published == "2026-11-18"
    assert field.text() == "18 Nov"  # what was typed stays, to be corrected
    replace_text(qtbot, field, "2026-11")
    assert not field.property("invalid")
    assert window.model.brief.sources["ledger-1"].published == "2026-11"


def test_undoing_a_source_title_leaves_the_briefs_title_alone(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    before = window.model.brief
    click_row(qtbot, panel, "coastal-2")
    replace_text(qtbot, panel.fields["title"], "Priority for data sharers")
    assert window.model.brief.sources["coastal-2"].title == "Priority for data sharers"
    assert window.model.brief.meta == before.meta
    qtbot.keyClick(panel.fields["title"], Qt.Key.Key_Z, CTRL)
    assert window.model.brief == before
    assert panel.fields["title"].text() == before.sources["coastal-2"].title
    assert window.view.meta_edits["title"].text() == before.meta.title
    assert not window.view.meta_edits["title"].hasFocus()


def test_a_cited_source_is_not_removed_and_its_places_are_named(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    before = window.model.brief
    click_row(qtbot, panel, "ledger-1")
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.model.brief == before
    assert panel.notice.isVisible()
    notice = panel.notice.text()
    assert "[@ledger-1] is still cited</b> (3 times), in" in notice
    for name in ("Key points", "What Happened?", "What&#x27;s Next?"):
        assert name in notice
    assert "Remove those citations first." in notice
    assert "still cited" in window.statusBar().currentMessage()
    # The Delete key in the list asks the same, and is refused the same.
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert window.model.brief == before

    # A place named is a link to the citation there.
    panel.notice.linkActivated.emit("whats-next\nledger-1")
    editor = window.view.editor("whats-next").editor
    body = editor.toPlainText()
    assert editor.textCursor().selectedText() == "[@ledger-1]"
    assert editor.textCursor().selectionStart() == utf16_from_index(body, body.index("[@ledger-1]"))


def test_a_source_no_longer_cited_is_offered_for_removal(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    editor = window.view.editor("why-it-matters").editor
    body = editor.toPlainText()
    start = body.index(" [@freight-3]")
    cursor = editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(" [@freight-3]"), cursor.MoveMode.KeepAnchor)
    editor.setFocus()
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    cut = window.model.brief
    assert "freight-3" in cut.sources  # the source stays until the person removes it

    qtbot.waitUntil(
        lambda: ("[@freight-3]  Freight Desk Weekly", "not cited") in rows(panel), timeout=TIMEOUT
    )
    assert panel.unused_label.isVisible()
    assert panel.unused_label.text() == "1 source not cited anywhere: [@freight-3]"
    click_row(qtbot, panel, "freight-3")
    assert "Not cited anywhere" in panel.cited_label.text()

    qtbot.mouseClick(panel.remove_unused_button, Qt.MouseButton.LeftButton)
    assert list(window.model.brief.sources) == ["ledger-1", "coastal-2"]
    assert panel.keys() == ["ledger-1", "coastal-2"]
    assert not panel.remove_unused_button.isVisible()
    assert "Removed 1 unused source" in window.statusBar().currentMessage()
    window.act_undo.trigger()
    assert window.model.brief == cut
    assert panel.keys() == ["ledger-1", "coastal-2", "freight-3"]


def test_a_cited_sentence_cut_and_pasted_elsewhere_renumbers_by_first_use(
    open_window, qtbot, tmp_path: Path
) -> None:
    path = open_window.sample("smart-brevity")
    brief = load_brief(path)
    brief = set_body(brief, "key-points", "- Berths open to rivals [@ledger-1].\n- Fees fall.")
    brief = set_body(brief, "what-happened", "Carriers that share data get priority [@coastal-2].")
    brief = set_body(brief, "why-it-matters", "Broker fees go [@freight-3].")
    brief = set_body(brief, "whats-next", "Register as a test user.")
    save_brief(brief, path)
    window = open_window([path])
    panel = sources_panel(qtbot, window)
    assert numbered(window, tmp_path / "before.pdf") == (
        "Sources: Northern Ledger [1]; Coastal Wire [2]; Freight Desk Weekly [3]"
    )

    points = window.view.editor("key-points").editor
    points.setFocus()
    cursor = points.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len("- Berths open to rivals [@ledger-1].\n"), cursor.MoveMode.KeepAnchor)
    points.setTextCursor(cursor)
    qtbot.keyClick(points, Qt.Key.Key_X, CTRL)
    assert points.toPlainText() == "- Fees fall."
    assert "Berths open" in QApplication.clipboard().text()

    next_ = window.view.editor("whats-next").editor
    next_.setFocus()
    qtbot.keyClick(next_, Qt.Key.Key_End)
    qtbot.keyClick(next_, Qt.Key.Key_Return)
    qtbot.keyClick(next_, Qt.Key.Key_Return)
    qtbot.keyClick(next_, Qt.Key.Key_V, CTRL)
    assert window.model.brief.section("whats-next").body == (
        "Register as a test user.\n\n- Berths open to rivals [@ledger-1].\n"
    )
    assert numbered(window, tmp_path / "after.pdf") == (
        "Sources: Coastal Wire [1]; Freight Desk Weekly [2]; Northern Ledger [3]"
    )
    # Nothing lost or left hanging on the way.
    assert next_.unknown_citations() == []
    qtbot.waitUntil(
        lambda: [count for _, count in rows(panel)] == ["1×", "1×", "1×"], timeout=TIMEOUT
    )
    # Undo puts the sentence back, and the numbers with it.
    window.act_undo.trigger()
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert window.model.brief == brief
    assert numbered(window, tmp_path / "undone.pdf").startswith("Sources: Northern Ledger [1]")


def numbered(window: MainWindow, target: Path) -> str:
    """The export's closing sources line (the real PDF exporter)."""
    export(window.model.brief, window.model.template, target, "pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    start = text.index("Sources:")
    end = text.index("]", text.rindex("[", start, text.index("INTERNAL", start))) + 1
    return text[start:end]


def test_the_popups_edit_source_selects_it_in_the_panel(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    click_row(qtbot, panel, "ledger-1")
    editor = window.view.editor("why-it-matters").editor
    body = editor.toPlainText()
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(body.index("[@freight-3]") + 2)
    editor.setTextCursor(cursor)
    popup = window.view.cite.show_citation(
        "why-it-matters",
        editor.citation_at_cursor(),  # type: ignore[arg-type]
    )
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT)
    qtbot.mouseClick(popup.edit_button, Qt.MouseButton.LeftButton)
    assert not popup.isVisible()
    assert panel.current_key() == "freight-3"
    assert panel.fields["publisher"].text() == "Freight Desk Weekly"


def test_a_read_only_brief_shows_its_sources_without_changing_them(open_window, qtbot) -> None:
    window = open_window([open_window.sample("smart-brevity")])
    panel = sources_panel(qtbot, window)
    window.view.set_read_only(True)
    click_row(qtbot, panel, "coastal-2")
    assert panel.fields["publisher"].isReadOnly()
    assert not panel.remove_button.isEnabled()
    before = window.model.brief
    qtbot.keyClicks(panel.fields["publisher"], "X")
    assert window.model.brief == before
