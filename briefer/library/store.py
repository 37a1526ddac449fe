"""`Library`: the snippet store and its search, over one SQLite database.

See the package docstring (`briefer.library`) for the API. Writes run in
`BEGIN IMMEDIATE` transactions retried while another process writes;
bulk inserts defer full-text indexing to a few statements at the end of the
transaction, and report progress between chunks of rows (`progress`), so a
`Cancelled` from the callback rolls the whole import back. Search ranks with
FTS5's bm25 over at most CANDIDATES matches and cuts the highlighted fragments
in Python (`fragments`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefer import jobs
from briefer.fsutil import atomic_write
from briefer.jobs import ProgressCallback
from briefer.library import common, normalize, schema
from briefer.library.common import UNSET, clean_source, snippet_to_json
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
from briefer.library.query import Query, parse_query

__all__ = ["Library", "NameCount", "snippet_to_json"]

# `import_records` reports `Progress(done, STEPS, what)`: storing the rows is
# about the first STORE_END steps of its time, indexing them the rest. A
# report comes every STORE_CHUNK rows stored and INDEX_CHUNK rows indexed, so
# a cancel lands within a fraction of a second even on 100,000 rows.
STEPS = 1000
STORE_END = 600
STORE_CHUNK = 1000
INDEX_CHUNK = 2500

# Ranking looks at the newest CANDIDATES matches at most: exact bm25 order for
# any query matching fewer, "best of the newest" for very broad ones (a very
# common word, a short prefix while typing), which keeps every search fast.
CANDIDATES = 3000
# Date filters matching up to this many snippets become a set probed per
# match; wider ones are checked by looking each match up.
DATE_SET_LIMIT = 15_000
_UNSET: Any = UNSET
# bm25's column weights, as `_ranked` writes them into its SQL.
_BM25_WEIGHTS = ", ".join(str(w) for w in schema.FTS_WEIGHTS)
# An import of at least this many rows turns FTS5's automerge off meanwhile.
BULK_ROWS = 10_000
WRONG_THREAD = "a Library is used by the thread that opened it; open one per thread"
# SQLite's integers are 64-bit: an id beyond them names no snippet, and a
# limit beyond them means no limit.
_SQL_INT_MAX = common.INT_MAX
_sql_count = common.count_limit


@dataclass(frozen=True)
class NameCount:
    """A tag or collection and how many live snippets carry it."""

    name: str
    count: int


# A snippet with its source, collection and tags (`row_to_snippet` reads it).
# Schema 3 has all these columns: `check` salvages libraries of any version
# since with it, and `_SELECT` adds what later versions have.
SNIPPET_SELECT = """
    SELECT s.id, s.text, s.note, s.created, s.modified, s.deleted,
           src.title, src.publisher, src.author, src.url, src.published, src.accessed,
           COALESCE(c.name, ''),
           (SELECT json_group_array(name) FROM (
                SELECT t.name AS name FROM snippet_tags st JOIN tags t ON t.id = st.tag_id
                WHERE st.snippet_id = s.id ORDER BY t.name COLLATE NOCASE))
    FROM snippets s
    JOIN sources src ON src.id = s.source_id
    LEFT JOIN collections c ON c.id = s.collection_id
"""
_SELECT = SNIPPET_SELECT.replace(
    "COLLATE NOCASE))", "COLLATE NOCASE)), s.version, s.modified_by", 1
)


def row_to_snippet(row: Sequence[Any]) -> Snippet:
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
        tags=tuple(json.loads(row[13])) if row[13] else (),
        **({"version": row[14], "modified_by": row[15]} if len(row) > 14 else {}),
    )


_clean_source = clean_source

_INSERT_SNIPPET = (
    "INSERT INTO snippets(source_id, text, note, collection_id, created, modified,"
    " text_key, seg, day, modified_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT(source_id, text_key) DO NOTHING"
)
# Every change of a snippet after it was added: a version up, who made it.
_BUMP = "version = version + 1, modified_by = ?"


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A record's columns, cleaned, with its source's id (see `_Writer._prepare`)."""

    source_id: int
    text: str
    note: str
    key: bytes  # normalize.text_key(text)
    seg: str
    day: str


@contextlib.contextmanager
def _deferred_index(conn: sqlite3.Connection) -> Iterator[int]:
    """Within the block, new snippets and their tags are not indexed (the
    triggers skip them); yields the id the first new snippet gets, for
    `schema.index_deferred` to index them from once the block is done.
    Must run inside a write transaction (a failure rolls the marker back)."""
    first_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM snippets").fetchone()[0]
    conn.execute("INSERT INTO fts_defer VALUES (?)", (normalize.utc_now(),))
    yield first_id
    conn.execute("DELETE FROM fts_defer")


class _Writer:
    """Find-or-create helpers for one write transaction, with small caches so
    a bulk import does not look the same source or tag up 100,000 times."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.now = normalize.utc_now()
        self.user = common.modifier()
        self.sources: dict[str, int] = {}
        self.raw_sources: dict[Source, int] = {}
        self.days: dict[int, str] = {}  # source id -> its published date, or ""
        self.tags: dict[str, int] = {}
        self.collections: dict[str, int] = {}

    def source_id_raw(self, source: Source) -> int:
        """The id for a source as given (cleaned and validated here, once)."""
        cached = self.raw_sources.get(source)
        if cached is None:
            cached = self.raw_sources[source] = self.source_id(_clean_source(source))
        return cached

    def source_id(self, source: Source) -> int:
        """The id for a cleaned source, created if new."""
        key = normalize.source_key(source.title, source.publisher, source.author, source.url)
        cached = self.sources.get(key)
        if cached is not None:
            return cached
        row = self.conn.execute(
            "SELECT id, published FROM sources WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            seg = normalize.segment(source.title, source.publisher, source.author)
            row = self.conn.execute(
                "INSERT INTO sources(key, title, publisher, author, url, published, accessed,"
                " seg, site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, published",
                (
                    key,
                    source.title,
                    source.publisher,
                    source.author,
                    source.url,
                    source.published,
                    source.accessed,
                    seg,
                    normalize.site_of(source.url),
                ),
            ).fetchone()
        self.sources[key] = row[0]
        # The first description of a source wins; its date is the snippets' day.
        self.days[row[0]] = row[1]
        return row[0]

    def tag_id(self, name: str) -> int:
        folded = name.casefold()
        cached = self.tags.get(folded)
        if cached is not None:
            return cached
        row = self.conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "INSERT INTO tags(name) VALUES (?) RETURNING id", (name,)
            ).fetchone()
        self.tags[folded] = row[0]
        return row[0]

    def collection_id(self, name: str) -> int | None:
        name = normalize.one_line(name).strip("/")
        if not name:
            return None
        folded = name.casefold()
        cached = self.collections.get(folded)
        if cached is not None:
            return cached
        row = self.conn.execute("SELECT id FROM collections WHERE name = ?", (name,)).fetchone()
        if row is None:
            row = self.conn.execute(
                "INSERT INTO collections(name) VALUES (?) RETURNING id", (name,)
            ).fetchone()
        self.collections[folded] = row[0]
        return row[0]

    def _prepare(self, record: Record, no_text: str) -> _Prepared:
        """A record's cleaned columns, its source found or created. Raises
        `LibraryError(no_text)` when it has no text, and a `LibraryError`
        naming the field when a source date is no date."""
        text = normalize.clean(record.text)
        if not text:  # `clean` strips: nothing left means no text
            raise LibraryError(no_text)
        source_id = self.source_id_raw(record.source)
        note = normalize.clean(record.note) if record.note else ""
        return _Prepared(
            source_id=source_id,
            text=text,
            note=note,
            key=normalize.text_key(text),
            seg=normalize.segment(text, note),
            day=self.days[source_id] or self.now[:10],
        )

    def _row(self, prepared: _Prepared, collection_id: int | None) -> tuple[Any, ...]:
        """The values of `_INSERT_SNIPPET` for a prepared record."""
        p = prepared
        return (
            p.source_id,
            p.text,
            p.note,
            collection_id,
            self.now,
            self.now,
            p.key,
            p.seg,
            p.day,
            self.user,
        )

    def insert(self, record: Record) -> tuple[int, bool]:
        """Store one record; `(id, True)` if new, `(existing id, False)` if a duplicate."""
        prepared = self._prepare(record, no_text="a snippet needs some text")
        source_id, key = prepared.source_id, prepared.key
        row = self.conn.execute(
            _INSERT_SNIPPET + " RETURNING id",
            self._row(prepared, self.collection_id(record.collection)),
        ).fetchone()
        if row is None:
            existing = self.conn.execute(
                "SELECT id, deleted FROM snippets WHERE source_id = ? AND text_key = ?",
                (source_id, key),
            ).fetchone()
            if existing[1] is not None:
                # Adding again what is in the trash brings it back.
                self.conn.execute(
                    f"UPDATE snippets SET deleted = NULL, modified = ?, {_BUMP} WHERE id = ?",
                    (self.now, self.user, existing[0]),
                )
            return existing[0], False
        snippet_id = row[0]
        tags = normalize.split_tags(list(record.tags))
        if tags:
            self.conn.executemany(
                "INSERT OR IGNORE INTO snippet_tags(snippet_id, tag_id) VALUES (?, ?)",
                [(snippet_id, self.tag_id(tag)) for tag in tags],
            )
        return snippet_id, True

    def insert_many(
        self,
        items: Sequence[Record | Rejection],
        first_id: int,
        step: Callable[[int], None],
    ) -> tuple[int, int, list[Rejection]]:
        """Store many records, STORE_CHUNK at a time (`executemany`): same
        outcome as calling `insert` on each, counted as (added, duplicates,
        rejected). `first_id` is the id the first new snippet gets (one more
        than the largest). `step(done)` is called before each chunk with how
        many items are done; it may raise (a cancel), leaving the rest undone."""
        rejected: list[Rejection] = []
        added = duplicates = 0
        seen: set[tuple[int, bytes]] = set()
        next_id = first_id
        for start in range(0, len(items), STORE_CHUNK):
            step(start)
            rows: list[tuple[Any, ...]] = []
            row_tags: list[tuple[str, ...]] = []
            for item in items[start : start + STORE_CHUNK]:
                if isinstance(item, Rejection):
                    rejected.append(item)
                    continue
                try:
                    prepared = self._prepare(item, no_text="no text")
                    collection_id = self.collection_id(item.collection)
                    tags = normalize.split_tags(list(item.tags))
                except (LibraryError, ValueError) as exc:
                    rejected.append(Rejection(item.line, str(exc)))
                    continue
                if (prepared.source_id, prepared.key) in seen:
                    duplicates += 1
                    continue
                seen.add((prepared.source_id, prepared.key))
                rows.append(self._row(prepared, collection_id))
                row_tags.append(tags)
            self.conn.executemany(_INSERT_SNIPPET, rows)
            # New rows get ids above every existing one; a row without one
            # was already stored (ON CONFLICT DO NOTHING).
            new_ids = {
                (source_id, key): row_id
                for row_id, source_id, key in self.conn.execute(
                    "SELECT id, source_id, text_key FROM snippets WHERE id >= ?", (next_id,)
                )
            }
            if new_ids:
                next_id = max(new_ids.values()) + 1
            added += len(new_ids)
            links: list[tuple[int, int]] = []
            restore: list[tuple[str, int, bytes]] = []
            for row, tags in zip(rows, row_tags, strict=True):
                row_id = new_ids.get((row[0], row[6]))
                if row_id is None:
                    duplicates += 1
                    restore.append((self.now, self.user, row[0], row[6]))
                else:
                    links.extend((row_id, self.tag_id(tag)) for tag in tags)
            if restore:
                # Importing again what is in the trash brings it back.
                self.conn.executemany(
                    f"UPDATE snippets SET deleted = NULL, modified = ?, {_BUMP}"
                    " WHERE source_id = ? AND text_key = ? AND deleted IS NOT NULL",
                    restore,
                )
            self.conn.executemany(
                "INSERT OR IGNORE INTO snippet_tags(snippet_id, tag_id) VALUES (?, ?)", links
            )
        step(len(items))
        return added, duplicates, rejected


class Library:
    """The snippet library stored in one SQLite file. See `briefer.library`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        busy_timeout: float = schema.WRITE_PATIENCE_S,
    ) -> None:
        self._connection = conn
        self._thread = threading.get_ident()
        self.path = path
        self.busy_timeout = busy_timeout

    def _check_thread(self) -> None:
        # SQLite's own same-thread check would raise a bare ProgrammingError
        # deep inside a query; say what is wrong and what to do instead.
        if threading.get_ident() != self._thread:
            raise LibraryError(WRONG_THREAD)

    @property
    def _conn(self) -> sqlite3.Connection:
        self._check_thread()
        return self._connection

    # -- lifecycle ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout: float = schema.WRITE_PATIENCE_S) -> Library:
        """Open the library at `path`, creating or migrating it as needed.

        `busy_timeout` is how many seconds a write (and opening, when it has
        to create or migrate the database) waits while another program writes
        to the library before it gives up with a `LibraryError` saying the
        library is busy. A window passes a few seconds, so it never freezes
        for long; the default suits the command line and background jobs."""
        if busy_timeout < 0:
            raise ValueError(f"busy_timeout must be 0 or more seconds, not {busy_timeout}")
        path = Path(path).expanduser()
        return cls(schema.connect(path, busy_timeout), path, busy_timeout)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        return schema.write_transaction(self._conn, work, self.busy_timeout)

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
            text=text,
            source=source or Source(),
            note=note,
            tags=tuple(tags),
            collection=collection,
        )

        def work(conn: sqlite3.Connection) -> tuple[int, bool]:
            return self._insert_deferred(conn, record)

        snippet_id, new = self._write(work)
        return AddResult(self.get(snippet_id), duplicate=not new)

    @staticmethod
    def _insert_deferred(conn: sqlite3.Connection, record: Record) -> tuple[int, bool]:
        """Insert a record with indexing deferred to one statement at the end
        (see `_Writer.insert`). Must run inside a write transaction."""
        with _deferred_index(conn) as first_id:
            result = _Writer(conn).insert(record)
        schema.index_deferred(conn, first_id)
        return result

    def get(self, snippet_id: int) -> Snippet:
        """The snippet with this id (also when it is in the trash)."""
        common.check_id(snippet_id)
        row = self._conn.execute(_SELECT + " WHERE s.id = ?", (snippet_id,)).fetchone()
        if row is None:
            raise common.unknown(snippet_id)
        return row_to_snippet(row)

    def _get_many(self, ids: Sequence[int]) -> dict[int, Snippet]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(_SELECT + f" WHERE s.id IN ({marks})", list(ids))
        return {row[0]: row_to_snippet(row) for row in rows}

    def update(
        self,
        snippet_id: int,
        *,
        text: str = _UNSET,
        note: str = _UNSET,
        source: Source = _UNSET,
        tags: Iterable[str] = _UNSET,
        collection: str = _UNSET,
        expected_version: int | None = None,
    ) -> Snippet:
        """Change the given fields of a snippet. A new `source` is found or
        created and the snippet moves to it (other snippets keep theirs).

        With `expected_version` (the `version` of the snippet as it was
        read), an edit of a snippet that someone has changed since is refused
        with an `EditConflict` naming who and when, and nothing is saved."""

        def work(conn: sqlite3.Connection) -> None:
            current = self.get(snippet_id)
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
                sets["seg"] = change.seg
            if change.source is not None:
                sets["source_id"] = writer.source_id_raw(change.source)
                sets["day"] = writer.days[sets["source_id"]] or current.created[:10]
            if change.collection is not None:
                sets["collection_id"] = writer.collection_id(change.collection)
            wanted = current.tags if change.tags is None else change.tags
            remove, add = common.tag_changes(current.tags, wanted)
            if sets or remove or add:
                sets["modified"] = writer.now
                assignments = ", ".join(f"{k} = ?" for k in sets)
                try:
                    conn.execute(
                        f"UPDATE snippets SET {assignments}, {_BUMP} WHERE id = ?",
                        [*sets.values(), writer.user, snippet_id],
                    )
                except sqlite3.IntegrityError as exc:
                    raise LibraryError(common.SAME_TEXT) from exc
            for name in remove:
                conn.execute(
                    "DELETE FROM snippet_tags WHERE snippet_id = ?"
                    " AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                    (snippet_id, name),
                )
            for name in add:
                conn.execute(
                    "INSERT OR IGNORE INTO snippet_tags(snippet_id, tag_id) VALUES (?, ?)",
                    (snippet_id, writer.tag_id(name)),
                )

        self._write(work)
        return self.get(snippet_id)

    def delete(self, snippet_id: int) -> Snippet:
        """Move a snippet to the trash (it leaves search; `restore` brings it back)."""
        return self._set_deleted(snippet_id, trash=True)

    def restore(self, snippet_id: int) -> Snippet:
        """Take a snippet out of the trash."""
        return self._set_deleted(snippet_id, trash=False)

    def _set_deleted(self, snippet_id: int, *, trash: bool) -> Snippet:
        def work(conn: sqlite3.Connection) -> None:
            self.get(snippet_id)
            now, user = normalize.utc_now(), common.modifier()
            if trash:
                conn.execute(
                    f"UPDATE snippets SET deleted = ?, {_BUMP} WHERE id = ? AND deleted IS NULL",
                    (now, user, snippet_id),
                )
            else:
                conn.execute(
                    f"UPDATE snippets SET deleted = NULL, modified = ?, {_BUMP}"
                    " WHERE id = ? AND deleted IS NOT NULL",
                    (now, user, snippet_id),
                )

        self._write(work)
        return self.get(snippet_id)

    def empty_trash(self) -> int:
        """Delete the snippets in the trash for good; returns how many."""

        def work(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM snippets WHERE deleted IS NOT NULL").rowcount

        return int(self._write(work))

    # -- reading -----------------------------------------------------------

    def count(self, *, trash: bool = False) -> int:
        where = "deleted IS NOT NULL" if trash else "deleted IS NULL"
        return int(self._conn.execute(f"SELECT COUNT(*) FROM snippets WHERE {where}").fetchone()[0])

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
        where = [w.format(id="s.id") for w in where]
        where.insert(0, "s.deleted IS NOT NULL" if trash else "s.deleted IS NULL")
        sql = (
            f"SELECT s.id FROM snippets s JOIN sources src ON src.id = s.source_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.id DESC LIMIT ? OFFSET ?"
        )
        ids = [
            r[0]
            for r in self._conn.execute(
                sql, [*params, -1 if limit is None else _sql_count(limit), _sql_count(offset)]
            )
        ]
        found = self._get_many(ids)
        return [found[i] for i in ids if i in found]

    def tags(self) -> list[NameCount]:
        """All tags with their live snippet counts, by name."""
        rows = self._conn.execute(
            "SELECT t.name, COUNT(s.id) FROM tags t"
            " LEFT JOIN snippet_tags st ON st.tag_id = t.id"
            " LEFT JOIN snippets s ON s.id = st.snippet_id AND s.deleted IS NULL"
            " GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
        )
        return [NameCount(name, count) for name, count in rows]

    def collections(self) -> list[NameCount]:
        """All collections (folders, `/`-separated) with live snippet counts."""
        rows = self._conn.execute(
            "SELECT c.name, COUNT(s.id) FROM collections c"
            " LEFT JOIN snippets s ON s.collection_id = c.id AND s.deleted IS NULL"
            " GROUP BY c.id ORDER BY c.name COLLATE NOCASE"
        )
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
        limit = _sql_count(limit)
        parsed = common.with_tags(parse_query(query, as_you_type=as_you_type), tags)
        where, params = _filters(parsed, collection, since, self._conn)
        match = parsed.fts_expression()
        if match:
            return self._ranked(parsed, match, where, params, limit)
        return self._filtered(parsed, where, params, limit)

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
        where, params = _filters(parsed, collection, None, self._conn)
        match = parsed.fts_expression()
        if match:
            extra = "".join(f" AND {w.format(id='+f.rowid')}" for w in where)
            sql = f"SELECT COUNT(*) FROM snippet_fts f WHERE snippet_fts MATCH ?{extra}"
            return int(self._conn.execute(sql, [match, *params]).fetchone()[0])
        conditions, params = self._unranked_conditions(parsed, where, params)
        sql = (
            "SELECT COUNT(*) FROM snippets s JOIN sources src ON src.id = s.source_id"
            f" WHERE {' AND '.join(conditions)}"
        )
        return int(self._conn.execute(sql, params).fetchone()[0])

    def _ranked(
        self, parsed: Query, match: str, where: list[str], params: list[Any], limit: int
    ) -> list[Hit]:
        # `+f.rowid`: probe each filter's set per match; a bare `f.rowid IN`
        # would make FTS5 run the whole MATCH once per id in the set.
        extra = "".join(f" AND {w.format(id='+f.rowid')}" for w in where)
        sql = (
            f"SELECT f.rowid, bm25(snippet_fts, {_BM25_WEIGHTS}) FROM snippet_fts f"
            f" WHERE snippet_fts MATCH ?{extra} ORDER BY f.rowid DESC LIMIT ?"
        )
        rows = self._conn.execute(sql, [match, *params, max(CANDIDATES, limit)]).fetchall()
        rows.sort(key=lambda r: (r[1], -r[0]))
        top = rows[:limit]
        snippets = self._get_many([r[0] for r in top])
        return common.ranked_hits(snippets, [(i, -score) for i, score in top], parsed)

    def _filtered(
        self, parsed: Query, where: list[str], params: list[Any], limit: int
    ) -> list[Hit]:
        """Searches with no words to rank by: newest first, minus exclusions."""
        conditions, params = self._unranked_conditions(parsed, where, params)
        sql = (
            "SELECT s.id FROM snippets s JOIN sources src ON src.id = s.source_id"
            f" WHERE {' AND '.join(conditions)} ORDER BY s.id DESC LIMIT ?"
        )
        ids = [r[0] for r in self._conn.execute(sql, [*params, limit])]
        return common.unranked_hits(self._get_many(ids), ids)

    @staticmethod
    def _unranked_conditions(
        parsed: Query, where: list[str], params: list[Any]
    ) -> tuple[list[str], list[Any]]:
        """The conditions on a live snippet `s` of a search with no words to
        rank by: its filters, minus what it excludes."""
        conditions = ["s.deleted IS NULL", *(w.format(id="s.id") for w in where)]
        exclude = parsed.exclude_expression()
        if exclude:
            conditions.append(
                "s.id NOT IN (SELECT rowid FROM snippet_fts WHERE snippet_fts MATCH ?)"
            )
            params = [*params, exclude]
        return conditions, params

    # -- import and export -------------------------------------------------

    def import_records(
        self,
        records: Iterable[Record | Rejection],
        report: ImportReport,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Store records read from one file in one transaction, counting
        into `report`. Rejections (and records the library refuses) are listed,
        never raised. Nothing is stored if reading the file fails part-way.

        `progress` gets `Progress(done, STEPS, "Storing <file name>")`, then
        "Indexing <file name>", ending with `done == STEPS`. Raising
        `briefer.jobs.Cancelled` from it rolls back everything this call
        stored and the `Cancelled` propagates; `report` is left unchanged."""
        items = list(records)
        name = Path(report.path).name
        storing, indexing = f"Storing {name}".rstrip(), f"Indexing {name}".rstrip()

        def stored(done: int) -> None:
            jobs.report(progress, STORE_END * done // max(1, len(items)), STEPS, storing)

        def work(conn: sqlite3.Connection) -> tuple[int, int, list[Rejection]]:
            with _deferred_index(conn) as first_id:
                writer = _Writer(conn)
                added, duplicates, rejected = writer.insert_many(items, first_id, stored)
            last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM snippets").fetchone()[0]
            bulk = last_id - first_id >= BULK_ROWS
            if bulk:
                schema.set_automerge(conn, on=False)
            span = max(1, last_id + 1 - first_id)
            # Small statements, so a cancel need not wait for the whole index.
            for start in range(first_id, last_id + 1, INDEX_CHUNK):
                done = STORE_END + (STEPS - STORE_END) * (start - first_id) // span
                jobs.report(progress, done, STEPS, indexing)
                schema.index_deferred(conn, start, start + INDEX_CHUNK)
            if bulk:
                schema.set_automerge(conn, on=True)
            # Still inside the transaction: a cancel here rolls back too.
            jobs.report(progress, STEPS, STEPS, indexing)
            return added, duplicates, rejected

        added, duplicates, rejected = self._write(work)
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
        """Import one file (format from its extension; see `importers`).

        `whole=True` keeps a document (.txt, .md, .html, .docx) as one snippet
        instead of one per paragraph; `tags` and `collection` apply to every
        snippet imported. A file that cannot be used at all (missing, a
        folder, a named pipe or device, larger than
        `importers.MAX_IMPORT_BYTES`, unreadable, not UTF-8, an unknown type,
        a `.docx` that would unpack past its limits, no text) is reported in
        `report.error`, not raised, and nothing of it is stored.

        `progress` gets `briefer.jobs.Progress` reports on one scale for the
        whole file (reading, then storing and indexing). Raising
        `briefer.jobs.Cancelled` from it, while the file is read, stored or
        indexed, stops the import, stores nothing of the file and propagates."""
        from briefer.library import importers

        self._check_thread()  # before reading the file, not after

        return importers.import_file(
            self,
            Path(path),
            progress=progress,
            whole=whole,
            tags=tuple(tags),
            collection=collection,
        )

    def export(self, path: str | Path) -> int:
        """Write every live snippet to a JSON Lines file (atomically); returns
        how many. The file imports back with `import_file`."""
        count = 0
        ids = [
            r[0]
            for r in self._conn.execute("SELECT id FROM snippets WHERE deleted IS NULL ORDER BY id")
        ]
        with atomic_write(path) as handle:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                found = self._get_many(chunk)
                lines = []
                for i in chunk:
                    lines.append(json.dumps(snippet_to_json(found[i]), ensure_ascii=False))
                    count += 1
                handle.write(("\n".join(lines) + "\n").encode("utf-8"))
        return count

    def describe_source(
        self, snippet_id: int, source: Source, *, expected_version: int | None = None
    ) -> Snippet:
        """Correct where a snippet came from: the snippet moves to the source
        `source` names (found or created as `update(source=...)` does: by
        its URL, else by title, publisher and author), and that source's
        fields become `source`'s, for every snippet quoting it (one work,
        one description). `update(source=...)` keeps a found source's first
        description; this is for a person correcting it. A date that is no
        date is a `LibraryError` naming the field; `expected_version` as for
        `update`."""

        def work(conn: sqlite3.Connection) -> None:
            current = self.get(snippet_id)
            common.require_version(current, expected_version)
            clean = common.clean_source(source)
            writer = _Writer(conn)
            source_id = writer.source_id(clean)
            conn.execute(
                "UPDATE sources SET title = ?, publisher = ?, author = ?, url = ?,"
                " published = ?, accessed = ?, seg = ?, site = ? WHERE id = ?",
                (
                    clean.title,
                    clean.publisher,
                    clean.author,
                    clean.url,
                    clean.published,
                    clean.accessed,
                    normalize.segment(clean.title, clean.publisher, clean.author),
                    normalize.site_of(clean.url),
                    source_id,
                ),
            )
            try:
                conn.execute(
                    f"UPDATE snippets SET source_id = ?, modified = ?, {_BUMP} WHERE id = ?",
                    (source_id, writer.now, writer.user, snippet_id),
                )
            except sqlite3.IntegrityError as exc:
                raise LibraryError(common.SAME_TEXT) from exc
            # The date `before:` and `after:` compare follows the source's.
            conn.execute(
                "UPDATE snippets SET day = COALESCE(NULLIF(?, ''), substr(created, 1, 10))"
                " WHERE source_id = ?",
                (clean.published, source_id),
            )

        self._write(work)
        return self.get(snippet_id)


def _filters(
    parsed: Query,
    collection: str,
    since: str | dt.date | dt.datetime | None,
    conn: sqlite3.Connection | None = None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions on a snippet id (written `{id}`) for the filters.

    Each is `{id} IN (subquery)`: SQLite builds the subquery's set once, so a
    full-text scan only probes it, with no join per matching row."""
    where: list[str] = []
    params: list[Any] = []
    tag_sql = (
        "{{id}} {op} (SELECT st.snippet_id FROM snippet_tags st JOIN tags t ON t.id = st.tag_id"
        " WHERE t.name = ?)"
    )
    for tag in parsed.tags:
        where.append(tag_sql.format(op="IN"))
        params.append(tag)
    for tag in parsed.exclude_tags:
        where.append(tag_sql.format(op="NOT IN"))
        params.append(tag)
    dates = [(op, day) for op, day in (("<", parsed.before), (">=", parsed.after)) if day]
    if dates and conn is not None:
        condition = " AND ".join(f"day {op} ?" for op, _ in dates)
        bounds = [day for _, day in dates]
        (count,) = conn.execute(
            f"SELECT COUNT(*) FROM snippets WHERE {condition}", bounds
        ).fetchone()
        if count <= DATE_SET_LIMIT:
            where.append(f"{{id}} IN (SELECT id FROM snippets WHERE {condition})")
        else:
            # A wide range: looking each match up is cheaper than a big set.
            where.extend(f"(SELECT day FROM snippets WHERE id = {{id}}) {op} ?" for op, _ in dates)
        params += bounds
    name = normalize.one_line(collection).strip("/")
    if name:
        where.append(
            "{id} IN (SELECT id FROM snippets WHERE collection_id IN (SELECT id FROM collections"
            " WHERE name = ? OR (length(name) > ? AND substr(name, 1, ?) = ? COLLATE NOCASE)))"
        )
        params += [name, len(name) + 1, len(name) + 1, name + "/"]
    if since is not None:
        try:
            bound = normalize.as_timestamp(since)
        except ValueError as exc:
            raise LibraryError(f"since: {exc}") from exc
        where.append("{id} IN (SELECT id FROM snippets WHERE created >= ?)")
        params.append(bound)
    return where, params
