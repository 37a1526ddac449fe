"""The library panel's tag and collection menus, and the counts they show.

`LibraryFilters` owns the two menus, the tag and collection chosen, and the
library's counts (`library_service.Filters`: each tag and collection, the
library's size, the trash's). The counts are loaded on the panel's worker
(`load`), the first time either soon after the window starts or when the
person opens a menu, whichever is first (`load_once`), and again whenever
the library changes. A choice the library no longer has stays chosen, so a
filter remembered from the last session never silently widens the results.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSizePolicy

from briefer.library import NameCount

from .library_service import Filters, LibraryService, load_filters

FILTERS_KEY = "filters"


class FilterMenu(QComboBox):
    """A filter's menu; says when it is about to open (to fill it then, if
    it was not filled yet)."""

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class LibraryFilters(QObject):
    """The tag and collection menus, what is chosen in them, and the counts."""

    # The person chose a tag or collection (`tag`, `collection` say which).
    chosen = Signal()
    # The counts arrived from the worker (`counts`, `known`).
    loaded = Signal()

    def __init__(
        self, service: LibraryService, tag: str, collection: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.tag, self.collection = tag, collection
        self.counts = Filters()
        self.known = False  # the counts were loaded: the library's size is known
        self._asked = False  # the counts were asked for

        self.tag_menu = FilterMenu()
        self.tag_menu.setAccessibleName("Tag filter")
        self.tag_menu.setToolTip("Show only snippets with this tag")
        self.collection_menu = FilterMenu()
        self.collection_menu.setAccessibleName("Collection filter")
        self.collection_menu.setToolTip("Show only snippets in this collection")
        for menu in (self.tag_menu, self.collection_menu):
            menu.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            menu.setMinimumContentsLength(8)
            menu.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fill()
        for menu in (self.tag_menu, self.collection_menu):
            menu.activated.connect(self._chosen)
            menu.opening.connect(self.load_once)

    def row(self) -> QHBoxLayout:
        """The two menus side by side, for the panel to place."""
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.tag_menu, 1)
        row.addWidget(self.collection_menu, 1)
        return row

    def library_size(self) -> int | None:
        """How many snippets the library holds (the trash aside), once known."""
        return self.counts.total if self.known else None

    def load(self) -> None:
        """Count again on the worker (the library changed, or another opened)."""
        self._asked = True
        self._service.submit(load_filters, self._loaded, latest=FILTERS_KEY)

    def load_once(self) -> None:
        if not self._asked:
            self.load()

    def _loaded(self, counts: Filters) -> None:
        self.counts = counts
        self.known = True
        self._fill()
        self.loaded.emit()

    def _fill(self) -> None:
        fill_menu(self.tag_menu, "All tags", self.counts.tags, self.tag, nested=False)
        fill_menu(
            self.collection_menu,
            "All collections",
            self.counts.collections,
            self.collection,
            nested=True,
        )

    def _chosen(self, _index: int) -> None:
        self.tag = str(self.tag_menu.currentData() or "")
        self.collection = str(self.collection_menu.currentData() or "")
        self.chosen.emit()


def fill_menu(
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
