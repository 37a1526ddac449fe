"""The snippet library in the window's left panel: find, read, edit, drag out.

`LibraryPanel` has a search box that searches as the person types, in the
library's full query language (words, "phrases", `regul*`, `-not`, `tag:`,
`source:`, `before:`, `after:`); menus that filter by tag and collection;
the results (`library_model`), page by page, with the match marked and the
source, date and tags of each; and, under them, the selected snippet in full
(`snippet_detail`), editable. Rows are dragged out as snippets
(`snippet_mime`), for a brief's section to cite. Delete moves the selected
snippets to the trash; the Trash button shows the trash, where Restore
brings them back. `show_snippet` shows the snippet a brief's source was
quoted from, once its worker has checked that the snippet under the
source's id is that one (`provenance.find_quoted`), and says plainly when
the open library does not have it.

Every library call runs on the panel's `LibraryService` thread, which opens
its own library through the `open_library` factory the window gives; the
newest search wins, and nothing waits on the GUI thread. Keystrokes made
while a search runs come together into one search when it ends, so typing
never queues searches up, and a keystroke made while the worker is idle is
searched at once.

Capture (new snippets typed, pasted or dropped on the panel) is
`capture.Capture`'s; the panel offers its commands (New Snippet,
Ctrl+Shift+N; Paste as Snippet, Ctrl+Shift+V), hands it what is dropped
that is not already a snippet, and searches again when it adds some.

This module builds the panel, wires its parts and runs the search; the
parts are in their own modules: the search box and the count line's words
(`library_search`), the tag and collection menus (`library_filters`), the
commands (`library_commands`), the results' selection and the detail
(`library_results`), and showing a citation's snippet (`library_show`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from briefer.library import Library

from .capture import Capture
from .library_commands import CommandsMixin, tool_button
from .library_filters import FILTERS_KEY, LibraryFilters
from .library_model import ResultsModel
from .library_results import ResultsMixin, make_results_view
from .library_search import (
    SEARCH_HELP,
    SEARCHING_NOTE_MS,
    Counted,
    SearchBox,
    count_text,
    empty_text,
    library_is_empty,
    size_is_stale,
)
from .library_service import BugReporter, LibraryService, SearchRequest
from .library_show import SHOW_KEY, ShowSnippetMixin
from .settings import Settings
from .snippet_detail import SnippetDetail
from .snippet_mime import has_snippets

__all__ = [
    "DEFAULT_SPLIT",
    "FILTERS_DELAY_MS",
    "FILTERS_KEY",
    "SEARCHING_NOTE_MS",
    "SEARCH_HELP",
    "SHOW_KEY",
    "LibraryPanel",
]

FILTERS_DELAY_MS = 1500
DEFAULT_SPLIT = (520, 330)  # results | details


class LibraryPanel(CommandsMixin, ResultsMixin, ShowSnippetMixin, QWidget):
    """Search, filter, read, edit and drag out the library's snippets."""

    selection_changed = Signal()
    # The panel (or capture) changed the library: a snippet saved, trashed,
    # restored or added.
    library_changed = Signal()
    # A result was double-clicked or Return pressed on it.
    snippet_activated = Signal(object)  # Snippet
    # Something the window's status bar should say too (where a citation's
    # snippet is, or that the open library does not have it).
    status_message = Signal(str)

    def __init__(
        self,
        open_library: Callable[[], Library],
        location: str,
        *,
        settings: Settings | None = None,
        report_bug: BugReporter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("library-panel")
        self.setAccessibleName("Snippet library")
        self.setAcceptDrops(True)
        self.location = location
        self._settings = settings
        self._started = False
        self._context_actions: list[QAction] = []
        self._remembered: list[int] = []  # selected ids while rows are replaced
        self._current_id: int | None = None
        self._pinned: tuple[int, ...] = ()  # the snippets shown on their own
        self._note = ""  # what the count line says instead of a count
        self._recounted_for: Counted | None = None  # see `_update_count`
        self._told = ""  # what `show_snippet` said, until the next search
        self._unavailable_message = ""  # why the library could not be opened

        self.service = LibraryService(open_library, report_bug=report_bug, parent=self)
        self.service.unavailable.connect(self._unavailable)
        self.service.available.connect(self._available)
        self.capture = Capture(self, open_library)
        self.capture.library_changed.connect(self._changed_elsewhere)
        tag, collection = settings.library_filters() if settings is not None else ("", "")
        self.filters = LibraryFilters(self.service, tag, collection, parent=self)
        self.filters.chosen.connect(self._filter_chosen)
        self.filters.loaded.connect(self._filters_loaded)

        self._make_actions()
        self._make_widgets()

        self.model = ResultsModel(self.service, location, parent=self)
        self.model.results_changed.connect(self._results_changed)
        self.model.rows_added.connect(self._update_count)
        self.model.total_known.connect(self._update_count)
        self.model.failed.connect(self._failed)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.results.setModel(self.model)
        self.results.selectionModel().selectionChanged.connect(self._selection_changed)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)  # keystrokes of one event burst: one search
        self._search_timer.timeout.connect(self._search_now)
        self._searching_note = QTimer(self)
        self._searching_note.setSingleShot(True)
        self._searching_note.setInterval(SEARCHING_NOTE_MS)
        self._searching_note.timeout.connect(self._update_count)
        self._update_buttons()

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.search_box = SearchBox()
        self.search_box.textChanged.connect(self._query_changed)
        self.search_box.to_results.connect(self.focus_results)
        self.tag_filter = self.filters.tag_menu
        self.collection_filter = self.filters.collection_menu

        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setAccessibleName("Results")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.new_button = tool_button(self.act_new_snippet, "New")
        self.delete_button = tool_button(self.act_delete, "Move to Trash")
        self.restore_button = tool_button(self.act_restore, "Restore")
        self.trash_button = tool_button(self.act_show_trash, "Trash")
        tools = QHBoxLayout()
        tools.setSpacing(2)
        tools.addWidget(self.count_label, 1)
        for tool in (self.new_button, self.delete_button, self.restore_button, self.trash_button):
            tools.addWidget(tool)

        self.results = make_results_view()
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.results.doubleClicked.connect(self._activated)
        self.results.return_pressed.connect(self._activated)
        self.results.to_search.connect(self.focus_search)
        for action in self.selection_actions():
            self.results.addAction(action)

        self.message = QLabel()
        self.message.setObjectName("library-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Library message")
        self.message.hide()

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(4, 4, 4, 0)
        top_layout.setSpacing(4)
        top_layout.addWidget(self.search_box)
        top_layout.addLayout(self.filters.row())
        top_layout.addLayout(tools)
        top_layout.addWidget(self.results, 1)
        top_layout.addWidget(self.message)

        self.detail = SnippetDetail()
        self.detail.save_requested.connect(self._save)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("library-splitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setCollapsible(0, False)
        state = self._settings.splitter_state("library") if self._settings else None
        if state is None or not self.splitter.restoreState(state):
            self.splitter.setSizes(list(DEFAULT_SPLIT))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # ------------------------------------------------------------------
    # Starting and stopping
    # ------------------------------------------------------------------

    def start(self) -> None:
        """Open the library (on the worker) and show it; called once the
        window is up, so the window's start never waits for the library."""
        if self._started:
            return
        self._started = True
        self._search_now()
        # Counting (the library, the trash, each tag and collection) reads
        # the whole library: 0.2 s for 100,000 snippets in a new process,
        # on the same two cores as the preview's first render. So not while
        # the window starts, but soon after, or as soon as the person opens
        # a filter menu; until then the list says "40+ snippets".
        QTimer.singleShot(FILTERS_DELAY_MS, self.filters.load_once)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.start)

    def save_state(self) -> None:
        if self._settings is not None:
            self._settings.set_splitter_state("library", self.splitter.saveState())
            self._settings.set_library_filters(self.filters.tag, self.filters.collection)

    def shutdown(self) -> None:
        """The window closes: edits not saved yet are saved, then the worker ends."""
        if self.detail.is_dirty():
            self.detail.save()
        self.save_state()
        self.service.shutdown()

    # ------------------------------------------------------------------
    # What the rest of the window uses
    # ------------------------------------------------------------------

    def request(self) -> SearchRequest:
        """What the panel asks for now: the search box's text and the filters."""
        return SearchRequest(
            query=self.search_box.text(),
            tag=self.filters.tag,
            collection=self.filters.collection,
            trash=self.act_show_trash.isChecked(),
        )

    def use_library(self, location: str) -> None:
        """Work on the library at `location` from now on (the factory given
        at the start opens it): edits being made are saved where they were
        made, then the worker reopens and the panel searches again."""
        if self.detail.is_dirty():
            self.detail.save()
        self.location = location
        self.model.set_location(location)
        self.service.reopen()
        self._unavailable_message = ""
        self._say("")
        self._pinned = ()
        if self._started:
            self._search_now()
            self.filters.load()

    def refresh(self) -> None:
        """Search again (the library changed), keeping the selection."""
        if self._pinned:
            self._show_pinned_again()
        else:
            self.model.refresh()
        self.filters.load()

    def focus_search(self) -> None:
        if not self.isVisible():
            self.show()
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def focus_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.results.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.results.selectionModel().hasSelection():
            self._select_row(0)

    # ------------------------------------------------------------------
    # Searching
    # ------------------------------------------------------------------

    def _query_changed(self, _text: str) -> None:
        self._note = ""
        self._search_timer.start()

    def _filter_chosen(self) -> None:
        if self._settings is not None:
            self._settings.set_library_filters(self.filters.tag, self.filters.collection)
        self._note = ""
        self._search_now()

    def _trash_toggled(self, _shown: bool) -> None:
        self._note = ""
        self._update_buttons()
        self._search_now()

    def _search_now(self) -> None:
        self._search_timer.stop()
        self._pinned = ()
        self._forget_told()  # it was about the snippets shown on their own
        self._started = True
        self.model.search(self.request())
        self._searching_note.start()

    def _results_changed(self) -> None:
        self._searching_note.stop()
        self._restore_selection()
        self._update_count()
        self._update_buttons()

    def _filters_loaded(self) -> None:
        self._update_buttons()
        self._update_count()

    def _update_count(self) -> None:
        model = self.model
        request = model.request()
        if request is None:
            self.count_label.setText("Opening the library…")
            return
        if model.is_searching() and not self._searching_note.isActive():
            self.count_label.setText("Searching…")
            return
        if self._note:
            self.count_label.setText(self._note)
            self.count_label.setToolTip(self._note)  # a narrow panel cuts it short
            return
        self.count_label.setToolTip("")
        counted = Counted(
            request=request,
            shown=model.rowCount(),
            total=model.total(),
            capped=model.is_capped(),
            library_size=self.filters.library_size(),
        )
        if size_is_stale(counted) and self._recounted_for != counted:
            self._recounted_for = counted  # once for what is shown: no loop
            self.filters.load()  # count again: the line says "40+" meanwhile
        text = count_text(counted)
        empty = library_is_empty(counted)
        self.results.set_placeholder(empty_text(request, empty) if counted.shown == 0 else "")
        self.count_label.setText(text)

    # ------------------------------------------------------------------
    # Messages and changes made elsewhere
    # ------------------------------------------------------------------

    def _say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def _failed(self, message: str) -> None:
        self._searching_note.stop()
        if message == self._unavailable_message:
            return  # said already, as the reason the library is not open
        self._say(message)
        self._update_count()

    def _unavailable(self, message: str) -> None:
        self._unavailable_message = message
        self._say(f"The library could not be opened: {message}")
        if self.model.request() is None:
            self.count_label.setText("No library")

    def _available(self) -> None:
        if self._unavailable_message:  # it could not be opened before, and now can
            self._unavailable_message = ""
            self._say("")

    def _changed_elsewhere(self) -> None:
        self.library_changed.emit()
        self.refresh()

    # ------------------------------------------------------------------
    # Dropping onto the panel: capture
    # ------------------------------------------------------------------

    def _wants(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        if mime is None or has_snippets(mime):
            return False  # a snippet is already in the library
        return bool(self.capture.accepts(mime))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wants(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._wants(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._wants(event) and self.capture.drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()
