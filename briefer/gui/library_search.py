"""The library panel's search box, and what its count line and empty list say.

`SearchBox` is the field the person types queries into, in the library's
query language; Down, Page Down or Return take them to the results and
Escape clears it. `count_text` and `empty_text` are pure: from the request
and what the results model holds, the words of the count line above the
results and of the empty list's placeholder. The panel (`library_panel`)
sends the box's text to the worker and calls these when results arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from .library_service import RANKED_LIMIT, SearchRequest

# "Searching…" shows only when a search takes longer than this, so fast
# searches never flicker a message.
SEARCHING_NOTE_MS = 250
SEARCH_HELP = (
    'Words, "exact phrases", regul* (a prefix), -word (not),\n'
    "tag:cyber, source:reuters, after:2026-01, before:2026-06-30"
)


class SearchBox(QLineEdit):
    """The search field: Down, Page Down or Return go to the results."""

    to_results = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library-search")
        self.setPlaceholderText("Search snippets")
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Search the library")
        self.setToolTip(SEARCH_HELP)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return):
            self.to_results.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


@dataclass(frozen=True)
class Counted:
    """What the count line is worked out from: the request the results
    answer, how many rows are listed, how many match in all (None: not
    known yet), whether the ranking was capped, and the library's size
    (None until the filters are counted)."""

    request: SearchRequest
    shown: int
    total: int | None
    capped: bool
    library_size: int | None


def count_text(counted: Counted) -> str:
    """The count line's words for results that have arrived."""
    request, shown, total = counted.request, counted.shown, counted.total
    has_words = bool(request.query.strip())
    if total is None and whole_library(request) and not size_is_stale(counted):
        # The whole library, newest first: its size is known from the filters.
        total = counted.library_size
    if request.trash:
        what = "in the trash"
        count = total if total is not None else shown
        text = f"{count:,} {what}" if count else "The trash is empty"
        if count and has_words:
            text = f"{count:,} found in the trash"
    elif shown == 0:
        text = "No matches" if has_words or request.tag or request.collection else ""
    elif counted.capped and total is not None:
        text = f"{total:,} matches; the best of the newest {RANKED_LIMIT:,} listed"
    elif counted.capped:
        text = f"Best {RANKED_LIMIT:,} of the newest matches; add words to narrow"
    elif total is not None:
        noun = "match" if has_words else "snippet"
        text = f"{total:,} {noun}{'' if total == 1 else 'es' if has_words else 's'}"
    else:
        noun = "matches" if has_words else "snippets"
        text = f"{shown:,}+ {noun}"
    if library_is_empty(counted) and shown == 0:
        text = "The library is empty"
    return text


def whole_library(request: SearchRequest) -> bool:
    """The request lists every live snippet: no words, no filter, not the trash."""
    return not (request.query.strip() or request.tag or request.collection or request.trash)


def library_is_empty(counted: Counted) -> bool:
    """The library holds no snippets (the trash aside): the whole of it was
    just listed and nothing came. (Its counted size alone is not trusted:
    another program, `briefer snippets import` say, may have added since.)"""
    return whole_library(counted.request) and counted.shown == 0


def size_is_stale(counted: Counted) -> bool:
    """The library's counted size is contradicted by the whole library just
    listed (snippets were added or removed since it was counted)."""
    size = counted.library_size
    if size is None or not whole_library(counted.request):
        return False
    return counted.shown > size or (counted.shown == 0) != (size == 0)


def empty_text(request: SearchRequest, empty: bool) -> str:
    """What the empty list says, and what to do about it."""
    if empty:
        return (
            "Your library has no snippets yet.\n\nAdd one with New (Ctrl+Shift+N),"
            " paste one from the clipboard (Ctrl+Shift+V), or drop text, links or"
            " files here."
        )
    where = "in the trash" if request.trash else ""
    filters = [f"tag {request.tag}" if request.tag else ""]
    filters.append(f"collection {request.collection}" if request.collection else "")
    within = " and ".join(f for f in filters if f)
    if request.query.strip():
        text = f"Nothing {where or 'in the library'} matches “{request.query.strip()}”"
    elif request.trash:
        text = "The trash is empty"
    else:
        text = "No snippets"
    return f"{text}{' with ' + within if within else ''}."
