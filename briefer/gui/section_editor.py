"""One template section's editor: heading, Markdown text, word budget, notes.

`SectionEditor` shows the section's heading (or, for a heading-less section
such as the key bullets, its name in words), a `MarkdownEdit` with the
template's guidance as placeholder text, the word count against the
section's budget (in a warning colour, and saying by how much, when over)
and the compose diagnostics that concern the section, in the warning
colour; or, for an empty required section of a brief just begun, a quiet
"Required" in the placeholder's grey (`set_required_hint`).

The editor keeps no undo history of its own: every change goes to the
window's `BriefModel` (signal `edited`), whose undo stack spans the whole
brief, so the editor hands Ctrl+Z and the window's formatting shortcuts
back to the window instead of acting on them itself. Text coming back from
the model (undo, redo, revert) replaces only the part that differs, so the
cursor, the scroll position and the highlighting of the rest stay.

Bold, italic, link and bullet-list commands are pure functions on text and
a selection (`toggle_wrap`, `make_link`, `toggle_bullets`), applied through
the editor like typing.

The editor is also where snippets from the library land: a drag carrying
`application/x-briefer-snippets` shows, while it moves, where the quote or
citation will go (a line between paragraphs for a block quote or a bullet,
a caret in the line for an inline quote or a citation) and how (the mode,
and that Ctrl gives the other one); the drop asks the view to cite them
(`cite_dropped`), which goes through the brief model as one undo step.
Snippets dragged out of the trash are not cited: the drag says so where
the mode is said, and a drop of nothing but them is refused.
Citations of keys the brief has no source for are underlined with a
tooltip saying so, and Ctrl+click on a citation asks for its source
(`citation_clicked`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from briefer.compose import section_name
from briefer.editing import Citation, CiteMode, Insertion, citation_at, unknown_citations
from briefer.library.model import Snippet
from briefer.model import SectionKind, SectionSpec, Source
from briefer.text import index_from_utf16, utf16_from_index

from .markdown_highlighter import MarkdownHighlighter
from .snippet_mime import has_snippets, snippets_from_mime

SpellActions = Callable[[QPlainTextEdit, QPoint], list[QAction]]
# What the right-click menu adds at a place in the text (a Python index):
# "Show Source", "Cite Selected Snippet Here", the drop mode.
CiteActions = Callable[["MarkdownEdit", int], list[QAction]]
# Where citing `snippets` at an index in `mode` would put the text (the view
# asks the core); None when it cannot be planned.
DropPlanner = Callable[[Sequence[Snippet], int, CiteMode], Insertion | None]

MIN_LINES = 3
# What an empty required section of a brief just begun says, quietly.
REQUIRED_HINT = "Required"
REQUIRED_TIP = (
    "The template requires this section. Once you save or export the brief,"
    " an empty one is marked as a problem."
)


# --------------------------------------------------------------------------
# Formatting commands: pure functions on text and a selection
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TextEdit:
    """Text after a formatting command, and the selection to show (Python
    indices, `start <= end`)."""

    text: str
    start: int
    end: int


_WORD_CHAR = re.compile(r"\w")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])[ \t]+")


def toggle_wrap(text: str, start: int, end: int, marker: str) -> TextEdit:
    """Wrap the selection in `marker` (`**` bold, `*` italic), or unwrap it
    when it is wrapped already. With nothing selected, the word at the
    cursor is taken; outside a word, an empty pair is inserted with the
    cursor inside it."""
    if start == end:
        start, end = _word_at(text, start)
        if start == end:
            inside = start + len(marker)
            return TextEdit(text[:start] + marker * 2 + text[start:], inside, inside)
    n = len(marker)
    selected = text[start:end]
    # Keep the spaces a double-click or a drag took along outside the marks.
    lead = len(selected) - len(selected.lstrip())
    trail = len(selected) - len(selected.rstrip())
    start, end = start + lead, end - trail
    selected = text[start:end]
    inside = (_run(selected, 0, 1, marker[0]), _run(selected, len(selected) - 1, -1, marker[0]))
    if len(selected) > 2 * n and _marks(*inside, marker):
        inner = selected[n:-n]
        return TextEdit(text[:start] + inner + text[end:], start, start + len(inner))
    outside = (_run(text, start - 1, -1, marker[0]), _run(text, end, 1, marker[0]))
    if _marks(*outside, marker):
        new = text[: start - n] + selected + text[end + n :]
        return TextEdit(new, start - n, end - n)
    new = text[:start] + marker + selected + marker + text[end:]
    return TextEdit(new, start + n, end + n)


def _run(text: str, at: int, step: int, char: str) -> int:
    """How many `char`s run from `at` in direction `step`."""
    count = 0
    while 0 <= at < len(text) and text[at] == char:
        count += 1
        at += step
    return count


def _marks(before: int, after: int, marker: str) -> bool:
    """Whether runs of `*` before and after some text apply `marker`: `**`
    (bold) in runs of two or three, `*` (italic) in runs of one or three."""
    if len(marker) == 2:
        return before >= 2 and after >= 2
    return before % 2 == 1 and after % 2 == 1


def _word_at(text: str, at: int) -> tuple[int, int]:
    start = at
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    end = at
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1
    return start, end


def make_link(text: str, start: int, end: int, url: str = "") -> TextEdit:
    """Make the selection a link `[selection](url)`. Without a `url`, a
    placeholder address is selected for the person to type over; a
    selection that is itself an address becomes the link's target."""
    selected = text[start:end]
    if not url and re.fullmatch(r"(?:https?://|mailto:)\S+", selected.strip()):
        new = f"{text[:start]}[]({selected.strip()}){text[end:]}"
        return TextEdit(new, start + 1, start + 1)  # the cursor where the words go
    target = url or "https://"
    label = selected or "link text"
    new = f"{text[:start]}[{label}]({target}){text[end:]}"
    if url:
        after = start + len(label) + len(url) + 4
        return TextEdit(new, after, after)
    if not selected:
        return TextEdit(new, start + 1, start + 1 + len(label))
    at = start + len(label) + 3
    return TextEdit(new, at, at + len(target))


def toggle_bullets(text: str, start: int, end: int) -> TextEdit:
    """Make the lines the selection touches a bullet list (`- `), or plain
    lines when they all are list items already. Blank lines stay blank."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find(
        "\n", max(end - (1 if end > start and text[end - 1] == "\n" else 0), start)
    )
    if line_end == -1:
        line_end = len(text)
    lines = text[line_start:line_end].split("\n")
    filled = [line for line in lines if line.strip()]
    if filled and all(_BULLET.match(line) for line in filled):
        new_lines = [_BULLET.sub(r"\1", line, count=1) for line in lines]
    else:
        new_lines = [
            line
            if not line.strip() or _BULLET.match(line)
            else _indent(line) + "- " + line.lstrip()
            for line in lines
        ]
        if not filled:  # an empty line: start a bullet there
            new_lines = ["- " + lines[0], *lines[1:]]
    block = "\n".join(new_lines)
    new = text[:line_start] + block + text[line_end:]
    if start == end:
        cursor = line_start + len(new_lines[0]) if not filled else start + len(new) - len(text)
        cursor = max(line_start, min(cursor, line_start + len(block)))
        return TextEdit(new, cursor, cursor)
    return TextEdit(new, line_start, line_start + len(block))


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def changed_span(old: str, new: str) -> tuple[int, int, int]:
    """The one run that differs between `old` and `new`: its start, its end
    in `old` and its end in `new` (a common prefix and suffix are kept).
    Binary search on slices, so long texts are compared at C speed."""
    limit = min(len(old), len(new))
    low, high = 0, limit
    while low < high:  # the longest common prefix
        mid = (low + high + 1) // 2
        if old[:mid] == new[:mid]:
            low = mid
        else:
            high = mid - 1
    prefix = low
    low, high = 0, limit - prefix
    while low < high:  # the longest common suffix not overlapping it
        mid = (low + high + 1) // 2
        if old[len(old) - mid :] == new[len(new) - mid :]:
            low = mid
        else:
            high = mid - 1
    return prefix, len(old) - low, len(new) - low


# --------------------------------------------------------------------------
# Citing by drag and drop: which mode, and what the drop shows
# --------------------------------------------------------------------------

# Ctrl held while dropping gives the other mode: a quote without its words
# is a citation only, and a citation only becomes the quote.
DROP_MODIFIER = Qt.KeyboardModifier.ControlModifier
DROP_MODIFIER_NAME = "Ctrl"

MODE_NAMES = {
    CiteMode.QUOTE: "Quote",
    CiteMode.INLINE: "Inline quote",
    CiteMode.PARAPHRASE: "Citation only",
}


def other_mode(mode: CiteMode) -> CiteMode:
    """The mode a drop takes with `DROP_MODIFIER` held."""
    return CiteMode.QUOTE if mode is CiteMode.PARAPHRASE else CiteMode.PARAPHRASE


@dataclass(frozen=True)
class DropTarget:
    """Where a snippet drag points in an editor: `index` under the mouse,
    `landing` where the text will go (Python indices), the `mode` the drop
    will use and whether the text comes as a `block` of its own (a block
    quote or a bullet) rather than inside the line. `count` snippets will
    be cited; `trashed` more are in the trash and will not be."""

    index: int
    landing: int
    mode: CiteMode
    block: bool
    count: int
    trashed: int = 0

    @property
    def refused(self) -> bool:
        """Nothing would be cited: every snippet dragged is in the trash."""
        return self.count == 0 and self.trashed > 0

    def hint(self) -> str:
        """What the drop will do, in words, with the key for the other mode."""
        if self.refused:
            them = "it" if self.trashed == 1 else "them"
            return f"In the Trash: restore {them} to cite {them}"
        what = MODE_NAMES[self.mode]
        notes = [f"{self.count} snippets"] if self.count > 1 else []
        if self.trashed:
            notes.append(f"{self.trashed} in the Trash left out")
        if notes:
            what += f" ({'; '.join(notes)})"
        return f"{what} here · {DROP_MODIFIER_NAME}: {MODE_NAMES[other_mode(self.mode)].lower()}"


MAX_MARKED = 100  # unknown citations underlined in one section, at most


class CitationScan:
    """Finds the unknown citations of section text paragraph by paragraph,
    remembering each paragraph's, so a keystroke rescans one paragraph, not
    the section (a citation never spans a blank line). The result equals
    `briefer.editing.unknown_citations`, cut at `limit`."""

    def __init__(self, limit: int = MAX_MARKED) -> None:
        self.limit = limit
        self._keys: frozenset[str] = frozenset()
        self._known: dict[str, list[Citation]] = {}

    def unknown(self, text: str, keys: Iterable[str]) -> list[Citation]:
        keys = frozenset(keys)
        if keys != self._keys:
            self._keys, self._known = keys, {}
        known, fresh = self._known, {}
        found: list[Citation] = []
        offset = 0
        for paragraph in text.split("\n\n"):
            here = known.get(paragraph)
            if here is None:
                here = unknown_citations(paragraph, keys) if "@" in paragraph else []
            fresh[paragraph] = here
            for c in here:
                found.append(
                    Citation(
                        c.key,
                        c.start + offset,
                        c.end + offset,
                        c.bracket_start + offset,
                        c.bracket_end + offset,
                    )
                )
            if len(found) >= self.limit:
                break
            offset += len(paragraph) + 2
        self._known = fresh  # the paragraphs of the latest text (up to the limit)
        return found[: self.limit]


# --------------------------------------------------------------------------
# The text editor
# --------------------------------------------------------------------------


def undo_keys() -> list[QKeySequence]:
    """Every key sequence of the platform's Undo and Redo (Ctrl+Shift+Z and
    Ctrl+Y are both Redo on Linux)."""
    return [
        *QKeySequence.keyBindings(QKeySequence.StandardKey.Undo),
        *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo),
    ]


def yields_key(event: QEvent, keys: Iterable[QKeySequence]) -> bool:
    """Whether `event` asks a text field to take a key the window handles
    (a ShortcutOverride for one of `keys`): the field must let it pass."""
    if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
        return False
    pressed = event.keyCombination()
    return any(not k.isEmpty() and k.count() == 1 and k[0] == pressed for k in keys)


class MarkdownEdit(QPlainTextEdit):
    """A section's Markdown editor: highlighted, growing with its text up
    to `max_height` (then scrolling), without an undo stack of its own."""

    edited = Signal(int, int, bool)  # start, end of the change (UTF-16), typing
    cite_dropped = Signal(list, int, object)  # snippets, Python index, CiteMode
    citation_clicked = Signal(object)  # the Citation under a Ctrl+click
    drop_hint = Signal(object)  # the DropTarget shown; None once the drag has gone
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUndoRedoEnabled(False)  # the window's undo spans the brief
        self.setTabChangesFocus(True)  # Tab moves on, so every control is reachable
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(6)
        self.highlighter = MarkdownHighlighter(self.document(), self.palette())
        self.max_height = 600
        self.yielded_keys: list[QKeySequence] = undo_keys()
        self.spell_actions: SpellActions | None = None
        # The window's actions shown in the right-click menu.
        self.history_actions: list[QAction] = []  # the brief's Undo and Redo
        self.format_actions: list[QAction] = []  # Bold, Italic, Link, Bullet List
        # Citing: set by the view (the mode a drop takes without Ctrl, what
        # the menu offers at a citation, where a drop will land).
        self.cite_mode = CiteMode.QUOTE
        self.cite_actions: CiteActions | None = None
        self.drop_planner: DropPlanner | None = None
        self._drop: DropTarget | None = None
        self._dragged: list[Snippet] = []
        self._sources: Mapping[str, Source] = {}
        self._unknown: list[Citation] = []
        self._scan = CitationScan()
        self._mark_selections: list[QTextEdit.ExtraSelection] = []
        self._other_selections: list[QTextEdit.ExtraSelection] = []
        self._applying = False
        self._shown = ""  # the text as the model last had it from this editor
        self._pending: tuple[int, int] | None = None
        self._command = False
        self.document().contentsChange.connect(self._on_contents_change)
        self.textChanged.connect(self._on_text_changed)
        self.document().documentLayout().documentSizeChanged.connect(self.fit_height)
        self.fit_height()

    # -- text from the model --------------------------------------------------

    def load_text(self, text: str) -> None:
        """Show `text` in a new editor, with the cursor at its start."""
        self._applying = True
        try:
            self.setPlainText(text)
        finally:
            self._applying = False
        self._shown = text

    def set_text(self, text: str) -> None:
        """Show `text`, replacing only what differs from what is shown."""
        old = self.toPlainText()
        if old == text:
            return
        start, old_end, new_end = changed_span(old, text)
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16_from_index(old, start))
        cursor.setPosition(utf16_from_index(old, old_end), QTextCursor.MoveMode.KeepAnchor)
        self._applying = True
        try:
            cursor.insertText(text[start:new_end])
        finally:
            self._applying = False
        self._shown = text

    def place_cursor(self, position: int) -> None:
        """Move the cursor to a UTF-16 position (clamped) and show it."""
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(position, self.document().characterCount() - 1)))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    # -- formatting commands ----------------------------------------------------

    def apply_command(self, command: Callable[[str, int, int], TextEdit]) -> None:
        """Run a formatting command on the text and selection, as one edit
        (its own undo step) that keeps a sensible selection."""
        text = self.toPlainText()
        cursor = self.textCursor()
        start = index_from_utf16(text, cursor.selectionStart())
        end = index_from_utf16(text, cursor.selectionEnd())
        result = command(text, start, end)
        if result.text != text:
            first, old_end, new_end = changed_span(text, result.text)
            edit = QTextCursor(self.document())
            edit.setPosition(utf16_from_index(text, first))
            edit.setPosition(utf16_from_index(text, old_end), QTextCursor.MoveMode.KeepAnchor)
            self._command = True
            try:
                edit.insertText(result.text[first:new_end])
            finally:
                self._command = False
        cursor = self.textCursor()
        cursor.setPosition(utf16_from_index(result.text, result.start))
        cursor.setPosition(
            utf16_from_index(result.text, result.end), QTextCursor.MoveMode.KeepAnchor
        )
        self.setTextCursor(cursor)

    # -- Qt events ------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Keys the window acts on (undo, redo, formatting) must reach its
        # shortcuts, not the editor's own handling of them.
        if yields_key(event, self.yielded_keys):
            event.ignore()
            return True
        return super().event(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu(self, pos: QPoint) -> QMenu:
        """The right-click menu at `pos`: spelling suggestions for the word
        there (when spell checking is plugged in), the standard editing
        entries with the brief's Undo and Redo instead of the editor's own,
        and the formatting commands."""
        menu = self.createStandardContextMenu(pos)
        # The standard Undo and Redo act on a stack this editor does not keep.
        for action in list(menu.actions()):
            if action.objectName() in ("edit-undo", "edit-redo"):
                menu.removeAction(action)
        while menu.actions() and menu.actions()[0].isSeparator():
            menu.removeAction(menu.actions()[0])
        first = menu.actions()[0] if menu.actions() else None
        if self.history_actions:
            menu.insertActions(first, self.history_actions)
            menu.insertSeparator(first)
        if self.spell_actions is not None:
            spelling = list(self.spell_actions(self, pos))
            if spelling:
                top = menu.actions()[0] if menu.actions() else None
                menu.insertActions(top, spelling)
                menu.insertSeparator(top)
        if self.format_actions:
            menu.addSeparator()
            menu.addActions(self.format_actions)
        if self.cite_actions is not None:
            citing = list(self.cite_actions(self, self.index_at(pos)))
            if citing:
                top = menu.actions()[0] if menu.actions() else None
                menu.insertActions(top, citing)
                menu.insertSeparator(top)
        return menu

    # -- citations --------------------------------------------------------------

    def index_at(self, pos: QPoint) -> int:
        """The Python index of the text position at a point of the viewport."""
        position = self.cursorForPosition(pos).position()
        return index_from_utf16(self.toPlainText(), position)

    def citation_at_point(self, pos: QPoint) -> Citation | None:
        """The citation under a point of the viewport, if any."""
        text = self.toPlainText()
        if "@" not in text:
            return None
        return citation_at(text, index_from_utf16(text, self.cursorForPosition(pos).position()))

    def citation_at_cursor(self) -> Citation | None:
        """The citation the text cursor is in (or just after)."""
        text = self.toPlainText()
        return citation_at(text, index_from_utf16(text, self.textCursor().position()))

    def citation_rect(self, citation: Citation) -> QRectF:
        """Where a citation is drawn, in viewport coordinates (its first line)."""
        text = self.toPlainText()
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16_from_index(text, citation.bracket_start))
        left = self.cursorRect(cursor)
        cursor.setPosition(utf16_from_index(text, citation.bracket_end))
        right = self.cursorRect(cursor)
        if right.top() != left.top():  # wrapped: the part on the first line
            return QRectF(left).adjusted(0, 0, 40, 0)
        return QRectF(left.topLeft(), right.bottomRight())

    def mark_citations(self, text: str, sources: Mapping[str, Source]) -> None:
        """Underline the citations in `text` (the editor's text) whose keys
        `sources` lacks: the export would print them as `[?key]`. Only the
        first `MAX_MARKED` are underlined (compose's notes name them all)."""
        self._sources = sources
        unknown = self._scan.unknown(text, sources) if "@" in text else []
        if unknown == self._unknown:
            return
        self._unknown = unknown
        colour = QColor("#FF5252") if _dark(self.palette()) else QColor("#C62828")
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(colour)
        wide = len(text.encode("utf-16-le")) != 2 * len(text)  # characters beyond U+FFFF
        selections = []
        for citation in unknown:
            start, end = (
                (citation.bracket_start, citation.bracket_end)
                if citation.alone
                else (citation.start, citation.end)
            )
            if wide:
                start, end = utf16_from_index(text, start), utf16_from_index(text, end)
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self._mark_selections = selections
        super().setExtraSelections(self._other_selections + self._mark_selections)

    def unknown_citations(self) -> list[Citation]:
        """The citations underlined as having no source."""
        return list(self._unknown)

    def setExtraSelections(self, selections: Sequence[QTextEdit.ExtraSelection]) -> None:
        # Find's tint and the citation marks are drawn together: neither
        # may wipe out the other.
        self._other_selections = list(selections)
        super().setExtraSelections(self._other_selections + self._mark_selections)

    def citation_tip(self, citation: Citation) -> str:
        """The tooltip of a citation: its source in a few words, or that
        the brief has none."""
        source = self._sources.get(citation.key)
        if source is None:
            return (
                f"No source [@{citation.key}] in this brief: the export prints "
                f"[?{citation.key}]. Correct the key, or cite a snippet from the library."
            )
        parts = [p for p in (source.publisher, source.title, source.published) if p.strip()]
        summary = " · ".join(" ".join(p.split()) for p in parts) or f"[@{citation.key}]"
        return f"{summary}\nCtrl+click to see the source."

    # -- dropping snippets --------------------------------------------------------

    def drop_target(self) -> DropTarget | None:
        """Where the snippet drag in progress would land (None: none)."""
        return self._drop

    def _target(self, event: QDropEvent, snippets: Sequence[Snippet]) -> DropTarget:
        pos = event.position().toPoint()
        text = self.toPlainText()
        index = index_from_utf16(text, self.cursorForPosition(pos).position())
        mode = other_mode(self.cite_mode) if event.modifiers() & DROP_MODIFIER else self.cite_mode
        # Snippets from the trash are not cited (as Cite Selected Snippet
        # leaves them out): the drop shows where the others go.
        usable = [s for s in snippets if not s.in_trash]
        trashed = len(snippets) - len(usable)
        planned = self.drop_planner(usable, index, mode) if self.drop_planner and usable else None
        if planned is None:
            return DropTarget(index, index, mode, mode is CiteMode.QUOTE, len(usable), trashed)
        # A block quote or a bullet comes on lines of its own after the
        # paragraph or item pointed at; a citation or an inline quote at
        # the point itself (moved to the end of a word).
        block = planned.text.startswith("\n") or planned.text.startswith(("> ", "- "))
        landing = planned.start
        return DropTarget(index, landing, mode, block, len(usable), trashed)

    def _accepts_drag(self, event: QDropEvent) -> bool:
        return has_snippets(event.mimeData()) and not self.isReadOnly()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if has_snippets(event.mimeData()):
            if not self._accepts_drag(event):
                event.ignore()
                return
            # Read once per drag: moves only move the target.
            self._dragged = snippets_from_mime(event.mimeData())
            self._show_drop(self._target(event, self._dragged))
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if has_snippets(event.mimeData()):
            if not self._accepts_drag(event):
                event.ignore()
                return
            if not self._dragged:
                self._dragged = snippets_from_mime(event.mimeData())
            self._show_drop(self._target(event, self._dragged))
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        super().dragMoveEvent(event)

    def _show_drop(self, target: DropTarget | None) -> None:
        if target == self._drop:
            return
        hint_changed = (target.hint() if target else "") != (
            self._drop.hint() if self._drop else ""
        )
        self._drop = target
        self.viewport().update()
        if hint_changed:
            self.drop_hint.emit(target)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._dragged = []
        self._show_drop(None)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not has_snippets(event.mimeData()):
            super().dropEvent(event)
            return
        self._show_drop(None)
        self._dragged = []
        snippets = snippets_from_mime(event.mimeData())
        if not snippets or self.isReadOnly():
            event.ignore()
            return
        target = self._target(event, snippets)
        if target.refused:
            # Nothing to cite: the drop is refused, and the view says why
            # (its citing leaves trashed snippets out and says so).
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.ignore()
        else:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.cite_dropped.emit(snippets, target.index, target.mode)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._drop is not None and not self._drop.refused:
            self._paint_drop(self._drop)

    def _paint_drop(self, target: DropTarget) -> None:
        """The drop's place, in the highlight colour: a line between blocks
        or a caret in the line. What the drop does is said above the editor
        (`drop_hint`), where it covers no text."""
        text = self.toPlainText()
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16_from_index(text, target.landing))
        rect = self.cursorRect(cursor)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(accent, 2))
        width = self.viewport().width()
        margin = self.document().documentMargin()
        if target.block:
            # Before a paragraph that starts there, else after the one that ends there.
            starts = target.landing == 0 or text[target.landing - 1] == "\n"
            y = rect.top() + 1 if starts or not text.strip() else rect.bottom() + 2
            painter.drawLine(QPointF(margin, y), QPointF(width - margin, y))
            painter.setBrush(accent)
            painter.drawEllipse(QPointF(margin, y), 3, 3)
        else:  # a caret with serifs, so it stands out from the text cursor
            x, top, bottom = rect.left() + 1, rect.top(), rect.bottom()
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.drawLine(QPointF(x - 3, top), QPointF(x + 3, top))
            painter.drawLine(QPointF(x - 3, bottom), QPointF(x + 3, bottom))
        painter.end()

    # -- pointing at citations -----------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            citation = self.citation_at_point(event.pos())
            if citation is not None:
                QToolTip.showText(event.globalPos(), self.citation_tip(citation), self.viewport())
                return True
            QToolTip.hideText()
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if (
            event.button() == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            citation = self.citation_at_point(event.position().toPoint())
            if citation is not None:
                event.accept()
                self.citation_clicked.emit(citation)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = (
            event.buttons() == Qt.MouseButton.NoButton
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            and self.citation_at_point(event.position().toPoint()) is not None
        )
        shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.IBeamCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.palette())
        elif event.type() == QEvent.Type.FontChange:
            self.fit_height()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_height()

    # -- inside -----------------------------------------------------------------

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if removed or added:
            self._pending = (position, position + added)

    def _on_text_changed(self) -> None:
        if self._applying:
            self._pending = None
            return
        # Qt also reports a change of formats (highlighting recoloured for a
        # dark palette, say) as a change: only a change of text is an edit.
        text = self.toPlainText()
        if text == self._shown:
            self._pending = None
            return
        self._shown = text
        start, end = self._pending or (-1, -1)
        self._pending = None
        self.edited.emit(start, end, not self._command)

    def fit_height(self, *_: object) -> None:
        """Grow or shrink with the text, up to `max_height` (beyond, the
        text scrolls inside). Blocks are measured only until the limit."""
        line = QFontMetricsF(self.font()).lineSpacing()
        margins = self.contentsMargins()
        frame = margins.top() + margins.bottom() + 2 * self.document().documentMargin() + 2
        wanted = frame
        block = self.document().firstBlock()
        while block.isValid() and wanted <= self.max_height:
            wanted += self.blockBoundingRect(block).height()
            block = block.next()
        height = int(max(MIN_LINES * line + frame, min(wanted, self.max_height)))
        if height != self.height():
            self.setFixedHeight(height)


# --------------------------------------------------------------------------
# The section: heading, editor, budget, diagnostics
# --------------------------------------------------------------------------


def warning_colour(palette: QPalette) -> QColor:
    """The colour of an over-budget count and of warnings, readable on the
    palette's background."""
    return QColor("#FF8A80") if _dark(palette) else QColor("#B00020")


def _dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class SectionEditor(QFrame):
    """A template section in the brief: its heading, its Markdown editor,
    its word count against its budget, and what compose noticed in it."""

    edited = Signal(str, str, int, int, bool)  # section id, text, start, end, typing
    cite_dropped = Signal(str, list, int, object)  # section id, snippets, index, CiteMode
    citation_clicked = Signal(str, object)  # section id, Citation

    def __init__(
        self, section_id: str, heading: str, spec: SectionSpec | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.section_id = section_id
        self.spec = spec
        self.setObjectName(f"section-{section_id}")
        self._words = 0
        self._diagnostics: list[str] = []
        self._hint = ""  # the quiet note shown instead of none (see `set_required_hint`)

        self.heading_label = QLabel()
        self.heading_label.setTextFormat(Qt.TextFormat.PlainText)
        self.words_label = QLabel()
        self.words_label.setTextFormat(Qt.TextFormat.PlainText)
        self.words_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # While a snippet is dragged over the text: what the drop will do.
        self.drop_label = QLabel()
        self.drop_label.setTextFormat(Qt.TextFormat.PlainText)
        self.drop_label.setAutoFillBackground(True)
        self.drop_label.setContentsMargins(6, 1, 6, 1)
        self.drop_label.setVisible(False)
        self.drop_label.setAccessibleName("What the drop will do")
        self.editor = MarkdownEdit(self)
        self.notes_label = QLabel()
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes_label.setWordWrap(True)
        self.notes_label.setVisible(False)
        self.heading_label.setBuddy(self.editor)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading_label, 1)
        top.addWidget(self.drop_label)
        top.addWidget(self.words_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.editor)
        layout.addWidget(self.notes_label)

        self.set_heading(heading)
        guidance = spec.guidance if spec is not None else ""
        if spec is not None and spec.kind is SectionKind.BULLETS and guidance:
            guidance += "  (Write each point as a “- ” line.)"
        self.editor.setPlaceholderText(guidance)
        self.editor.edited.connect(self._on_edited)
        self.editor.cite_dropped.connect(
            lambda snippets, index, mode: self.cite_dropped.emit(
                self.section_id, snippets, index, mode
            )
        )
        self.editor.citation_clicked.connect(
            lambda citation: self.citation_clicked.emit(self.section_id, citation)
        )
        self.editor.drop_hint.connect(self._show_drop_hint)
        self.set_words(0)

    # -- what the window shows in it ------------------------------------------

    def document(self) -> QTextDocument:
        """The editor's document, for a highlighter (spell checking)."""
        return self.editor.document()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.set_text(text)

    def set_heading(self, heading: str) -> None:
        name = section_name(heading, self.section_id)
        self.heading_label.setText(name)
        font = self.heading_label.font()
        font.setBold(bool(heading.strip()))
        font.setItalic(not heading.strip())
        self.heading_label.setFont(font)
        if heading.strip():
            self.heading_label.setToolTip("")
        else:
            self.heading_label.setToolTip("This section is printed without a heading.")
        required = self.spec is not None and self.spec.required
        self.editor.setAccessibleName(f"{self.heading_label.text()} (section text)")
        self.editor.setAccessibleDescription(
            ("Required section. " if required else "") + (self.spec.guidance if self.spec else "")
        )

    def heading(self) -> str:
        return self.heading_label.text()

    def set_words(self, words: int) -> None:
        """Show the section's word count against its budget."""
        self._words = words
        budget = self.spec.max_words if self.spec is not None else None
        unit = "word" if words == 1 else "words"
        if budget is None:
            self.words_label.setText(f"{words} {unit}")
            self.words_label.setToolTip("No word budget for this section.")
        elif words > budget:
            self.words_label.setText(f"{words} / {budget} words, {words - budget} over")
            self.words_label.setToolTip(f"Over this section's budget of {budget} words.")
        else:
            self.words_label.setText(f"{words} / {budget} words")
            self.words_label.setToolTip(f"This section's budget is {budget} words.")
        self._paint_words()

    def words(self) -> int:
        return self._words

    def is_over_budget(self) -> bool:
        budget = self.spec.max_words if self.spec is not None else None
        return budget is not None and self._words > budget

    def set_diagnostics(self, messages: Iterable[str]) -> None:
        """Show what compose noticed in this section, as warnings (nothing:
        hidden, or the quiet hint if one is set)."""
        messages = list(dict.fromkeys(messages))
        if messages == self._diagnostics:
            return
        self._diagnostics = messages
        self._show_notes()

    def diagnostics(self) -> list[str]:
        """The warnings shown (not the quiet hint)."""
        return list(self._diagnostics)

    def set_required_hint(self, shown: bool) -> None:
        """Say quietly, in the placeholder's grey, that this section is
        required: for an empty required section of a brief just begun,
        where a warning would greet the person with an error. A warning
        shown takes its place; typing in the section hides it."""
        hint = REQUIRED_HINT if shown and self.editor.document().isEmpty() else ""
        if hint != self._hint:
            self._hint = hint
            self._show_notes()

    def required_hint(self) -> str:
        """The quiet hint shown under the editor ("" when none is)."""
        return self._hint if not self._diagnostics else ""

    def _show_notes(self) -> None:
        messages = self._diagnostics
        if messages:
            self.notes_label.setText("\n".join(f"⚠ {m}" for m in messages))
            self.notes_label.setAccessibleName("Notes on this section: " + " ".join(messages))
        else:
            self.notes_label.setText(self._hint)
            self.notes_label.setAccessibleName(f"Notes on this section: {self._hint}")
        self.notes_label.setToolTip(REQUIRED_TIP if self._hint and not messages else "")
        self.notes_label.setVisible(bool(messages or self._hint))
        self._paint_words()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_words()
        super().changeEvent(event)

    def _paint_words(self) -> None:
        warn = warning_colour(self.palette())
        quiet = self.palette().color(QPalette.ColorRole.PlaceholderText)
        notes = warn if self._diagnostics else quiet
        for label, colour in (
            (self.words_label, warn if self.is_over_budget() else None),
            (self.notes_label, notes),
        ):
            palette = QPalette()  # only the text colour set; the rest inherited
            if colour is not None:
                palette.setColor(QPalette.ColorRole.WindowText, colour)
            label.setPalette(palette)
        font = self.words_label.font()
        font.setBold(self.is_over_budget())
        self.words_label.setFont(font)
        self.words_label.setAccessibleName(f"Words in {self.heading()}: {self.words_label.text()}")

    def _show_drop_hint(self, target: DropTarget | None) -> None:
        if target is not None:
            # What the drop does, in the highlight's colours; a drop that
            # would cite nothing says why in the warning colour instead.
            palette = QPalette(self.palette())
            if target.refused:
                # The warning red is dark on a light palette, light on a dark one.
                ink = QColor("black") if _dark(palette) else QColor("white")
                palette.setColor(QPalette.ColorRole.Window, warning_colour(palette))
                palette.setColor(QPalette.ColorRole.WindowText, ink)
                text = target.hint()
            else:
                highlight = palette.color(QPalette.ColorRole.Highlight)
                palette.setColor(QPalette.ColorRole.Window, highlight)
                palette.setColor(
                    QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.HighlightedText)
                )
                text = f"Drop: {target.hint()}"
            self.drop_label.setPalette(palette)
            self.drop_label.setText(text)
        self.drop_label.setVisible(target is not None)
        self.words_label.setVisible(target is None)

    def _on_edited(self, start: int, end: int, typing: bool) -> None:
        text = self.editor.toPlainText()
        if self._hint and text:
            self.set_required_hint(False)  # written in: the hint has done its job
        self.edited.emit(self.section_id, text, start, end, typing)
