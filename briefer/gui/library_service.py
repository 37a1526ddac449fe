"""The snippet library off the GUI thread: one worker thread, its own Library.

`LibraryService` runs every library call the window makes (searches, pages
of results, the tag and collection lists, saves, moves to and from the
trash) on a thread of its own. That thread opens its own `Library` through
the window's `open_library` factory, since a `Library` belongs to the
thread that opened it. Calls run in the order they were made, so a save is
done before the search that follows it. A call made with `latest=KEY`
replaces any call with that key still waiting (newest wins), and the result
of one overtaken by a newer call with its key is dropped, never shown.
Results come back on the GUI thread, as a call of the `done` (or `failed`)
function given, through a queued signal.

The work itself is plain functions of a `Library` (`fetch_page`,
`load_filters`, `save_snippet`, ...), which return plain records
(`Page`, `Filters`): nothing here holds a snippet's logic, the library does.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from briefer.errors import BrieferError, environment_error
from briefer.library import (
    Fragment,
    Library,
    LibraryError,
    NameCount,
    Snippet,
    Source,
    fragments,
    normalize,
)
from briefer.library.common import fragment_fields
from briefer.library.query import Query, parse_query

# A window's library calls are short; one still running when the window
# closes is left to finish on its daemon thread.
SHUTDOWN_WAIT_S = 2.0
# A search with words is ranked by the library among its newest 3,000
# matches ("best of the newest"); asking for more would rank a different
# set, and later pages would not follow earlier ones. So such a list ends
# there; the panel says so and a narrower search finds the rest.
RANKED_LIMIT = 3000
# Pages of a ranked search are re-asked from the top (the library has no
# offset for ranked searches), so they double in size: scrolling to row N
# costs about 2N hits built in all, not N²/page.
FIRST_PAGE = 40  # rows: a tall screen's worth
PAGE = 200


OpenLibrary = Callable[[], Library]
BugReporter = Callable[[BaseException], str]


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    """What the panel shows: the search box's text and the filters."""

    query: str = ""
    tag: str = ""
    collection: str = ""
    trash: bool = False


@dataclass(frozen=True)
class ResultRow:
    """One row of results: the snippet, the fragment to show (its start or
    the words around the match, with highlights) and its source line."""

    snippet: Snippet
    fragment: Fragment
    source_line: str  # "Reuters · 2026-11-20"
    tags_line: str  # "#cyber #eu"


@dataclass(frozen=True)
class Page:
    """Rows `offset ..` of a request's results; `more`: later rows exist.
    `total` is how many results there are in all, when known (the whole
    library, a tag, the trash); `capped`: the list ends at RANKED_LIMIT."""

    request: SearchRequest
    offset: int
    rows: tuple[ResultRow, ...]
    more: bool
    total: int | None = None
    capped: bool = False


@dataclass(frozen=True)
class Filters:
    """What the filter menus offer, with live snippet counts. Collections
    include their parents (`Projects` for `Projects/Baltic`), whose count
    covers everything under them, as the collection filter does."""

    tags: tuple[NameCount, ...] = ()
    collections: tuple[NameCount, ...] = ()
    total: int = 0
    in_trash: int = 0


@dataclass(frozen=True)
class SnippetEdit:
    """The detail view's fields, as the person left them."""

    text: str
    note: str
    source: Source
    tags: tuple[str, ...]
    collection: str

    @classmethod
    def of(cls, snippet: Snippet) -> SnippetEdit:
        return cls(snippet.text, snippet.note, snippet.source, snippet.tags, snippet.collection)

    def changes(self, snippet: Snippet) -> dict[str, Any]:
        """The fields that differ from `snippet`, as `Library.update` takes them."""
        changed: dict[str, Any] = {}
        if self.text != snippet.text:
            changed["text"] = self.text
        if self.note != snippet.note:
            changed["note"] = self.note
        if self.source != snippet.source:
            changed["source"] = self.source
        if [t.casefold() for t in self.tags] != [t.casefold() for t in snippet.tags]:
            changed["tags"] = list(self.tags)
        if self.collection != snippet.collection:
            changed["collection"] = self.collection
        return changed


@dataclass(frozen=True)
class Saved:
    """A save's outcome: the snippet as the library holds it now, whether
    anything changed, and, when the library refused the edit (a date that
    is no date, someone else's change since it was read), why."""

    snippet: Snippet
    changed: bool
    problem: str = ""


# --------------------------------------------------------------------------
# The work, as functions of a Library (run on the worker thread)
# --------------------------------------------------------------------------


def source_line(snippet: Snippet) -> str:
    """Who published a snippet and when, as one short line."""
    source = snippet.source
    who = (
        source.publisher
        or normalize.site_of(source.url)
        or source.author
        or source.title
        or "No source"
    )
    when = source.published or snippet.created[:10]
    return f"{who} · {when}" if when else who


def tags_line(snippet: Snippet) -> str:
    return " ".join(f"#{tag}" for tag in snippet.tags)


def result_row(snippet: Snippet, fragment: Fragment | None = None) -> ResultRow:
    """A row shows the snippet's own words: the match in its text, or, when
    the match is in the source or the tags (shown on the row's second
    line), the text's start."""
    if fragment is None or fragment.field != "text":
        fragment = fragments.lead(snippet.text)
    return ResultRow(snippet, fragment, source_line(snippet), tags_line(snippet))


def page_size(offset: int) -> int:
    """How many rows to ask for at `offset`: doubling, from FIRST_PAGE."""
    return FIRST_PAGE if offset == 0 else max(PAGE, offset)


def _is_listing(parsed: Query) -> bool:
    """A query the library can list page by page (`Library.list`): nothing
    to rank and no filter `list` lacks."""
    return not (
        parsed.include
        or parsed.exclude
        or parsed.exclude_tags
        or parsed.sources
        or parsed.exclude_sources
        or parsed.before
        or parsed.after
    )


def fetch_page(lib: Library, request: SearchRequest, offset: int, limit: int) -> Page:
    """Rows `offset .. offset + limit` of what `request` shows."""
    if request.trash:
        return _trash_page(lib, request, offset, limit)
    parsed = parse_query(request.query)
    tags = tuple(t for t in (request.tag,) if t)
    if _is_listing(parsed):
        # Newest first, with a real offset: every snippet can be scrolled to.
        snippets = lib.list(
            tags=tags + parsed.tags,
            collection=request.collection,
            limit=limit + 1,
            offset=offset,
        )
        rows = tuple(result_row(s) for s in snippets[:limit])
        return Page(request, offset, rows, more=len(snippets) > limit)
    want = min(offset + limit + 1, RANKED_LIMIT)
    hits = lib.search(request.query, limit=want, tags=tags, collection=request.collection)
    rows = tuple(result_row(h.snippet, h.fragment) for h in hits[offset : offset + limit])
    end = offset + len(rows)
    capped = len(hits) >= RANKED_LIMIT and end >= RANKED_LIMIT
    return Page(request, offset, rows, more=len(hits) > end and not capped, capped=capped)


def count_results(lib: Library, request: SearchRequest) -> tuple[SearchRequest, int]:
    """How many snippets `request` finds in all (not the trash: its pages
    count themselves), for the count line: `(request, count)`."""
    tags = tuple(t for t in (request.tag,) if t)
    return request, lib.count_matches(request.query, tags=tags, collection=request.collection)


def _trash_page(lib: Library, request: SearchRequest, offset: int, limit: int) -> Page:
    """The trash, newest first, filtered by the tag and collection chosen and
    by the words of the query (every word in the text, note, source or tags;
    the trash is small, so this is done here rather than in the index)."""
    parsed = parse_query(request.query)
    tags = tuple(t for t in (request.tag,) if t) + parsed.tags
    trashed = lib.list(tags=tags, collection=request.collection, trash=True, limit=None)
    terms = [fragments.matcher(Query(include=(term,))) for term in parsed.include]
    everything = fragments.matcher(parsed)
    rows: list[ResultRow] = []
    for snippet in trashed:
        fields = fragment_fields(snippet)
        if all(fragments.build(fields, term).highlights for term in terms):
            rows.append(result_row(snippet, fragments.build(fields, everything)))
    chosen = rows[offset : offset + limit]
    return Page(request, offset, tuple(chosen), more=offset + limit < len(rows), total=len(rows))


def load_filters(lib: Library) -> Filters:
    """The tags and collections (parents included) with their counts."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for item in lib.collections():
        parts = item.name.split("/")
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            folded = name.casefold()
            names.setdefault(folded, name)
            counts[folded] = counts.get(folded, 0) + item.count
    collections_ = tuple(
        NameCount(names[k], counts[k]) for k in sorted(names, key=lambda k: names[k].casefold())
    )
    return Filters(
        tags=tuple(lib.tags()),
        collections=collections_,
        total=lib.count(),
        in_trash=lib.count(trash=True),
    )


def save_snippet(lib: Library, snippet: Snippet, edit: SnippetEdit) -> Saved:
    """Store the fields the person changed in `snippet` (as it was read).
    A refusal is an answer, not an error: the snippet as the library holds
    it comes back with the reason, so the person keeps their edits and can
    save them again over it."""
    changes = edit.changes(snippet)
    if not changes:
        return Saved(lib.get(snippet.id), changed=False)
    source = changes.pop("source", None)
    # A library shared with others refuses an edit of a snippet someone
    # changed since it was read (the version it had then).
    version = getattr(snippet, "version", None)
    try:
        stored = snippet
        if source is not None:
            # The person corrects the source's description, not just picks one.
            stored = lib.describe_source(snippet.id, source, expected_version=version)
            version = getattr(stored, "version", None)
        if changes:
            if version is not None:
                changes["expected_version"] = version
            stored = lib.update(snippet.id, **changes)
    except LibraryError as exc:
        return Saved(lib.get(snippet.id), changed=stored is not snippet, problem=str(exc))
    return Saved(stored, changed=True)


def move_to_trash(lib: Library, ids: Iterable[int]) -> list[Snippet]:
    return [lib.delete(i) for i in ids]


def restore(lib: Library, ids: Iterable[int]) -> list[Snippet]:
    return [lib.restore(i) for i in ids]


def get_snippet(lib: Library, snippet_id: int) -> Snippet | None:
    """The snippet with this id, or None when the library has none."""
    try:
        return lib.get(snippet_id)
    except LibraryError:
        return None


# --------------------------------------------------------------------------
# The worker thread
# --------------------------------------------------------------------------


def _REOPEN(_library: Library) -> None:
    """The marker of a `reopen` call (never run)."""


@dataclass
class _Job:
    ticket: int
    work: Callable[[Library], object]
    latest: str = ""


@dataclass
class _Callbacks:
    done: Callable[[Any], None] | None
    failed: Callable[[str], None] | None
    latest: str = ""


@dataclass
class _Queue:
    jobs: collections.deque[_Job] = field(default_factory=collections.deque)
    stopping: bool = False


class LibraryService(QObject):
    """The window's library calls, run in order on one worker thread."""

    # ticket, whether it succeeded, the result (or the message)
    _finished = Signal(int, bool, object)
    # The library could not be opened (the message says why and names it).
    unavailable = Signal(str)
    # The library opened (again): the panel may clear an earlier message.
    available = Signal()

    def __init__(
        self,
        open_library: OpenLibrary,
        *,
        report_bug: BugReporter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_library = open_library
        self._report_bug = report_bug
        self._queue = _Queue()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._callbacks: dict[int, _Callbacks] = {}
        self._latest: dict[str, int] = {}  # key -> newest ticket (GUI thread only)
        self._last_open_error = ""  # written and read on the worker thread
        self._next_ticket = 0
        self._closed = False
        self._finished.connect(self._deliver)

    # -- GUI thread ------------------------------------------------------

    def submit(
        self,
        work: Callable[[Library], object],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[str], None] | None = None,
        *,
        latest: str = "",
    ) -> int:
        """Run `work(library)` on the worker; `done(result)` or
        `failed(message)` follows on the GUI thread. With `latest`, a call
        with the same key still waiting is dropped, and so is the result of
        any but the newest. Returns the call's ticket."""
        if self._closed:
            return -1
        self._next_ticket += 1
        ticket = self._next_ticket
        self._callbacks[ticket] = _Callbacks(done, failed, latest)
        if latest:
            self._latest[latest] = ticket
        with self._cond:
            if latest:
                stale = [j for j in self._queue.jobs if j.latest == latest]
                for job in stale:
                    self._queue.jobs.remove(job)
                    self._callbacks.pop(job.ticket, None)
            self._queue.jobs.append(_Job(ticket, work, latest))
            self._cond.notify()
        self._start()
        return ticket

    def drop(self, latest: str) -> None:
        """Forget the calls with this key: waiting ones are not run, and the
        answer of one running is not delivered."""
        self._next_ticket += 1
        self._latest[latest] = self._next_ticket  # a ticket no call has
        with self._cond:
            stale = [j for j in self._queue.jobs if j.latest == latest]
            for job in stale:
                self._queue.jobs.remove(job)
                self._callbacks.pop(job.ticket, None)

    def is_pending(self, latest: str) -> bool:
        """Whether the newest call with this key has not answered yet."""
        ticket = self._latest.get(latest)
        return ticket is not None and ticket in self._callbacks

    def reopen(self) -> None:
        """Close the library after the calls made so far, so the next call
        opens it again through the factory (which may now name another)."""
        self.submit(_REOPEN)

    def shutdown(self, wait: float = SHUTDOWN_WAIT_S) -> None:
        """Finish the waiting writes (a save asked for as the window closes),
        drop the waiting reads (`latest` calls), close the library. Nothing
        is delivered any more. Waits at most `wait` seconds."""
        if self._closed:
            return
        self._closed = True
        self._callbacks.clear()
        with self._cond:
            reads = [j for j in self._queue.jobs if j.latest]
            for job in reads:
                self._queue.jobs.remove(job)
            self._queue.stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(wait)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="briefer-library", daemon=True)
            self._thread.start()

    def _deliver(self, ticket: int, ok: bool, result: object) -> None:
        callbacks = self._callbacks.pop(ticket, None)
        if callbacks is None:
            return  # dropped: overtaken, or the service closed
        if callbacks.latest and self._latest.get(callbacks.latest) != ticket:
            return  # a newer call with this key was made meanwhile
        if ok:
            if callbacks.done is not None:
                callbacks.done(result)
        elif callbacks.failed is not None:
            callbacks.failed(str(result))

    # -- worker thread ---------------------------------------------------

    def _run(self) -> None:
        library: Library | None = None
        try:
            while True:
                with self._cond:
                    while not self._queue.jobs and not self._queue.stopping:
                        self._cond.wait()
                    if not self._queue.jobs:
                        return  # stopping, and every write done
                    job = self._queue.jobs.popleft()
                if job.work is _REOPEN:
                    if library is not None:
                        with contextlib.suppress(Exception):
                            library.close()
                    library = None
                    self._emit(job.ticket, True, None)
                    continue
                if library is None:
                    library = self._open()
                    if library is None:
                        self._emit(job.ticket, False, self._last_open_error)
                        continue
                self._emit(job.ticket, *self._do(job, library))
        finally:
            if library is not None:
                with contextlib.suppress(Exception):
                    library.close()

    def _open(self) -> Library | None:
        try:
            library = self._open_library()
        except Exception as exc:
            self._last_open_error = self._message(exc)
            with contextlib.suppress(RuntimeError):
                self.unavailable.emit(self._last_open_error)
            return None
        with contextlib.suppress(RuntimeError):
            self.available.emit()
        return library

    def _do(self, job: _Job, library: Library) -> tuple[bool, object]:
        try:
            return True, job.work(library)
        except Exception as exc:
            return False, self._message(exc)

    def _message(self, exc: Exception) -> str:
        if isinstance(exc, BrieferError):
            return str(exc)
        problem = environment_error(exc)
        if problem is not None:
            return str(problem)
        where = self._report_bug(exc) if self._report_bug is not None else ""
        return f"Briefer hit a bug in the library ({type(exc).__name__}: {exc}). {where}".strip()

    def _emit(self, ticket: int, ok: bool, result: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            self._finished.emit(ticket, ok, result)
