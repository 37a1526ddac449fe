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
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefer.library import Library, NameCount, Snippet
from briefer.model import Source as BriefSource

from .capture import Capture
from .library_model import ResultDelegate, ResultsModel, ResultsView
from .library_service import (
    RANKED_LIMIT,
    BugReporter,
    Filters,
    LibraryService,
    Saved,
    SearchRequest,
    SnippetEdit,
    get_snippet,
    load_filters,
    move_to_trash,
    restore,
    result_row,
    save_snippet,
)
from .provenance import QuotedSnippet, find_quoted, quotes_from
from .settings import Settings
from .snippet_detail import SAFE_SCHEMES, SnippetDetail
from .snippet_mime import has_snippets

# "Searching…" shows only when a search takes longer than this, so fast
# searches never flicker a message.
SEARCHING_NOTE_MS = 250
FILTERS_KEY = "filters"
SHOW_KEY = "show-snippet"  # newest wins among the snippets asked to be shown
FILTERS_DELAY_MS = 1500
DEFAULT_SPLIT = (520, 330)  # results | details
SEARCH_HELP = (
    'Words, "exact phrases", regul* (a prefix), -word (not),\n'
    "tag:cyber, source:reuters, after:2026-01, before:2026-06-30"
)


class _SearchBox(QLineEdit):
    """The search field: Down, Page Down or Return go to the results."""

    to_results = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return):
            self.to_results.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class _FilterMenu(QComboBox):
    """A filter's menu; says when it is about to open (to fill it then, if
    it was not filled yet)."""

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class LibraryPanel(QWidget):
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
        self._filters = Filters()
        tag, collection = settings.library_filters() if settings is not None else ("", "")
        self._tag, self._collection = tag, collection
        self._context_actions: list[QAction] = []
        self._remembered: list[int] = []  # selected ids while rows are replaced
        self._current_id: int | None = None
        self._pinned: tuple[int, ...] = ()  # the snippets shown on their own
        self._note = ""  # what the count line says instead of a count
        self._told = ""  # what `show_snippet` said, until the next search
        self._filters_known = False  # the library's size is known
        self._unavailable_message = ""  # why the library could not be opened
        self._filters_asked = False  # the tag and collection menus were asked for

        self.service = LibraryService(open_library, report_bug=report_bug, parent=self)
        self.service.unavailable.connect(self._unavailable)
        self.service.available.connect(self._available)
        self.capture = Capture(self, open_library)
        self.capture.library_changed.connect(self._changed_elsewhere)

        self._make_actions()
        self._make_widgets()

        self.model = ResultsModel(self.service, location, parent=self)
        self.model.results_changed.connect(self._results_changed)
        self.model.rows_added.connect(self._update_count)
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

    def _action(self, text: str, tip: str, keys: str | QKeySequence.StandardKey | None, slot):
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        a = self._action
        window = Qt.ShortcutContext.WindowShortcut
        self.act_new_snippet = a(
            "&New Snippet…",
            "Add a snippet: text, note and source",
            "Ctrl+Shift+N",
            self.new_snippet,
        )
        self.act_paste_snippet = a(
            "&Paste as Snippet",
            "Make a new snippet of what the clipboard holds",
            "Ctrl+Shift+V",
            self.paste_snippet,
        )
        self.act_search = a(
            "&Search Library",
            "Put the cursor in the library's search box",
            "Ctrl+Shift+F",
            self.focus_search,
        )
        for action in (self.act_new_snippet, self.act_paste_snippet, self.act_search):
            action.setShortcutContext(window)
        self.act_delete = a(
            "Move to &Trash", "Move the selected snippets to the trash", "Del", self.delete_selected
        )
        self.act_restore = a(
            "&Restore from Trash",
            "Take the selected snippets out of the trash",
            "Ctrl+Shift+T",
            self.restore_selected,
        )
        self.act_copy_text = a(
            "&Copy Text",
            "Copy the selected snippets' text",
            QKeySequence.StandardKey.Copy,
            self.copy_text,
        )
        self.act_open_url = a(
            "Open &Address",
            "Open the selected snippet's address in the browser",
            "Ctrl+Shift+O",
            self.open_url,
        )
        for action in (self.act_delete, self.act_restore, self.act_copy_text, self.act_open_url):
            # Only while the results have the focus: Del and Ctrl+C belong
            # to the text fields everywhere else.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_show_trash = a(
            "Show T&rash", "Show the snippets in the trash, to restore them", None, lambda: None
        )
        self.act_show_trash.setCheckable(True)
        self.act_show_trash.toggled.connect(self._trash_toggled)

    def menu_actions(self) -> list[QAction | None]:
        """The Library menu's entries (None: a separator)."""
        return [
            self.act_search,
            None,
            self.act_new_snippet,
            self.act_paste_snippet,
            None,
            self.act_copy_text,
            self.act_open_url,
            None,
            self.act_delete,
            self.act_show_trash,
            self.act_restore,
        ]

    def _make_widgets(self) -> None:
        self.search_box = _SearchBox()
        self.search_box.setObjectName("library-search")
        self.search_box.setPlaceholderText("Search snippets")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Search the library")
        self.search_box.setToolTip(SEARCH_HELP)
        self.search_box.textChanged.connect(self._query_changed)
        self.search_box.to_results.connect(self.focus_results)

        self.tag_filter = _FilterMenu()
        self.tag_filter.setAccessibleName("Tag filter")
        self.tag_filter.setToolTip("Show only snippets with this tag")
        self.collection_filter = _FilterMenu()
        self.collection_filter.setAccessibleName("Collection filter")
        self.collection_filter.setToolTip("Show only snippets in this collection")
        for combo in (self.tag_filter, self.collection_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fill_filters()
        for menu in (self.tag_filter, self.collection_filter):
            menu.activated.connect(self._filter_chosen)
            menu.opening.connect(self._load_filters_once)
        filters = QHBoxLayout()
        filters.setSpacing(4)
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(self.collection_filter, 1)

        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setAccessibleName("Results")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        def button(action: QAction, label: str) -> QToolButton:
            action.setIconText(label)  # a button's short label; menus show the text
            tool = QToolButton()
            tool.setDefaultAction(action)
            tool.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            tool.setAutoRaise(True)
            return tool

        self.new_button = button(self.act_new_snippet, "New")
        self.delete_button = button(self.act_delete, "Move to Trash")
        self.restore_button = button(self.act_restore, "Restore")
        self.trash_button = button(self.act_show_trash, "Trash")
        tools = QHBoxLayout()
        tools.setSpacing(2)
        tools.addWidget(self.count_label, 1)
        for tool in (self.new_button, self.delete_button, self.restore_button, self.trash_button):
            tools.addWidget(tool)

        self.results = ResultsView()
        self.results.setObjectName("library-results")
        self.results.setAccessibleName("Snippets found")
        self.results.setUniformItemSizes(True)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.results.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setAlternatingRowColors(True)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.results.doubleClicked.connect(self._activated)
        self.results.return_pressed.connect(self._activated)
        self.results.to_search.connect(self.focus_search)
        for action in (self.act_delete, self.act_restore, self.act_copy_text, self.act_open_url):
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
        top_layout.addLayout(filters)
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
        QTimer.singleShot(FILTERS_DELAY_MS, self._load_filters_once)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.start)

    def save_state(self) -> None:
        if self._settings is not None:
            self._settings.set_splitter_state("library", self.splitter.saveState())
            self._settings.set_library_filters(self._tag, self._collection)

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
            tag=self._tag,
            collection=self._collection,
            trash=self.act_show_trash.isChecked(),
        )

    def selected_snippets(self) -> list[Snippet]:
        """The selected snippets, in the order they are listed."""
        selection = self.results.selectionModel()
        rows = sorted(i.row() for i in selection.selectedRows())
        return [self.model.snippet(r) for r in rows if r < self.model.rowCount()]

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
            self._load_filters()

    def refresh(self) -> None:
        """Search again (the library changed), keeping the selection."""
        if self._pinned:
            self._show_pinned_again()
        else:
            self.model.refresh()
        self._load_filters()

    def add_context_action(self, action: QAction) -> None:
        """Offer another command on the results' context menu (such as
        citing the selected snippet in the brief)."""
        self._context_actions.append(action)

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

    def _filter_chosen(self, _index: int) -> None:
        self._tag = str(self.tag_filter.currentData() or "")
        self._collection = str(self.collection_filter.currentData() or "")
        if self._settings is not None:
            self._settings.set_library_filters(self._tag, self._collection)
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
        shown = model.rowCount()
        total = model.total()
        has_words = bool(request.query.strip())
        if total is None and not (has_words or request.tag or request.collection):
            # The whole library, newest first: its size is known from the filters.
            total = self._filters.total if self._filters_known else None
        if request.trash:
            what = "in the trash"
            count = total if total is not None else shown
            text = f"{count:,} {what}" if count else "The trash is empty"
            if count and has_words:
                text = f"{count:,} found in the trash"
        elif shown == 0:
            text = "No matches" if has_words or request.tag or request.collection else ""
        elif model.is_capped():
            text = f"Best {RANKED_LIMIT:,} of the newest matches; add words to narrow"
        elif total is not None:
            noun = "match" if has_words else "snippet"
            text = f"{total:,} {noun}{'' if total == 1 else 'es' if has_words else 's'}"
        else:
            noun = "matches" if has_words else "snippets"
            text = f"{shown:,}+ {noun}"
        empty = self._filters_known and self._filters.total == 0 and not request.trash
        if empty and shown == 0:
            text = "The library is empty"
        self.results.set_placeholder(self._placeholder(request, empty) if shown == 0 else "")
        self.count_label.setText(text)

    def _placeholder(self, request: SearchRequest, empty: bool) -> str:
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

    # ------------------------------------------------------------------
    # Selection and the detail view
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Commands
    # ------------------------------------------------------------------

    def delete_selected(self) -> None:
        chosen = [s.id for s in self.selected_snippets() if not s.in_trash]
        if not chosen:
            return
        count = len(chosen)
        noun = "snippet" if count == 1 else "snippets"

        def done(_snippets: list[Snippet]) -> None:
            self._say(
                f"Moved {count} {noun} to the trash. Trash shows them; Restore brings them back."
            )
            self.library_changed.emit()
            self.refresh()

        self.service.submit(lambda lib: move_to_trash(lib, chosen), done, self._failed)

    def restore_selected(self) -> None:
        chosen = [s.id for s in self.selected_snippets() if s.in_trash]
        if not chosen:
            return
        count = len(chosen)
        noun = "snippet" if count == 1 else "snippets"

        def done(_snippets: list[Snippet]) -> None:
            self._say(f"Restored {count} {noun} to the library.")
            self.library_changed.emit()
            self.refresh()

        self.service.submit(lambda lib: restore(lib, chosen), done, self._failed)

    def copy_text(self) -> None:
        chosen = self.selected_snippets()
        if chosen:
            QGuiApplication.clipboard().setText("\n\n".join(s.text for s in chosen))

    def open_url(self) -> None:
        chosen = self.selected_snippets()
        if len(chosen) != 1:
            return
        url = QUrl(chosen[0].source.url)
        if url.isValid() and url.scheme().lower() in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)

    def new_snippet(self) -> None:
        self.capture.new_snippet()

    def paste_snippet(self) -> None:
        self.capture.paste()

    def _context_menu(self, point: QPoint) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addActions(self._context_actions)
        if self._context_actions:
            menu.addSeparator()
        menu.addActions([self.act_copy_text, self.act_open_url])
        menu.addSeparator()
        menu.addAction(self.act_restore if self.act_show_trash.isChecked() else self.act_delete)
        menu.popup(self.results.viewport().mapToGlobal(point))

    def _update_buttons(self) -> None:
        trash = self.act_show_trash.isChecked()
        chosen = self.selected_snippets()
        self.act_delete.setEnabled(not trash and bool(chosen))
        self.act_restore.setEnabled(trash and bool(chosen))
        self.delete_button.setVisible(not trash)
        self.restore_button.setVisible(trash)
        self.act_copy_text.setEnabled(bool(chosen))
        self.act_open_url.setEnabled(
            len(chosen) == 1 and chosen[0].source.url.lower().startswith(("http", "mailto:"))
        )
        self.search_box.setPlaceholderText("Search the trash" if trash else "Search snippets")
        in_trash = self._filters.in_trash
        self.act_show_trash.setIconText(f"Trash ({in_trash:,})" if in_trash else "Trash")

    # ------------------------------------------------------------------
    # Filters
    # ------------------------------------------------------------------

    def _load_filters(self) -> None:
        self._filters_asked = True
        self.service.submit(load_filters, self._filters_loaded, latest=FILTERS_KEY)

    def _load_filters_once(self) -> None:
        if not self._filters_asked:
            self._load_filters()

    def _filters_loaded(self, filters: Filters) -> None:
        self._filters = filters
        self._filters_known = True
        self._fill_filters()
        self._update_buttons()
        self._update_count()

    def _fill_filters(self) -> None:
        _fill_combo(self.tag_filter, "All tags", self._filters.tags, self._tag, nested=False)
        _fill_combo(
            self.collection_filter,
            "All collections",
            self._filters.collections,
            self._collection,
            nested=True,
        )

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


def _fill_combo(
    combo: QComboBox, everything: str, items: tuple[NameCount, ...], chosen: str, *, nested: bool
) -> None:
    """Fill a filter menu, keeping the choice (also one the library no longer has)."""
    combo.blockSignals(True)
    try:
        combo.clear()
        combo.addItem(everything, "")
        names = set()
        for item in items:
            label = item.name
            if nested and "/" in item.name:
                depth = item.name.count("/")
                label = "    " * depth + item.name.rsplit("/", 1)[1]
            combo.addItem(f"{label} ({item.count:,})", item.name)
            combo.setItemData(combo.count() - 1, item.name, Qt.ItemDataRole.ToolTipRole)
            names.add(item.name)
        if chosen and chosen not in names:
            combo.addItem(chosen, chosen)
        index = combo.findData(chosen) if chosen else 0
        combo.setCurrentIndex(max(0, index))
    finally:
        combo.blockSignals(False)
