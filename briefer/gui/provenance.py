"""Where a citation came from: the source a `[@key]` names, in a small popup.

`ProvenancePopup` opens under a citation (Ctrl+click on it, Ctrl+Shift+I
with the cursor in it, or "Show Source" in the editor's menu). It shows the
words first quoted from the source and the snippet they came from, the
title, publisher, author, dates and web address (a link: only http, https
and mailto addresses open, in the browser), and where the brief cites it;
its buttons open the address, show the snippet in the library and edit the
source. A key the brief has no source for says so, and how to fix it.

Everything shown comes from the brief, which carries its sources: the popup
works the same for a brief whose library is gone. Text is data: it is set
as plain text, and the one link is built from an escaped address.

A source's snippet id is only a hint: a brief written against a colleague's
library (or another team library) may carry an id that, in the library
open here, is another snippet. So the library shows a snippet as a claim's
source only once `find_quoted` has checked it is the one quoted
(`quotes_from`); else it looks for it by its words, then lists the
snippets from the source's address. It runs on the library's worker.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefer.document import is_safe_url
from briefer.library import Library, LibraryError, Snippet
from briefer.library.normalize import normalise_text, normalise_url, site_of
from briefer.model import Source

QUOTE_CHARS = 420  # a longer quote is cut at a word, with an ellipsis
WIDTH = 440


@dataclass(frozen=True)
class Provenance:
    """What the popup tells about one cited key: its `source` (None: the
    brief has none), where it is cited (section names with how often), and
    the library snippet it came from (0: none known)."""

    key: str
    source: Source | None
    cited_in: tuple[tuple[str, int], ...] = ()

    @property
    def snippet_id(self) -> int:
        raw = self.source.snippet_id.strip() if self.source is not None else ""
        return int(raw) if raw.isascii() and raw.isdigit() else 0

    @property
    def times(self) -> int:
        return sum(count for _, count in self.cited_in)


# --------------------------------------------------------------------------
# Which snippet of the open library a source was quoted from
# --------------------------------------------------------------------------

PHRASE_WORDS = 12  # words of a quote searched for as a phrase
SAME_ADDRESS_LIMIT = 50  # snippets from the source's address listed, at most


@dataclass(frozen=True)
class QuotedSnippet:
    """What the open library holds for a source of the brief: `snippet`,
    the one it was quoted from (None: not there), found under the id the
    brief gives (`by_id`) or by its words; else `same_address`, the
    library's snippets from the source's web address (maybe none)."""

    asked: int  # the id the brief gives (0: none)
    snippet: Snippet | None = None
    by_id: bool = False
    same_address: tuple[Snippet, ...] = ()
    other: bool = False  # the library has another snippet under that id

    def message(self) -> str:
        """What to tell the person, in a sentence ("" when the id was right)."""
        if self.snippet is not None:
            if self.by_id:
                return ""
            found = f"the words this source quotes are snippet #{self.snippet.id}."
            if self.other:
                return f"Snippet #{self.asked} of this library is a different one; {found}"
            if self.asked:
                return f"There is no snippet #{self.asked} in this library; {found}"
            return found[0].upper() + found[1:]
        missing = "This source's snippet is not in the open library"
        count = len(self.same_address)
        if not count:
            return f"{missing}."
        them = "its snippet" if count == 1 else f"its {count} snippets"
        return f"{missing}. Listed instead: {them} from the same address."


def quotes_from(source: Source, snippet: Snippet) -> bool:
    """Whether `source` (a brief's) was quoted from `snippet`: the same
    words, compared as the library compares texts (case, quotation marks
    and spacing aside); for a source that kept no words, the same address."""
    if source.quote.strip():
        return normalise_text(snippet.text) == normalise_text(source.quote)
    url = source.url.strip()
    return bool(url) and normalise_url(url) == normalise_url(snippet.source.url)


def find_quoted(lib: Library, source: Source, snippet_id: int) -> QuotedSnippet:
    """The snippet `source` was quoted from in `lib`: under `snippet_id`
    if that is it, else found by its words; failing both, the snippets from
    its address. Runs on the library's worker thread (a few queries)."""
    other = False
    if snippet_id:
        try:
            snippet = lib.get(snippet_id)
        except LibraryError:
            snippet = None
        if snippet is not None and quotes_from(source, snippet):
            return QuotedSnippet(snippet_id, snippet, by_id=True)
        other = snippet is not None
    words = re.findall(r"\w+", source.quote)[:PHRASE_WORDS]
    if words:
        phrase = '"' + " ".join(words) + '"'
        for hit in lib.search(phrase, limit=20, as_you_type=False):
            if quotes_from(source, hit.snippet):
                return QuotedSnippet(snippet_id, hit.snippet, other=other)
    url = source.url.strip()
    site = site_of(url)
    if not site:
        return QuotedSnippet(snippet_id, other=other)
    address = normalise_url(url)
    hits = lib.search(f'source:"{site}"', limit=500, as_you_type=False)
    same = tuple(h.snippet for h in hits if normalise_url(h.snippet.source.url) == address)
    return QuotedSnippet(snippet_id, same_address=same[:SAME_ADDRESS_LIMIT], other=other)


def cited_text(facts: Provenance) -> str:
    """How often and where the brief cites the key, in a line."""
    times = facts.times
    if not times:
        return "Not cited"
    count = "Cited once" if times == 1 else f"Cited {times} times"
    places = ", ".join(f"{name} ({n}×)" if n > 1 else name for name, n in facts.cited_in)
    return f"{count}: {places}"


def open_link(url: str) -> bool:
    """Open a web or mail address in the browser; any other kind of
    address (a file, a script) is never opened. True if it was."""
    url = url.strip()
    if not url or not is_safe_url(url):
        return False
    return QDesktopServices.openUrl(QUrl(url))


def short_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` on one line, cut at a word before `limit` characters."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


class ProvenancePopup(QFrame):
    """A popup under a citation: its source, and ways to check it."""

    show_in_library = Signal(object)  # the Provenance shown
    edit_requested = Signal(str)  # a source key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("provenance-popup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Source of the citation")
        self.setFixedWidth(WIDTH)
        self._facts: Provenance | None = None
        self._library = False

        self.key_label = self._label(bold=True)
        self.cited_label = self._label(small=True)
        self.quote_label = self._label(italic=True)
        self.quote_label.setAccessibleName("Quoted words")
        self.title_label = self._label(bold=True)
        self.title_label.setAccessibleName("Title")
        self.byline_label = self._label()
        self.byline_label.setAccessibleName("Publisher and author")
        self.dates_label = self._label(small=True)
        self.dates_label.setAccessibleName("Dates")
        self.url_label = QLabel()
        self.url_label.setWordWrap(True)
        self.url_label.setTextFormat(Qt.TextFormat.RichText)
        self.url_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.url_label.setAccessibleName("Web address")
        self.url_label.linkActivated.connect(lambda _href: self.open_url())
        self.snippet_label = self._label(small=True)

        self.open_button = QPushButton("&Open in Browser")
        self.open_button.setToolTip("Open the source's web address in the browser")
        self.open_button.clicked.connect(self.open_url)
        self.library_button = QPushButton("Show in &Library")
        self.library_button.setToolTip("Select the snippet this citation came from in the library")
        self.library_button.clicked.connect(self._show_in_library)
        self.edit_button = QPushButton("&Edit Source…")
        self.edit_button.setToolTip("Edit this source's fields in the Sources panel")
        self.edit_button.clicked.connect(self._edit)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.library_button)
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        for label in (
            self.key_label,
            self.quote_label,
            self.title_label,
            self.byline_label,
            self.dates_label,
            self.url_label,
            self.snippet_label,
            self.cited_label,
        ):
            layout.addWidget(label)
        layout.addLayout(buttons)

    def _label(self, *, bold: bool = False, italic: bool = False, small: bool = False) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # words from sources are data
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(label.font())
        font.setBold(bold)
        font.setItalic(italic)
        if small:
            font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        return label

    # -- what it shows ------------------------------------------------------------

    def facts(self) -> Provenance | None:
        return self._facts

    def show_for(self, facts: Provenance, at: QPoint, *, library: bool = False) -> None:
        """Show what `facts` says, with the popup's top-left near `at`
        (global); `library` says whether a library is there to show the
        snippet in."""
        self._facts = facts
        self._library = library
        source = facts.source
        self.key_label.setText(f"[@{facts.key}]")
        self.cited_label.setText(cited_text(facts))
        if source is None:
            self._show_unknown(facts.key)
        else:
            self._show_source(source, facts)
        self.adjustSize()
        self.move(self._on_screen(at))
        self.show()
        self.raise_()
        self.activateWindow()
        (self.open_button if self.open_button.isEnabled() else self.edit_button).setFocus()

    def _show_unknown(self, key: str) -> None:
        self.quote_label.setText(
            f"This brief has no source [@{key}]: the export prints [?{key}]. "
            "Correct the key in the text, or drag a snippet from the library to cite it."
        )
        self.quote_label.setFont(self.byline_label.font())
        for label in (
            self.title_label,
            self.byline_label,
            self.dates_label,
            self.url_label,
            self.snippet_label,
        ):
            label.setVisible(False)
        self.open_button.setEnabled(False)
        self.library_button.setVisible(False)
        self.edit_button.setVisible(False)

    def _show_source(self, source: Source, facts: Provenance) -> None:
        quote = short_quote(source.quote)
        self.quote_label.setText(f"“{quote}”" if quote else "")
        self.quote_label.setVisible(bool(quote))
        font = QFont(self.byline_label.font())
        font.setItalic(True)
        self.quote_label.setFont(font)
        self._set(self.title_label, source.title)
        self._set(self.byline_label, " · ".join(p for p in (source.publisher, source.author) if p))
        dates = []
        if source.published.strip():
            dates.append(f"Published {source.published.strip()}")
        if source.accessed.strip():
            dates.append(f"accessed {source.accessed.strip()}")
        self._set(self.dates_label, ", ".join(dates))
        url = source.url.strip()
        safe = bool(url) and is_safe_url(url)
        if safe:
            escaped = html.escape(url, quote=True)
            self.url_label.setText(f'<a href="{escaped}">{html.escape(url)}</a>')
            self.url_label.setToolTip("Open in the browser")
        elif url:
            self.url_label.setText(
                f"{html.escape(url)} <i>(not a web address: not opened from here)</i>"
            )
            self.url_label.setToolTip("")
        self.url_label.setVisible(bool(url))
        self.open_button.setEnabled(safe)
        snippet = facts.snippet_id
        # The number is the one the snippet had where it was cited from,
        # which may be a colleague's library: Show in Library checks it.
        self._set(
            self.snippet_label,
            f"Cited from snippet #{snippet} of a library" if snippet else "Not from a library",
        )
        self.snippet_label.setToolTip(
            "Its number in the library it was cited from. Show in Library finds it"
            " in the open library by its words, if that number is another snippet there."
            if snippet
            else ""
        )
        self.library_button.setVisible(bool(snippet) and self._library)
        self.edit_button.setVisible(True)

    def _set(self, label: QLabel, text: str) -> None:
        text = " ".join(text.split())
        label.setText(text)
        label.setVisible(bool(text))

    def _on_screen(self, at: QPoint) -> QPoint:
        screen = QGuiApplication.screenAt(at) or QGuiApplication.primaryScreen()
        if screen is None:
            return at
        area = screen.availableGeometry()
        x = max(area.left(), min(at.x(), area.right() - self.width()))
        y = at.y()
        if y + self.height() > area.bottom():
            y = max(area.top(), at.y() - self.height() - 24)  # above the citation
        return QPoint(x, y)

    # -- what it does -------------------------------------------------------------

    def open_url(self) -> bool:
        """Open the source's address in the browser (web and mail only)."""
        facts = self._facts
        if facts is None or facts.source is None:
            return False
        opened = open_link(facts.source.url)
        if opened:
            self.close()
        return opened

    def _show_in_library(self) -> None:
        if self._facts is not None and self._facts.snippet_id:
            self.show_in_library.emit(self._facts)

    def _edit(self) -> None:
        if self._facts is not None:
            key = self._facts.key
            self.close()
            self.edit_requested.emit(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
