"""The brief's sources: every one with its fields and where it is cited.

`SourcesPanel` lists the sources the brief carries (its `[@key]`, publisher,
title and how many times the text cites it) and shows the selected one's
fields to edit: title, publisher, author, web address, published and
accessed. An edit is one `BriefModel.edit_source` call (typing in a field
is one undo step, as in the metadata form), so the preview, which exports
the brief again, shows it at once. The words first quoted from the source
and the library snippet they came from are shown, not edited.

A source no section cites any more is marked "not cited" and offered for
removal ("Remove Unused"); removing one that is still cited is refused by
the core (`briefer.editing.remove_source`), and the panel says where it is
cited, each place a link that puts the cursor on the citation there.

Nothing here knows how a brief is stored or exported: the panel reads the
model and sends every change back to it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefer.compose import section_name
from briefer.document import is_safe_url
from briefer.editing import SOURCE_FIELDS, citation_places, unused_sources
from briefer.errors import EditError
from briefer.model import Brief, Source

from .brief_model import BriefModel, Change, Place
from .forms import YieldingLineEdit, field_edit, heading_label, mark_invalid, push_button
from .provenance import open_link, short_quote
from .section_editor import warning_colour

FIELD_LABELS = {
    "title": ("&Title", "The article's or report's title"),
    "publisher": ("&Publisher", "Who published it, e.g. Reuters"),
    "author": ("&Author", "Who wrote it (optional)"),
    "url": ("&Web address", "https://…"),
    "published": ("Pu&blished", "YYYY-MM-DD, YYYY-MM or YYYY"),
    "accessed": ("A&ccessed", "YYYY-MM-DD: when you read it"),
}
REFRESH_MS = 200  # counts follow typing in the sections after this pause
KEY_ROLE = Qt.ItemDataRole.UserRole


class SourcesPanel(QWidget):
    """Every source of the model's brief, its fields and its citations."""

    # The library should show the snippet a source was quoted from: its id
    # and the source (the library checks the id is that snippet).
    show_snippet_requested = Signal(int, object)
    citation_requested = Signal(str, str)  # section id, key: go to the citation
    message = Signal(str)  # for the status bar

    def __init__(self, model: BriefModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("sources-panel")
        self.setAccessibleName("Sources of the brief")
        self._key = ""  # the source shown in the form
        self._read_only = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self.heading = heading_label()
        self.unused_label = QLabel()
        self.unused_label.setTextFormat(Qt.TextFormat.PlainText)
        self.unused_label.setWordWrap(True)
        self.remove_unused_button = push_button(
            "Remove &Unused", "Remove every source no section cites (Ctrl+Z undoes it)"
        )
        self.remove_unused_button.clicked.connect(self.remove_unused)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.unused_label, 1)
        top.addWidget(self.remove_unused_button)

        self.list = QTreeWidget()
        self.list.setObjectName("sources-list")
        self.list.setAccessibleName("Sources")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Source", "Cited"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.installEventFilter(self)

        self.key_label = QLabel()
        self.key_label.setTextFormat(Qt.TextFormat.PlainText)
        self.key_label.setFont(self.heading.font())
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields: dict[str, YieldingLineEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 0, 0, 0)
        for field in SOURCE_FIELDS:
            label, hint = FIELD_LABELS[field]
            edit = field_edit(field, label, hint, object_name=f"source-{field}")
            edit.textEdited.connect(lambda text, f=field: self._edited(f, text))
            if field == "url":
                self.open_button = push_button("Open", "Open the web address in the browser")
                self.open_button.clicked.connect(self.open_url)
                row = QHBoxLayout()
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(edit, 1)
                row.addWidget(self.open_button)
                buddy = QLabel(label)  # Alt+W reaches the field, not the row
                buddy.setBuddy(edit)
                form.addRow(buddy, row)
            else:
                form.addRow(label, edit)
            self.fields[field] = edit
        self.quote_label = QLabel()
        self.quote_label.setTextFormat(Qt.TextFormat.PlainText)
        self.quote_label.setWordWrap(True)
        self.quote_label.setAccessibleName("Quoted words")
        italic = QFont(self.quote_label.font())
        italic.setItalic(True)
        self.quote_label.setFont(italic)
        self.cited_label = QLabel()
        self.cited_label.setTextFormat(Qt.TextFormat.RichText)
        self.cited_label.setWordWrap(True)
        self.cited_label.setAccessibleName("Where it is cited")
        self.cited_label.linkActivated.connect(self._go_to)
        self.notice = QLabel()
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.notice.setAccessibleName("Why the source was not removed")
        self.notice.linkActivated.connect(self._go_to)
        self.library_button = push_button(
            "Show in &Library", "Select the snippet this source was first quoted from"
        )
        self.library_button.clicked.connect(self._show_in_library)
        self.remove_button = push_button(
            "&Remove Source", "Remove this source from the brief (only when not cited)"
        )
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.library_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)

        details = QWidget()
        column = QVBoxLayout(details)
        column.setContentsMargins(8, 0, 4, 0)
        column.addWidget(self.key_label)
        column.addLayout(form)
        column.addWidget(self.quote_label)
        column.addWidget(self.cited_label)
        column.addLayout(buttons)
        column.addWidget(self.notice)
        column.addStretch(1)
        self.details = QScrollArea()
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setWidget(details)
        self.empty_label = QLabel(
            "No sources yet. Drag a snippet from the library onto a section to quote"
            " and cite it; its source appears here."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty_label, 1)

        model.changed.connect(self._model_changed)
        model.document_changed.connect(self.refresh)
        model.focus_requested.connect(self._focus_place)
        self.refresh()

    # -- reading ------------------------------------------------------------------

    def current_key(self) -> str:
        return self._key

    def keys(self) -> list[str]:
        return [
            self.list.topLevelItem(i).data(0, KEY_ROLE)
            for i in range(self.list.topLevelItemCount())
        ]

    def item(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, KEY_ROLE) == key:
                return item
        return None

    # -- showing the brief's sources ----------------------------------------------

    def _model_changed(self, change: Change) -> None:
        if change.sources or change.structure:
            self.refresh()
        elif change.sections:
            self._refresh_timer.start()  # counts follow typing after a pause

    def refresh(self) -> None:
        """Show the model's sources as they are now."""
        self._refresh_timer.stop()
        brief = self.model.brief
        places = citation_places(brief)
        keep = self._key
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for key, source in brief.sources.items():
                self.list.addTopLevelItem(self._make_item(key, source, len(places.get(key, []))))
        finally:
            self.list.blockSignals(False)
        count = len(brief.sources)
        self.heading.setText(f"Sources ({count})" if count else "Sources")
        unused = unused_sources(brief)
        if unused:
            names = ", ".join(f"[@{k}]" for k in unused)
            one = len(unused) == 1
            self.unused_label.setText(
                f"{len(unused)} source{'' if one else 's'} not cited anywhere: {names}"
            )
        self.unused_label.setVisible(bool(unused))
        self.remove_unused_button.setVisible(bool(unused))
        self.remove_unused_button.setEnabled(not self._read_only)
        self.splitter.setVisible(bool(count))
        self.empty_label.setVisible(not count)
        key = keep if keep in brief.sources else next(iter(brief.sources), "")
        item = self.item(key)
        if item is not None:
            self.list.blockSignals(True)
            self.list.setCurrentItem(item)
            self.list.blockSignals(False)
        self._show(key, places)

    def _make_item(self, key: str, source: Source, times: int) -> QTreeWidgetItem:
        who = source.publisher.strip() or source.author.strip() or source.title.strip()
        label = f"[@{key}]  {' '.join(who.split())}" if who else f"[@{key}]"
        item = QTreeWidgetItem([label, f"{times}×" if times else "not cited"])
        item.setData(0, KEY_ROLE, key)
        tip = "\n".join(p for p in (source.title, source.url) if p.strip())
        item.setToolTip(0, tip or f"[@{key}]")
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if not times:
            font = QFont(self.list.font())
            font.setItalic(True)
            item.setFont(0, font)
            item.setFont(1, font)
            item.setForeground(1, warning_colour(self.palette()))
            item.setToolTip(1, "No section cites this source: remove it, or cite it.")
        else:
            item.setToolTip(1, f"Cited {times} time{'s' if times != 1 else ''}")
        return item

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        key = current.data(0, KEY_ROLE) if current is not None else ""
        self.notice.setVisible(False)
        self._show(key, citation_places(self.model.brief))

    def _show(self, key: str, places: Mapping[str, list[str]]) -> None:
        brief = self.model.brief
        source = brief.sources.get(key)
        changed_key = key != self._key
        self._key = key if source is not None else ""
        if changed_key:
            self.notice.setVisible(False)
        for field, edit in self.fields.items():
            value = getattr(source, field) if source is not None else ""
            # A field being typed in that holds what cannot be stored yet
            # (half a date) keeps its text; every other field shows the brief.
            typing_invalid = edit.hasFocus() and bool(edit.property("invalid"))
            if edit.text() != value and (changed_key or not typing_invalid):
                edit.setText(value)
                if not edit.hasFocus():
                    edit.setCursorPosition(0)  # the start of a long title shows
                self._mark_invalid(edit, "")
            elif changed_key:
                self._mark_invalid(edit, "")
            edit.setEnabled(source is not None)
            edit.setReadOnly(self._read_only)
        if source is None:
            self.key_label.setText("")
            self.quote_label.setText("")
            self.cited_label.setText("")
            self.open_button.setEnabled(False)
            self.library_button.setVisible(False)
            self.remove_button.setEnabled(False)
            return
        self.key_label.setText(f"[@{key}]")
        quote = short_quote(source.quote, 300)
        self.quote_label.setText(f"Quoted: “{quote}”" if quote else "")
        self.quote_label.setVisible(bool(quote))
        where = places.get(key, [])
        if where:
            self.cited_label.setText("Cited in " + self._places_html(brief, key, where))
        else:
            self.cited_label.setText("<i>Not cited anywhere: remove it, or cite it.</i>")
        self.open_button.setEnabled(is_safe_url(source.url) if source.url.strip() else False)
        snippet = source.snippet_id.strip()
        self.library_button.setVisible(snippet.isascii() and snippet.isdigit())
        self.remove_button.setEnabled(not self._read_only)

    def _places_html(self, brief: Brief, key: str, where: list[str]) -> str:
        """Each section citing `key`, a link to its first citation there,
        with how often when more than once."""
        counts: dict[str, int] = {}
        for section_id in where:
            counts[section_id] = counts.get(section_id, 0) + 1
        links = []
        for section_id, n in counts.items():
            section = brief.section(section_id)
            spec = self.model.template.section(section_id)
            heading = (section.heading if section else "") or (spec.heading if spec else "")
            name = section_name(heading, section_id)
            name = name if heading.strip() else name.capitalize()
            href = html.escape(f"{section_id}\n{key}", quote=True)
            link = f'<a href="{href}">{html.escape(name)}</a>'
            links.append(f"{link} ({n}×)" if n > 1 else link)
        return ", ".join(links)

    def select_source(self, key: str) -> bool:
        """Show source `key` (the popup's "Edit Source…"), its first field
        ready to type in."""
        item = self.item(key)
        if item is None:
            return False
        self.list.setCurrentItem(item)
        self.list.scrollToItem(item)
        self.fields["publisher"].setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def set_read_only(self, read_only: bool) -> None:
        """Show the sources without letting them be changed."""
        self._read_only = read_only
        self.refresh()

    # -- edits --------------------------------------------------------------------

    def _edited(self, field: str, text: str) -> None:
        edit = self.fields[field]
        if not self._key:
            return
        try:
            self.model.edit_source(self._key, field, text)
        except EditError as exc:
            self._mark_invalid(edit, str(exc))
        else:
            self._mark_invalid(edit, "")

    def _mark_invalid(self, edit: QLineEdit, problem: str) -> None:
        mark_invalid(edit, problem, self.palette())

    def remove_current(self) -> bool:
        """Remove the source shown; refused, with its places named and
        linked, while the text still cites it."""
        key = self._key
        if not key or self._read_only:
            return False
        try:
            self.model.remove_sources([key])
        except EditError:
            self._refuse(key)
            return False
        self.message.emit(f"Removed source [@{key}]. Ctrl+Z brings it back.")
        return True

    def _refuse(self, key: str) -> None:
        brief = self.model.brief
        where = citation_places(brief).get(key, [])
        times = "once" if len(where) == 1 else f"{len(where)} times"
        self.notice.setText(
            f"<b>[@{html.escape(key)}] is still cited</b> ({times}), in "
            f"{self._places_html(brief, key, where)}. Remove those citations first."
        )
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.WindowText, warning_colour(self.palette()))
        self.notice.setPalette(palette)
        self.notice.setVisible(True)
        QTimer.singleShot(0, lambda: self.details.ensureWidgetVisible(self.notice))
        self.message.emit(f"Source [@{key}] is still cited; it was not removed.")

    def remove_unused(self) -> int:
        """Remove every source no section cites, as one undo step."""
        unused = unused_sources(self.model.brief)
        if not unused or self._read_only:
            return 0
        self.model.remove_sources(unused)
        n = len(unused)
        self.message.emit(f"Removed {n} unused source{'s' if n != 1 else ''}. Ctrl+Z undoes it.")
        return n

    def open_url(self) -> bool:
        source = self.model.brief.sources.get(self._key)
        return open_link(source.url) if source is not None else False

    def _show_in_library(self) -> None:
        source = self.model.brief.sources.get(self._key)
        snippet = source.snippet_id.strip() if source is not None else ""
        if source is not None and snippet.isascii() and snippet.isdigit():
            self.show_snippet_requested.emit(int(snippet), source)

    def _go_to(self, href: str) -> None:
        section_id, _, key = href.partition("\n")
        self.citation_requested.emit(section_id, key)

    def _focus_place(self, place: Place, _position: int) -> None:
        """After undo or redo of a source edit, show that source's field."""
        if not place.source or place.source not in self.model.brief.sources:
            return
        item = self.item(place.source)
        if item is not None:
            self.list.setCurrentItem(item)
        edit = self.fields.get(place.field)
        if edit is not None:
            edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_current()
            return True
        return super().eventFilter(watched, event)
