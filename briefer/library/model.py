"""The snippet library's records: what `Library` takes and gives back.

Plain frozen dataclasses, no database handles: a `Snippet` with its `Source`,
a search `Hit` with its highlighted `Fragment`, and the `ImportReport` a file
import produces. `Snippet.to_brief_source()` turns a snippet into the
`briefer.model.Source` a brief stores, so a brief stays self-contained.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefer.errors import BrieferError
from briefer.model import Source as BriefSource


class LibraryError(BrieferError):
    """A library problem the user can act on (unknown id, newer database, busy)."""


class EditConflict(LibraryError):
    """An edit refused because someone changed the snippet since it was read
    (`Library.update(..., expected_version=...)`): nothing was saved. The
    message names who changed it and when; reload the snippet and edit again."""

    def __init__(self, snippet_id: int, version: int, modified_by: str, modified: str) -> None:
        self.snippet_id = snippet_id
        self.version = version
        self.modified_by = modified_by
        self.modified = modified
        who = modified_by or "another user"
        when = modified.replace("T", " ")[:19] + " UTC" if modified else "a moment ago"
        super().__init__(
            f"snippet {snippet_id} was changed by {who} at {when} since you read it;"
            " nothing was saved: reload it and edit again"
        )


@dataclass(frozen=True)
class Source:
    """Where a snippet came from. Dates are ISO 8601 (`YYYY[-MM[-DD]]`) or empty."""

    title: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    accessed: str = ""


@dataclass(frozen=True)
class Snippet:
    """A quoted passage and its source. `created`/`modified`/`deleted` are UTC
    ISO 8601 timestamps (`2026-11-23T07:40:00Z`); `deleted` is set while the
    snippet is in the trash. `version` grows by one with every change (an
    edit, a tag, the trash), and `modified_by` names who made the last one,
    so an edit can be refused when someone else changed the snippet first."""

    id: int
    text: str
    source: Source = field(default_factory=Source)
    note: str = ""
    tags: tuple[str, ...] = ()
    collection: str = ""
    created: str = ""
    modified: str = ""
    deleted: str = ""
    version: int = 1
    modified_by: str = ""

    @property
    def in_trash(self) -> bool:
        return bool(self.deleted)

    def to_brief_source(self) -> BriefSource:
        """The source entry a brief copies when this snippet is quoted."""
        return BriefSource(
            title=self.source.title,
            publisher=self.source.publisher,
            author=self.source.author,
            url=self.source.url,
            published=self.source.published,
            accessed=self.source.accessed,
            quote=self.text,
            snippet_id=str(self.id),
        )


@dataclass(frozen=True)
class AddResult:
    """What `Library.add` did: `duplicate` is true when `snippet` already existed
    (same normalised text from the same source) and nothing new was stored."""

    snippet: Snippet
    duplicate: bool


@dataclass(frozen=True)
class Fragment:
    """The part of a hit that matched, as plain text plus highlight spans.

    `text` is never markup: it is the snippet's own characters (with `…` where
    it was cut). `highlights` are `(start, end)` offsets into `text`, in code
    points, sorted and not overlapping. `field` names where the fragment comes
    from: "text", "note", "title", "publisher", "author" or "tags".
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    field: str = "text"

    def marked(self, open_mark: str = "[", close_mark: str = "]") -> str:
        """The fragment with each highlight wrapped in the given markers."""
        parts: list[str] = []
        pos = 0
        for start, end in self.highlights:
            parts += [self.text[pos:start], open_mark, self.text[start:end], close_mark]
            pos = end
        parts.append(self.text[pos:])
        return "".join(parts)

    def highlighted(self) -> Iterator[tuple[str, bool]]:
        """The fragment cut into `(text, is_highlight)` runs, for a renderer."""
        pos = 0
        for start, end in self.highlights:
            if start > pos:
                yield self.text[pos:start], False
            yield self.text[start:end], True
            pos = end
        if pos < len(self.text):
            yield self.text[pos:], False


@dataclass(frozen=True)
class Hit:
    """One search result: the snippet, its relevance (higher is better) and the
    fragment to show."""

    snippet: Snippet
    score: float
    fragment: Fragment


@dataclass(frozen=True)
class Rejection:
    """A record an import could not take, with its 1-based line (for a
    citation file's JSON array, the item's number) and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """The outcome of importing one file: counts of rows, or, when the file as
    a whole could not be used (missing, a folder, unreadable, not UTF-8, an
    unknown type, no text in it), `error` saying why and nothing imported."""

    path: Path
    format: str = ""
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error: str = ""

    @property
    def failed(self) -> bool:
        """True when the file as a whole could not be read (nothing imported)."""
        return bool(self.error)

    def summary(self) -> str:
        if self.error:
            return f"{self.path}: {self.error}"
        return (
            f"{self.path}: {self.added} added, {self.duplicates} duplicates, "
            f"{len(self.rejected)} rejected"
        )


@dataclass(frozen=True)
class Record:
    """One snippet read from a file, before it is stored. `line` is where it
    starts in the file (1-based), for error reports."""

    text: str
    source: Source = field(default_factory=Source)
    note: str = ""
    tags: tuple[str, ...] = ()
    collection: str = ""
    line: int = 0
