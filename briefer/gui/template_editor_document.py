"""The template the editor works on: its value, its undo history, its sample
and saving it.

`TemplateDocument` holds the current `Template` and a QUndoStack of
snapshots, as `BriefModel` does for briefs: each change pushes the value
before and after, keystrokes in one field close together in time merging
into one step. `SaveTemplate` is the save, run off the GUI thread; the
person's own template is rewritten atomically in its folder, a built-in
one becomes the person's own copy of the same id. `load_sample` reads the
sample brief the preview shows.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from briefer.briefs import load_brief
from briefer.errors import BrieferError
from briefer.model import Brief, Template
from briefer.paths import Paths
from briefer.template_store import TemplateDraft, UserTemplates
from briefer.templates import TemplateRegistry

BURST_SECONDS = 2.0  # keystrokes in one field closer than this are one undo step
_MERGING = 7  # QUndoCommand.id() of steps that may merge


class TemplateDocument(QObject):
    """The template being edited: its current value and a QUndoStack of
    snapshots. `changed(old, new)` follows every change, undo and redo
    included; "modified" is the stack not being at its clean index."""

    changed = Signal(object, object)
    modified_changed = Signal(bool)

    def __init__(
        self,
        template: Template,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._template = template
        self._clock = clock
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(500)
        self.stack.cleanChanged.connect(self._clean_changed)

    @property
    def template(self) -> Template:
        return self._template

    def is_modified(self) -> bool:
        return not self.stack.isClean()

    def apply(self, template: Template, label: str, place: str = "", merge: bool = False) -> None:
        """Make `template` current as one undo step; with `merge`, steps in
        the same `place` close together in time are one."""
        if template == self._template:
            return
        self.stack.push(_Step(self, self._template, template, label, place, merge))

    def mark_saved(self, template: Template) -> None:
        """`template` (as saved: its folder, its copied files) is current
        and clean; undo still goes back through the changes made."""
        old, self._template = self._template, template
        # Every value in the history now lives where the template was saved:
        # undoing past the save must not send the next save elsewhere.
        for index in range(self.stack.count()):
            step = self.stack.command(index)
            if isinstance(step, _Step):
                step.before = _moved(step.before, template)
                step.after = _moved(step.after, template)
                step.sealed = True
        last = self.stack.command(self.stack.index() - 1) if self.stack.index() > 0 else None
        if isinstance(last, _Step):
            last.after = template
        self.stack.setClean()
        if old != template:
            self.changed.emit(old, template)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _set(self, template: Template) -> None:
        old, self._template = self._template, template
        self.changed.emit(old, template)


def _moved(template: Template, saved: Template) -> Template:
    return dataclasses.replace(template, directory=saved.directory, builtin=saved.builtin)


class _Step(QUndoCommand):
    """One undo step: the template before and after."""

    def __init__(
        self,
        document: TemplateDocument,
        before: Template,
        after: Template,
        label: str,
        place: str,
        merge: bool,
    ) -> None:
        super().__init__(label)
        self.document = document
        self.before = before
        self.after = after
        self.place = place
        self.merge = merge
        self.sealed = not merge
        self.stamp = document._clock()

    def id(self) -> int:
        return _MERGING if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Step) or self.sealed or other.place != self.place:
            return False
        if other.stamp - self.stamp > BURST_SECONDS:
            return False
        self.after = other.after
        self.stamp = other.stamp
        self.setObsolete(self.after == self.before)
        return True

    def redo(self) -> None:
        self.document._set(self.after)

    def undo(self) -> None:
        self.document._set(self.before)


@dataclasses.dataclass(frozen=True)
class SaveTemplate:
    """Saving, off the GUI thread: the person's own template is rewritten
    in its folder; any other becomes their own copy of the same id."""

    template: Template
    sample: Brief | None
    paths: Paths

    def __call__(self) -> Template:
        store = UserTemplates(self.paths, TemplateRegistry(self.paths))
        if store.own(self.template.id) is not None:
            return store.update(self.template)
        copy = dataclasses.replace(self.template, builtin=False)
        return store.save(TemplateDraft(copy, self.sample)).template


def load_sample(template: Template) -> Brief | None:
    """The template's sample brief (a few KB), or None when it has none or
    it cannot be read (the preview then shows a stand-in)."""
    path = template.sample_path
    if path is None:
        return None
    try:
        return load_brief(path)
    except BrieferError:
        return None
