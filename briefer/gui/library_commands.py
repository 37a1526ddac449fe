"""The library panel's commands: its actions, buttons and context menu.

`CommandsMixin` gives `LibraryPanel` the Library menu's actions (New
Snippet, Paste as Snippet, Search Library, Copy Text, Open Address, Move to
Trash, Show Trash, Restore), what each does to the selected snippets, the
results' context menu, and which of them are enabled for the selection and
view. It is a mixin, not a widget of its own, because every command acts on
the panel's selection, worker and messages; the attributes it uses are the
panel's, named below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton

from briefer.library import Snippet

from .library_service import move_to_trash, restore
from .snippet_detail import SAFE_SCHEMES

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from .capture import Capture
    from .library_filters import LibraryFilters
    from .library_model import ResultsView
    from .library_search import SearchBox
    from .library_service import LibraryService


def tool_button(action: QAction, label: str) -> QToolButton:
    """A flat text button for `action`, labelled `label` (menus show the
    action's longer text)."""
    action.setIconText(label)
    tool = QToolButton()
    tool.setDefaultAction(action)
    tool.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    tool.setAutoRaise(True)
    return tool


class CommandsMixin:
    """The panel's actions and what they do (mixed into `LibraryPanel`)."""

    # The panel's, used here.
    service: LibraryService
    capture: Capture
    filters: LibraryFilters
    search_box: SearchBox
    results: ResultsView
    delete_button: QToolButton
    restore_button: QToolButton
    library_changed: SignalInstance
    _context_actions: list[QAction]
    selected_snippets: Callable[[], list[Snippet]]
    focus_search: Callable[[], None]
    refresh: Callable[[], None]
    _say: Callable[[str], None]
    _failed: Callable[[str], None]
    _trash_toggled: Callable[[bool], None]
    addAction: Callable[[QAction], None]

    def _action(self, text: str, tip: str, keys: str | QKeySequence.StandardKey | None, slot):
        action = QAction(text, self)  # type: ignore[call-overload]
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
        for action in self.selection_actions():
            # Only while the results have the focus: Del and Ctrl+C belong
            # to the text fields everywhere else.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_show_trash = a(
            "Show T&rash", "Show the snippets in the trash, to restore them", None, lambda: None
        )
        self.act_show_trash.setCheckable(True)
        self.act_show_trash.toggled.connect(self._trash_toggled)

    def selection_actions(self) -> tuple[QAction, ...]:
        """The actions on the selected results (their shortcuts work there)."""
        return (self.act_delete, self.act_restore, self.act_copy_text, self.act_open_url)

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

    def add_context_action(self, action: QAction) -> None:
        """Offer another command on the results' context menu (such as
        citing the selected snippet in the brief)."""
        self._context_actions.append(action)

    def _context_menu(self, point: QPoint) -> None:
        menu = QMenu(self)  # type: ignore[arg-type]
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
        in_trash = self.filters.counts.in_trash
        self.act_show_trash.setIconText(f"Trash ({in_trash:,})" if in_trash else "Trash")
