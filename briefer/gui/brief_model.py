"""The brief being edited: its current value, its saved value, and undo.

`BriefModel` holds the current `Brief` (a frozen value), the value last
saved, the template, and a QUndoStack of snapshots. Every change a person
makes is one call into `briefer.editing` that gives a new brief; the model
pushes it as an undo step and says what changed (`Change`), so views refresh
only the sections concerned. "Modified" is `brief != saved`: typing a word
and deleting it again leaves the brief unmodified.

Typing is merged into one undo step per burst in one place (a section or a
metadata field): keystrokes next to each other, less than `BURST_SECONDS`
apart. Ctrl+Z after editing two sections undoes the last burst wherever it
was and asks the view (`focus_requested`) to put the cursor there.

Word counts are kept per section and recounted only for the sections that
changed, paragraph by paragraph (`SectionWords`), so a keystroke in a
10,000-word section costs a fraction of a millisecond, not a full count.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from briefer.editing import (
    CiteMode,
    CiteOutcome,
    cite_snippets,
    remove_sources,
    set_body,
    set_meta,
    set_source_fields,
)
from briefer.library.model import Snippet
from briefer.model import Brief, Template
from briefer.text import utf16_from_index
from briefer.words import count_words, reading_minutes

BURST_SECONDS = 2.0  # a pause longer than this starts a new undo step
_TYPING = 1  # QUndoCommand.id() of mergeable typing


@dataclass(frozen=True)
class Place:
    """Where in the brief an edit happened: a section (by id), a
    metadata field (by name), or a field of a source (`source` is its key)."""

    section: str = ""
    field: str = ""
    source: str = ""

    @classmethod
    def of_section(cls, section_id: str) -> Place:
        return cls(section=section_id)

    @classmethod
    def of_field(cls, name: str) -> Place:
        return cls(field=name)

    @classmethod
    def of_source(cls, key: str, name: str = "") -> Place:
        return cls(field=name, source=key)


@dataclass(frozen=True)
class Change:
    """What one new brief value changed: the ids of sections whose text or
    heading changed, whether the metadata or the sources changed, and
    whether the sections themselves (which, in what order) or the template
    changed, in which case views rebuild."""

    sections: frozenset[str] = frozenset()
    meta: bool = False
    sources: bool = False
    structure: bool = False

    @classmethod
    def between(cls, old: Brief, new: Brief) -> Change:
        if old.template != new.template or [s.id for s in old.sections] != [
            s.id for s in new.sections
        ]:
            return cls(frozenset(s.id for s in new.sections), True, True, True)
        changed = frozenset(
            b.id for a, b in zip(old.sections, new.sections, strict=True) if a is not b and a != b
        )
        return cls(changed, old.meta != new.meta, old.sources != new.sources, False)

    @classmethod
    def everything(cls, brief: Brief) -> Change:
        return cls(frozenset(s.id for s in brief.sections), True, True, True)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Markdown that can run across a blank line: a fenced code block. With one
# in the text, paragraphs cannot be counted one by one.
_SPANS_PARAGRAPHS = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


class SectionWords:
    """Counts the words a reader sees in section text, paragraph by
    paragraph, remembering each paragraph's count. Counting a text that
    differs from the last one in one paragraph costs one paragraph's count;
    the result equals `briefer.words.count_words` on the whole text."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def count(self, text: str) -> int:
        if _SPANS_PARAGRAPHS.search(text):
            return count_words(text)
        known = self._known
        fresh: dict[str, int] = {}
        total = 0
        for paragraph in _PARAGRAPH_BREAK.split(text):
            words = known.get(paragraph)
            if words is None:
                words = count_words(paragraph)
            fresh[paragraph] = words
            total += words
        self._known = fresh  # only the paragraphs of the latest text
        return total


class BriefModel(QObject):
    """The current brief, its saved value, its template and its undo stack."""

    changed = Signal(object)  # Change
    modified_changed = Signal(bool)
    document_changed = Signal()  # another brief, file or template: views rebuild
    focus_requested = Signal(object, int)  # Place, cursor position (UTF-16) after undo/redo

    def __init__(
        self,
        brief: Brief,
        template: Template,
        *,
        path: Path | None = None,
        base_dir: Path | None = None,
        saved: Brief | None = None,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._stack = QUndoStack(self)
        self._stack.setUndoLimit(500)
        self._brief = brief
        self._template = template
        self._path = path
        self._base_dir = base_dir
        self._saved = saved
        self._pristine = brief
        self._name = name
        self._modified = self._compute_modified()
        self._counters: dict[str, SectionWords] = {}
        self._words: dict[str, int] = {}
        self._count_all()

    # -- what views read ------------------------------------------------------

    @property
    def brief(self) -> Brief:
        return self._brief

    @property
    def template(self) -> Template:
        return self._template

    @property
    def path(self) -> Path | None:
        """The `.brief` file this brief is saved in (None: never saved)."""
        return self._path

    @property
    def base_dir(self) -> Path | None:
        """The folder images are looked up in: the brief's (or its Markdown
        file's) folder; None for a brief that has no folder yet."""
        if self._path is not None:
            return self._path.parent
        return self._base_dir

    @property
    def saved(self) -> Brief | None:
        return self._saved

    @property
    def undo_stack(self) -> QUndoStack:
        return self._stack

    def is_modified(self) -> bool:
        return self._modified

    def display_name(self) -> str:
        """The name the title bar shows: the file's, else the name the brief
        came with (a Markdown file's), else "Untitled"."""
        if self._path is not None:
            return self._path.name
        return self._name or "Untitled"

    def words(self, section_id: str) -> int:
        return self._words.get(section_id, 0)

    def total_words(self) -> int:
        return sum(self._words.values())

    def reading_minutes(self) -> int:
        return reading_minutes(self.total_words())

    # -- edits ----------------------------------------------------------------

    def edit_body(
        self, section_id: str, body: str, *, start: int = -1, end: int = -1, typing: bool = True
    ) -> None:
        """Set a section's Markdown (raises `EditError` for an unknown
        section). `start` is where the change began and `end` where it ends
        in the new text (UTF-16, as the editor counts), for the cursor on
        undo and redo; `typing` merges it with the burst before it."""
        section = self._brief.section(section_id)
        if section is not None and section.body == body:
            return
        after = set_body(self._brief, section_id, body)
        self._push(after, "Typing", Place.of_section(section_id), start, end, typing)

    def edit_meta(self, field: str, value: str, *, typing: bool = True) -> None:
        """Set one metadata field (raises `EditError` for a value that cannot
        be stored, such as a date that is no date; the brief is unchanged)."""
        if field == "keywords":
            words = tuple(w.strip() for w in value.split(",") if w.strip())
            if words == self._brief.meta.keywords:
                return
            after = set_meta(self._brief, keywords=words)
        else:
            if getattr(self._brief.meta, field, None) == value:
                return
            after = set_meta(self._brief, **{field: value})
        if after == self._brief:
            return
        place = Place.of_field(field)
        self._push(after, f"Edit {field}", place, len(value), len(value), typing)

    def cite(
        self,
        section_id: str,
        snippets: list[Snippet],
        position: int | None,
        mode: CiteMode,
    ) -> CiteOutcome:
        """Cite `snippets` in a section at `position` (a Python index into
        its text; None: at the end) as one undo step, which puts back the
        brief exactly as it was, sources included. Raises `EditError` for
        an unknown section."""
        spec = self._template.section(section_id)
        outcome = cite_snippets(
            self._brief, section_id, snippets, position, mode, kind=spec.kind if spec else None
        )
        if outcome.made:
            old = self._brief.section(section_id)
            new = outcome.brief.section(section_id)
            assert old is not None and new is not None
            count = len(outcome.made)
            label = "Cite snippet" if count == 1 else f"Cite {count} snippets"
            start = utf16_from_index(old.body, outcome.start)
            end = utf16_from_index(new.body, outcome.end)
            self._push(outcome.brief, label, Place.of_section(section_id), start, end, False)
        return outcome

    def edit_source(self, key: str, field: str, value: str, *, typing: bool = True) -> None:
        """Set one field of source `key` (raises `EditError` for a value
        that cannot be stored; the brief is unchanged). Typing in one field
        is merged into one undo step, as in the metadata form."""
        after = set_source_fields(self._brief, key, **{field: value})
        if after == self._brief:
            return
        self._push(
            after, "Edit source", Place.of_source(key, field), len(value), len(value), typing
        )

    def remove_sources(self, keys: list[str]) -> None:
        """Remove sources no section cites, as one undo step (raises
        `EditError`, naming the places, when one is still cited)."""
        after = remove_sources(self._brief, keys)
        label = "Remove source" if len(keys) == 1 else f"Remove {len(keys)} sources"
        self.apply(after, label, Place.of_source(keys[0]) if keys else None)

    def apply(
        self, brief: Brief, label: str, place: Place | None = None, position: int = -1
    ) -> None:
        """Make `brief` (the result of a `briefer.editing` call) the current
        value, as one undo step of its own."""
        if brief == self._brief:
            return
        self._push(brief, label, place or Place(), position, position, False)

    def apply_template(self, brief: Brief, template: Template, label: str) -> None:
        """Make `brief`, reshaped for `template` (`briefer.editing.retemplate`),
        current together with `template`, as one undo step: undo puts back
        the brief and the template it had. Views rebuild."""
        if brief == self._brief and template == self._template:
            return
        before = (self._brief, self._template)
        self._stack.push(_TemplateSwitch(self, before, (brief, template), label))

    def _switch(self, brief: Brief, template: Template) -> None:
        self._template = template
        self._brief = brief
        self._count_all()
        self.changed.emit(Change.everything(brief))
        self._update_modified()

    def revert_to(self, saved: Brief) -> None:
        """Go back to `saved`, the brief as its file holds it, as one undo
        step (Undo brings the changes back)."""
        self._saved = saved
        if saved == self._brief:
            self._update_modified()
            return
        self._push(saved, "Revert", Place(), -1, -1, False)

    def undo(self) -> None:
        self._stack.undo()

    def redo(self) -> None:
        self._stack.redo()

    def break_burst(self) -> None:
        """End the current typing burst: the next keystroke starts a new
        undo step (after a formatting command, say)."""
        command = self._last_command()
        if command is not None:
            command.sealed = True

    # -- files ----------------------------------------------------------------

    def load(
        self,
        brief: Brief,
        template: Template,
        *,
        path: Path | None,
        base_dir: Path | None = None,
        saved: Brief | None = None,
        name: str = "",
    ) -> None:
        """Edit another brief: the undo history starts afresh."""
        self._stack.clear()
        self._brief = brief
        self._template = template
        self._path = path
        self._base_dir = base_dir
        self._saved = saved
        self._pristine = brief
        self._name = name
        self._counters.clear()
        self._count_all()
        self.document_changed.emit()
        self._update_modified()

    def mark_saved(self, path: Path) -> None:
        """The current brief was written to `path`."""
        self._saved = self._brief
        moved = path != self._path
        self._path = path
        self._stack.setClean()
        if moved:
            self.document_changed.emit()
        self._update_modified()

    # -- inside ---------------------------------------------------------------

    def _push(
        self, after: Brief, label: str, place: Place, start: int, end: int, typing: bool
    ) -> None:
        command = _Snapshot(self, self._brief, after, label, place, start, end, typing)
        self._stack.push(command)

    def _last_command(self) -> _Snapshot | None:
        index = self._stack.index()
        if index <= 0:
            return None
        command = self._stack.command(index - 1)
        return command if isinstance(command, _Snapshot) else None

    def _set(self, brief: Brief, focus: tuple[Place, int] | None = None) -> None:
        change = Change.between(self._brief, brief)
        self._brief = brief
        if change.structure:
            self._count_all()
        else:
            for section_id in change.sections:
                self._count(section_id)
        self.changed.emit(change)
        self._update_modified()
        if focus is not None:
            self.focus_requested.emit(*focus)

    def _count_all(self) -> None:
        self._words = {}
        for section in self._brief.sections:
            self._count(section.id)

    def _count(self, section_id: str) -> None:
        section = self._brief.section(section_id)
        if section is None:
            self._words.pop(section_id, None)
            return
        counter = self._counters.setdefault(section_id, SectionWords())
        self._words[section_id] = counter.count(section.body)

    def _compute_modified(self) -> bool:
        if self._saved is not None:
            return self._brief != self._saved
        # Never saved: a brief that came from elsewhere (a Markdown file) is
        # unsaved work from the start; a new one once it differs from new.
        return bool(self._name) or self._brief != self._pristine

    def _update_modified(self) -> None:
        modified = self._compute_modified()
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)


class _Snapshot(QUndoCommand):
    """One undo step: the brief before and after, and where it happened."""

    def __init__(
        self,
        model: BriefModel,
        before: Brief,
        after: Brief,
        label: str,
        place: Place,
        start: int,
        end: int,
        typing: bool,
    ) -> None:
        super().__init__(label)
        self.model = model
        self.before = before
        self.after = after
        self.place = place
        self.start = start  # where the change began (cursor on undo)
        self.end = end  # where it ends in the new text (cursor on redo)
        self.typing = typing
        self.sealed = not typing
        self.stamp = model._clock()
        self._pushed = False

    def id(self) -> int:
        return _TYPING if self.typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Snapshot) or self.sealed or other.place != self.place:
            return False
        if other.stamp - self.stamp > BURST_SECONDS:
            return False
        if self.end >= 0 and other.start >= 0 and abs(other.start - self.end) > 1:
            return False  # the cursor moved elsewhere: a new step
        self.after = other.after
        self.end = other.end
        self.stamp = other.stamp
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # the editor already shows it
            self.model._set(self.after)
        else:
            self.model._set(self.after, (self.place, self.end))

    def undo(self) -> None:
        self.model._set(self.before, (self.place, self.start))


class _TemplateSwitch(QUndoCommand):
    """One undo step that changes the template as well as the brief."""

    def __init__(
        self,
        model: BriefModel,
        before: tuple[Brief, Template],
        after: tuple[Brief, Template],
        label: str,
    ) -> None:
        super().__init__(label)
        self.model = model
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.model._switch(*self.after)

    def undo(self) -> None:
        self.model._switch(*self.before)
