"""`PostgresLibrary`: the team library, the same calls as `Library` on PostgreSQL.

Opened with `PostgresLibrary.open("postgresql://USER@HOST:PORT/DB")` (or,
for a path or a URL alike, `briefer.library.open_library`). It answers every
call of the local `Library` with the same records and the same errors; what
differs is said here:

- Any thread may use it: each call takes a connection from the library's
  pool (`psycopg_pool`) for one transaction and gives it back.
- Many writers: each call is one transaction. Two writers adding the same
  source, tag or snippet at once both succeed (`ON CONFLICT`), one of them
  as a duplicate. A transaction the server aborts for a deadlock or a
  serialization failure is run again, for up to `busy_timeout` seconds; a
  write still waiting for another's row lock after that fails with the
  library's "busy" message.
- A dropped connection (the server restarted, a network blip, an
  administrator ending the session) is retried once on a fresh connection;
  a second failure, or a drop while a change was being committed (it may or
  may not be saved), is one line naming the library.
- Edits: `update(..., expected_version=snippet.version)` is refused with an
  `EditConflict` naming who changed the snippet and when, if anyone did
  since it was read. `version`, `modified`, `modified_by` and `created` are
  set by the database (its clock, its role and the login name Briefer
  gives), so they agree across the desk's machines.
- A role that may only read gets one line on any write; search, list,
  show, export and cite work.
- Every value is sent as a query parameter; the only SQL text built here
  comes from constants.

Search writes the parsed query (`query.parse_query`, shared with the local
library) as a `tsquery` (`pg_search`) against the search index (the
`snippet_search` table the database keeps in step, see `pg_schema`), its
`tag:` filters as keys of the same index, takes the newest
`store.CANDIDATES` matches, window by window of ids newest first so a
common word does not read every snippet it is in, ranks them with `ts_rank`
("best of the newest", as the local library does with bm25), and builds
the fragments in Python exactly as the local library does (`common`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from briefer import jobs
from briefer.fsutil import atomic_write
from briefer.jobs import ProgressCallback
from briefer.library import common, normalize, pg_connect, pg_schema, pg_search
from briefer.library.common import UNSET
from briefer.library.model import (
    AddResult,
    Hit,
    ImportReport,
    LibraryError,
    Record,
    Rejection,
    Snippet,
    Source,
)
from briefer.library.pg_connect import Location, PasswordPrompt
from briefer.library.pg_schema import TEAM_SCHEMA_VERSION
from briefer.library.query import Query, parse_query
from briefer.library.schema import BUSY_MESSAGE, WRITE_PATIENCE_S
from briefer.library.store import CANDIDATES, STEPS, NameCount

T = TypeVar("T")
# Rows per statement in an import (a progress report and a cancel point each).
CHUNK = 2000
# Storing is this share of an import's STEPS; linking tags the rest.
STORE_END = 950
# Between a snippet's tag names in one array element (never in a tag:
# `normalize.clean` drops control characters).
_NAMES_SEPARATOR = "\x1f"

_SELECT = """
    SELECT s.id, s.text, s.note, s.created, s.modified, s.deleted,
           src.title, src.publisher, src.author, src.url, src.published, src.accessed,
           COALESCE(c.name, ''),
           ARRAY(SELECT t.name FROM briefer.snippet_tags st
                 JOIN briefer.tags t ON t.id = st.tag_id WHERE st.snippet_id = s.id
                 ORDER BY lower(t.name) COLLATE "C", t.name),
           s.version, s.modified_by
    FROM briefer.snippets s
    JOIN briefer.sources src ON src.id = s.source_id
    LEFT JOIN briefer.collections c ON c.id = s.collection_id
"""


def _snippet(row: Sequence[Any]) -> Snippet:
    return Snippet(
        id=row[0],
        text=row[1],
        note=row[2],
        created=row[3],
        modified=row[4],
        deleted=row[5] or "",
        source=Source(
            title=row[6],
            publisher=row[7],
            author=row[8],
            url=row[9],
            published=row[10],
            accessed=row[11],
        ),
        collection=row[12],
        tags=tuple(row[13]),
        version=row[14],
        modified_by=row[15],
    )


class _Dropped(Exception):
    """The connection was lost during a call (`saving`: while committing)."""

    def __init__(self, cause: BaseException, saving: bool) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.saving = saving


@dataclass(frozen=True, slots=True)
class _Row:
    """A record ready to store: its columns cleaned and derived."""

    line: int
    text: str
    note: str
    key: bytes
    seg: str
    words: str
    source: Source
    source_key: str
    collection: str
    tags: tuple[str, ...]


def _prepare(record: Record, no_text: str) -> _Row:
    """A record's columns; a `LibraryError` for no text or a bad date."""
    text = normalize.clean(record.text)
    if not text:
        raise LibraryError(no_text)
    source = common.clean_source(record.source)
    note = normalize.clean(record.note) if record.note else ""
    return _Row(
        line=record.line,
        text=text,
        note=note,
        key=normalize.text_key(text),
        seg=pg_search.index_seg(text, note),
        words=pg_search.index_words(text, note),
        source=source,
        source_key=normalize.source_key(source.title, source.publisher, source.author, source.url),
        collection=normalize.one_line(record.collection).strip("/"),
        tags=normalize.split_tags(list(record.tags)),
    )


@dataclass
class _Stored:
    """What storing a batch of rows did, row by row (`ids[i]` for `rows[i]`)."""

    ids: list[int] = field(default_factory=list)
    new: list[bool] = field(default_factory=list)


class _Writer:
    """Find-or-create for sources, collections and tags within one
    transaction, a batch at a time, in a fixed order (sorted keys) so two
    writers never wait on each other in a circle."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.sources: dict[str, int] = {}
        self.collections: dict[str, int] = {}
        self.tags: dict[str, int] = {}

    def source_ids(self, rows: Iterable[_Row]) -> None:
        wanted: dict[str, Source] = {}
        for row in rows:
            if row.source_key not in self.sources:
                wanted.setdefault(row.source_key, row.source)
        if not wanted:
            return
        keys = sorted(wanted)
        sources = [wanted[k] for k in keys]
        sites = [normalize.site_of(s.url) for s in sources]
        self.conn.execute(
            "INSERT INTO briefer.sources (key, title, publisher, author, url, published,"
            " accessed, seg, site, words, site_words)"
            " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
            " ON CONFLICT (key) DO NOTHING",
            (
                keys,
                [s.title for s in sources],
                [s.publisher for s in sources],
                [s.author for s in sources],
                [s.url for s in sources],
                [s.published for s in sources],
                [s.accessed for s in sources],
                [pg_search.index_seg(s.title, s.publisher, s.author) for s in sources],
                sites,
                [pg_search.index_words(s.title, s.publisher, s.author) for s in sources],
                [pg_search.index_words(site) for site in sites],
            ),
        )
        for key, source_id in self.conn.execute(
            "SELECT key, id FROM briefer.sources WHERE key = ANY(%s)", (keys,)
        ):
            self.sources[key] = source_id

    def _names(self, table: str, cache: dict[str, int], names: Iterable[str]) -> None:
        """Find or create `names` in `table` (tags or collections: unique
        ignoring case, the first spelling kept)."""
        wanted: dict[str, str] = {}
        for name in names:
            if name and name.casefold() not in cache:
                wanted.setdefault(name.casefold(), name)
        if not wanted:
            return
        given = sorted(wanted.values(), key=str.casefold)
        words = [pg_search.index_words(n) for n in given]
        if table == "tags":
            self.conn.execute(
                "INSERT INTO briefer.tags (name, words)"
                " SELECT * FROM unnest(%s::text[], %s::text[])"
                " ON CONFLICT ((lower(name))) DO NOTHING",
                (given, words),
            )
            found = self.conn.execute(
                "SELECT v.name, t.id FROM unnest(%s::text[]) AS v(name)"
                " JOIN briefer.tags t ON lower(t.name) = lower(v.name)",
                (given,),
            )
        else:
            self.conn.execute(
                "INSERT INTO briefer.collections (name) SELECT * FROM unnest(%s::text[])"
                " ON CONFLICT ((lower(name))) DO NOTHING",
                (given,),
            )
            found = self.conn.execute(
                "SELECT v.name, c.id FROM unnest(%s::text[]) AS v(name)"
                " JOIN briefer.collections c ON lower(c.name) = lower(v.name)",
                (given,),
            )
        for name, row_id in found:
            cache[name.casefold()] = row_id

    def collection_id(self, name: str) -> int | None:
        name = normalize.one_line(name).strip("/")
        if not name:
            return None
        self._names("collections", self.collections, [name])
        return self.collections[name.casefold()]

    def tag_ids(self, names: Iterable[str]) -> list[int]:
        names = list(names)
        self._names("tags", self.tags, names)
        return [self.tags[n.casefold()] for n in names]

    def store(self, rows: Sequence[_Row]) -> _Stored:
        """Insert `rows` (no two the same text from the same source); each
        gets its id, new or the existing duplicate's (taken out of the trash)."""
        self.source_ids(rows)
        self._names("collections", self.collections, (r.collection for r in rows))
        self._names("tags", self.tags, (t for r in rows for t in r.tags))
        source_ids = [self.sources[r.source_key] for r in rows]
        keys = [r.key for r in rows]
        inserted = self.conn.execute(
            "INSERT INTO briefer.snippets (source_id, text, note, collection_id, text_key, seg,"
            " words, tag_words, tag_keys)"
            " SELECT source_id, text, note, collection_id, text_key, seg, words, tag_words,"
            " briefer.tag_keys(string_to_array(tag_names, %s))"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::bytea[],"
            " %s::text[], %s::text[], %s::text[], %s::text[]) WITH ORDINALITY"
            " AS v(source_id, text, note, collection_id, text_key, seg, words, tag_words,"
            " tag_names, n)"
            " ORDER BY n ON CONFLICT (source_id, text_key) DO NOTHING"
            " RETURNING id, source_id, text_key",
            (
                _NAMES_SEPARATOR,
                source_ids,
                [r.text for r in rows],
                [r.note for r in rows],
                [self.collections.get(r.collection.casefold()) for r in rows],
                keys,
                [r.seg for r in rows],
                [r.words for r in rows],
                [pg_search.tag_words(r.tags) for r in rows],
                [_NAMES_SEPARATOR.join(r.tags) for r in rows],
            ),
        ).fetchall()
        new_ids = {(source_id, bytes(key)): row_id for row_id, source_id, key in inserted}
        stored = _Stored()
        missing: list[tuple[int, bytes]] = []
        for source_id, key in zip(source_ids, keys, strict=True):
            row_id = new_ids.get((source_id, key))
            stored.ids.append(row_id or 0)
            stored.new.append(row_id is not None)
            if row_id is None:
                missing.append((source_id, key))
        if missing:
            # Adding again what is in the trash brings it back.
            existing = {
                (source_id, bytes(key)): row_id
                for row_id, source_id, key in self.conn.execute(
                    "UPDATE briefer.snippets s SET deleted = NULL"
                    " FROM unnest(%s::bigint[], %s::bytea[]) AS v(source_id, text_key)"
                    " WHERE s.source_id = v.source_id AND s.text_key = v.text_key"
                    " AND s.deleted IS NOT NULL RETURNING s.id, s.source_id, s.text_key",
                    ([m[0] for m in missing], [m[1] for m in missing]),
                )
            }
            existing.update(
                ((source_id, bytes(key)), row_id)
                for row_id, source_id, key in self.conn.execute(
                    "SELECT s.id, s.source_id, s.text_key FROM briefer.snippets s"
                    " JOIN unnest(%s::bigint[], %s::bytea[]) AS v(source_id, text_key)"
                    " ON s.source_id = v.source_id AND s.text_key = v.text_key",
                    ([m[0] for m in missing], [m[1] for m in missing]),
                )
            )
            for n, (source_id, key) in enumerate(zip(source_ids, keys, strict=True)):
                if not stored.new[n]:
                    stored.ids[n] = existing[(source_id, key)]
        links = [
            (snippet_id, tag_id)
            for row, snippet_id, new in zip(rows, stored.ids, stored.new, strict=True)
            if new and row.tags
            for tag_id in self.tag_ids(row.tags)
        ]
        if links:
            self.conn.execute(
                "INSERT INTO briefer.snippet_tags (snippet_id, tag_id)"
                " SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                ([link[0] for link in links], [link[1] for link in links]),
            )
        return stored


def _filters(
    parsed: Query,
    collection: str,
    since: str | dt.date | dt.datetime | None,
    row: str = "s",
) -> tuple[list[str], list[Any]]:
    """SQL conditions on the snippet `s` (or the search index's row `x`,
    which has the same id, day, created and collection_id) for the query's
    filters and the caller's, with their parameters."""
    where: list[str] = []
    params: list[Any] = []
    tagged = (
        row + ".id {op} (SELECT st.snippet_id FROM briefer.snippet_tags st"
        " JOIN briefer.tags t ON t.id = st.tag_id WHERE lower(t.name) = lower(%s))"
    )
    for tag in parsed.tags:
        where.append(tagged.format(op="IN"))
        params.append(tag)
    for tag in parsed.exclude_tags:
        where.append(tagged.format(op="NOT IN"))
        params.append(tag)
    if parsed.before:
        where.append(f"{row}.day < %s")
        params.append(parsed.before)
    if parsed.after:
        where.append(f"{row}.day >= %s")
        params.append(parsed.after)
    name = normalize.one_line(collection).strip("/")
    if name:
        where.append(
            f"{row}.collection_id IN (SELECT id FROM briefer.collections"
            " WHERE lower(name) = lower(%s) OR starts_with(lower(name), lower(%s) || '/'))"
        )
        params += [name, name]
    if since is not None:
        try:
            bound = normalize.as_timestamp(since)
        except ValueError as exc:
            raise LibraryError(f"since: {exc}") from exc
        where.append(f"{row}.created >= %s")
        params.append(bound)
    return where, params


def _search_filters(
    parsed: Query, collection: str, since: str | dt.date | dt.datetime | None
) -> tuple[str, list[Any]]:
    """ " AND ..." conditions on the search index's row `x` for the filters
    the index's keys do not answer (dates, collection, since)."""
    dates = Query(before=parsed.before, after=parsed.after)
    where, params = _filters(dates, collection, since, row="x")
    return "".join(f" AND {w}" for w in where), params


class PostgresLibrary:
    """The team library on PostgreSQL. See the module docstring and `briefer.library`."""

    def __init__(
        self,
        pool: ConnectionPool,
        location: Location,
        *,
        busy_timeout: float,
        connect_timeout: float,
    ) -> None:
        self._pool = pool
        self._location = location
        self.busy_timeout = busy_timeout
        self.connect_timeout = connect_timeout
        self._known_frequencies: _Frequencies | None = None

    @property
    def path(self) -> str:
        """Where the library is, for messages: its URL without any password."""
        return self._location.shown

    location = path

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str,
        *,
        busy_timeout: float = WRITE_PATIENCE_S,
        connect_timeout: float = pg_connect.CONNECT_TIMEOUT_S,
        prompt: PasswordPrompt | None = None,
        max_connections: int = 4,
    ) -> PostgresLibrary:
        """Open the team library at `url`, upgrading its schema when this
        Briefer is newer (and the role may). `connect_timeout` bounds how
        long an unreachable server is waited for; `busy_timeout` how long a
        write waits for others'; `prompt(text)` is asked for a password when
        the server wants one that PGPASSWORD and ~/.pgpass did not give.
        A library that cannot be opened is a one-line `LibraryError`."""
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout must be 0 or more seconds, not {busy_timeout}")
        location = pg_connect.parse_location(url)
        conn, password = pg_connect.connect(
            location, timeout=connect_timeout, prompt=prompt, lock_timeout=busy_timeout
        )
        try:
            _require_current(conn, location)
        except psycopg.Error as exc:
            raise LibraryError(f"{location.shown}: {pg_connect.reason(exc)}") from None
        finally:
            conn.close()
        try:
            pool = pg_connect.open_pool(
                location,
                timeout=connect_timeout,
                password=password,
                lock_timeout=busy_timeout,
                max_size=max_connections,
            )
        except PoolTimeout:
            raise LibraryError(f"{location.shown}: the server stopped answering") from None
        return cls(pool, location, busy_timeout=busy_timeout, connect_timeout=connect_timeout)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> PostgresLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running a call ----------------------------------------------------

    def _run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """Run `work(conn)` in one transaction (see the module docstring for
        retries). `work` may run more than once, so it must not have side
        effects outside the database."""
        shown = self._location.shown
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.01
        retried = False
        while True:
            try:
                return self._attempt(work)
            except _Dropped as dropped:
                if dropped.saving:
                    raise LibraryError(
                        f"{shown}: the connection was lost while saving; the change may or may"
                        " not have been saved: check, then try again"
                    ) from None
                if retried:
                    raise LibraryError(
                        f"{shown}: the connection was lost, and again when retried:"
                        f" {pg_connect.reason(dropped.cause)}"
                    ) from None
                retried = True
                self._pool.check()  # drop every other dead connection too
            except (errors.DeadlockDetected, errors.SerializationFailure) as exc:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LibraryError(BUSY_MESSAGE) from exc
                time.sleep(min(remaining, delay * (0.5 + random.random())))
                delay = min(delay * 2, 0.5)
            except errors.LockNotAvailable:
                raise LibraryError(BUSY_MESSAGE) from None
            except (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction) as exc:
                raise pg_connect.read_only_error(self._location, exc) from None
            except PoolTimeout:
                raise LibraryError(f"{shown}: {self._why_unreachable()}") from None
            except psycopg.OperationalError as exc:
                raise LibraryError(f"{shown}: {pg_connect.reason(exc)}") from None

    def _attempt(self, work: Callable[[psycopg.Connection], T]) -> T:
        with self._pool.connection() as conn:
            saving = False
            try:
                with conn.transaction():
                    result = work(conn)
                    saving = True
            except psycopg.OperationalError as exc:
                if conn.broken or conn.closed:
                    raise _Dropped(exc, saving) from exc
                raise
            return result

    def _frequencies(self, conn: psycopg.Connection) -> _Frequencies:
        """The index's word frequencies, read again every STATISTICS_S."""
        known = self._known_frequencies
        if known is None or time.monotonic() - known.read > STATISTICS_S:
            known = self._known_frequencies = _read_frequencies(conn)
        return known

    def _why_unreachable(self) -> str:
        """Why no connection could be had: what a fresh one is told."""
        try:
            conn, _ = pg_connect.connect(self._location, timeout=self.connect_timeout)
        except LibraryError as exc:
            return str(exc).removeprefix(f"{self._location.shown}: ")
        conn.close()
        return f"no connection became free within {self.connect_timeout:g} s"

    # -- writing -----------------------------------------------------------

    def add(
        self,
        text: str,
        source: Source | None = None,
        *,
        note: str = "",
        tags: Iterable[str] = (),
        collection: str = "",
    ) -> AddResult:
        """Add a snippet; a duplicate returns the existing one (restored if trashed)."""
        record = Record(
            text=text, source=source or Source(), note=note, tags=tuple(tags), collection=collection
        )
        row = _prepare(record, no_text=common.NO_TEXT)

        def work(conn: psycopg.Connection) -> tuple[int, bool]:
            stored = _Writer(conn).store([row])
            return stored.ids[0], stored.new[0]

        snippet_id, new = self._run(work)
        return AddResult(self.get(snippet_id), duplicate=not new)

    def get(self, snippet_id: int) -> Snippet:
        """The snippet with this id (also when it is in the trash)."""
        common.check_id(snippet_id)
        found = self._run(lambda conn: _get_many(conn, [snippet_id]))
        if snippet_id not in found:
            raise common.unknown(snippet_id)
        return found[snippet_id]

    def update(
        self,
        snippet_id: int,
        *,
        text: str = UNSET,
        note: str = UNSET,
        source: Source = UNSET,
        tags: Iterable[str] = UNSET,
        collection: str = UNSET,
        expected_version: int | None = None,
    ) -> Snippet:
        """Change the given fields of a snippet (see `Library.update`); with
        `expected_version`, refused with an `EditConflict` if someone changed
        it since it was read."""
        common.check_id(snippet_id)
        tags = UNSET if tags is UNSET else list(tags)

        def work(conn: psycopg.Connection) -> None:
            locked = conn.execute(
                "SELECT 1 FROM briefer.snippets WHERE id = %s FOR UPDATE", (snippet_id,)
            ).fetchone()
            if locked is None:
                raise common.unknown(snippet_id)
            current = _get_many(conn, [snippet_id])[snippet_id]
            common.require_version(current, expected_version)
            change = common.plan_update(
                current, text=text, note=note, source=source, tags=tags, collection=collection
            )
            writer = _Writer(conn)
            sets: dict[str, Any] = {}
            if change.text is not None:
                sets["text"] = change.text
                sets["text_key"] = change.text_key
            if change.note is not None:
                sets["note"] = change.note
            if change.seg is not None:
                new_text = current.text if change.text is None else change.text
                new_note = current.note if change.note is None else change.note
                sets["seg"] = pg_search.index_seg(new_text, new_note)
                sets["words"] = pg_search.index_words(new_text, new_note)
            if change.source is not None:
                clean = common.clean_source(change.source)
                key = normalize.source_key(clean.title, clean.publisher, clean.author, clean.url)
                writer.source_ids([_source_row(clean, key)])
                sets["source_id"] = writer.sources[key]
            if change.collection is not None:
                sets["collection_id"] = writer.collection_id(change.collection)
            remove, add = common.tag_changes(
                current.tags, current.tags if change.tags is None else change.tags
            )
            if remove or add:
                # Written here, in step, so the tag triggers leave the row
                # alone and the edit counts as one change (one version).
                sets["tag_words"] = pg_search.tag_words(list(change.tags or ()))
                sets["tag_keys"] = list(change.tags or ())
            if sets:
                # Only constant column names above go into the statement.
                assignments = ", ".join(
                    "tag_keys = briefer.tag_keys(%s::text[])"
                    if column == "tag_keys"
                    else f"{column} = %s"
                    for column in sets
                )
                try:
                    conn.execute(
                        f"UPDATE briefer.snippets SET {assignments} WHERE id = %s",  # type: ignore[arg-type]
                        [*sets.values(), snippet_id],
                    )
                except errors.UniqueViolation:
                    raise LibraryError(common.SAME_TEXT) from None
            if remove or add:
                # One statement, so its triggers see the final tags, which
                # the row already has.
                conn.execute(
                    "WITH gone AS (DELETE FROM briefer.snippet_tags WHERE snippet_id = %s"
                    " AND tag_id IN (SELECT id FROM briefer.tags WHERE lower(name) = ANY(%s)))"
                    " INSERT INTO briefer.snippet_tags (snippet_id, tag_id)"
                    " SELECT %s, unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                    (snippet_id, [n.lower() for n in remove], snippet_id, writer.tag_ids(add)),
                )

        self._run(work)
        return self.get(snippet_id)

    def delete(self, snippet_id: int) -> Snippet:
        """Move a snippet to the trash (it leaves search; `restore` brings it back)."""
        return self._set_deleted(snippet_id, trash=True)

    def restore(self, snippet_id: int) -> Snippet:
        """Take a snippet out of the trash."""
        return self._set_deleted(snippet_id, trash=False)

    def _set_deleted(self, snippet_id: int, *, trash: bool) -> Snippet:
        self.get(snippet_id)
        if trash:
            statement = (
                "UPDATE briefer.snippets SET deleted = briefer.utc_now()"
                " WHERE id = %s AND deleted IS NULL"
            )
        else:
            statement = (
                "UPDATE briefer.snippets SET deleted = NULL WHERE id = %s AND deleted IS NOT NULL"
            )
        self._run(lambda conn: conn.execute(statement, (snippet_id,)))  # type: ignore[arg-type]
        return self.get(snippet_id)

    def empty_trash(self) -> int:
        """Delete the snippets in the trash for good; returns how many."""

        def work(conn: psycopg.Connection) -> int:
            return conn.execute("DELETE FROM briefer.snippets WHERE deleted IS NOT NULL").rowcount

        return int(self._run(work))

    # -- reading -----------------------------------------------------------

    def count(self, *, trash: bool = False) -> int:
        where = "deleted IS NOT NULL" if trash else "deleted IS NULL"
        sql = f"SELECT count(*) FROM briefer.snippets WHERE {where}"
        row = self._run(lambda conn: conn.execute(sql).fetchone())  # type: ignore[arg-type]
        return int(row[0]) if row else 0

    def list(
        self,
        *,
        tags: Iterable[str] = (),
        collection: str = "",
        since: str | dt.date | dt.datetime | None = None,
        trash: bool = False,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[Snippet]:
        """Snippets newest first, filtered like `search`; `trash=True` lists the trash."""
        where, params = _filters(Query(tags=tuple(tags)), collection, since)
        where.insert(0, "s.deleted IS NOT NULL" if trash else "s.deleted IS NULL")
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY s.id DESC LIMIT %s OFFSET %s"
        count = None if limit is None else common.count_limit(limit)
        args = [*params, count, common.count_limit(offset)]
        rows = self._run(lambda conn: conn.execute(sql, args).fetchall())  # type: ignore[arg-type]
        return [_snippet(row) for row in rows]

    def tags(self) -> list[NameCount]:
        """All tags with their live snippet counts, by name."""
        sql = (
            "SELECT t.name, COUNT(s.id) FROM briefer.tags t"
            " LEFT JOIN briefer.snippet_tags st ON st.tag_id = t.id"
            " LEFT JOIN briefer.snippets s ON s.id = st.snippet_id AND s.deleted IS NULL"
            ' GROUP BY t.id, t.name ORDER BY lower(t.name) COLLATE "C", t.name'
        )
        rows = self._run(lambda conn: conn.execute(sql).fetchall())
        return [NameCount(name, count) for name, count in rows]

    def collections(self) -> list[NameCount]:
        """All collections (folders, `/`-separated) with live snippet counts."""
        sql = (
            "SELECT c.name, COUNT(s.id) FROM briefer.collections c"
            " LEFT JOIN briefer.snippets s ON s.collection_id = c.id AND s.deleted IS NULL"
            ' GROUP BY c.id, c.name ORDER BY lower(c.name) COLLATE "C", c.name'
        )
        rows = self._run(lambda conn: conn.execute(sql).fetchall())
        return [NameCount(name, count) for name, count in rows]

    # -- search ------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        tags: Iterable[str] = (),
        collection: str = "",
        since: str | dt.date | dt.datetime | None = None,
        as_you_type: bool = True,
    ) -> list[Hit]:
        """Ranked hits for what the user typed (see `briefer.library.query`)."""
        limit = common.count_limit(limit)
        parsed = common.with_tags(parse_query(query, as_you_type=as_you_type), tags)
        post, post_params = _search_filters(parsed, collection, since)

        def work(conn: psycopg.Connection) -> tuple[list[tuple[int, float]], dict[int, Snippet]]:
            asked = self._asked(conn, parsed)
            if not asked.match:
                return _newest_filtered(conn, parsed, asked.exclude, post, post_params, limit)
            return _newest(
                conn, asked.match, asked.params, post, post_params, asked.rank, limit, asked.share
            )

        scored, found = self._run(work)
        if pg_search.include_tsquery(parsed):  # words to rank by
            return common.ranked_hits(found, scored, parsed)
        return common.unranked_hits(found, [i for i, _ in scored])

    def count_matches(
        self,
        query: str,
        *,
        tags: Iterable[str] = (),
        collection: str = "",
        as_you_type: bool = True,
    ) -> int:
        """How many live snippets `search` finds for this, in all (a search
        ranks only the newest CANDIDATES of them, and lists `limit`)."""
        parsed = common.with_tags(parse_query(query, as_you_type=as_you_type), tags)
        post, post_params = _search_filters(parsed, collection, None)

        def work(conn: psycopg.Connection) -> int:
            asked = self._asked(conn, parsed)
            if asked.match:
                sql = (
                    "SELECT count(*) FROM briefer.snippet_search x"
                    f" WHERE x.doc @@ ({asked.match}){post}"
                )
                args = [*asked.params, *post_params]
            else:
                conditions, args = _unranked_conditions(parsed, asked.exclude, post, post_params)
                sql = f"SELECT count(*) FROM briefer.snippet_search x WHERE true{conditions}"
            row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
            return int(row[0]) if row else 0

        return self._run(work)

    def _asked(self, conn: psycopg.Connection, parsed: Query) -> _Asked:
        """What the GIN index is asked for `parsed` (see `_Asked`)."""
        prefixes = pg_search.prefixes(parsed, keyed=True)
        expand = _expander(conn, prefixes, self._frequencies(conn)) if prefixes else None
        expand = expand or (lambda prefix: None)
        # Found by the index's keys (a word being typed may be one); ranked by the words.
        include = pg_search.include_tsquery(parsed, expand, keyed=True)
        exclude = pg_search.exclude_tsquery(parsed, expand, keyed=True)
        rank = pg_search.include_tsquery(parsed, expand)
        # What the GIN index answers: the words, the tags, the exclusions.
        match: list[str] = []
        params: list[Any] = []
        if include:
            match.append("%s::tsquery")
            params.append(include)
        for tag in parsed.tags:
            match.append("briefer.lexeme(%s || lower(%s))")
            params += [pg_search.TAG_KEY, tag]
        if not match:
            return _Asked("", [], exclude, rank, 1.0)
        if exclude:
            match.append("(!! %s::tsquery)")
            params.append(exclude)
        for tag in parsed.exclude_tags:
            match.append("(!! briefer.lexeme(%s || lower(%s)))")
            params += [pg_search.TAG_KEY, tag]
        share = _share(parsed, expand, self._frequencies(conn))
        return _Asked(" && ".join(match), params, exclude, rank, share)

    # -- checking ----------------------------------------------------------

    def check(self, *, repair: bool = False) -> list[str]:
        """What is out of step: snippets whose copies of their source's or
        tags' index words differ from the source and tags (the triggers keep
        them in step; a bulk load with triggers off would not), and indexes
        PostgreSQL marks invalid. `repair=True` brings them back in step
        (and rebuilds invalid indexes: the owner's right) and reports what
        is still wrong. [] when all is well."""
        stale_source = (
            "FROM briefer.snippets s JOIN briefer.sources src ON src.id = s.source_id"
            " WHERE (s.source_words, s.site_words, s.source_seg)"
            " IS DISTINCT FROM (src.words, src.site_words, src.seg)"
        )
        tag_words = (
            "COALESCE((SELECT string_agg(tg.words, ' ' ORDER BY lower(tg.name) COLLATE \"C\")"
            " FROM briefer.snippet_tags st JOIN briefer.tags tg ON tg.id = st.tag_id"
            " WHERE st.snippet_id = s.id AND tg.words <> ''), '')"
        )
        invalid = (
            "SELECT i.indexrelid::regclass::text FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'briefer' AND NOT i.indisvalid"
        )

        def look(conn: psycopg.Connection) -> list[str]:
            problems = []
            (sources,) = conn.execute(f"SELECT count(*) {stale_source}").fetchone() or (0,)
            if sources:
                problems.append(f"{sources} snippets: their source's index words are stale")
            (tags,) = conn.execute(
                f"SELECT count(*) FROM briefer.snippets s WHERE s.tag_words <> {tag_words}"
            ).fetchone() or (0,)
            if tags:
                problems.append(f"{tags} snippets: their tags' index words are stale")
            problems += [f"index {name} is invalid" for (name,) in conn.execute(invalid)]
            return problems

        def mend(conn: psycopg.Connection) -> None:
            conn.execute(
                "UPDATE briefer.snippets s SET source_id = s.source_id WHERE s.id IN"
                f" (SELECT s.id {stale_source})"
            )
            conn.execute(
                f"UPDATE briefer.snippets s SET tag_words = {tag_words}"
                f" WHERE s.tag_words <> {tag_words}"
            )
            for (name,) in conn.execute(invalid).fetchall():
                conn.execute(f"REINDEX INDEX {name}")  # type: ignore[arg-type]  # a regclass name

        problems = self._run(look)
        if repair and problems:
            self._run(mend)
            problems = self._run(look)
        return problems

    # -- import and export -------------------------------------------------

    def import_records(
        self,
        records: Iterable[Record | Rejection],
        report: ImportReport,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Store records read from one file in one transaction, counting
        into `report` (see `Library.import_records`: the same counts, the
        same rejections, and a `Cancelled` from `progress` stores nothing)."""
        items = list(records)
        name = Path(report.path).name
        storing, indexing = f"Storing {name}".rstrip(), f"Indexing {name}".rstrip()

        def work(conn: psycopg.Connection) -> tuple[int, int, list[Rejection]]:
            writer = _Writer(conn)
            rejected: list[Rejection] = []
            added = duplicates = 0
            seen: set[tuple[str, bytes]] = set()
            for start in range(0, len(items), CHUNK):
                jobs.report(progress, STORE_END * start // max(1, len(items)), STEPS, storing)
                rows: list[_Row] = []
                for item in items[start : start + CHUNK]:
                    if isinstance(item, Rejection):
                        rejected.append(item)
                        continue
                    try:
                        row = _prepare(item, no_text="no text")
                    except (LibraryError, ValueError) as exc:
                        rejected.append(Rejection(item.line, str(exc)))
                        continue
                    if (row.source_key, row.key) in seen:
                        duplicates += 1
                        continue
                    seen.add((row.source_key, row.key))
                    rows.append(row)
                if rows:
                    stored = writer.store(rows)
                    fresh = sum(stored.new)
                    added += fresh
                    duplicates += len(rows) - fresh
            # Still inside the transaction: a cancel here rolls back too.
            jobs.report(progress, STEPS, STEPS, indexing)
            return added, duplicates, rejected

        added, duplicates, rejected = self._run(work)
        report.added += added
        report.duplicates += duplicates
        report.rejected.extend(rejected)
        return report

    def import_file(
        self,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        whole: bool = False,
        tags: Iterable[str] = (),
        collection: str = "",
    ) -> ImportReport:
        """Import one file, as `Library.import_file` does."""
        from briefer.library import importers

        return importers.import_file(
            self,  # type: ignore[arg-type]  # the same import_records
            Path(path),
            progress=progress,
            whole=whole,
            tags=tuple(tags),
            collection=collection,
        )

    def export(self, path: str | Path) -> int:
        """Write every live snippet to a JSON Lines file (atomically); returns
        how many. The file imports back with `import_file`, into either engine."""
        ids = self._run(
            lambda conn: [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM briefer.snippets WHERE deleted IS NULL ORDER BY id"
                )
            ]
        )
        count = 0
        with atomic_write(path) as handle:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                found = self._run(lambda conn, chunk=chunk: _get_many(conn, chunk))
                lines = [
                    json.dumps(common.snippet_to_json(found[i]), ensure_ascii=False)
                    for i in chunk
                    if i in found
                ]
                count += len(lines)
                if lines:
                    handle.write(("\n".join(lines) + "\n").encode("utf-8"))
        return count


# How a prefix is asked (see `_expander`): reading a window of snippets
# for the words a prefix stands for costs about SPELLED_COST per snippet
# and word; asking the index for the prefix itself reads every match it has,
# in every window, PREFIX_COST each (both measured on a 1,000,000-snippet
# library; only their ratio matters).
SPELLED_COST = 5.4e-9
PREFIX_COST = 1.9e-7
# With no statistics yet (a library never analysed), a prefix standing for
# at most this many words is spelled out.
FEW_WORDS = 32
# How long the word frequencies read from the server's statistics are kept.
STATISTICS_S = 300.0


@dataclass(frozen=True)
class _Frequencies:
    """The share of snippets holding each of the commonest words (from
    PostgreSQL's statistics of the index, as ANALYZE left them), and how
    many snippets there are."""

    words: dict[str, float]
    rows: float
    read: float  # time.monotonic() when read


def _read_frequencies(conn: psycopg.Connection) -> _Frequencies:
    row = conn.execute(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
        " FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = 'briefer'"
        " AND s.tablename = 'snippet_search' AND s.attname = 'doc'"
        " WHERE c.oid = 'briefer.snippet_search'::regclass"
    ).fetchone()
    words: dict[str, float] = {}
    rows = 0.0
    if row:
        elements, frequencies, rows = row[0] or [], row[1] or [], float(row[2] or 0)
        words = dict(zip(elements, frequencies, strict=False))
    return _Frequencies(words, max(rows, 0.0), time.monotonic())


def _expander(
    conn: psycopg.Connection, prefixes: list[str], frequencies: _Frequencies
) -> pg_search.Expand:
    """For each prefix, the words of the library's vocabulary it stands
    for, when asking for them is cheaper than asking for the prefix (None
    otherwise). A common prefix is spelled out: its newest matches lie in
    the first windows, and GIN skips through whole words; a rarer one is
    asked as a prefix, which reads each of its (few) matches."""
    if not prefixes:
        return lambda prefix: None
    rows = conn.execute(
        "SELECT p, ARRAY(SELECT v.word FROM briefer.vocabulary v"
        ' WHERE v.word >= p COLLATE "C" AND v.word < (p || chr(1114111)) COLLATE "C"'
        " ORDER BY v.word LIMIT %s) FROM unnest(%s::text[]) AS p",
        (pg_search.MAX_EXPANSION + 1, prefixes),
    ).fetchall()
    found = {prefix: words for prefix, words in rows}

    def expand(prefix: str) -> list[str] | None:
        words = found.get(prefix)
        if words is None or len(words) > pg_search.MAX_EXPANSION:
            return None
        share = min(1.0, sum(frequencies.words.get(w, 0.0) for w in words))
        if share <= 0 or frequencies.rows <= 0:
            return words if len(words) <= FEW_WORDS else None
        read = min(frequencies.rows, CANDIDATES / share)
        windows = max(1.0, math.log2(max(2.0, read / (1 << pg_search.BUCKET_BITS))))
        spelled = read * len(words) * SPELLED_COST
        as_prefix = windows * share * frequencies.rows * PREFIX_COST
        return words if spelled <= as_prefix else None

    return expand


def _share(parsed: Query, expand: pg_search.Expand, frequencies: _Frequencies) -> float:
    """About which share of snippets a search matches, from the server's
    statistics of the index (its terms taken as independent; a word the
    statistics do not list is rarer than any they do): where a search
    starts reading. A guess too high costs one more statement; too low,
    reading more than needed."""
    known = frequencies.words
    rare = min(known.values(), default=1.0)

    def share_of(keys: Sequence[str]) -> float:
        return min((known.get(key, rare) for key in keys), default=1.0)

    def last_word(word: str) -> float:
        whole = expand(word)
        return 1.0 if whole is None else min(1.0, sum(known.get(w, 0.0) for w in whole))

    share = 1.0
    for term in parsed.include:
        runs, rest = normalize.split_segmentable(term.text)
        words = pg_search.words_of(rest) if normalize.has_word_chars(rest) else []
        found = 1.0
        if words:
            star = term.prefix and not normalize.has_segmentable(term.text[-1:])
            key = pg_search.keyed_prefix(words, star)
            if key:
                found = known.get(key, rare)
            else:
                whole = share_of(words[:-1] if star else words)
                found = min(whole, last_word(words[-1]) if star else 1.0)
        for run in runs:
            seg = pg_search.words_of(normalize.segment_query(run))
            pairs = [pg_search.SEG_KEY + a + b for a, b in itertools.pairwise(seg)]
            found = min(found, share_of(pairs or seg))
        share *= found
    for text in parsed.sources:
        words = pg_search.source_words(text)
        if words:
            share *= min(share_of(words[:-1]), last_word(words[-1]))
    for tag in parsed.tags:
        share *= known.get(pg_search.TAG_KEY + tag.lower(), rare)
    return share


Found = tuple[list[tuple[int, float]], dict[int, Snippet]]
# A search reads the stretch of ids it expects its candidates in, and this
# much more, so that one statement usually does.
MARGIN = 1.25


def _newest(
    conn: psycopg.Connection,
    match: str,
    params: list[Any],
    post: str,
    post_params: list[Any],
    rank: str,
    limit: int,
    share: float,
) -> Found:
    """The newest `store.CANDIDATES` snippets `match` finds (the newest
    `limit` when there are no words to `rank` by), ranked, best first, with
    the snippets.

    A search reads stretches of ids, newest first, each through the GIN
    index alone (the buckets of the stretch, `pg_search.cover`, ANDed to
    the query): the first as long as `share` says holds the candidates,
    each next one as long as the matches seen so far say. A common word
    reads a few thousand rows, not every one it is in; a rare one reads
    all of its matches in one statement."""
    row = conn.execute("SELECT max(id) FROM briefer.snippet_search").fetchone()
    if not row or row[0] is None:
        return [], {}
    newest = int(row[0])
    wanted = max(CANDIDATES, limit) if rank else limit
    score = "ts_rank(%s, x.doc, %s::tsquery, %s)" if rank else "0.0"
    score_args = [pg_search.RANK_WEIGHTS, rank, pg_search.RANK_NORMALIZATION] if rank else []
    rate = share  # matches per id
    found: list[tuple[int, float]] = []
    bits = pg_search.BUCKET_BITS
    unread = newest + 1  # ids below this are still to read
    while unread > 0 and len(found) < wanted:
        ids = max(1 << bits, math.ceil((wanted - len(found)) / max(rate, 1e-9) * MARGIN))
        high, low = (unread - 1) >> bits, max(0, unread - ids) >> bits
        if low == 0 and unread == newest + 1:
            where, args = match, [*params]  # all of it: no buckets to ask
        else:
            where, args = f"{match} && %s::tsquery", [*params, pg_search.cover(low, high)]
        sql = f"SELECT x.id, {score} FROM briefer.snippet_search x WHERE x.doc @@ ({where}){post}"
        found += conn.execute(sql, [*score_args, *args, *post_params]).fetchall()
        unread = low << bits
        # The rate of matches seen, guessed high while they are few (one
        # more statement costs less than reading far too many rows).
        seen = len(found)
        rate = (seen + 2 * math.sqrt(seen) + 1) / (newest + 1 - unread) if seen else rate / 8
    found.sort(key=lambda hit: -hit[0])
    del found[wanted:]
    if rank:
        found.sort(key=lambda hit: (-hit[1], -hit[0]))
    scored = [(i, float(s)) for i, s in found[:limit]]
    return scored, _get_many(conn, [i for i, _ in scored])


@dataclass(frozen=True)
class _Asked:
    """A search as the index is asked it: `match` (SQL on the row `x`, with
    its `params`; "" when nothing the index finds is included), what it
    `exclude`s (tsquery text), the tsquery it is ranked by, and about which
    `share` of snippets it finds (`_share`)."""

    match: str
    params: list[Any]
    exclude: str
    rank: str
    share: float


def _unranked_conditions(
    parsed: Query, exclude: str, post: str, post_params: list[Any]
) -> tuple[str, list[Any]]:
    """ " AND ..." conditions on the index row `x` of a search with nothing
    the index can find: its filters, minus exclusions."""
    conditions = post
    params = list(post_params)
    if exclude:
        conditions += " AND NOT (x.doc @@ %s::tsquery)"
        params.append(exclude)
    for tag in parsed.exclude_tags:
        conditions += " AND NOT (x.doc @@ briefer.lexeme(%s || lower(%s)))"
        params += [pg_search.TAG_KEY, tag]
    return conditions, params


def _newest_filtered(
    conn: psycopg.Connection,
    parsed: Query,
    exclude: str,
    post: str,
    post_params: list[Any],
    limit: int,
) -> Found:
    """A search with nothing the index can find: newest first, minus exclusions."""
    conditions, params = _unranked_conditions(parsed, exclude, post, post_params)
    sql = (
        f"SELECT x.id FROM briefer.snippet_search x WHERE true{conditions}"
        " ORDER BY x.id DESC LIMIT %s"
    )
    ids = [r[0] for r in conn.execute(sql, [*params, limit])]  # type: ignore[arg-type]
    return [(i, 0.0) for i in ids], _get_many(conn, ids)


def _source_row(source: Source, key: str) -> _Row:
    """A stand-in row carrying only a source, for `_Writer.source_ids`."""
    return _Row(0, "", "", b"", "", "", source, key, "", ())


def _get_many(conn: psycopg.Connection, ids: Sequence[int]) -> dict[int, Snippet]:
    if not ids:
        return {}
    rows = conn.execute(_SELECT + " WHERE s.id = ANY(%s)", (list(ids),))
    return {row[0]: _snippet(row) for row in rows}


def _require_current(conn: psycopg.Connection, location: Location) -> None:
    """Refuse a database without a Briefer library or with a newer one;
    upgrade an older one (a `LibraryError` when this role may not)."""
    with conn.transaction():
        version = pg_schema.current_version(conn)
    if version is None:
        others = pg_schema.foreign_objects(conn)
        held = f" (it holds {', '.join(others)})" if others else ""
        raise LibraryError(
            f"{location.shown}: no Briefer team library in this database{held};"
            " its owner creates one with `briefer snippets init-team URL`"
        )
    if version > TEAM_SCHEMA_VERSION:
        raise LibraryError(
            f"{location.shown}: the team library was set up by a newer Briefer (schema"
            f" {version}, this one knows {TEAM_SCHEMA_VERSION}); update Briefer"
        )
    if version < TEAM_SCHEMA_VERSION:
        try:
            with conn.transaction():
                pg_schema.migrate(conn)
        except (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction):
            raise LibraryError(
                f"{location.shown}: the team library has schema {version} and this Briefer"
                f" needs {TEAM_SCHEMA_VERSION}; its owner upgrades it with"
                " `briefer snippets init-team URL`"
            ) from None


@dataclass(frozen=True)
class InitReport:
    """What `init_team` did: the schema version found (0: an empty database)
    and the one the library has now; the roles given access."""

    location: str
    before: int
    after: int
    readers: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()


def init_team(
    url: str,
    *,
    readers: Sequence[str] = (),
    writers: Sequence[str] = (),
    connect_timeout: float = pg_connect.CONNECT_TIMEOUT_S,
    prompt: PasswordPrompt | None = None,
) -> InitReport:
    """Create the team library's schema in an empty database (or upgrade a
    team library to this Briefer's schema), and let `readers` search and
    cite and `writers` also change it. A database that holds anything else
    is refused, untouched. Run as the role that is to own the library
    (usually the database's owner)."""
    location = pg_connect.parse_location(url)
    conn, _ = pg_connect.connect(location, timeout=connect_timeout, prompt=prompt)
    try:
        with conn.transaction():
            encoding = conn.execute("SHOW server_encoding").fetchone()
            if encoding and str(encoding[0]).upper() not in ("UTF8", "UTF-8"):
                raise LibraryError(
                    f"{location.shown}: the database's encoding is {encoding[0]}; create it"
                    " with ENCODING 'UTF8'"
                )
            version = pg_schema.current_version(conn)
            if version is None:
                others = pg_schema.foreign_objects(conn)
                if others:
                    raise LibraryError(
                        f"{location.shown}: the database holds something else"
                        f" ({', '.join(others)}); init-team sets up an empty database"
                        " or upgrades a team library, nothing else"
                    )
            elif version > TEAM_SCHEMA_VERSION:
                raise LibraryError(
                    f"{location.shown}: the team library was set up by a newer Briefer"
                    f" (schema {version}, this one knows {TEAM_SCHEMA_VERSION}); update Briefer"
                )
            before = pg_schema.migrate(conn)
            for role in readers:
                pg_schema.grant(conn, role, write=False)
            for role in writers:
                pg_schema.grant(conn, role, write=True)
    except errors.InsufficientPrivilege as exc:
        raise LibraryError(
            f"{location.shown}: {pg_connect.reason(exc)}: run init-team as the role that owns"
            " the database"
        ) from None
    except errors.UndefinedObject as exc:  # a role to grant to that does not exist
        raise LibraryError(f"{location.shown}: {pg_connect.reason(exc)}") from None
    except psycopg.OperationalError as exc:
        raise LibraryError(f"{location.shown}: {pg_connect.reason(exc)}") from None
    finally:
        conn.close()
    return InitReport(location.shown, before, TEAM_SCHEMA_VERSION, tuple(readers), tuple(writers))
