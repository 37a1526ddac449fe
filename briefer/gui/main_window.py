"""The Briefer main window: library | brief | preview, menus, files, export.

`MainWindow` puts the snippet library on the left (`LibraryPanel`: search,
filters, the trash and the selected snippet; a worker thread opens the
library through `WindowContext.open_library`), the brief in the middle
(`BriefView`, with the find bar under it) and the live preview of the
exported PDF on the right, in one splitter whose positions are remembered
with the window's geometry. Every action is in a menu, with its shortcut
and tooltip; the toolbar repeats the common ones. The title bar shows the
file's name and an unsaved mark; the status bar the brief's words and
reading time.

The File menu's work (new, open, save, revert, recent files, the lock and
changes made on disk by other programs) is `file_commands.BriefFiles`'s.
Export runs off the GUI thread (`workers.ExportJob`) with a progress bar
and a cancel button. Diagnostics from compose are computed a moment after
typing pauses, on a background thread (`workers.DiagnosticsRunner`), and
shown on the section editors they concern.

The window holds no brief logic: edits go through `BriefModel`, which calls
`briefer.editing`; files through `briefer.briefs`, `briefer.pipeline` and
`briefer.recovery`; exports through `briefer.pipeline`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from briefer.briefs import new_brief
from briefer.document import Diagnostic
from briefer.errors import BrieferError
from briefer.export import available_formats, extension_for
from briefer.library import Library, open_library
from briefer.model import Template
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.templates import TemplateRegistry

from . import dialogs
from .app import AppearanceController, bug_reporter
from .brief_model import BriefModel, Change
from .brief_view import BriefView
from .file_commands import BriefFiles
from .find_bar import FindBar
from .library_panel import LibraryPanel
from .library_switch import TEAM_CONNECT_TIMEOUT_S, LibraryChoice, LibrarySwitcher, Prompt, is_team
from .preview import PreviewPanel
from .recovery import Autosaver, RecoveryDialog
from .section_editor import MarkdownEdit, make_link, toggle_bullets, toggle_wrap
from .settings import Appearance, Settings
from .sources_panel import SourcesPanel
from .spelling import SpellHighlighting
from .template_commands import TemplateCommands
from .workers import DiagnosticsRunner, ExportJob, ExportRequest

DEFAULT_SIZE = (1440, 900)
DEFAULT_SPLIT = (380, 600, 460)
# A window waits at most this long for another program writing to the
# library before saying it is busy (on the library's worker thread).
LIBRARY_PATIENCE_S = 2.0
FORMAT_NAMES = {"docx": "DOCX", "pdf": "PDF"}


@dataclass
class WindowContext:
    """What a window needs from its surroundings, passed in (no globals)."""

    paths: Paths
    registry: TemplateRegistry
    settings: Settings
    export_settings: ExportSettings
    appearance: AppearanceController | None = None
    report_bug: Callable[[BaseException], str] | None = None
    windows: list[QMainWindow] = field(default_factory=list)  # others opened from one
    # The snippet library: where it is (shown, and carried by drags), and
    # how a worker thread opens its own connection to it.
    library_location: str = ""
    open_library: Callable[[], Library] | None = None
    # A team library to reach at the start (BRIEFER_LIBRARY naming one),
    # instead of the one the settings name.
    team_library: str = ""

    @classmethod
    def create(cls, paths: Paths, app: QGuiApplication | None = None) -> WindowContext:
        settings = Settings.for_paths(paths)
        app = app or QGuiApplication.instance()  # type: ignore[assignment]
        appearance = AppearanceController.of(app) if app is not None else None
        if appearance is not None:
            appearance.set_appearance(settings.appearance())
        # A team library named by BRIEFER_LIBRARY is reached in the
        # background; the window starts on the local library meanwhile.
        chosen = paths.library_location()
        team = chosen if is_team(chosen) else ""
        location = str(paths.default_library) if team else chosen
        return cls(
            paths=paths,
            registry=TemplateRegistry(paths),
            settings=settings,
            export_settings=ExportSettings.from_env(paths),
            appearance=appearance,
            report_bug=bug_reporter(paths),
            library_location=location,
            team_library=team,
        )


def open_window_library(location: str, *, prompt: Prompt | None = None) -> Library:
    """The window's library at `location` (a file, or a team library's URL,
    whose server is waited for at most TEAM_CONNECT_TIMEOUT_S), opened on
    the calling thread (each worker thread opens its own). The one place
    that says how."""
    if is_team(location):
        return open_library(
            location,
            busy_timeout=LIBRARY_PATIENCE_S,
            connect_timeout=TEAM_CONNECT_TIMEOUT_S,
            prompt=prompt,
        )
    return Library.open(location, busy_timeout=LIBRARY_PATIENCE_S)


class MainWindow(QMainWindow):
    """One brief, its editors and preview, with menus for everything."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = context.settings
        self._export_job: ExportJob | None = None
        self._closing = False
        self.setObjectName("briefer-main-window")

        template = self._default_template()
        self.model = BriefModel(new_brief(template), template, parent=self)
        self.view = BriefView(self.model)
        self.find_bar = FindBar(self.view)
        self.diagnostics = DiagnosticsRunner(parent=self)
        self.diagnostics.ready.connect(self._show_diagnostics)
        self.spelling = SpellHighlighting(
            context.paths, self.model.brief.meta.language, parent=self
        )
        self.view.add_editor_hook(lambda section: self.spelling.install(section.editor.highlighter))
        # Never lose a word: a copy in the recovery folder within moments of
        # typing, and a watch on the file for other programs' changes.
        self.autosaver = Autosaver.for_model(self.model, context.paths, parent=self)
        self.autosaver.failed.connect(lambda message: self.statusBar().showMessage(message))
        self.files = BriefFiles(
            self,
            self.model,
            self.view,
            registry=context.registry,
            settings=context.settings,
            cache_dir=context.paths.cache_dir,
            export_settings=context.export_settings,
            autosaver=self.autosaver,
            status=lambda message, ms: self.statusBar().showMessage(message, ms),
        )
        self.files.state_changed.connect(self._update_title)
        self.files.opened.connect(self.focus_first_section)
        self.templates = TemplateCommands(
            self,
            self.model,
            context.registry,
            cache_dir=context.paths.cache_dir,
            export_settings=context.export_settings,
            status=lambda message, ms: self.statusBar().showMessage(message, ms),
            report_bug=context.report_bug,
        )
        self.view.read_only_changed.connect(self.templates.set_read_only)
        for action in self.templates.actions():
            self.addAction(action)  # the shortcuts work with the menu bar hidden too

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(0)
        # The brief's sources under it, as at the end of a brief: they stay
        # in view of the text and of the preview while being edited.
        self.sources = SourcesPanel(self.model)
        self.sources.setMinimumHeight(120)
        self.brief_splitter = QSplitter(Qt.Orientation.Vertical)
        self.brief_splitter.setObjectName("brief-splitter")
        self.brief_splitter.addWidget(self.view)
        self.brief_splitter.addWidget(self.sources)
        self.brief_splitter.setStretchFactor(0, 3)
        self.brief_splitter.setStretchFactor(1, 1)
        self.brief_splitter.setCollapsible(0, False)
        middle_layout.addWidget(self.brief_splitter, 1)
        middle_layout.addWidget(self.find_bar)
        middle.setMinimumWidth(360)  # the brief never gets squeezed out

        self.library_panel = self._make_library_panel()
        self._wire_citing()
        self.preview = self._make_preview()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.library_panel)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.setCentralWidget(self.splitter)

        self.words_label = QLabel()
        self.words_label.setAccessibleName("Words and reading time")
        self.preview_label = QLabel()
        self.preview_label.setAccessibleName("Preview status")
        self.statusBar().addPermanentWidget(self.preview_label)
        self.statusBar().addPermanentWidget(self.words_label)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        # Keys text fields would otherwise take (Ctrl+E is "end of line" in a
        # line edit on Linux) but the window acts on.
        self.view.set_yielded_keys(
            a.shortcut()
            for a in (
                *(self.act_bold, self.act_italic, self.act_link, self.act_bullets),
                *(self.act_export_pdf, self.act_export_docx, self.act_export_both),
            )
        )
        self.view.set_context_menu(
            self.spelling.spell_actions,
            [self.act_undo, self.act_redo],
            [self.act_bold, self.act_italic, self.act_link, self.act_bullets],
        )

        self.model.changed.connect(self._brief_changed)
        self.model.document_changed.connect(self._document_changed)
        self.model.modified_changed.connect(lambda _m: self._update_title())
        self.model.undo_stack.indexChanged.connect(lambda _i: self._update_actions())

        self._restore_layout()
        self._document_changed()
        self.view.start_draft()  # the new brief the window opens with

    # ------------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------------

    def _make_library_panel(self) -> LibraryPanel:
        context = self.context
        location = context.library_location or context.paths.library_location()
        team = context.team_library
        if is_team(location):  # reached in the background: local meanwhile
            team = team or location
            location = str(context.paths.default_library)
        self.library_choice = LibraryChoice(location, open_window_library)
        opener = context.open_library or self.library_choice
        panel = LibraryPanel(
            opener, location, settings=self.settings, report_bug=context.report_bug
        )
        panel.setMinimumWidth(260)
        self.library_switch = LibrarySwitcher(
            panel, self.library_choice, self.settings, open_window_library
        )
        self.library_switch.start(team)
        return panel

    def _wire_citing(self) -> None:
        """Snippets from the library into the brief, and citations back to
        their sources: the view cites the library's selection and shows a
        citation's snippet there; the Sources panel's links go to the text."""
        cite, panel, sources = self.view.cite, self.library_panel, self.sources
        cite.connect_library(panel.selected_snippets, panel.show_snippet, panel.selection_changed)
        cite.set_settings_file(self.settings.path)
        cite.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        cite.source_requested.connect(self._show_source)
        sources.citation_requested.connect(self.view.show_citation)
        sources.show_snippet_requested.connect(panel.show_snippet)
        panel.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        sources.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.view.read_only_changed.connect(sources.set_read_only)
        panel.add_context_action(cite.act_cite_selected)

    def _show_source(self, key: str) -> None:
        """The source popup's "Edit Source…": the Sources panel, on that source."""
        self.act_sources.setChecked(True)
        self.sources.select_source(key)

    def _make_preview(self) -> PreviewPanel:
        # Hidden, the preview does no work: its worker process starts when shown.
        panel = PreviewPanel(self, active=self.settings.preview_shown())
        panel.rendered.connect(self._preview_rendered)
        panel.failed.connect(self._preview_failed)
        return panel

    def _action(
        self,
        text: str,
        tip: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], object] | None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut)
            action.setShortcut(keys)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work with the menu bar hidden too
        return action

    def _make_actions(self) -> None:
        sk = QKeySequence.StandardKey
        a = self._action
        files = self.files
        self.act_new = a("&New…", "Start a new brief from a template", sk.New, self.new_brief)
        self.act_open = a("&Open…", "Open a brief or Markdown notes", sk.Open, files.open_dialog)
        self.act_save = a("&Save", "Save the brief", sk.Save, self.save)
        self.act_save_as = a("Save &As…", "Save under a new name", sk.SaveAs, self.save_as)
        self.act_revert = a(
            "&Revert to Saved", "Go back to the brief as last saved", "Ctrl+Shift+R", files.revert
        )
        self.act_export_pdf = a(
            "Export &PDF…", "Export the brief as a PDF", "Ctrl+E", lambda: self.export(("pdf",))
        )
        self.act_export_docx = a(
            "Export &DOCX…",
            "Export the brief as a Word document",
            "Ctrl+Shift+E",
            lambda: self.export(("docx",)),
        )
        self.act_export_both = a(
            "Export &Both…",
            "Export the brief as DOCX and PDF at once",
            "Ctrl+Alt+E",
            lambda: self.export(("docx", "pdf")),
        )
        quit_keys = QKeySequence(sk.Quit)  # none on some platforms: Ctrl+Q there
        self.act_quit = a(
            "&Quit", "Close Briefer", quit_keys if not quit_keys.isEmpty() else "Ctrl+Q", self.close
        )
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)

        stack = self.model.undo_stack
        self.act_undo = stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts(sk.Undo)
        self.act_undo.setToolTip("Undo the last change, in whichever section it was (Ctrl+Z)")
        self.act_redo = stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts(sk.Redo)  # Ctrl+Shift+Z and Ctrl+Y on Linux
        self.act_redo.setToolTip("Redo what was undone (Ctrl+Shift+Z)")
        for action in (self.act_undo, self.act_redo):
            self.addAction(action)
        self.act_cut = a("Cu&t", "Cut the selection", sk.Cut, lambda: _on_field(_Clip.CUT))
        self.act_copy = a("&Copy", "Copy the selection", sk.Copy, lambda: _on_field(_Clip.COPY))
        self.act_paste = a("&Paste", "Paste", sk.Paste, lambda: _on_field(_Clip.PASTE))
        self.act_select_all = a(
            "Select &All",
            "Select all the text of this field",
            sk.SelectAll,
            lambda: _on_field(_Clip.SELECT_ALL),
        )
        for action in (self.act_cut, self.act_copy, self.act_paste, self.act_select_all):
            # The focused editor handles these keys itself; the menu entries
            # are for the mouse and for discovering the shortcut.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_find = a("&Find…", "Find text in every section", sk.Find, self.find_bar.open_bar)
        self.act_find_next = a(
            "Find &Next", "Go to the next match", sk.FindNext, lambda: self._find(True)
        )
        self.act_find_previous = a(
            "Find Pre&vious", "Go to the previous match", sk.FindPrevious, lambda: self._find(False)
        )
        self.act_bold = a(
            "&Bold", "Make the selection bold (**text**)", "Ctrl+B", lambda: self._wrap("**")
        )
        self.act_italic = a(
            "&Italic", "Make the selection italic (*text*)", "Ctrl+I", lambda: self._wrap("*")
        )
        self.act_link = a(
            "&Link…", "Make the selection a link ([text](address))", "Ctrl+K", self._link
        )
        self.act_bullets = a(
            "Bullet &List",
            "Make the lines a bullet list, or plain lines again",
            "Ctrl+Shift+L",
            lambda: self._format(toggle_bullets),
        )

        self.act_preview = a(
            "Show &Preview",
            "Show or hide the preview of the exported PDF",
            "Ctrl+Shift+P",
            None,
        )
        self.act_preview.setCheckable(True)
        self.act_preview.setChecked(self.settings.preview_shown())
        self.act_preview.toggled.connect(self._set_preview_shown)
        self.act_library = a(
            "Show &Library", "Show or hide the library's panel", "Ctrl+Shift+B", None
        )
        self.act_library.setCheckable(True)
        self.act_library.setChecked(True)
        self.act_library.toggled.connect(self.library_panel.setVisible)
        self.act_sources = a(
            "Show So&urces",
            "Show or hide the brief's sources, under the brief",
            "Ctrl+Shift+U",
            None,
        )
        self.act_sources.setCheckable(True)
        self.act_sources.setChecked(True)
        self.act_sources.toggled.connect(self.sources.setVisible)
        self.act_focus_brief = a(
            "Go to &Brief",
            "Put the cursor in the brief's first section",
            "F6",
            self.focus_first_section,
        )
        self.appearance_group = QActionGroup(self)
        self.appearance_actions: dict[Appearance, QAction] = {}
        for appearance, label, tip in (
            (Appearance.SYSTEM, "&System", "Light or dark as the system is"),
            (Appearance.LIGHT, "&Light", "Always light"),
            (Appearance.DARK, "&Dark", "Always dark"),
        ):
            action = a(label, tip, None, lambda ap=appearance: self.set_appearance(ap))
            action.setCheckable(True)
            self.appearance_group.addAction(action)
            self.appearance_actions[appearance] = action
        self.appearance_actions[self.settings.appearance()].setChecked(True)
        self.act_about = a(
            "&About Briefer", "Briefer's version", "F1", lambda: dialogs.show_about(self)
        )
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        self.files.fill_recent_menu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.act_save, self.act_save_as, self.act_revert])
        file_menu.addSeparator()
        file_menu.addActions([self.act_export_pdf, self.act_export_docx, self.act_export_both])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.act_undo, self.act_redo])
        edit_menu.addSeparator()
        edit_menu.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_select_all])
        edit_menu.addSeparator()
        edit_menu.addActions([self.act_find, self.act_find_next, self.act_find_previous])
        format_menu = bar.addMenu("F&ormat")
        format_menu.addActions([self.act_bold, self.act_italic, self.act_link, self.act_bullets])
        template_menu = bar.addMenu("Te&mplate")
        template_menu.addActions(self.templates.actions()[:3])
        template_menu.addSeparator()
        template_menu.addAction(self.templates.act_manage)
        library_menu = bar.addMenu("&Library")
        library_menu.addAction(self.library_switch.act_switch)
        library_menu.addSeparator()
        for action in self.library_panel.menu_actions():
            if action is None:
                library_menu.addSeparator()
            else:
                library_menu.addAction(action)
        library_menu.addSeparator()
        library_menu.addActions(self.view.cite.actions())
        library_menu.addMenu(self.view.cite.mode_menu)
        view_menu = bar.addMenu("&View")
        view_menu.addActions(
            [self.act_preview, self.act_library, self.act_sources, self.act_focus_brief]
        )
        appearance_menu = view_menu.addMenu("&Appearance")
        appearance_menu.addActions(list(self.appearance_actions.values()))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)
        menus = (file_menu, edit_menu, format_menu, template_menu, library_menu, view_menu)
        menus += (appearance_menu,)
        for menu in (*menus, help_menu):
            menu.setToolTipsVisible(True)

    def _make_toolbar(self) -> None:
        bar = QToolBar("Main toolbar")
        bar.setObjectName("main-toolbar")
        bar.setAccessibleName("Main toolbar")
        # Words, not icons: icon themes differ from desktop to desktop, and a
        # row of labelled buttons reads the same everywhere.
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setMovable(False)
        for action in (self.act_new, self.act_open, self.act_save):
            bar.addAction(action)
        bar.addSeparator()
        bar.addActions([self.act_undo, self.act_redo])
        bar.addSeparator()
        bar.addActions([self.act_export_pdf, self.act_export_docx])
        bar.addSeparator()
        bar.addActions([self.act_find, self.act_preview])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    # ------------------------------------------------------------------------
    # Start and layout
    # ------------------------------------------------------------------------

    def start(self, files: Sequence[Path] = ()) -> None:
        """After `show()`: open the file given (or keep the new brief) and
        put the cursor in the first section. Unsaved work left by a Briefer
        that crashed or was killed is offered first ("Recover unsaved work");
        a brief recovered takes this window, and the file asked for opens
        in a window of its own."""
        recovered = RecoveryDialog.offer(self.context.paths, self)
        if recovered and self.files.open_recovered(recovered[0]):
            for path in files[:1]:
                other = MainWindow(self.context)
                self.context.windows.append(other)
                other.show()
                other.files.open_path(path, ask=False)
        else:
            for path in files[:1]:
                self.files.open_path(path, ask=False)
        # Ask for the keyboard: with no window manager to activate the new
        # window, keys would reach the editor but not the window's shortcuts.
        self.raise_()
        self.activateWindow()
        self.focus_first_section()
        self._say_once_if_no_dictionary()

    def _say_once_if_no_dictionary(self) -> None:
        message = self.spelling.no_dictionary_message()
        if message:
            self.statusBar().showMessage(message, 15000)

    def focus_first_section(self) -> None:
        first = self.view.first_editor()
        if first is not None:
            first.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.view.ensureWidgetVisible(first, 0, 0)

    def _restore_layout(self) -> None:
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        state = self.settings.splitter_state("main")
        if state is None or not self.splitter.restoreState(state):
            self.splitter.setSizes(list(DEFAULT_SPLIT))
        state = self.settings.splitter_state("brief")
        if state is None or not self.brief_splitter.restoreState(state):
            self.brief_splitter.setSizes([620, 260])
        self.library_panel.setVisible(True)
        self._set_preview_shown(self.act_preview.isChecked())

    def _save_layout(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_splitter_state("main", self.splitter.saveState())
        self.settings.set_splitter_state("brief", self.brief_splitter.saveState())
        self.settings.set_preview_shown(self.act_preview.isChecked())
        self.settings.sync()

    def set_appearance(self, appearance: Appearance) -> None:
        self.settings.set_appearance(appearance)
        if self.context.appearance is not None:
            self.context.appearance.set_appearance(appearance)
        self.appearance_actions[appearance].setChecked(True)

    # ------------------------------------------------------------------------
    # Reacting to the brief
    # ------------------------------------------------------------------------

    def _brief_changed(self, change: Change) -> None:
        self._update_words()
        self._request_work()
        if change.meta:
            self.spelling.set_language(self.model.brief.meta.language)
            self._say_once_if_no_dictionary()

    def _document_changed(self) -> None:
        self.spelling.set_language(self.model.brief.meta.language)
        self._update_title()
        self._update_words()
        self._update_actions()
        self.diagnostics.request(self.model.brief, self.model.template, self.model.base_dir)
        self._request_preview()

    def _request_work(self) -> None:
        self.diagnostics.request(self.model.brief, self.model.template, self.model.base_dir)
        self._request_preview()

    def _request_preview(self) -> None:
        if self.preview.is_active():
            self.preview.request(self.model.brief, self.model.template, self.model.base_dir)

    def _show_diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.view.set_diagnostics(diagnostics)

    def _update_words(self) -> None:
        words = self.model.total_words()
        minutes = self.model.reading_minutes()
        unit = "word" if words == 1 else "words"
        text = f"{words:,} {unit}"
        if minutes:
            text += f" · {minutes} min read"
        self.words_label.setText(text)

    def _update_title(self) -> None:
        name = self.model.display_name()
        suffix = " (read-only)" if self.files.read_only else ""
        self.setWindowTitle(f"{name}[*]{suffix} — Briefer")
        self.setWindowModified(self.model.is_modified())
        self.setWindowFilePath(str(self.model.path) if self.model.path else "")

    def _update_actions(self) -> None:
        self.act_revert.setEnabled(self.model.path is not None)

    def _preview_rendered(self, pages: int) -> None:
        self.preview_label.setText(f"Preview: {pages} page{'s' if pages != 1 else ''}")

    def _preview_failed(self, message: str) -> None:
        self.preview_label.setText("Preview: not updated")
        self.preview_label.setToolTip(message)

    def _set_preview_shown(self, shown: bool) -> None:
        self.preview.setVisible(shown)
        self.preview.set_active(shown)
        if shown:
            self._request_preview()
        if self.act_preview.isChecked() != shown:
            self.act_preview.setChecked(shown)

    # ------------------------------------------------------------------------
    # Editing commands
    # ------------------------------------------------------------------------

    def _focused_editor(self) -> MarkdownEdit | None:
        widget = QApplication.focusWidget() or self.focusWidget()
        return widget if isinstance(widget, MarkdownEdit) else None

    def _format(self, command) -> None:
        editor = self._focused_editor()
        if editor is None or editor.isReadOnly():
            self.statusBar().showMessage("Put the cursor in a section to format its text.", 4000)
            return
        self.model.break_burst()
        editor.apply_command(command)
        self.model.break_burst()

    def _wrap(self, marker: str) -> None:
        self._format(lambda text, start, end: toggle_wrap(text, start, end, marker))

    def _link(self) -> None:
        clipboard = QGuiApplication.clipboard().text().strip()
        url = clipboard if clipboard.startswith(("http://", "https://", "mailto:")) else ""
        if " " in url or "\n" in url:
            url = ""
        self._format(lambda t, s, e: make_link(t, s, e, url))

    def _find(self, forward: bool) -> None:
        if not self.find_bar.isVisible() or not self.find_bar.field.text():
            self.find_bar.open_bar()
            return
        self.find_bar.find(forward=forward)

    # ------------------------------------------------------------------------
    # Files
    # ------------------------------------------------------------------------

    def new_brief(self) -> bool:
        """File ▸ New: a brief from the template picked, begun as a draft
        (its empty required sections hinted at, not yet warned about)."""
        if not self.files.new_brief():
            return False
        self.view.start_draft()
        return True

    def save(self) -> bool:
        self.view.end_draft()  # asked to save: every gap is warned about now
        return self.files.save()

    def save_as(self) -> bool:
        self.view.end_draft()
        return self.files.save_as()

    def _default_template(self) -> Template:
        templates = self.context.registry.all()
        if not templates:
            raise BrieferError("no templates found: the installation is incomplete")
        return next((t for t in templates if t.id == "smart-brevity"), templates[0])

    # ------------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------------

    def export(self, formats: Sequence[str]) -> bool:
        """Ask where, then export in the background with a progress bar."""
        self.view.end_draft()  # asked to export: every gap is warned about now
        formats = [f for f in formats if f in available_formats()]
        if not formats:
            self._error("Cannot export", "That format is not available in this installation.")
            return False
        if self._export_job is not None and self._export_job.is_running():
            self.statusBar().showMessage("An export is already running.", 4000)
            return False
        suggested = self.files.suggested_path("")
        folder = self.settings.export_folder() or suggested.parent
        stem = suggested.name
        first = formats[-1]
        names = " and ".join(FORMAT_NAMES.get(f, f.upper()) for f in formats)
        patterns = " ".join(f"*{extension_for(f)}" for f in formats)
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {names}",
            str(folder / f"{stem}{extension_for(first)}"),
            f"{names} ({patterns})",
        )
        if not chosen:
            return False
        base = Path(chosen)
        if base.suffix.lower() in {extension_for(f) for f in formats}:
            base = base.with_suffix("")
        targets = [(base.with_name(base.name + extension_for(f)), f) for f in formats]
        if len(targets) > 1:
            existing = [p for p, _ in targets if p.exists() and p != Path(chosen)]
            if existing:
                answer = QMessageBox.question(
                    self,
                    "Replace files?",
                    "Replace " + " and ".join(p.name for p in existing) + "?",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Yes,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return False
        self.settings.set_export_folder(base.parent)
        self.start_export(targets)
        return True

    def start_export(self, targets: Sequence[tuple[Path, str]]) -> ExportJob:
        """Export the current brief to `targets` in the background."""
        request = ExportRequest(
            self.model.brief, self.model.template, tuple(targets), self.model.base_dir
        )
        job = ExportJob(
            request, self.context.export_settings, report_bug=self.context.report_bug, parent=self
        )
        progress = QProgressDialog(
            f"Exporting {', '.join(p.name for p, _ in targets)}…", "Cancel", 0, 0, self
        )
        progress.setWindowTitle("Exporting")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        progress.setAccessibleName("Export progress")
        progress.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total, _what: _show_progress(progress, done, total))
        job.succeeded.connect(lambda results: self._export_done(progress, results))
        job.failed.connect(lambda message: self._export_failed(progress, message))
        job.cancelled.connect(lambda: self._export_cancelled(progress))
        self._export_job = job
        self.export_progress = progress
        job.start()
        return job

    def _export_done(self, progress: QProgressDialog, results) -> None:
        progress.close()
        outputs = [r.output for r in results]
        warnings = list(dict.fromkeys(w for r in results for w in r.warnings))
        self.statusBar().showMessage("Exported " + ", ".join(p.name for p in outputs), 8000)
        choice = dialogs.ask_after_export(self, outputs, warnings)
        if choice is dialogs.AfterExport.OPEN:
            for output in outputs:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(output)))
        elif choice is dialogs.AfterExport.SHOW_FOLDER:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(outputs[0].parent)))

    def _export_failed(self, progress: QProgressDialog, message: str) -> None:
        progress.close()
        self._error("Export failed", message)

    def _export_cancelled(self, progress: QProgressDialog) -> None:
        progress.close()
        self.statusBar().showMessage("Export cancelled; no file was changed.", 6000)

    # ------------------------------------------------------------------------
    # Closing
    # ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and not self.files.maybe_save("closing"):
            event.ignore()
            return
        if not self._closing and not self.templates.close_editors():
            event.ignore()  # a template editor with unsaved changes stays open
            return
        self._closing = True
        if self._export_job is not None and self._export_job.is_running():
            self._export_job.cancel()
            self._export_job.wait(5.0)
        self.library_switch.shutdown()
        self.library_panel.shutdown()  # its edits saved, its state remembered
        self._save_layout()
        self.diagnostics.shutdown()
        self.preview.shutdown()
        self.autosaver.close()  # a clean close: the recovery copy goes
        self.files.release()
        event.accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            QTimer.singleShot(0, self.files.check_disk)
        super().changeEvent(event)

    def _error(self, title: str, message: str) -> None:
        QMessageBox.critical(self, title, message)


def _show_progress(progress: QProgressDialog, done: int, total: int) -> None:
    if total > 0:
        progress.setMaximum(total)
        progress.setValue(min(done, total))


class _Clip(enum.Enum):
    """The Edit menu's clipboard commands, for the field with the focus."""

    CUT = "cut"
    COPY = "copy"
    PASTE = "paste"
    SELECT_ALL = "selectAll"


def _on_field(command: _Clip) -> None:
    widget = QApplication.focusWidget()
    if isinstance(widget, (QPlainTextEdit, QLineEdit)):
        getattr(widget, command.value)()
