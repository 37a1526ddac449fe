"""The brief in the middle of the window: metadata form and section editors.

`BriefView` is a scroll area holding, in a column of readable width, the
metadata form (title, subtitle, author, date, classification, language,
keywords) and one `SectionEditor` per section of the brief, in the
template's order. It reads the `BriefModel` and sends every edit back to
it; it holds no brief logic. When the model changes (typing elsewhere,
undo, redo, revert), only the editors of the sections that changed are
touched. Compose's notes go on the editors they concern; in a brief just
begun from a template (`start_draft`), a required section not written in
yet is hinted at quietly instead of warned about, until the person writes
there or asks to save or export (`end_draft`).

Citing lives here too (`CiteCommands`, reached as `view.cite`): snippets
dropped on a section editor, or the library's selected snippet cited at the
cursor (Ctrl+Shift+C, or "Cite Selected Snippet Here" in the editor's
menu), go through `BriefModel.cite`, one undo step each; the drop mode
(quote, inline quote or citation only) is a choice remembered in the
settings. A citation's source is shown in a popup (`ProvenancePopup`) on
Ctrl+click, Ctrl+Shift+I or the menu's "Show Source", and citations of keys
the brief has no source for are underlined in the editors. The library is
asked to show the snippet with the brief's source, so that it can check the
snippet under that id is the one quoted. A snippet in the trash is never
cited, by drop or by Ctrl+Shift+C; the status bar names it (`cite_message`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QSettings, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from briefer.document import Diagnostic, DiagnosticKind
from briefer.editing import (
    Citation,
    CiteMode,
    CiteOutcome,
    Insertion,
    citation_at,
    citation_places,
    citations,
    plan_citation,
)
from briefer.errors import EditError
from briefer.library.model import Snippet
from briefer.model import Source as BriefSource
from briefer.text import index_from_utf16, utf16_from_index

from .brief_model import BriefModel, Change, Place
from .forms import YieldingLineEdit, field_edit, mark_invalid
from .provenance import Provenance, ProvenancePopup
from .section_editor import (
    DROP_MODIFIER_NAME,
    MODE_NAMES,
    MarkdownEdit,
    SectionEditor,
    SpellActions,
    warning_colour,
)

COLUMN_WIDTH = 860  # a readable measure for the text column, in pixels

META_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "&Title", "The brief's title"),
    ("subtitle", "S&ubtitle", "A deck or subtitle under the title (optional)"),
    ("author", "&Author", "Who wrote the brief"),
    ("date", "&Date", "YYYY-MM-DD"),
    ("classification", "C&lassification", "For example INTERNAL or OFFICIAL-SENSITIVE"),
    ("language", "Lan&guage", "en"),
    ("keywords", "&Keywords", "Words separated by commas"),
)


class BriefView(QScrollArea):
    """Metadata form and section editors for the model's brief."""

    read_only_changed = Signal(bool)

    def __init__(self, model: BriefModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Brief")
        self._editors: dict[str, SectionEditor] = {}
        self._yielded: list[QKeySequence] = []
        self._spell_actions: SpellActions | None = None
        self._history_actions: list[QAction] = []
        self._format_actions: list[QAction] = []
        self._editor_hooks: list[Callable[[SectionEditor], object]] = []
        self._read_only = False
        # A brief just begun from a template: its empty required sections
        # are hinted at quietly, not warned about, until the person writes
        # in them or asks to save or export (`start_draft`).
        self._draft = False
        self._touched: set[str] = set()
        self._diagnostics: tuple[Diagnostic, ...] = ()
        self.cite = CiteCommands(self)
        self._editor_hooks.append(self.cite.attach)

        outer = QWidget()
        row = QHBoxLayout(outer)
        row.setContentsMargins(16, 12, 16, 24)
        self.page = QWidget()
        self.page.setMaximumWidth(COLUMN_WIDTH)
        row.addStretch(1)
        row.addWidget(self.page, 100)
        row.addStretch(1)
        self.setWidget(outer)

        column = QVBoxLayout(self.page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.meta_edits: dict[str, YieldingLineEdit] = {}
        for field, label, hint in META_FIELDS:
            edit = field_edit(field, label, hint, object_name=f"meta-{field}")
            edit.textEdited.connect(lambda text, f=field: self._meta_edited(f, text))
            if field == "title":
                font = edit.font()
                font.setPointSizeF(font.pointSizeF() * 1.35)
                font.setBold(True)
                edit.setFont(font)
            form.addRow(label, edit)
            self.meta_edits[field] = edit
        column.addLayout(form)
        self.brief_notes = QLabel()
        self.brief_notes.setWordWrap(True)
        self.brief_notes.setTextFormat(Qt.TextFormat.PlainText)
        self.brief_notes.setVisible(False)
        self.brief_notes.setAccessibleName("Notes on the brief")
        column.addWidget(self.brief_notes)
        self.sections_box = QVBoxLayout()
        self.sections_box.setSpacing(10)
        column.addLayout(self.sections_box)
        column.addStretch(1)

        model.changed.connect(self.refresh)
        model.document_changed.connect(self._document_changed)
        model.focus_requested.connect(self.focus_place)
        self.rebuild()

    # -- building ---------------------------------------------------------------

    def _document_changed(self) -> None:
        # Another brief (opened, recovered, saved under a new name): not a
        # draft just begun unless the window says so (`start_draft`), and
        # the notes of the last one are gone.
        self._draft = False
        self._touched = set()
        self._diagnostics = ()
        self.rebuild()

    def rebuild(self) -> None:
        """Make one editor per section of the model's brief (a new brief or
        template)."""
        had_focus = self.focused_section()
        for editor in self._editors.values():
            self.sections_box.removeWidget(editor)
            editor.hide()  # gone from the page now, deleted once the event loop runs
            editor.blockSignals(True)  # gone: nothing it does may reach the brief
            editor.editor.blockSignals(True)
            editor.setParent(None)
            editor.deleteLater()
        self._editors = {}
        brief, template = self.model.brief, self.model.template
        previous: QWidget = self.meta_edits["keywords"]
        for section in brief.sections:
            editor = SectionEditor(section.id, section.heading, template.section(section.id))
            editor.editor.load_text(section.body)
            editor.set_words(self.model.words(section.id))
            editor.editor.yielded_keys += self._yielded
            editor.editor.spell_actions = self._spell_actions
            editor.editor.history_actions = self._history_actions
            editor.editor.format_actions = self._format_actions
            editor.editor.setReadOnly(self._read_only)
            editor.editor.mark_citations(section.body, brief.sources)
            editor.edited.connect(self._section_edited)
            editor.editor.cursorPositionChanged.connect(self._keep_cursor_visible)
            self.sections_box.addWidget(editor)
            self._editors[section.id] = editor
            QWidget.setTabOrder(previous, editor.editor)
            previous = editor.editor
            for hook in self._editor_hooks:
                hook(editor)
        self._refresh_meta()
        self._fit_editors()
        if had_focus and had_focus in self._editors:
            self._editors[had_focus].editor.setFocus()

    def add_editor_hook(self, hook: Callable[[SectionEditor], object]) -> None:
        """Call `hook(section_editor)` for every section editor, now and
        whenever the editors are rebuilt (spell checking attaches here)."""
        self._editor_hooks.append(hook)
        for editor in self._editors.values():
            hook(editor)

    def set_yielded_keys(self, keys: Iterable[QKeySequence]) -> None:
        """Shortcuts the window handles, which editors must not take."""
        self._yielded = [k for k in keys if not k.isEmpty()]
        for edit in self.meta_edits.values():
            edit.yielded_keys += self._yielded
        for editor in self._editors.values():
            editor.editor.yielded_keys += self._yielded

    def set_read_only(self, read_only: bool) -> None:
        """Show the brief without letting it be changed (a brief another
        Briefer has open)."""
        self._read_only = read_only
        for edit in self.meta_edits.values():
            edit.setReadOnly(read_only)
        for editor in self._editors.values():
            editor.editor.setReadOnly(read_only)
        self.cite.set_enabled(not read_only)
        self.read_only_changed.emit(read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def set_context_menu(
        self,
        spell_actions: SpellActions | None,
        history: Sequence[QAction] = (),
        formats: Sequence[QAction] = (),
    ) -> None:
        """What the editors' right-click menus offer besides cut, copy and
        paste: spelling suggestions for the word clicked, the brief's Undo
        and Redo, and the formatting commands."""
        self._spell_actions = spell_actions
        self._history_actions = list(history)
        self._format_actions = list(formats)
        for editor in self._editors.values():
            editor.editor.spell_actions = spell_actions
            editor.editor.history_actions = self._history_actions
            editor.editor.format_actions = self._format_actions

    # -- reading ----------------------------------------------------------------

    def editor(self, section_id: str) -> SectionEditor | None:
        return self._editors.get(section_id)

    def section_editors(self) -> list[SectionEditor]:
        return list(self._editors.values())

    def first_editor(self) -> SectionEditor | None:
        return next(iter(self._editors.values()), None)

    def focused_section(self) -> str | None:
        """The section whose editor has (or last had) the focus."""
        widget = self.window().focusWidget() if self.window() else None
        for section_id, editor in self._editors.items():
            if widget is editor.editor:
                return section_id
        return None

    def show_citation(self, section_id: str, key: str) -> bool:
        """Put the cursor on the first citation of `key` in a section,
        selected, and scroll to it (the Sources panel's "cited in" links)."""
        editor = self._editors.get(section_id)
        section = self.model.brief.section(section_id)
        if editor is None or section is None:
            return False
        found = next((c for c in citations(section.body) if c.key == key), None)
        if found is None:
            return False
        body = section.body
        cursor = editor.editor.textCursor()
        cursor.setPosition(utf16_from_index(body, found.bracket_start))
        cursor.setPosition(utf16_from_index(body, found.bracket_end), cursor.MoveMode.KeepAnchor)
        editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        editor.editor.setTextCursor(cursor)
        self.reveal(editor.editor)
        return True

    # -- refreshing from the model ----------------------------------------------

    def refresh(self, change: Change) -> None:
        if change.structure:
            # Another template's sections: the ones written in stay so; new
            # ones of a brief just begun are hinted at, not warned about.
            self.rebuild()
            self._show_diagnostics()
            return
        self._touched |= change.sections
        brief = self.model.brief
        for section_id in change.sections:
            editor = self._editors.get(section_id)
            section = brief.section(section_id)
            if editor is None or section is None:
                continue
            editor.set_text(section.body)
            editor.set_heading(section.heading)
            editor.set_words(self.model.words(section_id))
            editor.editor.mark_citations(section.body, brief.sources)
        if change.sources:
            for section in brief.sections:
                editor = self._editors.get(section.id)
                if editor is not None and section.id not in change.sections:
                    editor.editor.mark_citations(section.body, brief.sources)
        if change.meta:
            self._refresh_meta()

    def _refresh_meta(self) -> None:
        meta = self.model.brief.meta
        for field, edit in self.meta_edits.items():
            value = ", ".join(meta.keywords) if field == "keywords" else getattr(meta, field)
            if field == "keywords" and _keywords(edit.text()) == meta.keywords:
                continue
            if edit.text() != value:
                edit.setText(value)
            self._mark_invalid(edit, "")

    def focus_place(self, place: Place, position: int) -> None:
        """Put the cursor at `position` of the section or field `place`."""
        if place.section:
            editor = self._editors.get(place.section)
            if editor is not None:
                editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)
                if position >= 0:
                    editor.editor.place_cursor(position)
                self._keep_cursor_visible(editor.editor)
        elif place.field in self.meta_edits and not place.source:
            edit = self.meta_edits[place.field]
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.ensureWidgetVisible(edit)

    def set_diagnostics(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Show each diagnostic on the editor of its section; those about
        the whole brief go under the metadata. While the brief is a draft
        just begun (`start_draft`), a required section the person has not
        written in yet gets a quiet hint instead of its warning."""
        self._diagnostics = tuple(diagnostics)
        self._show_diagnostics()

    def start_draft(self) -> None:
        """The brief was just begun from a template: hint quietly at its
        empty required sections until the person writes in them (each
        section on its own) or asks to save or export it."""
        self._draft = True
        self._touched = set()
        self._show_diagnostics()

    def end_draft(self) -> None:
        """The person asked to save or export: every required section left
        empty is warned about now, as in a brief opened from a file."""
        if self._draft:
            self._draft = False
            self._show_diagnostics()

    def _hinted(self, diagnostic: Diagnostic) -> bool:
        """Whether a diagnostic is shown as a quiet hint, not a warning."""
        return (
            self._draft
            and diagnostic.kind is DiagnosticKind.MISSING_REQUIRED
            and diagnostic.section not in self._touched
        )

    def _show_diagnostics(self) -> None:
        by_section: dict[str, list[str]] = {}
        hinted: set[str] = set()
        for diagnostic in self._diagnostics:
            target = diagnostic.section if diagnostic.section in self._editors else ""
            if target and self._hinted(diagnostic):
                hinted.add(target)
                continue
            by_section.setdefault(target, []).append(diagnostic.message)
        for section_id, editor in self._editors.items():
            editor.set_diagnostics(by_section.get(section_id, []))
            editor.set_required_hint(section_id in hinted)
        notes = list(dict.fromkeys(by_section.get("", [])))
        self.brief_notes.setText("\n".join(f"⚠ {note}" for note in notes))
        self.brief_notes.setVisible(bool(notes))
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.WindowText, warning_colour(self.palette()))
        self.brief_notes.setPalette(palette)

    # -- edits ------------------------------------------------------------------

    def _section_edited(
        self, section_id: str, text: str, start: int, end: int, typing: bool
    ) -> None:
        self.model.edit_body(section_id, text, start=start, end=end, typing=typing)

    def _meta_edited(self, field: str, text: str) -> None:
        edit = self.meta_edits[field]
        try:
            self.model.edit_meta(field, text)
        except EditError as exc:
            self._mark_invalid(edit, str(exc))
        else:
            self._mark_invalid(edit, "")

    def _mark_invalid(self, edit: QLineEdit, problem: str) -> None:
        mark_invalid(edit, problem, self.palette())

    # -- layout -----------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_editors()

    def _fit_editors(self) -> None:
        # A long section scrolls inside its editor once it fills most of
        # the view, so a keystroke never lays out 10,000 words at once.
        limit = max(160, self.viewport().height() - 90)
        for editor in self._editors.values():
            if editor.editor.max_height != limit:
                editor.editor.max_height = limit
                editor.editor.fit_height()

    def _keep_cursor_visible(self, editor: QPlainTextEdit | None = None) -> None:
        editor = editor if editor is not None else self.sender()
        if isinstance(editor, QPlainTextEdit) and editor.hasFocus():
            self.reveal(editor)

    def reveal(self, editor: QPlainTextEdit) -> None:
        """Scroll so that `editor`'s cursor can be seen."""
        rect = editor.cursorRect()
        point = editor.viewport().mapTo(self.widget(), QPoint(rect.x(), rect.center().y()))
        self.ensureVisible(point.x(), point.y(), 20, rect.height() + 12)


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


def cite_message(
    outcome: CiteOutcome, snippets: Sequence[Snippet], where: str, mode: CiteMode
) -> str:
    """What the status bar says after citing `snippets` (a drop, or Cite
    Selected Snippet): what was cited, and what was left out and why. A
    snippet in the trash is named by its words, with the way back."""
    by_id = {s.id: s for s in snippets}
    parts = []
    if outcome.made:
        keys = ", ".join(dict.fromkeys(f"[@{i.key}]" for i in outcome.made))
        new = sum(1 for i in outcome.made if not i.reused)
        how = MODE_NAMES[mode].lower()
        parts.append(
            f"Cited {keys} in {where} ({how})"
            + (f"; {new} new source{'s' if new != 1 else ''}" if new else "")
            + ". Ctrl+Z undoes it."
        )
    trashed = [i for i, _ in outcome.skipped if i in by_id and by_id[i].in_trash]
    if len(trashed) == 1:
        named = f"“{short_words(by_id[trashed[0]].text)}”"
        left = " (not cited)" if outcome.made else ""
        parts.append(f"{named}{left} is in the Trash: restore it to cite it.")
    elif trashed:
        if outcome.made:
            parts.append(
                f"{len(trashed)} snippets in the Trash were left out: restore them to cite them."
            )
        else:
            parts.append(
                f"The {len(trashed)} snippets are in the Trash: restore them to cite them."
            )
    for snippet_id, why in outcome.skipped:
        if snippet_id in trashed:
            continue
        snippet = by_id.get(snippet_id)
        named = f"“{short_words(snippet.text)}”" if snippet else f"Snippet {snippet_id}"
        parts.append(f"{named} left out: {why}.")
    return " ".join(parts) or "Nothing was cited."


def short_words(text: str, limit: int = 60) -> str:
    """The start of a snippet's text on one line, cut at a word."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


# --------------------------------------------------------------------------
# Citing from the library, and checking where a citation came from
# --------------------------------------------------------------------------

CITE_MODE_KEY = "brief/cite_mode"
# Shows in the library the snippet a brief's source names (its id, and the
# source, to check it is the one quoted): `LibraryPanel.show_snippet`.
ShowSnippet = Callable[[int, BriefSource], object]


class CitePreferences:
    """The drop mode, remembered between sessions in the window's settings
    file (the INI file `Settings.path` names)."""

    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def mode(self) -> CiteMode:
        try:
            return CiteMode(str(self._qs.value(CITE_MODE_KEY, CiteMode.QUOTE.value)))
        except ValueError:
            return CiteMode.QUOTE

    def set_mode(self, mode: CiteMode) -> None:
        self._qs.setValue(CITE_MODE_KEY, mode.value)
        self._qs.sync()


class CiteCommands(QObject):
    """The brief view's citing commands and their actions: cite what the
    library has selected, show a citation's source, choose the drop mode.
    The actions live on the view, so their shortcuts work anywhere in the
    window; the window puts them in its menus."""

    message = Signal(str)  # for the status bar
    source_requested = Signal(str)  # "Edit Source…": show this key in the Sources panel
    mode_changed = Signal(object)  # CiteMode

    def __init__(self, view: BriefView) -> None:
        super().__init__(view)
        self.view = view
        self.mode = CiteMode.QUOTE
        self._prefs: CitePreferences | None = None
        self._selected: Callable[[], list[Snippet]] | None = None
        self._show_snippet: ShowSnippet | None = None
        self._last_section: str | None = None
        self._menu_place: tuple[MarkdownEdit, int] | None = None
        self._popup: ProvenancePopup | None = None

        def action(text: str, tip: str, keys: str, slot: Callable[[], object]) -> QAction:
            act = QAction(text, view)
            if keys:
                act.setShortcut(QKeySequence(keys))
                shown = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                act.setToolTip(f"{tip} ({shown})")
            else:
                act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.act_cite_selected = action(
            "&Cite Selected Snippet",
            "Cite the snippets selected in the library at the cursor, in the drop mode",
            "Ctrl+Shift+C",
            self.cite_selected,
        )
        self.act_show_source = action(
            "Show &Source of Citation",
            "Show where the citation at the cursor comes from (also Ctrl+click on it)",
            "Ctrl+Shift+I",
            self.show_source_at_cursor,
        )
        # The same two, for the right-click menu: they act where it was opened.
        self.act_menu_show_source = action("Show Source", "", "", self._menu_show_source)
        self.act_menu_cite_here = action(
            "Cite Selected Snippet Here",
            "Cite the snippets selected in the library here",
            "",
            self._menu_cite_here,
        )
        self.mode_group = QActionGroup(self)
        self.mode_actions: dict[CiteMode, QAction] = {}
        tips = {
            CiteMode.QUOTE: "The snippet as a block quote after the paragraph, then [@key]",
            CiteMode.INLINE: "The snippet in quotation marks at the drop point, then [@key]",
            CiteMode.PARAPHRASE: "Only [@key] at the drop point: you write the words",
        }
        for mode, text in (
            (CiteMode.QUOTE, "As &Quote"),
            (CiteMode.INLINE, "As &Inline Quote"),
            (CiteMode.PARAPHRASE, "As Citation &Only (Paraphrase)"),
        ):
            act = action(
                text,
                f"{tips[mode]}. Hold {DROP_MODIFIER_NAME} while dropping for the other mode.",
                "",
                lambda m=mode: self.set_mode(m),
            )
            act.setCheckable(True)
            self.mode_group.addAction(act)
            self.mode_actions[mode] = act
        self.mode_actions[self.mode].setChecked(True)
        self.mode_menu = QMenu("Cite Snippets &As", view)
        self.mode_menu.setToolTipsVisible(True)
        self.mode_menu.addActions(list(self.mode_actions.values()))
        for act in (self.act_cite_selected, self.act_show_source):
            view.addAction(act)  # window-wide shortcuts while the view is shown

    # -- set-up -----------------------------------------------------------------

    def actions(self) -> list[QAction]:
        """The window's menu entries: cite, show source, then the modes."""
        return [self.act_cite_selected, self.act_show_source]

    def set_settings_file(self, path: Path) -> None:
        """Remember the drop mode in the settings file at `path`, and take
        the one remembered there."""
        self._prefs = CitePreferences(path)
        self.set_mode(self._prefs.mode())

    def connect_library(
        self,
        selected: Callable[[], list[Snippet]],
        show_snippet: ShowSnippet | None = None,
        selection_changed: SignalInstance | None = None,
    ) -> None:
        """Cite what `selected()` gives (the library panel's selection),
        and show a citation's snippet with `show_snippet(id, source)`, which
        checks that the snippet under that id is the one the brief's
        source quotes (`LibraryPanel.show_snippet`)."""
        self._selected = selected
        self._show_snippet = show_snippet
        if selection_changed is not None:
            selection_changed.connect(self._selection_changed)
        self._selection_changed()

    def set_enabled(self, enabled: bool) -> None:
        """Citing is off while the brief is read-only; showing sources is not."""
        self.act_cite_selected.setEnabled(enabled)
        self.act_menu_cite_here.setEnabled(enabled)

    def set_mode(self, mode: CiteMode) -> None:
        """How a drop without Ctrl cites (remembered)."""
        mode = CiteMode(mode)
        self.mode = mode
        self.mode_actions[mode].setChecked(True)
        for editor in self.view.section_editors():
            editor.editor.cite_mode = mode
        if self._prefs is not None and self._prefs.mode() is not mode:
            self._prefs.set_mode(mode)
        self.mode_changed.emit(mode)

    def attach(self, section: SectionEditor) -> None:
        """Make a new section editor a drop target of this view."""
        editor = section.editor
        editor.cite_mode = self.mode
        editor.cite_actions = self._menu_actions
        editor.drop_planner = lambda snippets, index, mode, sid=section.section_id: self._plan(
            sid, snippets, index, mode
        )
        section.cite_dropped.connect(self.cite)
        section.citation_clicked.connect(self.show_citation)
        editor.focused.connect(lambda sid=section.section_id: self._focused(sid))

    def _focused(self, section_id: str) -> None:
        self._last_section = section_id

    def _selection_changed(self, *_: object) -> None:
        count = len(self._selected()) if self._selected is not None else 0
        what = "Snippet" if count <= 1 else f"{count} Snippets"
        self.act_cite_selected.setText(f"&Cite Selected {what}")
        self.act_menu_cite_here.setText(f"Cite Selected {what} Here")

    # -- citing -----------------------------------------------------------------

    def _plan(
        self, section_id: str, snippets: Sequence[Snippet], index: int, mode: CiteMode
    ) -> Insertion | None:
        if not snippets:
            return None
        spec = self.view.model.template.section(section_id)
        try:
            return plan_citation(
                self.view.model.brief,
                section_id,
                snippets[0],
                index,
                mode,
                kind=spec.kind if spec else None,
            )
        except EditError:
            return None

    def cite(
        self, section_id: str, snippets: list[Snippet], index: int | None, mode: CiteMode
    ) -> CiteOutcome | None:
        """Cite `snippets` in a section at `index` (a Python index; None:
        at the end), as one undo step, and put the cursor after them."""
        if self.view.is_read_only():
            self.message.emit("This brief is open read-only: nothing was cited.")
            return None
        try:
            outcome = self.view.model.cite(section_id, snippets, index, mode)
        except EditError as exc:
            self.message.emit(str(exc))
            return None
        editor = self.view.editor(section_id)
        section = outcome.brief.section(section_id)
        if outcome.made and editor is not None and section is not None:
            editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            editor.editor.place_cursor(utf16_from_index(section.body, outcome.end))
            self.view.reveal(editor.editor)
        where = editor.heading() if editor else section_id
        self.message.emit(cite_message(outcome, snippets, where, mode))
        return outcome

    def target(self) -> tuple[SectionEditor, int] | None:
        """Where "Cite Selected Snippet" cites: the cursor of the section
        editor that has (or last had) the focus, else the end of the first."""
        section_id = self.view.focused_section() or self._last_section
        editor = self.view.editor(section_id) if section_id else None
        if editor is None:
            editor = self.view.first_editor()
            if editor is None:
                return None
            return editor, len(editor.text())
        text = editor.text()
        return editor, index_from_utf16(text, editor.editor.textCursor().position())

    def cite_selected(self, at: tuple[SectionEditor, int] | None = None) -> CiteOutcome | None:
        snippets = self._selected() if self._selected is not None else []
        if not snippets:
            self.message.emit(
                "Select a snippet in the library first, then press Ctrl+Shift+C"
                " (or drag it onto a section)."
            )
            return None
        target = at or self.target()
        if target is None:
            return None
        editor, index = target
        return self.cite(editor.section_id, list(snippets), index, self.mode)

    # -- the right-click menu ---------------------------------------------------

    def _menu_actions(self, editor: MarkdownEdit, index: int) -> list[QAction]:
        self._menu_place = (editor, index)
        actions: list[QAction] = []
        citation = citation_at(editor.toPlainText(), index)
        if citation is not None:
            self.act_menu_show_source.setText(f"Show Source of [@{citation.key}]")
            self.act_menu_show_source.setToolTip(
                "Where this citation comes from (also Ctrl+click on it, or Ctrl+Shift+I)"
            )
            actions.append(self.act_menu_show_source)
        if self._selected is not None:
            self.act_menu_cite_here.setEnabled(bool(self._selected()) and not editor.isReadOnly())
            actions.append(self.act_menu_cite_here)
        actions.append(self.mode_menu.menuAction())
        return actions

    def _menu_section(self) -> tuple[SectionEditor, int] | None:
        if self._menu_place is None:
            return None
        editor, index = self._menu_place
        for section in self.view.section_editors():
            if section.editor is editor:
                return section, index
        return None

    def _menu_show_source(self) -> None:
        place = self._menu_section()
        if place is not None:
            section, index = place
            citation = citation_at(section.text(), index)
            if citation is not None:
                self.show_citation(section.section_id, citation)

    def _menu_cite_here(self) -> None:
        place = self._menu_section()
        if place is not None:
            self.cite_selected(place)

    # -- provenance --------------------------------------------------------------

    def popup(self) -> ProvenancePopup:
        """The source popup (made when first needed)."""
        if self._popup is None:
            self._popup = ProvenancePopup(self.view)
            self._popup.show_in_library.connect(self._show_in_library)
            self._popup.edit_requested.connect(self.source_requested)
        return self._popup

    def show_source_at_cursor(self) -> bool:
        target = self.target()
        citation = target[0].editor.citation_at_cursor() if target else None
        if target is None or citation is None:
            self.message.emit("Put the cursor in a citation such as [@key] to see its source.")
            return False
        self.show_citation(target[0].section_id, citation)
        return True

    def show_citation(self, section_id: str, citation: Citation) -> ProvenancePopup | None:
        """Show where a citation comes from under it, and ask the library
        to show the snippet it was taken from."""
        section = self.view.editor(section_id)
        if section is None:
            return None
        brief = self.view.model.brief
        counts: dict[str, int] = {}
        for place in citation_places(brief).get(citation.key, []):
            counts[place] = counts.get(place, 0) + 1
        names = tuple(
            (editor.heading() if (editor := self.view.editor(sid)) else sid, n)
            for sid, n in counts.items()
        )
        facts = Provenance(citation.key, brief.sources.get(citation.key), names)
        rect = section.editor.citation_rect(citation)
        at = section.editor.viewport().mapToGlobal(rect.bottomLeft().toPoint() + QPoint(0, 4))
        popup = self.popup()
        popup.show_for(facts, at, library=self._show_snippet is not None)
        if facts.snippet_id:
            self._show_in_library(facts)
        return popup

    def _show_in_library(self, facts: Provenance) -> None:
        if self._show_snippet is not None and facts.source is not None:
            self._show_snippet(facts.snippet_id, facts.source)
