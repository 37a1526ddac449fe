"""What the two library engines share beyond the query parser and the normalisers.

The local library (`store.Library`, SQLite) and the team library
(`pg_store.PostgresLibrary`, PostgreSQL) store the same records and answer
the same calls; everything here is engine-free, so both clean a source,
plan an edit, refuse a stale edit and turn ranked ids into hits the same
way: `clean_source`, `plan_update` and `tag_changes`, `require_version`,
`ranked_hits` and `unranked_hits`, `snippet_to_json`, `modifier`.
"""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from briefer.library import fragments, normalize
from briefer.library.model import EditConflict, Hit, LibraryError, Snippet, Source
from briefer.library.query import Query

# A keyword argument of `update` that was not given (None is a value for some).
UNSET: Any = object()
# Both engines' ids and row counts are 64-bit integers: an id beyond them
# names no snippet, and a limit beyond them means no limit.
INT_MAX = 2**63 - 1
NO_TEXT = "a snippet needs some text"
SAME_TEXT = "another snippet from the same source already has this text"


def count_limit(value: int) -> int:
    """A row limit or offset the database can take: capped at its largest integer."""
    return min(value, INT_MAX)


def check_id(snippet_id: int) -> None:
    """An id no snippet can have is an unknown snippet, not an overflow."""
    if not -INT_MAX <= snippet_id <= INT_MAX:
        raise unknown(snippet_id)


def unknown(snippet_id: int) -> LibraryError:
    return LibraryError(f"no snippet with id {snippet_id}")


def modifier() -> str:
    """Who is making a change, as a person reads it: the login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or passwd
        return ""


def clean_source(source: Source | None) -> Source:
    """A source as stored: one-line fields, a trimmed URL, ISO dates. A
    date that is no date is a `LibraryError` naming the field and value."""
    if source is None:
        return Source()
    dates: dict[str, str] = {}
    for name in ("published", "accessed"):
        try:
            dates[name] = normalize.parse_date(getattr(source, name))
        except ValueError as exc:
            raise LibraryError(f"{name}: {exc}") from None
    return Source(
        title=normalize.one_line(normalize.clean(source.title)),
        publisher=normalize.one_line(normalize.clean(source.publisher)),
        author=normalize.one_line(normalize.clean(source.author)),
        url=normalize.clean(source.url).strip(),
        published=dates["published"],
        accessed=dates["accessed"],
    )


@dataclass(frozen=True)
class Update:
    """An edit of one snippet, cleaned: each field is None when not changed.
    `text_key` comes with a new `text`; `seg` (the segmented CJK and emoji
    of text and note) with a new text or note; `text` and `note` then hold
    the snippet's full new values."""

    text: str | None = None
    note: str | None = None
    text_key: bytes | None = None
    seg: str | None = None
    source: Source | None = None
    collection: str | None = None
    tags: tuple[str, ...] | None = None

    @property
    def columns(self) -> bool:
        """True when a column of the snippet's own row changes (not only tags)."""
        return any(
            value is not None for value in (self.text, self.note, self.source, self.collection)
        )


def plan_update(
    current: Snippet,
    *,
    text: str = UNSET,
    note: str = UNSET,
    source: Source = UNSET,
    tags: Iterable[str] = UNSET,
    collection: str = UNSET,
) -> Update:
    """What `update` writes for the given fields of `current` (raises a
    `LibraryError` for an edit that would leave no text)."""
    new_text = current.text if text is UNSET else normalize.clean(text)
    new_note = current.note if note is UNSET else normalize.clean(note)
    if not normalize.one_line(new_text):
        raise LibraryError(NO_TEXT)
    words_changed = text is not UNSET or note is not UNSET
    return Update(
        text=new_text if text is not UNSET else None,
        note=new_note if note is not UNSET else None,
        text_key=normalize.text_key(new_text) if text is not UNSET else None,
        seg=normalize.segment(new_text, new_note) if words_changed else None,
        source=None if source is UNSET else source,
        collection=None if collection is UNSET else collection,
        tags=None if tags is UNSET else normalize.split_tags(list(tags)),
    )


def tag_changes(have: Sequence[str], wanted: Sequence[str]) -> tuple[list[str], list[str]]:
    """The tags to take off (as stored) and to put on, ignoring case."""
    have_by = {t.casefold(): t for t in have}
    wanted_by = {t.casefold(): t for t in wanted}
    remove = [have_by[k] for k in have_by.keys() - wanted_by.keys()]
    add = [wanted_by[k] for k in wanted_by.keys() - have_by.keys()]
    return sorted(remove), sorted(add)


def require_version(current: Snippet, expected: int | None) -> None:
    """Refuse an edit of a snippet someone changed since it was read."""
    if expected is not None and current.version != expected:
        raise EditConflict(current.id, current.version, current.modified_by, current.modified)


def with_tags(parsed: Query, tags: Iterable[str]) -> Query:
    """A parsed query with the caller's `tags=` filter added to its `tag:`s."""
    extra = tuple(tags)
    return dataclasses.replace(parsed, tags=parsed.tags + extra) if extra else parsed


def fragment_fields(snippet: Snippet) -> list[tuple[str, str]]:
    """Where a fragment may come from, in order of preference."""
    return [
        ("text", snippet.text),
        ("note", snippet.note),
        ("title", snippet.source.title),
        ("publisher", snippet.source.publisher),
        ("author", snippet.source.author),
        ("tags", " ".join(snippet.tags)),
    ]


def ranked_hits(
    found: Mapping[int, Snippet], scored: Sequence[tuple[int, float]], parsed: Query
) -> list[Hit]:
    """Hits for `(id, score)` pairs, best first, each with the fragment
    where the query's words are densest."""
    matcher = fragments.matcher(parsed)  # once per search, not once per hit
    return [
        Hit(found[i], score, fragments.build(fragment_fields(found[i]), matcher))
        for i, score in scored
        if i in found
    ]


def unranked_hits(found: Mapping[int, Snippet], ids: Sequence[int]) -> list[Hit]:
    """Hits of a search with no words to rank by: each snippet's start."""
    return [Hit(found[i], 0.0, fragments.lead(found[i].text)) for i in ids if i in found]


def snippet_to_json(snippet: Snippet) -> dict[str, Any]:
    """A snippet as the flat JSON object `export` writes and `import` reads."""
    return {
        "id": snippet.id,
        "text": snippet.text,
        "note": snippet.note,
        "title": snippet.source.title,
        "publisher": snippet.source.publisher,
        "author": snippet.source.author,
        "url": snippet.source.url,
        "published": snippet.source.published,
        "accessed": snippet.source.accessed,
        "tags": list(snippet.tags),
        "collection": snippet.collection,
        "created": snippet.created,
        "modified": snippet.modified,
    }
