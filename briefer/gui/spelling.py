"""Spell checking in the section editors: red wavy underlines as you type,
suggestions, "Add to Dictionary" and "Ignore" in the context menu.

One `SpellHighlighting` per window holds the brief's `SpellChecker` (see
`briefer.spelling`) and a cache of each line's result. It plugs into the
window's own Markdown highlighter, so one pass paints both:

    spelling = SpellHighlighting(paths, brief.meta.language)
    spelling.install(editor.highlighter)   # set_spell_check + rehighlight on change
    editor.spell_actions = spelling.spell_actions
    if (message := spelling.no_dictionary_message()) is not None:
        status_bar.showMessage(message)    # once: later calls return None

`install` works with any highlighter that has `set_spell_check(check)` and
`rehighlight()`; the check returns `(start, length)` spans in Python string
indices. `SpellHighlighter` is a standalone QSyntaxHighlighter doing only
spelling, for a plain editor (and for tests).

Only the lines that change are checked: Qt re-highlights just the blocks an
edit touched, and a line's result is cached by its text, so a line whose
text is back to what it was costs one dictionary lookup. Adding or ignoring
a word, or switching the language (`set_language`), clears the cache and
emits `words_changed`, on which installed highlighters re-highlight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit, QTextEdit, QWidget

from briefer.errors import FileAccessError
from briefer.paths import Paths
from briefer.spelling import PersonalWords, SpellChecker, personal_words_path
from briefer.text import index_from_utf16, utf16_from_index

Editor = QPlainTextEdit | QTextEdit
MISSPELLED_COLOUR = QColor("#D00000")
_CACHE_LIMIT = 20_000  # lines; far more than a brief has
_IN_FENCE = 1  # SpellHighlighter's block state inside a fenced code block


@dataclass(frozen=True)
class _Replacement:
    """What a section editor's `apply_command` expects back: new text and
    the selection to show (Python indices)."""

    text: str
    start: int
    end: int


class SpellHighlighting(QObject):
    """The window's spell checking: a checker for the brief's language, the
    cache of checked lines and the context-menu actions."""

    words_changed = Signal()  # re-highlight: a word added or ignored, a new language

    def __init__(
        self,
        paths: Paths,
        language: str = "en",
        *,
        locale: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._personal = PersonalWords(personal_words_path(paths))
        self._locale = locale
        self._checker = SpellChecker(language, self._personal, locale=locale)
        self._cache: dict[str, list[tuple[int, int]]] = {}
        self._told: set[str] = set()
        self._last_actions: list[QAction] = []
        self.lines_checked = 0  # lines looked up in the dictionary (not from the cache)

    @property
    def checker(self) -> SpellChecker:
        return self._checker

    @property
    def dictionary(self) -> str | None:
        """The dictionary in use (`en_GB`), or None when there is none."""
        return self._checker.dictionary

    def set_language(self, language: str) -> None:
        """Check a brief of another language (its `meta.language` changed,
        or another brief was opened). Ignored words are kept."""
        if language == self._checker.language:
            return
        ignored = self._checker
        self._checker = SpellChecker(language, self._personal, locale=self._locale)
        for word in ignored.ignored_words():
            self._checker.ignore(word)
        self._refresh()

    def no_dictionary_message(self) -> str | None:
        """What to tell the person when there is no dictionary for the
        brief's language: the text the first time, None after (and always
        None while a dictionary is there), so the window says it once."""
        problem = self._checker.problem
        if problem is None or problem in self._told:
            return None
        self._told.add(problem)
        return problem

    # -- checking -------------------------------------------------------------

    def spell_formats(self, text: str) -> list[tuple[int, int]]:
        """The misspelt words of one line as `(start, length)` in Python
        string indices: the check a Markdown highlighter calls per block."""
        spans = self._cache.get(text)
        if spans is None:
            self.lines_checked += 1
            spans = [(start, end - start) for start, end in self._checker.misspelled(text)]
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = spans
        return spans

    def install(self, highlighter: QSyntaxHighlighter) -> None:
        """Plug into a highlighter with `set_spell_check(check)` (the
        window's Markdown highlighter) and re-highlight it when words change."""
        highlighter.set_spell_check(self.spell_formats)  # type: ignore[attr-defined]
        self.words_changed.connect(highlighter.rehighlight)

    def attach(self, document: QTextDocument) -> SpellHighlighter:
        """A standalone spelling highlighter on `document`."""
        return SpellHighlighter(document, self)

    def _refresh(self) -> None:
        self._cache.clear()
        self.words_changed.emit()

    # -- the context menu -----------------------------------------------------

    def word_at(self, editor: Editor, pos: QPoint | int) -> tuple[int, int, str] | None:
        """The misspelt word under `pos` (a point in the editor's viewport,
        as a context-menu event gives it, or a document position): its
        start and end as document positions (UTF-16) and its text; None
        when the word there is not underlined."""
        cursor = editor.cursorForPosition(pos) if isinstance(pos, QPoint) else None
        if cursor is None:
            cursor = editor.textCursor()
            cursor.setPosition(max(0, min(int(pos), editor.document().characterCount() - 1)))
        block = cursor.block()
        text = block.text()
        at = index_from_utf16(text, cursor.positionInBlock())
        for start, length in self.spell_formats(text):
            if start <= at <= start + length:
                begin = utf16_from_index(text, start)
                end = utf16_from_index(text, start + length)
                if not _underlined(block.layout().formats(), begin):
                    return None  # in a code block, say: the highlighter left it alone
                return (
                    block.position() + begin,
                    block.position() + end,
                    text[start : start + length],
                )
        return None

    def spell_actions(self, editor: Editor, pos: QPoint | int) -> list[QAction]:
        """Context-menu entries for the misspelt word under `pos`: up to six
        suggestions (choosing one replaces the word), "Add to Dictionary"
        and "Ignore"; [] when the word there is spelt right. The actions
        belong to `editor` and live until the next call."""
        for action in self._last_actions:
            action.deleteLater()
        self._last_actions = []
        found = self.word_at(editor, pos)
        if found is None:
            return []
        start, end, word = found
        actions: list[QAction] = []
        suggestions = self._checker.suggest(word)
        for suggestion in suggestions:
            action = QAction(suggestion, editor)
            action.setObjectName("spell-suggestion")
            font = action.font()
            font.setBold(True)
            action.setFont(font)
            action.setToolTip(f"Replace “{word}” with “{suggestion}”")
            action.triggered.connect(_replacer(editor, start, end, word, suggestion))
            action.setEnabled(not editor.isReadOnly())  # a brief opened read-only
            actions.append(action)
        if not suggestions:
            none = QAction("No Suggestions", editor)
            none.setObjectName("spell-no-suggestions")
            none.setEnabled(False)
            actions.append(none)
        separator = QAction(editor)
        separator.setSeparator(True)
        actions.append(separator)
        add = QAction("Add to Dictionary", editor)
        add.setObjectName("spell-add")
        add.setToolTip(f"Accept “{word}” in every brief from now on")
        add.triggered.connect(lambda: self.add_to_dictionary(word, editor))
        ignore = QAction("Ignore", editor)
        ignore.setObjectName("spell-ignore")
        ignore.setToolTip(f"Accept “{word}” everywhere until Briefer is closed")
        ignore.triggered.connect(lambda: self.ignore(word))
        actions += [add, ignore]
        self._last_actions = actions
        return actions

    def add_to_dictionary(self, word: str, parent: QWidget | None = None) -> None:
        """Accept `word` for good; says so if the word list cannot be written
        (the word is then accepted until Briefer is closed)."""
        try:
            self._checker.add_to_dictionary(word)
        except FileAccessError as exc:
            QMessageBox.warning(
                parent,
                "Add to Dictionary",
                f"“{word}” is accepted until Briefer is closed, but could not be"
                f" kept for good:\n{exc}",
            )
        self._refresh()

    def ignore(self, word: str) -> None:
        """Accept `word` everywhere until Briefer is closed."""
        self._checker.ignore(word)
        self._refresh()


def _underlined(ranges: list, position: int) -> bool:
    style = QTextCharFormat.UnderlineStyle.SpellCheckUnderline
    return any(
        r.start <= position < r.start + r.length and r.format.underlineStyle() == style
        for r in ranges
    )


def _replacer(editor: Editor, start: int, end: int, word: str, new: str) -> Callable[[], None]:
    """Replace the word at `start`..`end` by `new`, as one edit: through
    the section editor's `apply_command` when it has one (its own undo
    step), else through a text cursor, as typing would."""

    def replace() -> None:
        cursor = editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        if cursor.selectedText() != word:
            return  # the text moved on since the menu opened
        apply = getattr(editor, "apply_command", None)
        if callable(apply):

            def command(text: str, _start: int, _end: int) -> _Replacement:
                head = index_from_utf16(text, start)
                tail = index_from_utf16(text, end)
                return _Replacement(
                    text[:head] + new + text[tail:], head + len(new), head + len(new)
                )

            apply(command)
            return
        cursor.beginEditBlock()
        cursor.insertText(new)
        cursor.endEditBlock()
        editor.setTextCursor(cursor)

    return replace


class SpellHighlighter(QSyntaxHighlighter):
    """Spelling alone on a document: misspelt words get the red wavy
    underline; nothing inside fenced code blocks is checked."""

    def __init__(self, document: QTextDocument, spelling: SpellHighlighting) -> None:
        super().__init__(document)
        self.spelling = spelling
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(MISSPELLED_COLOUR)
        spelling.words_changed.connect(self.rehighlight)

    def highlightBlock(self, text: str) -> None:
        in_fence = self.previousBlockState() == _IN_FENCE
        stripped = text.lstrip(" ")
        if len(text) - len(stripped) <= 3 and stripped.startswith(("```", "~~~")):
            self.setCurrentBlockState(-1 if in_fence else _IN_FENCE)
            return
        self.setCurrentBlockState(_IN_FENCE if in_fence else -1)
        if in_fence or not text:
            return
        for start, length in self.spelling.spell_formats(text):
            begin = utf16_from_index(text, start)
            self.setFormat(begin, utf16_from_index(text, start + length) - begin, self._format)
