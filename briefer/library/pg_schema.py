"""The team library's database schema on PostgreSQL, its versions and migrations.

Everything lives in the schema `briefer` of the desk's database; the table
`briefer.schema_info` holds the version (what SQLite's `user_version` holds
for a local library); versions 1 to 4 follow the local library's numbering
(`schema.SCHEMA_VERSION`), later ones are the team library's own
(`TEAM_SCHEMA_VERSION`), one small function per step in `MIGRATIONS`:

1. sources, snippets (with a free-text collection), tags, snippet_tags.
2. collections become a table; snippets get `text_key` (duplicates, unique
   per source) and `deleted` (the trash).
3. full-text search: snippets get the index words of their text and note
   (`words`, written by Briefer, see `pg_search`), of their tags
   (`tag_words`, and `tag_keys` for `tag:`) and of their source
   (`source_words`, `site_words`, `source_seg`), the segmented CJK/emoji
   `seg` and the `day` date filters compare; the database keeps the tag and
   source columns in step with triggers, and keeps the search index
   `snippet_search` (one row per live snippet: its `tsvector`, made by
   `search_doc`, with a GIN index) and the `vocabulary` of its words in
   step with the snippets, by triggers.
4. snippets get `version` (one more with every change, set by a trigger)
   and `modified_by` (the database role, and the person's login name when it
   differs), so an edit of a snippet someone else changed since it was read
   is refused; `created` and `modified` come from the server's clock.
5. the search index also keys each word's first three letters (`_x`), so
   the word being typed is one key of the index, not every word starting
   so; every snippet's index row is made again (once, on upgrade).

A new team library is made by running every step from version 0
(`create`), so the path an old team library takes is the path the tests take.
Each step runs in the caller's transaction; `migrate` takes an advisory lock
so two Briefers starting at once do not both migrate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import psycopg
from psycopg import sql

from briefer.library import normalize, pg_search

SCHEMA = "briefer"
# Any 64-bit number, the same in every Briefer: the advisory lock of a migration.
MIGRATION_LOCK = 0x42524945_46455231
# Rows converted per statement when a migration recomputes columns in Python.
BATCH = 5000

Migration = Callable[[psycopg.Connection], None]


def current_version(conn: psycopg.Connection) -> int | None:
    """The schema version, or None when the database has no Briefer library."""
    row = conn.execute(
        "SELECT to_regclass('briefer.schema_info') IS NOT NULL",
    ).fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT max(version) FROM briefer.schema_info").fetchone()
    return int(found[0]) if found and found[0] is not None else None


def foreign_objects(conn: psycopg.Connection) -> list[str]:
    """Tables, views, sequences and schemas of someone else in the database:
    a few names (`public.orders`), empty when it holds only Briefer's."""
    rows = conn.execute(
        """SELECT n.nspname || '.' || c.relname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
             AND n.nspname NOT IN ('pg_catalog', 'information_schema', %s)
             AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
           UNION ALL
           SELECT nspname FROM pg_namespace
           WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public', %s)
             AND nspname NOT LIKE 'pg\\_%%'
           ORDER BY 1 LIMIT 4""",
        (SCHEMA, SCHEMA),
    ).fetchall()
    return [r[0] for r in rows]


def migrate(conn: psycopg.Connection, target: int | None = None) -> int:
    """Bring the library to `target`, one step after another, inside the
    caller's transaction; returns the version it started from (0 for an
    empty database, which gets the schema made from scratch)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
    start = current_version(conn) or 0
    for version in range(start, TEAM_SCHEMA_VERSION if target is None else target):
        MIGRATIONS[version](conn)
        conn.execute("UPDATE briefer.schema_info SET version = %s", (version + 1,))
    return start


def _run(conn: psycopg.Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        conn.execute(statement)  # type: ignore[arg-type]  # constant SQL only


# --------------------------------------------------------------------------
# 0 -> 1: the first tables
# --------------------------------------------------------------------------

V1_SCHEMA = (
    "CREATE SCHEMA IF NOT EXISTS briefer",
    "CREATE TABLE briefer.schema_info (version integer NOT NULL)",
    "INSERT INTO briefer.schema_info VALUES (0)",
    """CREATE TABLE briefer.sources (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        key text NOT NULL UNIQUE,
        title text NOT NULL DEFAULT '',
        publisher text NOT NULL DEFAULT '',
        author text NOT NULL DEFAULT '',
        url text NOT NULL DEFAULT '',
        published text NOT NULL DEFAULT '',
        accessed text NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE briefer.snippets (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        source_id bigint NOT NULL REFERENCES briefer.sources(id),
        text text NOT NULL,
        note text NOT NULL DEFAULT '',
        collection text NOT NULL DEFAULT '',
        created text NOT NULL,
        modified text NOT NULL
    )""",
    "CREATE INDEX snippets_source ON briefer.snippets(source_id)",
    """CREATE TABLE briefer.tags (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name text NOT NULL
    )""",
    "CREATE UNIQUE INDEX tags_name ON briefer.tags (lower(name))",
    """CREATE TABLE briefer.snippet_tags (
        snippet_id bigint NOT NULL REFERENCES briefer.snippets(id) ON DELETE CASCADE,
        tag_id bigint NOT NULL REFERENCES briefer.tags(id) ON DELETE CASCADE,
        PRIMARY KEY (snippet_id, tag_id)
    )""",
    "CREATE INDEX snippet_tags_tag ON briefer.snippet_tags(tag_id, snippet_id)",
)


def _v0_to_v1(conn: psycopg.Connection) -> None:
    _run(conn, V1_SCHEMA)


# --------------------------------------------------------------------------
# 1 -> 2: collections, duplicates, the trash
# --------------------------------------------------------------------------


def _v1_to_v2(conn: psycopg.Connection) -> None:
    _run(
        conn,
        (
            """CREATE TABLE briefer.collections (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name text NOT NULL
            )""",
            "CREATE UNIQUE INDEX collections_name ON briefer.collections (lower(name))",
            """INSERT INTO briefer.collections(name)
               SELECT DISTINCT ON (lower(collection)) collection FROM briefer.snippets
               WHERE collection <> '' ORDER BY lower(collection), collection""",
            """ALTER TABLE briefer.snippets ADD COLUMN collection_id bigint
               REFERENCES briefer.collections(id) ON DELETE SET NULL""",
            """UPDATE briefer.snippets s SET collection_id = c.id FROM briefer.collections c
               WHERE s.collection <> '' AND lower(c.name) = lower(s.collection)""",
            "ALTER TABLE briefer.snippets DROP COLUMN collection",
            "ALTER TABLE briefer.snippets ADD COLUMN text_key bytea",
            "ALTER TABLE briefer.snippets ADD COLUMN deleted text",
        ),
    )
    _recompute(
        conn,
        "SELECT id, text FROM briefer.snippets",
        lambda row: (normalize.text_key(row[1]),),
        "UPDATE briefer.snippets s SET text_key = v.k"
        " FROM unnest(%s::bigint[], %s::bytea[]) AS v(id, k) WHERE s.id = v.id",
    )
    # Version 1 allowed duplicates: keep the oldest, give it the others' tags.
    _run(
        conn,
        (
            """CREATE TEMP TABLE briefer_dupes ON COMMIT DROP AS
               SELECT s.id AS dupe, k.keep FROM briefer.snippets s JOIN (
                   SELECT source_id, text_key, min(id) AS keep FROM briefer.snippets
                   GROUP BY source_id, text_key HAVING count(*) > 1) k
               ON s.source_id = k.source_id AND s.text_key = k.text_key AND s.id <> k.keep""",
            """INSERT INTO briefer.snippet_tags(snippet_id, tag_id)
               SELECT d.keep, st.tag_id FROM briefer_dupes d
               JOIN briefer.snippet_tags st ON st.snippet_id = d.dupe
               ON CONFLICT DO NOTHING""",
            "DELETE FROM briefer.snippets WHERE id IN (SELECT dupe FROM briefer_dupes)",
            "DROP TABLE briefer_dupes",
            "ALTER TABLE briefer.snippets ALTER COLUMN text_key SET NOT NULL",
            """ALTER TABLE briefer.snippets ADD CONSTRAINT snippets_dedupe
               UNIQUE (source_id, text_key)""",
            "CREATE INDEX snippets_collection ON briefer.snippets(collection_id)",
            "CREATE INDEX snippets_created ON briefer.snippets(created)",
            "CREATE INDEX sources_published ON briefer.sources(published)",
        ),
    )


# --------------------------------------------------------------------------
# 2 -> 3: full-text search
# --------------------------------------------------------------------------

# Functions run with a fixed search path, whatever the session's, so a table
# of the same name elsewhere can never stand in for Briefer's.
_FUNCTION = "LANGUAGE plpgsql SET search_path = briefer, pg_catalog"

V3_SCHEMA = (
    """ALTER TABLE briefer.sources
        ADD COLUMN seg text NOT NULL DEFAULT '',
        ADD COLUMN site text NOT NULL DEFAULT '',
        ADD COLUMN words text NOT NULL DEFAULT '',
        ADD COLUMN site_words text NOT NULL DEFAULT ''""",
    "ALTER TABLE briefer.tags ADD COLUMN words text NOT NULL DEFAULT ''",
    """ALTER TABLE briefer.snippets
        ADD COLUMN seg text NOT NULL DEFAULT '',
        ADD COLUMN words text NOT NULL DEFAULT '',
        ADD COLUMN day text NOT NULL DEFAULT '',
        ADD COLUMN tag_words text NOT NULL DEFAULT '',
        ADD COLUMN source_words text NOT NULL DEFAULT '',
        ADD COLUMN site_words text NOT NULL DEFAULT '',
        ADD COLUMN source_seg text NOT NULL DEFAULT ''""",
)

# A snippet's copy of its source's index words, and its `day` (the source's
# published date, else the day the snippet was added), set by the database
# whenever the snippet is written or moves to another source.
_SNIPPET_SOURCE = f"""
CREATE FUNCTION briefer.snippet_source() RETURNS trigger {_FUNCTION} AS $$
DECLARE
    src record;
BEGIN
    SELECT words, site_words, seg, published INTO src FROM sources WHERE id = NEW.source_id;
    NEW.source_words := src.words;
    NEW.site_words := src.site_words;
    NEW.source_seg := src.seg;
    NEW.day := COALESCE(NULLIF(src.published, ''), substr(NEW.created, 1, 10));
    RETURN NEW;
END $$"""

_SOURCE_CHANGED = f"""
CREATE FUNCTION briefer.source_changed() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    UPDATE snippets SET source_id = source_id WHERE source_id = NEW.id;
    RETURN NULL;
END $$"""

# The words and the keys (`_t` and the lower-case name, for `tag:`) a
# snippet's tags give the index, in one order (by key, code points).
_TAG_KEYS = f"""
CREATE FUNCTION briefer.tag_keys(names text[]) RETURNS text[] LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog AS $$
    SELECT ARRAY(SELECT DISTINCT '{pg_search.TAG_KEY}' || lower(n) COLLATE "C" AS k
                 FROM unnest(names) AS n WHERE n <> '' ORDER BY k)
$$"""

_TAGS_OF = """(SELECT COALESCE(string_agg(tg.words, ' ' ORDER BY lower(tg.name) COLLATE "C")
                        FILTER (WHERE tg.words <> ''), '') AS words,
                 briefer.tag_keys(COALESCE(array_agg(tg.name), '{{}}')) AS keys
          FROM briefer.snippet_tags st JOIN briefer.tags tg ON tg.id = st.tag_id
          WHERE st.snippet_id = {snippet})"""

# Every snippet whose tags changed in a statement, in one UPDATE (none for a
# snippet already in step, as an import writes them).
_TAGS_CHANGED = f"""
CREATE FUNCTION briefer.snippet_tags_changed() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    UPDATE snippets s SET tag_words = t.words, tag_keys = t.keys
    FROM (SELECT c.id, o.words, o.keys FROM (SELECT DISTINCT snippet_id AS id FROM changed) c,
          LATERAL {_TAGS_OF.format(snippet="c.id")} o) t
    WHERE s.id = t.id AND (s.tag_words, s.tag_keys) IS DISTINCT FROM (t.words, t.keys);
    RETURN NULL;
END $$"""

_TAG_RENAMED = f"""
CREATE FUNCTION briefer.tag_renamed() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    UPDATE snippets s SET tag_words = o.words, tag_keys = o.keys
    FROM (SELECT DISTINCT st.snippet_id AS id FROM snippet_tags st
          WHERE st.tag_id IN (SELECT id FROM changed)) c,
         LATERAL {_TAGS_OF.format(snippet="c.id")} o
    WHERE s.id = c.id;
    RETURN NULL;
END $$"""

# The search index: one row per live snippet (a trashed one has none),
# with the columns the filters read, kept in step by the triggers below.
# Briefer's words as the index's lexemes, exactly (no parser splits them
# again, whatever the server's locale), at their positions, with a weight.
_KEYED = r"""
CREATE FUNCTION briefer.keyed(key text, words text, weight text) RETURNS tsvector
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT COALESCE(string_agg(
        '''' || replace(replace(key || w, '\', '\\'), '''', '''''') || ''':'
        || least(n, 16383) || weight, ' '), '')::tsvector
    FROM unnest(string_to_array(words, ' ')) WITH ORDINALITY AS t(w, n)
    WHERE w <> '' AND octet_length(key || w) <= 2046
$$"""

# The search index's tsvector: Briefer's words (weights for ranking only: A
# a source's title, publisher and author, C the text, note and tags, D the
# segmented CJK/emoji characters) and keys no word can be (they start with
# `_`, never in a word): `_s` the words of the source and its web site, for
# `source:`; `_g` each pair of segmented characters in a row (so a run of
# CJK is found without reading every snippet with the same characters
# apart); `_t` the tags; `_b` the snippet's buckets of ids (2**13, 2**14,
# ... ids each), by which a search reads the newest matches first. The index
# alone then answers every search but phrases, which it checks in the rows.
_SEARCH_DOC_KEYS = f"""
    SELECT briefer.keyed('', s.source_words, 'A')
        || briefer.keyed('', s.words || ' ' || s.tag_words, 'C')
        || briefer.keyed('', trim(s.seg || ' ' || s.source_seg), 'D')
        || briefer.keyed('{pg_search.SOURCE_KEY}', s.source_words || ' ' || s.site_words, 'D')
        || array_to_tsvector(ARRAY(
            SELECT DISTINCT '{pg_search.SEG_KEY}' || g.t[i] || g.t[i + 1]
            FROM (SELECT string_to_array(trim(s.seg || ' ' || s.source_seg), ' ') AS t) AS g,
                 generate_series(1, cardinality(g.t) - 1) AS i
            WHERE g.t[i] <> '' AND g.t[i + 1] <> ''
              AND octet_length(g.t[i] || g.t[i + 1]) <= 2040))
        || array_to_tsvector(ARRAY(
            SELECT '{pg_search.BUCKET_KEY}' || level || '_'
                   || (s.id >> ({pg_search.BUCKET_BITS} + level))
            FROM generate_series(0, {pg_search.LEVELS - 1}) AS level) || s.tag_keys)"""


def _search_doc(create: str, *more_keys: str) -> str:
    """The statement making `briefer.search_doc` (`create`: how), its keys
    those of version 3 and `more_keys`."""
    return (
        f"{create} briefer.search_doc(s briefer.snippets) RETURNS tsvector"
        " LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$"
        + _SEARCH_DOC_KEYS
        + "".join(more_keys)
        + "\n$$"
    )


_SEARCH_DOC = _search_doc("CREATE FUNCTION")

_INDEX_COLUMNS = "id, day, created, collection_id, doc"
_INDEX_VALUES = "n.id, n.day, n.created, n.collection_id, search_doc(n)"

# Every word the index holds, for a search to spell out the words a prefix
# stands for (GIN finds those, and skips through them, far faster than a
# prefix); it only grows, in key order, so two writers never wait in a circle.
_NEW_WORDS = f"""INSERT INTO vocabulary (word)
    SELECT DISTINCT w FROM indexed, unnest(tsvector_to_array(indexed.doc)) AS w
    WHERE left(w, 1) <> '_' OR left(w, 2) = '{pg_search.SOURCE_KEY}'
    ORDER BY w ON CONFLICT DO NOTHING"""

_INDEX_ADDED = f"""
CREATE FUNCTION briefer.index_added() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    WITH indexed AS (
        INSERT INTO snippet_search ({_INDEX_COLUMNS})
        SELECT {_INDEX_VALUES} FROM added n WHERE n.deleted IS NULL RETURNING doc)
    {_NEW_WORDS};
    RETURN NULL;
END $$"""

_INDEX_CHANGED = f"""
CREATE FUNCTION briefer.index_changed() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    DELETE FROM snippet_search WHERE id IN (SELECT id FROM changed WHERE deleted IS NOT NULL);
    WITH indexed AS (
        INSERT INTO snippet_search ({_INDEX_COLUMNS})
        SELECT {_INDEX_VALUES} FROM changed n WHERE n.deleted IS NULL
        ON CONFLICT (id) DO UPDATE SET day = EXCLUDED.day, created = EXCLUDED.created,
            collection_id = EXCLUDED.collection_id, doc = EXCLUDED.doc
        RETURNING doc)
    {_NEW_WORDS};
    RETURN NULL;
END $$"""

# A lexeme as a tsquery, as it is (not parsed): a tag key in a search.
_LEXEME = r"""
CREATE FUNCTION briefer.lexeme(word text) RETURNS tsquery LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog AS $$
    SELECT ('''' || replace(replace(word, '\', '\\'), '''', '''''') || '''')::tsquery
$$"""

V3_SEARCH = (
    "ALTER TABLE briefer.snippets ADD COLUMN tag_keys text[] NOT NULL DEFAULT '{}'",
    _TAG_KEYS,
    _LEXEME,
    _KEYED,
    _SNIPPET_SOURCE,
    """CREATE TRIGGER snippets_1_source BEFORE INSERT OR UPDATE OF source_id, source_words,
       site_words, source_seg, day ON briefer.snippets
       FOR EACH ROW EXECUTE FUNCTION briefer.snippet_source()""",
    _SOURCE_CHANGED,
    """CREATE TRIGGER sources_changed AFTER UPDATE OF words, site_words, seg, published
       ON briefer.sources FOR EACH ROW EXECUTE FUNCTION briefer.source_changed()""",
    _TAGS_CHANGED,
    """CREATE TRIGGER snippet_tags_added AFTER INSERT ON briefer.snippet_tags
       REFERENCING NEW TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION briefer.snippet_tags_changed()""",
    """CREATE TRIGGER snippet_tags_removed AFTER DELETE ON briefer.snippet_tags
       REFERENCING OLD TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION briefer.snippet_tags_changed()""",
    _TAG_RENAMED,
    """CREATE TRIGGER tags_renamed AFTER UPDATE ON briefer.tags
       REFERENCING NEW TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION briefer.tag_renamed()""",
    # Fill the copies in for the snippets already there.
    "UPDATE briefer.snippets SET source_id = source_id",
    f"""UPDATE briefer.snippets s SET tag_words = o.words, tag_keys = o.keys
        FROM briefer.snippets c, LATERAL {_TAGS_OF.format(snippet="c.id")} o
        WHERE s.id = c.id""",
    # Kept uncompressed in the row up to 8 kB: a search reads thousands of them.
    """CREATE TABLE briefer.snippet_search (
        id bigint PRIMARY KEY REFERENCES briefer.snippets(id) ON DELETE CASCADE,
        day text NOT NULL,
        created text NOT NULL,
        collection_id bigint,
        doc tsvector NOT NULL
    ) WITH (toast_tuple_target = 8160)""",
    "ALTER TABLE briefer.snippet_search ALTER COLUMN doc SET STORAGE MAIN",
    'CREATE TABLE briefer.vocabulary (word text COLLATE "C" PRIMARY KEY)',
    _SEARCH_DOC,
    _INDEX_ADDED,
    _INDEX_CHANGED,
    f"""INSERT INTO briefer.snippet_search ({_INDEX_COLUMNS})
        SELECT n.id, n.day, n.created, n.collection_id, briefer.search_doc(n)
        FROM briefer.snippets n WHERE n.deleted IS NULL""",
    f"""INSERT INTO briefer.vocabulary (word)
        SELECT DISTINCT w FROM briefer.snippet_search x, unnest(tsvector_to_array(x.doc)) AS w
        WHERE left(w, 1) <> '_' OR left(w, 2) = '{pg_search.SOURCE_KEY}' ORDER BY w""",
    """CREATE TRIGGER snippets_3_indexed AFTER INSERT ON briefer.snippets
       REFERENCING NEW TABLE AS added
       FOR EACH STATEMENT EXECUTE FUNCTION briefer.index_added()""",
    """CREATE TRIGGER snippets_4_reindexed AFTER UPDATE ON briefer.snippets
       REFERENCING NEW TABLE AS changed
       FOR EACH STATEMENT EXECUTE FUNCTION briefer.index_changed()""",
    "CREATE INDEX snippet_search_doc ON briefer.snippet_search USING gin (doc)",
    # The planner's (and `pg_store`'s) word frequencies: ten times the usual.
    "ALTER TABLE briefer.snippet_search ALTER COLUMN doc SET STATISTICS 1000",
    # Counting and listing the live snippets, newest first.
    "CREATE INDEX snippets_live ON briefer.snippets (id) WHERE deleted IS NULL",
)


def _v2_to_v3(conn: psycopg.Connection) -> None:
    _run(conn, V3_SCHEMA)
    _recompute(
        conn,
        "SELECT id, title, publisher, author, url FROM briefer.sources",
        lambda r: (
            normalize.segment(r[1], r[2], r[3]),
            normalize.site_of(r[4]),
            pg_search.index_words(r[1], r[2], r[3]),
            pg_search.index_words(normalize.site_of(r[4])),
        ),
        "UPDATE briefer.sources s SET seg = v.seg, site = v.site, words = v.words,"
        " site_words = v.site_words FROM unnest(%s::bigint[], %s::text[], %s::text[],"
        " %s::text[], %s::text[]) AS v(id, seg, site, words, site_words) WHERE s.id = v.id",
    )
    _recompute(
        conn,
        "SELECT id, name FROM briefer.tags",
        lambda r: (pg_search.index_words(r[1]),),
        "UPDATE briefer.tags t SET words = v.words"
        " FROM unnest(%s::bigint[], %s::text[]) AS v(id, words) WHERE t.id = v.id",
    )
    _recompute(
        conn,
        "SELECT id, text, note FROM briefer.snippets",
        lambda r: (
            pg_search.index_seg(r[1], r[2]),
            pg_search.index_words(r[1], r[2]),
        ),
        "UPDATE briefer.snippets s SET seg = v.seg, words = v.words"
        " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, seg, words)"
        " WHERE s.id = v.id",
    )
    _run(conn, V3_SEARCH)


# --------------------------------------------------------------------------
# 3 -> 4: versions, who changed what, the server's clock
# --------------------------------------------------------------------------

_UTC_NOW = """
CREATE FUNCTION briefer.utc_now() RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$"""

# The role, and the login name the client gave (`briefer.user`) when it is
# another: "mira (as briefer_desk)".
_WHO = """
CREATE FUNCTION briefer.who() RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT CASE WHEN u IN ('', current_user::text) THEN current_user::text
                ELSE u || ' (as ' || current_user::text || ')' END
    FROM (SELECT COALESCE(current_setting('briefer.user', true), '') AS u) AS given
$$"""

_SNIPPET_CHANGED = f"""
CREATE FUNCTION briefer.snippet_changed() RETURNS trigger {_FUNCTION} AS $$
BEGIN
    IF (NEW.text, NEW.note, NEW.source_id, NEW.collection_id, NEW.deleted, NEW.tag_keys,
        NEW.tag_words)
       IS DISTINCT FROM
       (OLD.text, OLD.note, OLD.source_id, OLD.collection_id, OLD.deleted, OLD.tag_keys,
        OLD.tag_words) THEN
        NEW.version := OLD.version + 1;
        NEW.modified_by := who();
        -- Moving to the trash is no edit of the snippet (as in the local library).
        IF NOT (NEW.deleted IS NOT NULL AND OLD.deleted IS NULL) THEN
            NEW.modified := utc_now();
        END IF;
    END IF;
    RETURN NEW;
END $$"""

V4_SCHEMA = (
    _UTC_NOW,
    _WHO,
    """ALTER TABLE briefer.snippets
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN modified_by text NOT NULL DEFAULT ''""",
    "ALTER TABLE briefer.snippets ALTER COLUMN modified_by SET DEFAULT briefer.who()",
    "ALTER TABLE briefer.snippets ALTER COLUMN created SET DEFAULT briefer.utc_now()",
    "ALTER TABLE briefer.snippets ALTER COLUMN modified SET DEFAULT briefer.utc_now()",
    _SNIPPET_CHANGED,
    """CREATE TRIGGER snippets_2_version BEFORE UPDATE ON briefer.snippets
       FOR EACH ROW EXECUTE FUNCTION briefer.snippet_changed()""",
)


def _v3_to_v4(conn: psycopg.Connection) -> None:
    _run(conn, V4_SCHEMA)


# --------------------------------------------------------------------------
# 4 -> 5: the first letters of words, keys of the index
# --------------------------------------------------------------------------

# The search index's tsvector of version 3 and, after `_x`, the first
# PREFIX_LETTERS letters of every word of the source, text, note and tags
# (the words a plain search matches), without positions: they only find.
_PREFIX_KEYS = f"""
        || array_to_tsvector(ARRAY(
            SELECT DISTINCT '{pg_search.PREFIX_KEY}' || left(w, {pg_search.PREFIX_LETTERS})
            FROM unnest(string_to_array(s.source_words || ' ' || s.words || ' ' || s.tag_words,
                                        ' ')) AS w
            WHERE char_length(w) >= {pg_search.PREFIX_LETTERS}))"""
_SEARCH_DOC_V5 = _search_doc("CREATE OR REPLACE FUNCTION", _PREFIX_KEYS)

V5_SEARCH = (
    _SEARCH_DOC_V5,
    # Every row made again, in the order of ids (as new snippets come, and
    # as a search reads them), into an empty table, without the index,
    # which is then built in one go: an update would leave the table twice
    # its size, half of it dead rows, and the index updated row by row.
    "DROP INDEX briefer.snippet_search_doc",
    "TRUNCATE briefer.snippet_search",
    f"""INSERT INTO briefer.snippet_search ({_INDEX_COLUMNS})
        SELECT n.id, n.day, n.created, n.collection_id, briefer.search_doc(n)
        FROM briefer.snippets n WHERE n.deleted IS NULL ORDER BY n.id""",
    "CREATE INDEX snippet_search_doc ON briefer.snippet_search USING gin (doc)",
    "ANALYZE briefer.snippet_search",
)


def _v4_to_v5(conn: psycopg.Connection) -> None:
    _run(conn, V5_SEARCH)


MIGRATIONS: tuple[Migration, ...] = (_v0_to_v1, _v1_to_v2, _v2_to_v3, _v3_to_v4, _v4_to_v5)
# The team library's schema version.
TEAM_SCHEMA_VERSION = len(MIGRATIONS)


def _recompute(
    conn: psycopg.Connection,
    select: str,
    compute: Callable[[tuple], tuple],  # type: ignore[type-arg]
    update: str,
) -> None:
    """Compute columns in Python for every row `select` gives (its id first),
    and write them with `update`, which takes one array per column."""
    with conn.cursor(name="briefer_migrate") as cursor:
        cursor.execute(select)  # type: ignore[arg-type]
        while rows := cursor.fetchmany(BATCH):
            columns: list[list[object]] = [[row[0] for row in rows]]
            computed = [compute(row) for row in rows]
            for n in range(len(computed[0])):
                columns.append([values[n] for values in computed])
            conn.execute(update, columns)  # type: ignore[arg-type]


def grant(conn: psycopg.Connection, role: str, *, write: bool) -> None:
    """Let `role` read (search, list, cite) or also write the library, now
    and after later migrations by the same owner."""
    role_id = sql.Identifier(role)
    tables = "SELECT, INSERT, UPDATE, DELETE" if write else "SELECT"
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA briefer TO {}").format(role_id),
        sql.SQL(f"GRANT {tables} ON ALL TABLES IN SCHEMA briefer TO {{}}").format(role_id),
        sql.SQL(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA briefer GRANT {tables} ON TABLES TO {{}}"
        ).format(role_id),
    ]
    if write:
        statements += [
            sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA briefer TO {}").format(role_id),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA briefer GRANT USAGE ON SEQUENCES TO {}"
            ).format(role_id),
        ]
    for statement in statements:
        conn.execute(statement)
