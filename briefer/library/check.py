"""Checking a library database for damage, and rebuilding its indexes.

`check_library` opens the file as it is (no migration, nothing written but
what FTS5's own check needs) and looks at each table with SQLite's
`PRAGMA integrity_check(TABLE)`, which also covers the table's indexes, then
reads each table whole, then runs FTS5's `integrity-check`, which compares
the full-text index with the snippets it indexes. What it finds is a list of
`Damage`, each naming the part of the library in a user's words and saying
how bad it is (`DamageKind`):

- `INDEX`: an index disagrees with the data it is built from; the data is
  whole. `repair_indexes` rebuilds such indexes in place (REINDEX, FTS5's
  `rebuild`), in one transaction, so a failure changes nothing.
- `INDEX_PAGES`: an index's pages themselves are damaged. The data is whole,
  but SQLite cannot free damaged pages, so nothing rebuilds it in place: the
  way out is to export the snippets and import them into a new library.
- `DATA`: a table cannot be read in full; `Library.salvage` exports what can.
- `SCHEMA`: the database's list of tables cannot be read; nothing can.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from briefer.errors import DAMAGED_LIBRARY, database_error_reason
from briefer.library import schema
from briefer.library.model import LibraryError, Snippet, Source


class DamageKind(enum.Enum):
    INDEX = "index"
    INDEX_PAGES = "index pages"
    DATA = "data"
    SCHEMA = "schema"


@dataclass(frozen=True)
class Damage:
    """One damaged part: `part` in a user's words ("the snippets"), `detail`
    what SQLite said, `kind` how bad it is, and `table` the table it is in
    ("" for the pages no table uses)."""

    part: str
    detail: str
    kind: DamageKind
    table: str = ""


@dataclass(frozen=True)
class CheckReport:
    """What `check_library` found: nothing (`ok`), or the damage."""

    path: Path
    damage: tuple[Damage, ...] = ()
    snippets: int | None = None  # how many there are, when they could be counted

    @property
    def ok(self) -> bool:
        return not self.damage

    @property
    def repairable(self) -> bool:
        """True when every damage is one `repair_indexes` can rebuild."""
        return bool(self.damage) and all(d.kind is DamageKind.INDEX for d in self.damage)

    @property
    def data_intact(self) -> bool:
        """True when every snippet can still be read (only indexes are damaged)."""
        return all(d.kind in (DamageKind.INDEX, DamageKind.INDEX_PAGES) for d in self.damage)


# The tables, in the words a user knows them by; the full-text index's
# shadow tables are one part.
_PARTS = {
    "sources": "the sources (titles, publishers, authors, web addresses)",
    "snippets": "the snippets",
    "tags": "the tags",
    "snippet_tags": "the tags given to snippets",
    "collections": "the collections",
    "fts_defer": "the index's bookkeeping",
}
FTS_PART = "the full-text search index"
_FTS_TABLE = "snippet_fts"
_SCHEMA_PART = "the database's list of tables"
_FREE_PART = "the database's free space"


def _part(table: str) -> str:
    if table.startswith(f"{_FTS_TABLE}_"):
        return FTS_PART
    return _PARTS.get(table, f"the table {table}")


def _open(path: Path) -> sqlite3.Connection:
    """The library as it is: not created, not migrated, nothing changed."""
    if not path.exists():
        raise LibraryError(f"{path}: no snippet library there (check --library)")
    schema.require_library_file(path)
    try:
        return sqlite3.connect(path, isolation_level=None, timeout=schema.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise LibraryError(f"{path}: cannot open the library: {exc}") from exc


def check_library(path: str | Path) -> CheckReport:
    """Look for damage in the library at `path` (see the module docstring).
    A file that is no library is a `LibraryError`; damage is reported, not
    raised."""
    path = Path(path).expanduser()
    conn = _open(path)
    try:
        return _check(conn, path)
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: Path) -> CheckReport:
    try:
        tables = conn.execute(
            "SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' FROM sqlite_master"
            " WHERE type = 'table' ORDER BY rootpage"
        ).fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if database_error_reason(exc) != DAMAGED_LIBRARY:
            # Not damage: a read-only folder, a lock, a failing disk.
            raise LibraryError(f"{path}: {schema.cannot_open_reason(path, exc)}") from exc
        return CheckReport(
            path, (Damage(_SCHEMA_PART, str(exc), DamageKind.SCHEMA, "sqlite_master"),)
        )
    if version == 0 and tables:
        raise LibraryError(
            f"{path}: {schema.NOT_A_LIBRARY} (an SQLite database of another program)"
        )
    found: dict[str, Damage] = {}
    names = [name for name, virtual in tables if not virtual]
    for name in names:
        damage = _check_table(conn, name)
        if damage is not None and _part(name) not in found:
            found[_part(name)] = damage
    has_fts = any(name == _FTS_TABLE for name, _ in tables)
    # The index compared with the snippets it indexes: only worth asking
    # when every table (the index's own included) reads whole.
    if has_fts and not found and not _fts_matches(conn):
        found[FTS_PART] = Damage(FTS_PART, _FTS_MISMATCH, DamageKind.INDEX, _FTS_TABLE)
    if not found:
        found.update(_check_free_space(conn))
    snippets = _count(conn) if "snippets" in names else None
    return CheckReport(path, tuple(found.values()), snippets)


def _check_table(conn: sqlite3.Connection, table: str) -> Damage | None:
    """The damage SQLite finds in `table` and its indexes, if any."""
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        messages = [row[0] for row in conn.execute(f"PRAGMA integrity_check({quoted})")]
        raised = ""
    except sqlite3.DatabaseError as exc:
        # Damaged pages: SQLite stops with an error (and Python's sqlite3
        # loses the messages it had already given). Anything else is no
        # finding about the table, and goes to the caller.
        if database_error_reason(exc) != DAMAGED_LIBRARY:
            raise
        messages, raised = [], str(exc)
    if messages == ["ok"]:
        return None
    detail = raised or _summary(messages)
    if table.startswith(f"{_FTS_TABLE}_"):
        # The full-text index is made from the other tables; SQLite cannot
        # free its damaged pages to make it again in place.
        return Damage(FTS_PART, f"damaged pages ({detail})", DamageKind.INDEX_PAGES, table)
    try:
        for _ in conn.execute(f"SELECT * FROM {quoted} NOT INDEXED"):
            pass
    except sqlite3.DatabaseError as exc:
        return Damage(_part(table), f"cannot be read in full ({exc})", DamageKind.DATA, table)
    part = f"the indexes of {_part(table).removeprefix('the ')}"
    if raised:  # damaged pages, which SQLite cannot free to rebuild them
        return Damage(part, f"damaged pages ({detail})", DamageKind.INDEX_PAGES, table)
    return Damage(part, f"disagree with the data ({detail})", DamageKind.INDEX, table)


def _summary(messages: list[str]) -> str:
    """SQLite's findings on one line: the first few, without its headings."""
    lines = [
        line.strip()
        for message in messages
        for line in message.splitlines()
        if line.strip() and not line.startswith("***")
    ]
    more = f"; and {len(lines) - 2} more" if len(lines) > 2 else ""
    return "; ".join(lines[:2]) + more


def _check_free_space(conn: sqlite3.Connection) -> dict[str, Damage]:
    """The whole-database check, which also covers the pages no table uses;
    run when every table was found whole, so what it finds is there."""
    try:
        messages = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        messages = [str(exc)]
    if messages == ["ok"]:
        return {}
    return {_FREE_PART: Damage(_FREE_PART, _summary(messages), DamageKind.INDEX)}


_FTS_MISMATCH = "does not match the snippets it indexes"
# The snippets the index has an entry for, against those it should have.
_FTS_ROWS_DIFFER = f"""SELECT
    EXISTS (SELECT id FROM {_FTS_TABLE}_docsize EXCEPT SELECT id FROM snippet_doc)
    OR EXISTS (SELECT id FROM snippet_doc EXCEPT SELECT id FROM {_FTS_TABLE}_docsize)"""


def _fts_matches(conn: sqlite3.Connection) -> bool:
    """FTS5's own check, which compares every word of the index with the
    snippets. It is a write statement, so a library that may only be read
    gets the check SQL can make read-only: the same snippets, word counts
    aside."""
    try:
        conn.execute(f"INSERT INTO {_FTS_TABLE}({_FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        reason = database_error_reason(exc)
        if reason == DAMAGED_LIBRARY:
            return False
        if reason is None or not reason.startswith("read-only"):
            if isinstance(exc, sqlite3.OperationalError) and schema.is_busy(exc):
                raise LibraryError(schema.BUSY_MESSAGE) from exc
            raise
        try:
            return not conn.execute(_FTS_ROWS_DIFFER).fetchone()[0]
        except sqlite3.DatabaseError:
            return False
    return True


def _count(conn: sqlite3.Connection) -> int | None:
    try:
        return int(conn.execute("SELECT COUNT(*) FROM snippets").fetchone()[0])
    except sqlite3.DatabaseError:
        return None


class RepairError(LibraryError):
    """The indexes could not be rebuilt in place; nothing was changed."""


def repair_indexes(path: str | Path, before: CheckReport | None = None) -> CheckReport:
    """Rebuild the library's damaged indexes from its data, in place, and
    return the check made afterwards. `before` is a check just made, if
    there is one. Only `DamageKind.INDEX` damage is rebuilt; any other is a
    `RepairError` naming it, with nothing changed, and so is a rebuild that
    fails part-way (rolled back)."""
    path = Path(path).expanduser()
    before = before or check_library(path)
    if before.ok:
        return before
    if not before.repairable:
        worst = next(d for d in before.damage if d.kind is not DamageKind.INDEX)
        raise RepairError(f"{path}: {worst.part}: {worst.detail}; --repair rebuilds indexes only")
    tables = {d.table for d in before.damage}
    conn = _open(path)
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for table in sorted(tables - {"", _FTS_TABLE}):
                conn.execute('REINDEX "' + table.replace('"', '""') + '"')
            if _FTS_TABLE in tables:
                conn.execute(f"INSERT INTO {_FTS_TABLE}({_FTS_TABLE}) VALUES ('rebuild')")
            conn.execute("COMMIT")
            if "" in tables:  # the free space: the tables are copied to fresh pages
                conn.execute("VACUUM")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            reason = database_error_reason(exc) or str(exc)
            raise RepairError(f"{path}: could not rebuild in place: {reason}") from exc
    finally:
        conn.close()
    return check_library(path)


# --------------------------------------------------------------------------
# Salvage
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SalvageReport:
    """What `salvage` wrote: `exported` snippets in all, of which `partial`
    lost their source, tags or collection (unreadable), and `lost` ids that
    could not be read at all (some of them may never have been used)."""

    exported: int
    partial: int
    lost: int


_SALVAGE_CHUNK = 500
_SALVAGE_MAX_ID = 100_000_000


def salvage(library: str | Path, target: str | Path) -> SalvageReport:
    """Export every live snippet of a damaged library that can still be read
    to the JSON Lines file `target` (atomically), as `Library.export` would.

    Nothing is read by scanning a table, which stops at the first damaged
    page: each id up to the highest is looked up by itself, so only the
    snippets on damaged pages are lost. A snippet whose source, tags or
    collection cannot be read is written with what can. The library is
    opened as it is and nothing in it is changed."""
    from briefer.fsutil import atomic_write
    from briefer.library.store import SNIPPET_SELECT, row_to_snippet, snippet_to_json

    path = Path(library).expanduser()
    conn = _open(path)
    exported = partial = lost = 0
    try:
        highest = _highest_id(conn, path)
        with atomic_write(target) as handle:
            for start in range(1, highest + 1, _SALVAGE_CHUNK):
                ids = list(range(start, min(start + _SALVAGE_CHUNK, highest + 1)))
                marks = ",".join("?" * len(ids))
                try:
                    rows = conn.execute(f"{SNIPPET_SELECT} WHERE s.id IN ({marks})", ids)
                    found = [row_to_snippet(row) for row in rows]
                except (sqlite3.DatabaseError, ValueError):
                    found = []
                    for snippet_id in ids:  # the chunk again, one id at a time
                        snippet, whole = _salvage_one(conn, snippet_id)
                        if snippet is None:
                            lost += 0 if whole else 1
                        else:
                            partial += 0 if whole else 1
                            found.append(snippet)
                lines = [
                    json.dumps(snippet_to_json(s), ensure_ascii=False)
                    for s in found
                    if not s.deleted
                ]
                exported += len(lines)
                if lines:
                    handle.write(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    finally:
        conn.close()
    return SalvageReport(exported, partial, lost)


def _highest_id(conn: sqlite3.Connection, path: Path) -> int:
    """The highest snippet id, from the first place that can tell it (ids
    are given in order, so it is about how many were ever added)."""
    for sql in (
        "SELECT MAX(id) FROM snippets",
        f"SELECT MAX(id) FROM {_FTS_TABLE}_docsize",
        "SELECT MAX(snippet_id) FROM snippet_tags",
    ):
        try:
            value = conn.execute(sql).fetchone()[0]
        except sqlite3.DatabaseError:
            continue
        highest = int(value or 0)
        if highest > _SALVAGE_MAX_ID:  # no library has so many: the number is damaged
            continue
        return highest
    raise LibraryError(f"{path}: damaged beyond salvage: no snippet can be found")


def _salvage_one(conn: sqlite3.Connection, snippet_id: int) -> tuple[Snippet | None, bool]:
    """The snippet with this id and whether all of it was read: `(snippet,
    True)`; `(snippet, False)` when its source, tags or collection could not
    be; `(None, True)` when there is no such snippet, `(None, False)` when
    it could not be read."""
    from briefer.library.store import SNIPPET_SELECT, row_to_snippet

    try:
        row = conn.execute(f"{SNIPPET_SELECT} WHERE s.id = ?", (snippet_id,)).fetchone()
        return (row_to_snippet(row) if row else None), True
    except (sqlite3.DatabaseError, ValueError):
        pass
    try:
        row = conn.execute(
            "SELECT text, note, created, modified, deleted, source_id FROM snippets WHERE id = ?",
            (snippet_id,),
        ).fetchone()
    except sqlite3.DatabaseError:
        return None, False
    if row is None or not isinstance(row[0], str):
        return None, row is None
    text, note, created, modified, deleted, source_id = row
    source = Source()
    with contextlib.suppress(sqlite3.DatabaseError, TypeError):
        found = conn.execute(
            "SELECT title, publisher, author, url, published, accessed FROM sources WHERE id = ?",
            (source_id,),
        ).fetchone()
        if found:
            source = Source(*(str(value or "") for value in found))
    snippet = Snippet(
        id=snippet_id,
        text=text,
        note=str(note or ""),
        source=source,
        created=str(created or ""),
        modified=str(modified or ""),
        deleted=str(deleted or ""),
    )
    return snippet, False
