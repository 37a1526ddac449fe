"""The library panel's results list: its view, its selection, the detail.

`make_results_view` sets up the list (`library_model.ResultsView`, painted
by `ResultDelegate`): several rows can be selected and dragged out as
snippets, and it scrolls by pixel. `ResultsMixin` gives `LibraryPanel` what
follows from the selection: the selection kept across a new page of results
(by snippet id, since rows move), the selected snippet shown in full in the
detail view (`snippet_detail`), the detail's edits saved on the worker when
the person leaves the snippet, and edits the library refused brought back
with the reason. It is a mixin because the selection drives the panel's
buttons and signals; the attributes it uses are the panel's, named below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView

from briefer.library import Snippet

from .library_model import ResultDelegate, ResultsModel, ResultsView
from .library_service import Saved, SnippetEdit, save_snippet

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from .library_service import LibraryService
    from .snippet_detail import SnippetDetail


def make_results_view() -> ResultsView:
    """The results list, ready for the model: many rows selectable and
    dragged out as copies, scrolled by pixel, with a context menu."""
    results = ResultsView()
    results.setObjectName("library-results")
    results.setAccessibleName("Snippets found")
    results.setUniformItemSizes(True)
    results.setItemDelegate(ResultDelegate(results))
    results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    results.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    results.setDefaultDropAction(Qt.DropAction.CopyAction)
    results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    results.setAlternatingRowColors(True)
    results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    return results


class ResultsMixin:
    """The selection and the detail view (mixed into `LibraryPanel`)."""

    # The panel's, used here.
    service: LibraryService
    model: ResultsModel
    results: ResultsView
    detail: SnippetDetail
    selection_changed: SignalInstance
    library_changed: SignalInstance
    snippet_activated: SignalInstance
    _remembered: list[int]
    _current_id: int | None
    refresh: Callable[[], None]
    _failed: Callable[[str], None]
    _update_buttons: Callable[[], None]

    def selected_snippets(self) -> list[Snippet]:
        """The selected snippets, in the order they are listed."""
        selection = self.results.selectionModel()
        rows = sorted(i.row() for i in selection.selectedRows())
        return [self.model.snippet(r) for r in rows if r < self.model.rowCount()]

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        if not index.isValid():
            return
        self.results.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )
        self.results.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _remember_selection(self) -> None:
        self._remembered = [s.id for s in self.selected_snippets()]
        current = self.results.currentIndex()
        self._current_id = self.model.snippet(current.row()).id if current.isValid() else None

    def _restore_selection(self) -> None:
        selection = QItemSelection()
        current: QModelIndex | None = None
        for snippet_id in self._remembered:
            row = self.model.row_of(snippet_id)
            if row >= 0:
                index = self.model.index(row, 0)
                selection.select(index, index)
                if snippet_id == self._current_id or current is None:
                    current = index
        model = self.results.selectionModel()
        if current is not None:
            model.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._remembered = []
        self._show_current()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_current()
        self._update_buttons()
        self.selection_changed.emit()

    def _show_current(self) -> None:
        chosen = self.selected_snippets()
        snippet = chosen[-1] if len(chosen) == 1 else None
        if len(chosen) > 1:
            current = self.results.currentIndex()
            if current.isValid() and self.results.selectionModel().isSelected(current):
                snippet = self.model.snippet(current.row())
        shown = self.detail.snippet()
        if snippet is not None and shown is not None and snippet.id == shown.id:
            return  # the same snippet: keep what the person is typing
        if self.detail.is_dirty():
            self.detail.save()  # leaving a snippet saves its edits
        self.detail.show_snippet(snippet)

    def _save(self, snippet_id: int, edit: SnippetEdit) -> None:
        original = self.detail.snippet()
        if original is None or original.id != snippet_id:
            return

        def saved(result: Saved) -> None:
            self.model.replace_snippet(result.snippet)
            if result.problem:
                self._refused(result, edit)
                return
            self.detail.saved(result.snippet)
            if result.changed:
                self.library_changed.emit()
                self.refresh()

        self.service.submit(lambda lib: save_snippet(lib, original, edit), saved, self._failed)

    def _refused(self, result: Saved, edit: SnippetEdit) -> None:
        """Back to the snippet, with the person's edits and why they were refused."""
        shown = self.detail.snippet()
        if shown is None or shown.id != result.snippet.id:
            row = self.model.row_of(result.snippet.id)
            if row >= 0:
                self._select_row(row)
            self.detail.show_snippet(result.snippet, edit)
        self.detail.refused(result.snippet, result.problem)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.snippet_activated.emit(self.model.snippet(index.row()))
