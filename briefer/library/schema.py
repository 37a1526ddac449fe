"""The library database: connection settings, schema versions and migrations.

`connect` opens the SQLite file with WAL, foreign keys and a busy timeout;
`migrate` brings any older database up to `SCHEMA_VERSION`, one small function
per step (`PRAGMA user_version` records where a database stands). A new
database is made by running every step from version 0, so the path a user's
old library takes is the path the tests take. `write_transaction` runs work in
`BEGIN IMMEDIATE` and retries while another process holds the write lock, for
about the connection's patience (`busy_timeout`, in seconds), so "database is
locked" never reaches the user: a write still blocked after that is a
`LibraryError` saying the library is busy. A connection stays with the thread
that opened it (SQLite's same-thread check is kept on).

Schema history:

1. sources, snippets (with a free-text collection), tags, snippet_tags.
2. collections become a table; snippets get `text_key` (duplicate
   detection, unique per source) and `deleted` (the trash).
3. full-text search: the `snippet_doc` view and the external-content FTS5
   table `snippet_fts` over text, note, title, publisher, author, tags, the
   source's web site (`site`, for `source:`) and the segmented CJK/emoji
   column `seg`, kept in step by triggers; snippets get `day` (the source's
   published date, else the day added) for date filters.
4. snippets get `version` (one more with every change) and `modified_by`
   (who made the last one), so an edit of a snippet someone else changed
   since it was read can be refused (`Library.update(expected_version=)`).

The team library on PostgreSQL (`pg_schema`) follows the same numbering.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from briefer.errors import DAMAGED_LIBRARY, database_error_reason, os_error_reason
from briefer.library import normalize
from briefer.library.model import LibraryError

SCHEMA_VERSION = 4
# SQLite's own wait for a lock, per statement; `retry` keeps trying after it.
BUSY_TIMEOUT_MS = 5_000
# How long a write waits for other programs' writes in all, in seconds
# (`Library.open(busy_timeout=...)` changes it per connection).
WRITE_PATIENCE_S = 60.0
BUSY_MESSAGE = "the library is busy: another program is writing to it; try again"

T = TypeVar("T")


def connect(path: Path, patience: float = WRITE_PATIENCE_S) -> sqlite3.Connection:
    """Open (creating if needed) the library at `path`, migrated and ready.
    Opening and each write on it wait about `patience` seconds at most for
    another connection's lock (see `write_transaction`).

    A library that cannot be opened is a `LibraryError` of one line naming
    the file and the cause: its folder cannot be made, it is read-only, on a
    read-only file system or not ours to write, it is damaged (`briefer
    snippets check` says how), or it is no Briefer library at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = os_error_reason(exc)
        raise LibraryError(f"{path}: cannot create the library's folder: {reason}") from exc
    require_library_file(path)
    # SQLite's own wait is a slice of the patience, so one statement never
    # blocks for much longer than the patience left (retry checks between).
    busy_ms = int(min(BUSY_TIMEOUT_MS, patience * 250))
    try:
        # The same-thread check stays on: threads sharing a connection would
        # share its transactions (one thread's writes landing in another's
        # import); `Library` turns the check into a clear error.
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_ms / 1000)
    except sqlite3.Error as exc:
        raise LibraryError(f"{path}: {cannot_open_reason(path, exc)}") from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA mmap_size = 268435456")
        _require_ours(conn)
        try:
            retry(lambda: _set_wal(conn), patience)
        except sqlite3.OperationalError as exc:
            # A library that may only be read is read in the journal mode it
            # has; anything that would write to it says it is read-only.
            if not (database_error_reason(exc) or "").startswith("read-only"):
                raise
        migrate(conn, patience)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise LibraryError(f"{path}: {cannot_open_reason(path, exc)}") from exc
    except LibraryError as exc:
        conn.close()
        raise LibraryError(f"{path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


_SQLITE_HEADER = b"SQLite format 3\x00"
NOT_A_LIBRARY = "not a Briefer library"


def require_library_file(path: Path) -> None:
    """A `LibraryError` unless `path` is missing (a new library), empty, or a
    regular file that starts as an SQLite database does. Only looked at:
    a named pipe or a device is refused without being opened (SQLite
    would wait on a pipe for ever)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        reason = os_error_reason(exc) if isinstance(exc, OSError) else "not a valid file name"
        raise LibraryError(f"{path}: cannot open the library: {reason}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise LibraryError(f"{path} is a folder, not a library file")
    if not stat.S_ISREG(info.st_mode):
        raise LibraryError(f"{path}: {NOT_A_LIBRARY} (not a regular file)")
    if info.st_size == 0:
        return  # a new library, made by the first connection
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise LibraryError(f"{path}: cannot read the library: {os_error_reason(exc)}") from exc
    if header != _SQLITE_HEADER:
        raise LibraryError(f"{path}: {NOT_A_LIBRARY} (not an SQLite database)")


def _require_ours(conn: sqlite3.Connection) -> None:
    """Refuse, before anything is changed in it, a database with tables but
    no schema version: another program's. Read in one statement, so a
    library another process is creating is seen before or after, not half."""
    version, has_tables = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " EXISTS (SELECT 1 FROM sqlite_master)"
    ).fetchone()
    if version == 0 and has_tables:
        raise LibraryError(f"{NOT_A_LIBRARY} (an SQLite database of another program)")


def cannot_open_reason(path: Path, exc: sqlite3.Error) -> str:
    """Why SQLite could not open or set up the library, in plain words:
    what the file system says first (a read-only disk, a file or folder
    not ours to write), then what SQLite said."""
    reason = database_error_reason(exc)
    if reason == DAMAGED_LIBRARY or reason == "no space left on device":
        return reason
    return _unwritable(path) or reason or f"cannot open the library: {exc}"


def _unwritable(path: Path) -> str:
    """Why the library at `path` cannot be written, as far as the file
    system tells; "" when it can. SQLite writes its journal (the `-wal`
    and `-shm` files) beside the library, so the folder must be writable
    even just to read one."""
    folder = path.parent
    with contextlib.suppress(OSError, AttributeError):  # no statvfs on Windows
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    if path.exists():
        if not os.access(path, os.R_OK):
            return "permission denied: the library file cannot be read"
        if not os.access(path, os.W_OK):
            return "read-only: the library file cannot be changed here"
        if not os.access(folder, os.W_OK):
            return (
                f"permission denied: its folder {folder} cannot be written,"
                " and the library keeps its journal there"
            )
    elif not os.access(folder, os.W_OK):
        return f"permission denied: cannot create the library in {folder}"
    return ""


def _set_wal(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise LibraryError(f"the library cannot use write-ahead logging (mode {mode})")


def is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def retry(work: Callable[[], T], patience: float = WRITE_PATIENCE_S) -> T:
    """Run `work`, retrying with jittered back-off while the database is busy."""
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            return work()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LibraryError(BUSY_MESSAGE) from exc
            time.sleep(min(remaining, delay * (0.5 + random.random())))
            delay = min(delay * 2, 0.5)


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_transaction(
    conn: sqlite3.Connection,
    work: Callable[[sqlite3.Connection], T],
    patience: float = WRITE_PATIENCE_S,
) -> T:
    """Run `work(conn)` in one IMMEDIATE transaction, retried while busy for
    up to `patience` seconds. Any exception from `work` (a `Cancelled` from a
    progress callback too) rolls the transaction back and propagates.

    `work` may run more than once (after a busy rollback), so it must not have
    side effects outside the database.
    """

    def attempt() -> T:
        with _immediate(conn):
            return work(conn)

    return retry(attempt, patience)


# --------------------------------------------------------------------------
# Migrations
# --------------------------------------------------------------------------


def migrate(conn: sqlite3.Connection, patience: float = WRITE_PATIENCE_S) -> None:
    """Bring the database to SCHEMA_VERSION, one step per transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"the library was written by a newer Briefer (schema {version}, this one "
            f"knows {SCHEMA_VERSION}); update Briefer"
        )
    while version < SCHEMA_VERSION:

        def step(c: sqlite3.Connection) -> int:
            # Another process may have migrated while we waited for the lock.
            current = c.execute("PRAGMA user_version").fetchone()[0]
            if current < SCHEMA_VERSION:
                MIGRATIONS[current](c)
                c.execute(f"PRAGMA user_version = {current + 1}")
                return current + 1
            return current

        version = write_transaction(conn, step, patience)


def _v0_to_v1(conn: sqlite3.Connection) -> None:
    for sql in V1_SCHEMA:
        conn.execute(sql)


V1_SCHEMA = (
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        publisher TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL DEFAULT '',
        accessed TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE snippets (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        text TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        collection TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        modified TEXT NOT NULL
    )""",
    "CREATE INDEX snippets_source ON snippets(source_id)",
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE)",
    """CREATE TABLE snippet_tags (
        snippet_id INTEGER NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (snippet_id, tag_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX snippet_tags_tag ON snippet_tags(tag_id, snippet_id)",
)


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE collections (id INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL UNIQUE COLLATE NOCASE)"
    )
    conn.execute(
        "INSERT INTO collections(name) SELECT DISTINCT collection FROM snippets"
        " WHERE collection <> '' ORDER BY collection"
    )
    conn.execute(
        "ALTER TABLE snippets ADD COLUMN collection_id INTEGER"
        " REFERENCES collections(id) ON DELETE SET NULL"
    )
    conn.execute(
        "UPDATE snippets SET collection_id ="
        " (SELECT id FROM collections c WHERE c.name = snippets.collection)"
    )
    conn.execute("ALTER TABLE snippets DROP COLUMN collection")
    conn.execute("ALTER TABLE snippets ADD COLUMN text_key BLOB")
    conn.execute("ALTER TABLE snippets ADD COLUMN deleted TEXT")
    keys = [
        (normalize.text_key(text), row_id)
        for row_id, text in conn.execute("SELECT id, text FROM snippets")
    ]
    conn.executemany("UPDATE snippets SET text_key = ? WHERE id = ?", keys)
    # Version 1 allowed duplicates: keep the oldest, give it the others' tags.
    dupes = conn.execute(
        """SELECT s.id, k.keep FROM snippets s JOIN (
               SELECT source_id, text_key, MIN(id) AS keep FROM snippets
               GROUP BY source_id, text_key HAVING COUNT(*) > 1) k
           ON s.source_id = k.source_id AND s.text_key = k.text_key AND s.id <> k.keep"""
    ).fetchall()
    for dupe, keep in dupes:
        conn.execute(
            "INSERT OR IGNORE INTO snippet_tags(snippet_id, tag_id)"
            " SELECT ?, tag_id FROM snippet_tags WHERE snippet_id = ?",
            (keep, dupe),
        )
        conn.execute("DELETE FROM snippets WHERE id = ?", (dupe,))
    conn.execute("CREATE UNIQUE INDEX snippets_dedupe ON snippets(source_id, text_key)")
    conn.execute("CREATE INDEX snippets_collection ON snippets(collection_id)")
    conn.execute("CREATE INDEX snippets_created ON snippets(created)")
    conn.execute("CREATE INDEX sources_published ON sources(published)")


# The FTS columns, in order; bm25 weights follow the same order.
FTS_COLUMNS = ("text", "note", "title", "publisher", "author", "tags", "site", "seg")
FTS_WEIGHTS = (1.0, 0.6, 1.5, 0.8, 0.8, 1.2, 0.5, 1.0)
_FTS_COLS = ", ".join(FTS_COLUMNS)
_DOC_COLS = ", ".join(f"d.{c}" for c in FTS_COLUMNS)

# The triggers that index a new snippet or its tags are skipped while a row in
# `fts_defer` exists. A bulk import sets it inside its own transaction (no
# other connection ever sees it) and indexes all its rows at once at the end.
_NOT_DEFERRED = "NOT EXISTS (SELECT 1 FROM fts_defer)"
_FTS_DELETE = (
    f"INSERT INTO snippet_fts(snippet_fts, rowid, {_FTS_COLS})"
    f" SELECT 'delete', d.id, {_DOC_COLS} FROM snippet_doc d"
)
_FTS_INSERT = (
    f"INSERT INTO snippet_fts(rowid, {_FTS_COLS}) SELECT d.id, {_DOC_COLS} FROM snippet_doc d"
)

V3_SCHEMA = (
    "CREATE TABLE fts_defer (on_since TEXT)",
    # What the index sees: live (not trashed) snippets with their source and tags.
    """CREATE VIEW snippet_doc AS
       SELECT s.id AS id, s.text AS text, s.note AS note, src.title AS title,
              src.publisher AS publisher, src.author AS author,
              COALESCE((SELECT group_concat(name, ' ') FROM (
                  SELECT t.name AS name FROM snippet_tags st JOIN tags t ON t.id = st.tag_id
                  WHERE st.snippet_id = s.id ORDER BY t.name)), '') AS tags,
              src.site AS site, trim(s.seg || ' ' || src.seg) AS seg
       FROM snippets s JOIN sources src ON src.id = s.source_id
       WHERE s.deleted IS NULL""",
    f"""CREATE VIRTUAL TABLE snippet_fts USING fts5(
        {_FTS_COLS}, content='snippet_doc', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3')""",
    f"""CREATE TRIGGER snippets_ai AFTER INSERT ON snippets WHEN {_NOT_DEFERRED}
        BEGIN {_FTS_INSERT} WHERE d.id = new.id; END""",
    f"""CREATE TRIGGER snippets_bu BEFORE UPDATE ON snippets
        BEGIN {_FTS_DELETE} WHERE d.id = old.id; END""",
    f"""CREATE TRIGGER snippets_au AFTER UPDATE ON snippets
        BEGIN {_FTS_INSERT} WHERE d.id = new.id; END""",
    f"""CREATE TRIGGER snippets_bd BEFORE DELETE ON snippets
        BEGIN {_FTS_DELETE} WHERE d.id = old.id; END""",
    f"""CREATE TRIGGER sources_bu BEFORE UPDATE ON sources
        BEGIN {_FTS_DELETE} JOIN snippets s ON s.id = d.id WHERE s.source_id = old.id; END""",
    f"""CREATE TRIGGER sources_au AFTER UPDATE ON sources
        BEGIN {_FTS_INSERT} JOIN snippets s ON s.id = d.id WHERE s.source_id = new.id; END""",
    # An INSERT OR IGNORE that is ignored runs BEFORE triggers but not AFTER
    # ones: only take the row out of the index when it will be put back.
    f"""CREATE TRIGGER snippet_tags_bi BEFORE INSERT ON snippet_tags WHEN {_NOT_DEFERRED}
        AND NOT EXISTS (SELECT 1 FROM snippet_tags
                        WHERE snippet_id = new.snippet_id AND tag_id = new.tag_id)
        BEGIN {_FTS_DELETE} WHERE d.id = new.snippet_id; END""",
    f"""CREATE TRIGGER snippet_tags_ai AFTER INSERT ON snippet_tags WHEN {_NOT_DEFERRED}
        BEGIN {_FTS_INSERT} WHERE d.id = new.snippet_id; END""",
    f"""CREATE TRIGGER snippet_tags_bd BEFORE DELETE ON snippet_tags
        BEGIN {_FTS_DELETE} WHERE d.id = old.snippet_id; END""",
    f"""CREATE TRIGGER snippet_tags_ad AFTER DELETE ON snippet_tags
        BEGIN {_FTS_INSERT} WHERE d.id = old.snippet_id; END""",
    f"""CREATE TRIGGER tags_bu BEFORE UPDATE ON tags
        BEGIN {_FTS_DELETE} JOIN snippet_tags st ON st.snippet_id = d.id
        WHERE st.tag_id = old.id; END""",
    f"""CREATE TRIGGER tags_au AFTER UPDATE ON tags
        BEGIN {_FTS_INSERT} JOIN snippet_tags st ON st.snippet_id = d.id
        WHERE st.tag_id = new.id; END""",
)


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE snippets ADD COLUMN seg TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sources ADD COLUMN seg TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sources ADD COLUMN site TEXT NOT NULL DEFAULT ''")
    # The date `before:`/`after:` compare: published, or the day it was added.
    conn.execute("ALTER TABLE snippets ADD COLUMN day TEXT NOT NULL DEFAULT ''")
    conn.execute(
        "UPDATE snippets SET day = COALESCE((SELECT NULLIF(published, '') FROM sources"
        " WHERE sources.id = snippets.source_id), substr(created, 1, 10))"
    )
    conn.execute("CREATE INDEX snippets_day ON snippets(day)")
    rows = conn.execute("SELECT id, text, note FROM snippets").fetchall()
    segs = ((normalize.segment(text, note), row_id) for row_id, text, note in rows)
    # Only rows with something to segment: `seg` is already '' for the rest.
    conn.executemany("UPDATE snippets SET seg = ? WHERE id = ?", [r for r in segs if r[0]])
    rows = conn.execute("SELECT id, title, publisher, author, url FROM sources").fetchall()
    conn.executemany(
        "UPDATE sources SET seg = ?, site = ? WHERE id = ?",
        [
            (normalize.segment(t, p, a), normalize.site_of(url), row_id)
            for row_id, t, p, a, url in rows
        ],
    )
    for sql in V3_SCHEMA:
        conn.execute(sql)
    conn.execute("INSERT INTO snippet_fts(snippet_fts) VALUES('rebuild')")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE snippets ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
    conn.execute("ALTER TABLE snippets ADD COLUMN modified_by TEXT NOT NULL DEFAULT ''")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v0_to_v1,
    _v1_to_v2,
    _v2_to_v3,
    _v3_to_v4,
)


def set_automerge(conn: sqlite3.Connection, on: bool) -> None:
    """FTS5 merges index segments as it writes; a bulk load is about twice as
    fast without, and the next ordinary writes merge them step by step."""
    conn.execute(
        "INSERT INTO snippet_fts(snippet_fts, rank) VALUES ('automerge', ?)", (4 if on else 0,)
    )


def index_deferred(conn: sqlite3.Connection, first_id: int, end_id: int | None = None) -> None:
    """Index the live snippets with `first_id <= id < end_id` (all from
    `first_id` when `end_id` is None), after a deferred bulk insert."""
    if end_id is None:
        conn.execute(f"{_FTS_INSERT} WHERE d.id >= ?", (first_id,))
    else:
        conn.execute(f"{_FTS_INSERT} WHERE d.id >= ? AND d.id < ?", (first_id, end_id))
