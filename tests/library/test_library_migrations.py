"""Schema migrations: a version-1 library, written here by hand the way the
first Briefer wrote it, opens, migrates and searches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from briefer.library import SCHEMA_VERSION, Library
from briefer.library.schema import MIGRATIONS

# Version 1 of the schema, frozen: never import it from the code under test.
V1 = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '', publisher TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '', accessed TEXT NOT NULL DEFAULT '');
CREATE TABLE snippets (
    id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
    text TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    collection TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, modified TEXT NOT NULL);
CREATE INDEX snippets_source ON snippets(source_id);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE);
CREATE TABLE snippet_tags (
    snippet_id INTEGER NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (snippet_id, tag_id)) WITHOUT ROWID;
CREATE INDEX snippet_tags_tag ON snippet_tags(tag_id, snippet_id);
PRAGMA user_version = 1;
"""


def make_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1)
    conn.executemany(
        "INSERT INTO sources(id, key, title, publisher, url, published) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                1,
                "url:https://reuters.example/a",
                "Cable cut",
                "Reuters",
                "https://reuters.example/a",
                "2025-05-01",
            ),
            (2, "meta:||", "", "", "", ""),
        ],
    )
    stamp = "2025-05-02T10:00:00.000000Z"
    conn.executemany(
        "INSERT INTO snippets(id, source_id, text, note, collection, created, modified)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (1, 1, "A subsea cable was cut near Gotland.", "", "Baltic", stamp, stamp),
            (2, 1, "a subsea cable  was cut near gotland.", "dupe", "", stamp, stamp),
            (3, 2, "北京发布新的网络安全规定。", "中文笔记", "", stamp, stamp),
        ],
    )
    conn.executemany("INSERT INTO tags(id, name) VALUES (?, ?)", [(1, "cables"), (2, "nordics")])
    conn.executemany(
        "INSERT INTO snippet_tags(snippet_id, tag_id) VALUES (?, ?)", [(1, 1), (2, 2), (3, 1)]
    )
    conn.commit()
    conn.close()


def test_one_migration_per_version() -> None:
    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_version_1_library_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1(path)
    with Library.open(path) as lib:
        # The v1 duplicate (same text, same source) is merged into the older
        # snippet, which keeps both snippets' tags.
        assert lib.count() == 2
        first = lib.get(1)
        assert first.tags == ("cables", "nordics")
        assert first.collection == "Baltic"
        assert first.source.publisher == "Reuters"
        assert [h.snippet.id for h in lib.search("gotland")] == [1]
        assert [h.snippet.id for h in lib.search("tag:nordics cable")] == [1]
        assert [h.snippet.id for h in lib.search("source:reuters")] == [1]
        assert [h.snippet.id for h in lib.search("before:2025-06-01 gotland")] == [1]
        assert [h.snippet.id for h in lib.search("网络安全")] == [3]
        assert [h.snippet.id for h in lib.search("笔记")] == [3]
        # and the library keeps working as a current one
        assert lib.add("A subsea cable was cut near Gotland.", first.source).duplicate
        added = lib.add("New after migration", tags=["cables"]).snippet
        assert [h.snippet.id for h in lib.search("migration")] == [added.id]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute("INSERT INTO snippet_fts(snippet_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1(path)
    Library.open(path).close()
    with Library.open(path) as lib:
        assert lib.count() == 2
