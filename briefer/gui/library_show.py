"""Showing one snippet in the library panel: the one a citation came from.

`ShowSnippetMixin` gives `LibraryPanel` `show_snippet`: the snippet is
selected among the results if it is there, else listed on its own ("pinned",
from the trash too) until the person searches again. Given the brief's
source, the snippet is shown only once the worker has checked that the
snippet under the source's id is the one quoted (`provenance.find_quoted`):
a brief written against another library may carry an id that is another
snippet here. What was found, or that the library does not have it, is
said under the results and in the window's status bar. It is a mixin
because pinning takes over the panel's list, search box and trash view; the
attributes it uses are the panel's, named below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from briefer.library import Library, Snippet
from briefer.model import Source as BriefSource

from .library_service import get_snippet, result_row
from .provenance import QuotedSnippet, find_quoted, quotes_from

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    from .library_model import ResultsModel, ResultsView
    from .library_search import SearchBox
    from .library_service import LibraryService, SearchRequest

SHOW_KEY = "show-snippet"  # newest wins among the snippets asked to be shown


class ShowSnippetMixin:
    """`show_snippet` and the pinned list (mixed into `LibraryPanel`)."""

    # The panel's, used here.
    service: LibraryService
    model: ResultsModel
    results: ResultsView
    search_box: SearchBox
    message: QLabel
    act_show_trash: QAction
    status_message: SignalInstance
    _pinned: tuple[int, ...]
    _note: str
    _told: str
    request: Callable[[], SearchRequest]
    _select_row: Callable[[int], None]
    _say: Callable[[str], None]
    _failed: Callable[[str], None]
    _update_count: Callable[[], None]
    _update_buttons: Callable[[], None]

    def show_snippet(self, snippet_id: int, source: BriefSource | None = None) -> None:
        """Select and reveal a snippet (the one a citation came from): among
        the results if it is there, else shown on its own.

        With the brief's `source`, the snippet is shown only once it is
        checked to be the one quoted (`provenance.quotes_from`): a brief
        written against another library may carry an id that is another
        snippet here. If it is not, the library looks for the one quoted by
        its words, else lists the snippets from the source's address, and
        says so; the check runs on the library's worker."""
        row = self.model.row_of(snippet_id) if snippet_id else -1
        if source is None:
            if row >= 0 and not self._pinned:
                self._reveal_row(row)
            else:
                self._show_alone(snippet_id, select=True)
            return
        if row >= 0 and not self._pinned and quotes_from(source, self.model.snippet(row)):
            self._reveal_row(row)
            return
        self.service.submit(
            lambda lib: find_quoted(lib, source, snippet_id),
            self._quoted_found,
            self._failed,
            latest=SHOW_KEY,
        )

    def _reveal_row(self, row: int) -> None:
        self._forget_told()
        self._select_row(row)
        self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def _quoted_found(self, found: QuotedSnippet) -> None:
        """Show what `find_quoted` found for a source, and say what it is."""
        if found.snippet is not None:
            snippet = found.snippet
            how = "asked for" if found.by_id else "found by its words"
            self._pin([snippet], f"Snippet {snippet.id}, {how}; type to search again", select=True)
        elif found.same_address:
            count = len(found.same_address)
            self._pin(
                list(found.same_address),
                f"{count} from its address; type to search again",
                select=False,
            )
        self._tell(found.message())

    def _tell(self, message: str) -> None:
        """Say `message` under the results and in the window's status bar."""
        self._say(message)
        self._told = message
        if message:
            self.status_message.emit(message)

    def _forget_told(self) -> None:
        """Take back what `show_snippet` said, if it is still shown."""
        if self._told and self.message.text() == self._told:
            self._say("")
        self._told = ""

    def _pin(self, snippets: list[Snippet], note: str, *, select: bool) -> None:
        """List only these snippets (from the trash too), until the person
        searches again."""
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        trash = all(s.in_trash for s in snippets)
        if self.act_show_trash.isChecked() != trash:
            self.act_show_trash.blockSignals(True)
            self.act_show_trash.setChecked(trash)
            self.act_show_trash.blockSignals(False)
        self._pinned = tuple(s.id for s in snippets)
        self._note = note
        self.model.show_rows(self.request(), [result_row(s) for s in snippets])
        self._update_count()
        self._update_buttons()
        if select:
            self._select_row(0)

    def _show_alone(self, snippet_id: int, *, select: bool) -> None:
        """List only this snippet (from the trash too), until the person
        searches again."""

        def found(snippet: Snippet | None) -> None:
            if snippet is None:
                self._say(f"Snippet {snippet_id} is no longer in this library.")
                return
            self._pin(
                [snippet], f"Snippet {snippet_id}, asked for; type to search again", select=select
            )

        self.service.submit(lambda lib: get_snippet(lib, snippet_id), found, self._failed)

    def _show_pinned_again(self) -> None:
        """The pinned snippets as the library holds them now (after a save)."""
        ids, note = self._pinned, self._note

        def found(snippets: list[Snippet]) -> None:
            if self._pinned == ids and snippets:
                self._pin(snippets, note, select=False)

        def look_up(lib: Library) -> list[Snippet]:
            return [s for s in (get_snippet(lib, i) for i in ids) if s is not None]

        self.service.submit(look_up, found, self._failed)
