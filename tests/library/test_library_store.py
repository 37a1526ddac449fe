"""The local library's own storage: SQLite settings, foreign keys, the FTS5
index kept in step, and files that are no library."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefer.library import SCHEMA_VERSION, Library, LibraryError, Source


def test_database_settings(lib: Library) -> None:
    conn = sqlite3.connect(lib.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_foreign_keys_are_enforced(lib: Library) -> None:
    lib.add("x")
    conn = sqlite3.connect(lib.path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO snippets(source_id, text, created, modified, text_key)"
                " VALUES (999, 't', '', '', x'00')"
            )
    finally:
        conn.close()


def test_index_stays_consistent_after_edits(lib: Library, reuters: Source) -> None:
    ids = [lib.add(f"text number {n}", reuters, tags=["a"]).snippet.id for n in range(10)]
    lib.update(ids[0], tags=["b", "c"])
    lib.update(ids[0], tags=["B", "c", "C"])  # the same tags: nothing to change
    conn = sqlite3.connect(lib.path)
    try:
        # Linking a tag that is already linked is ignored, index untouched.
        conn.execute(
            "INSERT OR IGNORE INTO snippet_tags(snippet_id, tag_id)"
            " SELECT snippet_id, tag_id FROM snippet_tags"
        )
        conn.commit()
    finally:
        conn.close()
    lib.update(ids[1], text="replaced words")
    lib.delete(ids[2])
    lib.restore(ids[2])
    lib.delete(ids[3])
    lib.empty_trash()
    conn = sqlite3.connect(lib.path)
    try:
        conn.execute("INSERT INTO snippet_fts(snippet_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()
    assert [h.snippet.id for h in lib.search("replaced")] == [ids[1]]
    assert len(lib.search("number")) == 8


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LibraryError, match="newer Briefer"):
        Library.open(path)


def test_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError):
        Library.open(path)


def test_library_path_that_is_a_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="is a folder"):
        Library.open(tmp_path)
