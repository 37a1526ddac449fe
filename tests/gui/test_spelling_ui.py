"""Spell checking as a writer sees it: red wavy underlines while typing,
suggestions, "Add to Dictionary" and "Ignore" from the context menu."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QContextMenuEvent, QImage, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from briefer.gui.spelling import SpellHighlighter, SpellHighlighting
from briefer.paths import Paths
from briefer.spelling import available_languages, personal_words_path
from briefer.text import index_from_utf16

pytestmark = pytest.mark.skipif(
    "en_US" not in available_languages(), reason="hunspell-en-us not installed"
)
WAVY = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


@pytest.fixture
def spelling() -> SpellHighlighting:
    return SpellHighlighting(Paths.from_env(), "en-US", locale="")


def make_editor(
    qtbot: QtBot, spelling: SpellHighlighting
) -> tuple[QPlainTextEdit, SpellHighlighter]:
    editor = QPlainTextEdit()
    editor.resize(640, 240)
    qtbot.addWidget(editor)
    highlighter = spelling.attach(editor.document())
    editor.show()
    qtbot.waitExposed(editor)
    return editor, highlighter


def underlined_words(editor: QPlainTextEdit) -> list[str]:
    """The text under each wavy underline the editor draws, line by line."""
    words: list[str] = []
    block = editor.document().firstBlock()
    while block.isValid():
        text = block.text()
        for r in sorted(block.layout().formats(), key=lambda r: r.start):
            if r.format.underlineStyle() == WAVY:  # Qt counts UTF-16 units
                start = index_from_utf16(text, r.start)
                words.append(text[start : index_from_utf16(text, r.start + r.length)])
        block = block.next()
    return words


def red_pixels_under(editor: QPlainTextEdit, start: int, end: int) -> int:
    """Pixels in the underline's colour just below the text from `start` to
    `end` (document positions), in the editor as painted."""
    image: QImage = editor.viewport().grab().toImage()
    first = editor.cursorRect(_cursor(editor, start))
    last = editor.cursorRect(_cursor(editor, end))
    count = 0
    for x in range(first.left(), last.right()):
        for y in range(first.top(), min(first.bottom() + 4, image.height())):
            colour = QColor(image.pixel(x, y))
            if colour.red() > 150 and colour.green() < 110 and colour.blue() < 110:
                count += 1
    return count


def _cursor(editor: QPlainTextEdit, position: int) -> QTextCursor:
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    return cursor


def point_at(editor: QPlainTextEdit, position: int) -> QPoint:
    """A point in the middle of the character at `position` (viewport coordinates)."""
    rect = editor.cursorRect(_cursor(editor, position))
    return QPoint(rect.right() + 3, rect.center().y())


# --------------------------------------------------------------------------
# Underlines as you type
# --------------------------------------------------------------------------


def test_a_misspelt_word_gets_a_red_wavy_underline_as_it_is_typed(
    qtbot: QtBot, spelling: SpellHighlighting
) -> None:
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(editor, "The port")
    assert underlined_words(editor) == []
    assert red_pixels_under(editor, 0, 8) == 0
    qtbot.keyClicks(editor, " opned its dtaa.")
    assert underlined_words(editor) == ["opned", "dtaa"]
    assert red_pixels_under(editor, 9, 14) > 5  # seen on screen, under "opned"
    assert red_pixels_under(editor, 0, 8) == 0  # not under "The port"
    # Fixing the word removes its underline.
    while editor.toPlainText() != "The port op":
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, "ened its data.")
    assert editor.toPlainText() == "The port opened its data."
    assert underlined_words(editor) == []


def test_markdown_addresses_and_citations_are_not_underlined(
    qtbot: QtBot, spelling: SpellHighlighting
) -> None:
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(
        editor,
        "- **Halden** said so [@reutrs-2026] in [a reprot](https://exmaple.org/zzq) `frbnz()`",
    )
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "```")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "def frobnicat(zzq): pass")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "```")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "NATO's GDP rose 3rd time, see www.exmaple.org or jo@exmaple.org")
    assert underlined_words(editor) == ["Halden", "reprot"]


def test_underlines_sit_on_the_word_after_emoji_and_accents(
    qtbot: QtBot, spelling: SpellHighlighting
) -> None:
    editor, _ = make_editor(qtbot, spelling)
    editor.setPlainText("Port 😀😀 data opned 🚢 to analysts wrold-wide, cafe\u0301 wrod")
    # Debian's en_US has no "café": the decomposed word is underlined whole.
    assert underlined_words(editor) == ["opned", "wrold", "cafe\u0301", "wrod"]
    position = editor.toPlainText().index("opned") + 2  # two emoji: two more UTF-16 units
    assert spelling.word_at(editor, position + 2) is not None
    assert spelling.word_at(editor, position + 2)[2] == "opned"


def test_only_the_changed_line_is_checked(qtbot: QtBot, spelling: SpellHighlighting) -> None:
    editor, _ = make_editor(qtbot, spelling)
    lines = [f"Paragraph {n} of a long section about port data." for n in range(2000)]
    editor.setPlainText("\n".join(lines))
    assert spelling.lines_checked == 2000
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(1000).position())
    editor.setTextCursor(cursor)
    before = spelling.lines_checked
    started = time.perf_counter()
    qtbot.keyClicks(editor, "Newly ")
    elapsed = time.perf_counter() - started
    assert spelling.lines_checked - before == len("Newly ")  # one line per keystroke
    assert elapsed / len("Newly ") < 0.05


def test_a_long_paragraph_stays_quick_to_type_in(
    qtbot: QtBot, spelling: SpellHighlighting, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 10,000-word section written as one paragraph: each keystroke
    re-checks that paragraph, from the word cache."""
    editor, _ = make_editor(qtbot, spelling)
    words = [
        "analysts",
        "write",
        "briefs",
        "from",
        "sources",
        "and",
        "the",
        "port",
        "opened",
        "its",
        "cargo",
        "data",
    ]
    editor.setPlainText(" ".join(words[n % len(words)] + str(n % 7 or "") for n in range(10_000)))
    editor.moveCursor(QTextCursor.MoveOperation.End)
    times = []
    for char in " Tpyed here":
        started = time.perf_counter()
        qtbot.keyClick(editor, char)
        times.append(time.perf_counter() - started)
    times.sort()
    with capsys.disabled():
        print(f"\nkeystroke with spelling, 10,000-word paragraph: median {times[5] * 1000:.1f} ms")
    assert underlined_words(editor)[-1] == "Tpyed"
    assert times[5] < 0.05


# --------------------------------------------------------------------------
# The context menu
# --------------------------------------------------------------------------


def test_choosing_a_suggestion_replaces_the_word(qtbot: QtBot, spelling: SpellHighlighting) -> None:
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(editor, "The quikc brown fox")
    actions = spelling.spell_actions(editor, point_at(editor, 6))
    names = [a.text() for a in actions if a.objectName() == "spell-suggestion"]
    assert "quick" in names and len(names) <= 6
    assert [a.objectName() for a in actions][-2:] == ["spell-add", "spell-ignore"]
    next(a for a in actions if a.text() == "quick").trigger()
    assert editor.toPlainText() == "The quick brown fox"
    assert underlined_words(editor) == []
    # A word spelt right has no spelling entries.
    assert spelling.spell_actions(editor, point_at(editor, 12)) == []
    # In a brief opened read-only, the word cannot be replaced.
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " jumpd")
    editor.setReadOnly(True)
    actions = spelling.spell_actions(editor, len("The quick brown fox j"))
    suggestions = [a for a in actions if a.objectName() == "spell-suggestion"]
    assert suggestions and not any(a.isEnabled() for a in suggestions)


def test_add_to_dictionary_lasts_and_reaches_every_editor(
    qtbot: QtBot, spelling: SpellHighlighting
) -> None:
    first, _ = make_editor(qtbot, spelling)
    second, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(first, "Haldenport opened.")
    qtbot.keyClicks(second, "At Haldenport, data.")
    assert underlined_words(first) == underlined_words(second) == ["Haldenport"]
    actions = spelling.spell_actions(first, point_at(first, 2))
    next(a for a in actions if a.objectName() == "spell-add").trigger()
    assert underlined_words(first) == underlined_words(second) == []
    assert "Haldenport" in personal_words_path(Paths.from_env()).read_text(encoding="utf-8")

    # The next start of Briefer knows it too.
    later = SpellHighlighting(Paths.from_env(), "en", locale="")
    third, _ = make_editor(qtbot, later)
    qtbot.keyClicks(third, "Haldenport again, and Haldenport's")
    assert underlined_words(third) == []


def test_ignore_lasts_until_briefer_is_closed(qtbot: QtBot, spelling: SpellHighlighting) -> None:
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(editor, "Zqxbrief and zqxbrief again")
    assert underlined_words(editor) == ["Zqxbrief", "zqxbrief"]
    actions = spelling.spell_actions(editor, point_at(editor, 2))
    next(a for a in actions if a.objectName() == "spell-ignore").trigger()
    assert underlined_words(editor) == ["zqxbrief"]  # ignored as written, like a dictionary
    spelling.set_language("en-GB")  # another brief: still ignored
    assert underlined_words(editor) == ["zqxbrief"]

    later = SpellHighlighting(Paths.from_env(), "en", locale="")
    again, _ = make_editor(qtbot, later)
    qtbot.keyClicks(again, "Zqxbrief")
    assert underlined_words(again) == ["Zqxbrief"]


def test_no_entries_inside_a_code_block(qtbot: QtBot, spelling: SpellHighlighting) -> None:
    editor, _ = make_editor(qtbot, spelling)
    editor.setPlainText("```\nfrobnicat here\n```\nfrobnicat there")
    assert underlined_words(editor) == ["frobnicat"]
    inside = editor.document().findBlockByNumber(1).position() + 2
    outside = editor.document().findBlockByNumber(3).position() + 2
    assert spelling.spell_actions(editor, inside) == []
    assert spelling.spell_actions(editor, outside) != []


def test_a_word_list_that_cannot_be_written_is_reported(
    qtbot: QtBot, spelling: SpellHighlighting, monkeypatch: pytest.MonkeyPatch
) -> None:
    word_list = personal_words_path(Paths.from_env())
    word_list.parent.mkdir(parents=True, exist_ok=True)
    word_list.mkdir()  # a folder where the file should be: cannot be written
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(editor, "Qqzxbrief")
    actions = spelling.spell_actions(editor, point_at(editor, 2))
    next(a for a in actions if a.objectName() == "spell-add").trigger()
    assert len(shown) == 1 and "accepted until Briefer is closed" in shown[0]
    assert underlined_words(editor) == []


# --------------------------------------------------------------------------
# No dictionary
# --------------------------------------------------------------------------


def test_without_a_dictionary_the_window_is_told_once(qtbot: QtBot) -> None:
    spelling = SpellHighlighting(Paths.from_env(), "tlh", locale="")
    editor, _ = make_editor(qtbot, spelling)
    qtbot.keyClicks(editor, "Qapla' wrods not checkd")
    assert underlined_words(editor) == []
    message = spelling.no_dictionary_message()
    assert message is not None and "no dictionary" in message and "hunspell-tlh" in message
    assert spelling.no_dictionary_message() is None  # said once
    spelling.set_language("en")
    assert spelling.no_dictionary_message() is None  # there is one now
    assert underlined_words(editor) == ["Qapla", "wrods", "checkd"]


# --------------------------------------------------------------------------
# In the window's own section editor
# --------------------------------------------------------------------------


def test_in_the_section_editor_with_markdown_highlighting(
    qtbot: QtBot, spelling: SpellHighlighting
) -> None:
    section_editor = pytest.importorskip("briefer.gui.section_editor")
    editor = section_editor.MarkdownEdit()
    editor.resize(640, 240)
    qtbot.addWidget(editor)
    spelling.install(editor.highlighter)
    editor.spell_actions = spelling.spell_actions
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor, "**Bodl** move by the port, [@src-1] says")
    assert underlined_words(editor) == ["Bodl"]
    # Bold and the underline on the same letters.
    block = editor.document().firstBlock()
    bold_and_wavy = [
        r
        for r in block.layout().formats()
        if r.format.underlineStyle() == WAVY and r.format.fontWeight() > 500
    ]
    assert bold_and_wavy

    # A right-click shows the suggestions in the editor's own menu.
    chosen: list[list[str]] = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        chosen.append([a.text() for a in menu.actions()])
        next(a for a in menu.actions() if a.text() == "Bold").trigger()
        menu.close()

    QTimer.singleShot(200, choose)
    point = point_at(editor, 3)
    # What the platform sends on a right-click (QTest's clicks do not open menus).
    QApplication.sendEvent(
        editor.viewport(),
        QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, editor.viewport().mapToGlobal(point)
        ),
    )
    assert chosen and "Bold" in chosen[0]
    assert "Add to Dictionary" in chosen[0] and "Ignore" in chosen[0]
    assert editor.toPlainText() == "**Bold** move by the port, [@src-1] says"
    assert underlined_words(editor) == []
