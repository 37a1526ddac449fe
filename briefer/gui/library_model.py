"""The library panel's results: a Qt list model fed page by page, its view and look.

`ResultsModel` holds the rows of the current search (`library_service.Page`s
from the worker thread). It asks for the first page when the search
changes, keeps the rows shown until the new ones arrive (the list never
flashes empty while typing), and fetches later pages as the view scrolls
to them (`canFetchMore`/`fetchMore`), so a list of 100,000 snippets costs
what is on screen. Rows are plain records; dragging them out gives the
snippets themselves (`snippet_mime`).

`ResultsView` is the list (Return activates a row, an empty list says why
in its middle). `ResultDelegate` paints a row in one fixed height (the view
lays out rows without measuring them): two lines of the snippet's text, its
start or the words around the match with the match in bold on a marker
colour, then a line with the source and date and the tags. Text is drawn as
text, never read as markup.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from briefer.library import Fragment, Snippet
from briefer.text import utf16_from_index

from .library_service import (
    LibraryService,
    Page,
    ResultRow,
    SearchRequest,
    count_results,
    fetch_page,
    page_size,
)
from .snippet_mime import SNIPPETS_MIME, snippets_to_mime

SEARCH_KEY = "search"  # newest wins among searches and their pages
COUNT_KEY = "count"  # newest wins among the counts of all a search finds
# How long the results of a search stay on screen before all it finds is counted.
COUNT_DELAY_MS = 400
TEXT_LINES = 2
PADDING = 6
TOOLTIP_CHARS = 600


class Role(enum.IntEnum):
    """The model's data beyond DisplayRole (the fragment's text)."""

    SNIPPET = Qt.ItemDataRole.UserRole + 1
    FRAGMENT = Qt.ItemDataRole.UserRole + 2
    SOURCE_LINE = Qt.ItemDataRole.UserRole + 3
    TAGS_LINE = Qt.ItemDataRole.UserRole + 4


AnyIndex = QModelIndex | QPersistentModelIndex


class ResultsModel(QAbstractListModel):
    """The results of the panel's current search, fetched a page at a time."""

    # A search's first page (or a refresh) is in: the rows were replaced.
    results_changed = Signal()
    # A later page was appended.
    rows_added = Signal()
    # How many results there are in all became known (`total`).
    total_known = Signal()
    # The worker could not answer (the library cannot be opened, a bug).
    failed = Signal(str)

    def __init__(self, service: LibraryService, location: str, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._location = location
        self._rows: list[ResultRow] = []
        self._request: SearchRequest | None = None  # what the rows are of
        self._asked: SearchRequest | None = None  # the newest search asked
        self._more = False
        self._fetching = False
        self._total: int | None = None
        self._capped = False
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self._count)

    # -- searching -------------------------------------------------------

    def set_location(self, location: str) -> None:
        """The library the rows come from now (carried by drags)."""
        self._location = location

    def search(self, request: SearchRequest, *, keep_rows: int = 0) -> None:
        """Show `request`'s results once they arrive (newest wins).
        `keep_rows`: ask for at least that many rows at once (a refresh
        keeps what was scrolled to)."""
        self._asked = request
        self._fetching = False
        limit = max(page_size(0), keep_rows)
        self._service.submit(
            lambda lib: fetch_page(lib, request, 0, limit),
            self._first_page,
            self._failed,
            latest=SEARCH_KEY,
        )

    def refresh(self) -> None:
        """Search again for what is shown (the library changed)."""
        request = self._asked or self._request
        if request is not None:
            self.search(request, keep_rows=len(self._rows))

    def show_rows(self, request: SearchRequest, rows: Sequence[ResultRow]) -> None:
        """Show these rows as the whole result (a snippet shown on its own)."""
        self._asked = request
        self._service.drop(SEARCH_KEY)  # a search still on its way is not shown
        self._replace(Page(request, 0, tuple(rows), more=False, total=len(rows)))

    def is_searching(self) -> bool:
        return self._service.is_pending(SEARCH_KEY)

    def request(self) -> SearchRequest | None:
        """What the rows shown are the results of."""
        return self._request

    def total(self) -> int | None:
        """How many results in all, when known."""
        if not self._more:
            return len(self._rows)
        return self._total

    def has_more(self) -> bool:
        return self._more

    def is_capped(self) -> bool:
        return self._capped

    def _first_page(self, page: Page) -> None:
        self._replace(page)
        self._count_timer.stop()
        if page.more and page.total is None and not page.request.trash:
            # How many in all, once typing has paused: counting a common
            # word over a large library takes longer than its first rows,
            # and the worker it shares with the searches is not kept busy.
            self._count_timer.start()

    def _count(self) -> None:
        request = self._request
        if request is not None and self._more and self._total is None:
            self._service.submit(
                lambda lib: count_results(lib, request), self._counted, latest=COUNT_KEY
            )

    def _counted(self, counted: tuple[SearchRequest, int]) -> None:
        request, total = counted
        if request == self._request and self._more:
            self._total = total
            self.total_known.emit()

    def _replace(self, page: Page) -> None:
        self.beginResetModel()
        self._rows = list(page.rows)
        self._request = page.request
        self._more = page.more
        self._total = page.total
        self._capped = page.capped
        self._fetching = False
        self.endResetModel()
        self.results_changed.emit()

    def _failed(self, message: str) -> None:
        self._fetching = False
        self.failed.emit(message)

    # -- fetching later pages -------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._fetching or self._request is None:
            return
        if self._service.is_pending(SEARCH_KEY):
            return  # a new search is on its way; its rows replace these
        request, offset = self._request, len(self._rows)
        limit = page_size(offset)
        self._fetching = True
        self._service.submit(
            lambda lib: fetch_page(lib, request, offset, limit),
            self._next_page,
            self._failed,
            latest=SEARCH_KEY,
        )

    def _next_page(self, page: Page) -> None:
        self._fetching = False
        if page.request != self._request or page.offset != len(self._rows):
            return  # the list changed meanwhile
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._more = page.more
        self._capped = page.capped
        self.rows_added.emit()

    # -- reading ---------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def row(self, row: int) -> ResultRow:
        return self._rows[row]

    def snippet(self, row: int) -> Snippet:
        return self._rows[row].snippet

    def row_of(self, snippet_id: int) -> int:
        """The row showing this snippet, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.snippet.id == snippet_id), -1)

    def replace_snippet(self, snippet: Snippet) -> None:
        """A snippet changed (saved): its row shows it as it is now."""
        row = self.row_of(snippet.id)
        if row >= 0:
            old = self._rows[row]
            self._rows[row] = ResultRow(snippet, old.fragment, old.source_line, old.tags_line)
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.fragment.text
        if role == Role.SNIPPET:
            return row.snippet
        if role == Role.FRAGMENT:
            return row.fragment
        if role == Role.SOURCE_LINE:
            return row.source_line
        if role == Role.TAGS_LINE:
            return row.tags_line
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.fragment.text}. {row.source_line}. {row.tags_line}".strip(" .")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # -- dragging out ----------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [SNIPPETS_MIME, "text/plain"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._rows)})
        return snippets_to_mime([self._rows[r].snippet for r in rows], library=self._location)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class ResultsView(QListView):
    """The results: Return opens (activates) a snippet, Up on the first row
    goes back to the search box; an empty list says why, in its middle."""

    return_pressed = Signal(QModelIndex)
    to_search = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._placeholder = ""

    def placeholder(self) -> str:
        return self._placeholder

    def set_placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self._placeholder or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(16, 24, -16, -16)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), self._placeholder)  # plain text, never markup
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.return_pressed.emit(self.currentIndex())
            return
        if key == Qt.Key.Key_Up and self.currentIndex().row() <= 0:
            self.to_search.emit()
            return
        super().keyPressEvent(event)


def _tooltip(row: ResultRow) -> str:
    """Rich text built from escaped plain text: nothing a snippet holds is
    read as markup."""
    source = row.snippet.source
    text = row.snippet.text
    if len(text) > TOOLTIP_CHARS:
        text = text[:TOOLTIP_CHARS].rstrip() + "…"
    lines = [f"<p>{html.escape(text)}</p>"]
    if source.title:
        lines.append(f"<p><b>{html.escape(source.title)}</b></p>")
    lines.append(f"<p>{html.escape(row.source_line)}</p>")
    if source.url:
        lines.append(f"<p>{html.escape(source.url)}</p>")
    return "<qt>" + "".join(lines) + "</qt>"


# --------------------------------------------------------------------------
# Painting
# --------------------------------------------------------------------------


def marker_colour(palette: QPalette) -> QColor:
    """The background of a match: a marker yellow, darker on a dark palette."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor(150, 115, 0, 170) if dark else QColor(255, 213, 0, 120)


class ResultDelegate(QStyledItemDelegate):
    """Paints a result: two lines of text with the match marked, then the
    source and date, and the tags on the right. Every row is as tall."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    @staticmethod
    def _small(font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
        return small

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        text = QFontMetricsF(option.font)
        small = QFontMetricsF(self._small(option.font))
        height = TEXT_LINES * text.lineSpacing() + small.lineSpacing() + 2 * PADDING + 3
        return QSize(200, int(height + 0.999))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        painter.save()
        try:
            if style is not None:
                style.drawPrimitive(
                    QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget
                )
            fragment = index.data(Role.FRAGMENT)
            if not isinstance(fragment, Fragment):
                return
            selected = bool(opt.state & QStyle.StateFlag.State_Selected)
            group = (
                QPalette.ColorGroup.Active
                if opt.state & QStyle.StateFlag.State_Active
                else QPalette.ColorGroup.Inactive
            )
            text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            colour = opt.palette.color(group, text_role)
            rect = QRectF(opt.rect).adjusted(PADDING + 2, PADDING, -PADDING - 2, -PADDING)
            metrics = QFontMetricsF(opt.font)
            painter.setPen(colour)
            self._paint_text(painter, opt, fragment, rect, selected)
            # The source line, muted, with the tags on the right.
            small = self._small(opt.font)
            small_metrics = QFontMetricsF(small)
            top = rect.top() + TEXT_LINES * metrics.lineSpacing() + 3
            line = QRectF(rect.left(), top, rect.width(), small_metrics.lineSpacing())
            muted = QColor(colour)
            if not selected:
                muted = opt.palette.color(group, QPalette.ColorRole.PlaceholderText)
            painter.setFont(small)
            painter.setPen(muted)
            tags = str(index.data(Role.TAGS_LINE) or "")
            source = str(index.data(Role.SOURCE_LINE) or "")
            source_width = small_metrics.horizontalAdvance(source)
            tags_room = max(0.0, rect.width() - min(source_width, rect.width() * 0.6) - 12)
            shown_tags = small_metrics.elidedText(tags, Qt.TextElideMode.ElideRight, tags_room)
            tags_width = small_metrics.horizontalAdvance(shown_tags) if shown_tags else 0.0
            shown_source = small_metrics.elidedText(
                source, Qt.TextElideMode.ElideRight, rect.width() - tags_width - 12
            )
            flags = Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
            painter.drawText(line, int(flags | Qt.AlignmentFlag.AlignLeft), shown_source)
            if shown_tags:
                if not selected:
                    painter.setPen(opt.palette.color(group, QPalette.ColorRole.Link))
                painter.drawText(line, int(flags | Qt.AlignmentFlag.AlignRight), shown_tags)
        finally:
            painter.restore()

    def _paint_text(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        fragment: Fragment,
        rect: QRectF,
        selected: bool,
    ) -> None:
        """The fragment on TEXT_LINES lines, the last one elided, the
        highlights bold on the marker colour."""
        text = fragment.text.replace("\n", " ")
        marks = [
            (utf16_from_index(text, a), utf16_from_index(text, b)) for a, b in fragment.highlights
        ]
        metrics = QFontMetricsF(opt.font)
        layout = QTextLayout(text, opt.font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setTextDirection(Qt.LayoutDirection.LeftToRight)
        layout.setTextOption(option)
        layout.setFormats(_formats(marks, 0, len(text), opt.palette, selected))
        layout.beginLayout()
        starts: list[int] = []
        y = 0.0
        while len(starts) < TEXT_LINES:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            line.setPosition(QRectF(0, y, 0, 0).topLeft())
            starts.append(line.textStart())
            y += metrics.lineSpacing()
        overflow = False
        if len(starts) == TEXT_LINES:
            extra = layout.createLine()
            overflow = extra.isValid()
        layout.endLayout()
        if not overflow:
            for n in range(layout.lineCount()):
                if n < TEXT_LINES:
                    layout.lineAt(n).draw(painter, rect.topLeft())
            return
        for n in range(TEXT_LINES - 1):
            layout.lineAt(n).draw(painter, rect.topLeft())
        # The last line: the rest of the text, cut with an ellipsis.
        start = starts[-1]
        rest = text[start:] if start <= len(text) else ""
        elided = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width())
        last = QTextLayout(elided, opt.font)
        last.setTextOption(option)
        kept = len(elided) - (1 if elided.endswith("…") and elided != rest else 0)
        last.setFormats(_formats(marks, start, kept, opt.palette, selected))
        last.beginLayout()
        line = last.createLine()
        line.setLineWidth(rect.width() + 4)
        last.endLayout()
        top = rect.top() + (TEXT_LINES - 1) * metrics.lineSpacing()
        line.draw(painter, QRectF(rect.left(), top, 0, 0).topLeft())


def _formats(
    marks: Sequence[tuple[int, int]],
    shift: int,
    length: int,
    palette: QPalette,
    selected: bool,
) -> list[QTextLayout.FormatRange]:
    """Format ranges for the highlights, moved by `shift` and kept within
    `length` UTF-16 units."""
    ranges: list[QTextLayout.FormatRange] = []
    for start, end in marks:
        start, end = max(0, start - shift), min(length, end - shift)
        if end <= start:
            continue
        mark = QTextCharFormat()
        mark.setFontWeight(QFont.Weight.Bold)
        if selected:
            mark.setFontUnderline(True)
        else:
            mark.setBackground(marker_colour(palette))
        item = QTextLayout.FormatRange()
        item.start, item.length, item.format = start, end - start, mark
        ranges.append(item)
    return ranges
