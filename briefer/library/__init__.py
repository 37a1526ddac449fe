"""The snippet library: quoted text with its source, in SQLite + FTS5 on one
machine, or shared by a desk on a PostgreSQL server (the team library).

No Qt here: the command line, the GUI and the tests share this API.

    from briefer.library import open_library

    lib = open_library("~/briefs/library.sqlite3")               # a Library
    lib = open_library("postgresql://mira@db.desk:5432/briefer",  # a PostgresLibrary
                       connect_timeout=5.0)                      # (off the GUI thread)

Both engines answer every call below alike (`tests/library/contract/` runs
one suite against both); `pg_store` says what a server adds (any thread,
many writers, dropped connections, read-only roles) and `location` how a
library is named. A team library is set up once with `pg_store.init_team`
(`briefer snippets init-team URL`); `copying.copy_snippets` moves snippets
between any two libraries.

    from briefer.library import Library, Source

    with Library.open(path) as lib:            # creates / migrates the database
                                              # (busy_timeout=2.0 in a window)
        result = lib.add("Quoted text…", Source(title="…", publisher="Reuters",
                         url="https://…", published="2026-11-20"),
                         note="", tags=["cyber"], collection="Projects/Baltic")
        # -> AddResult(snippet, duplicate)
        lib.get(snippet_id)                   # -> Snippet (LibraryError if unknown)
        lib.update(snippet_id, text=..., note=..., source=..., tags=[...], collection=...,
                   expected_version=snippet.version)   # EditConflict if changed since
        lib.delete(snippet_id)                # to the trash; lib.restore(id) undoes it
                                              # (either is a no-op when already done)
        lib.empty_trash()                     # deletes the trashed snippets for good
        lib.list(tags=..., collection=..., since=..., trash=False, limit=100)
        hits = lib.search('"exact phrase" regul* -draft tag:cyber', limit=50,
                          tags=["eu"], collection="Projects", since="2026-01-01")
        lib.tags(), lib.collections()         # -> [NameCount(name, count)]
        report = lib.import_file("notes.jsonl", progress=callback)  # Cancelled stops it
        lib.export("all.jsonl")               # atomic; imports back unchanged

    from briefer.library.check import check_library, repair_indexes, salvage

    report = check_library(path)              # -> CheckReport: ok, or the damage found
    repair_indexes(path, report)              # rebuilds indexes that disagree with the data
    salvage(path, "rescued.jsonl")            # what a damaged library can still give

Where: `open_library(Paths.library_location())` is the user's library, a
file or a team library's URL (the `BRIEFER_LIBRARY` environment variable or
`--library PATH|URL` overrides it).

Records (`briefer.library.model`): `Snippet` (id, text, note, source,
tags, collection, created, modified, deleted, version, modified_by), `Source` (title, publisher,
author, url, published, accessed; dates ISO 8601), `AddResult`, `Hit`
(snippet, score — higher is better — and fragment), `ImportReport` (added,
duplicates, rejected rows: `Rejection(line, reason)`; or `error`, why the file
as a whole could not be used — missing, a folder, unreadable, not UTF-8, an
unknown type — with nothing imported). An import writes every author
"Given Family" ("Doe, Jane" becomes "Jane Doe"; several are joined by "; "),
and a web page's `accessed` is the day it was imported.

Dates: a source's `published` and `accessed` are `YYYY`, `YYYY-MM` or
`YYYY-MM-DD` (common written forms such as `20 November 2026` are converted).
A date that is no date (`2026-02-30`) is a `LibraryError` naming the field
and the value: `published: 2026-02-30 is not a date (expected YYYY, YYYY-MM
or YYYY-MM-DD)`; in an import the row is rejected with that reason and its
line.

Duplicates: the same text after normalisation (Unicode NFKC, case, quotes,
whitespace) from the same source (same URL; without a URL, same title,
publisher and author) is one snippet. Adding it again returns the existing
snippet (and takes it out of the trash if it was there).

Search (syntax in `briefer.library.query`): words must all match; the last
word typed (three letters or more) is a prefix, so half a word already finds
something; results are ranked by bm25 (title and tags weigh more than the
text, the note less) among the newest 3,000 matches (all of them for any
query matching fewer; "best of the newest" keeps a search on a very common
word fast); trashed snippets never appear. `since` keeps snippets added on
or after a date. `before:DATE` and `after:DATE` in the query compare each
snippet's date: its source's published date or, when the source has no
published date, the day (UTC) the snippet was added to the library (so a note
typed in today counts as today's, and `after:` never hides what you just
collected); `before:` is strictly before the date, `after:` on or after it.
`parse_query(...).problems` describes a `before:`/`after:` whose value is no
date (the search itself takes it as words). Chinese, Japanese,
Korean, Thai and emoji are found inside longer runs of text (they are indexed
character by character). Each hit's `fragment` is plain text plus
`highlights`, `(start, end)` offsets in code points: data to render, never
markup to trust; `Fragment.marked("[", "]")` gives marker-delimited text.

Progress and cancel: `import_file` (and `import_records`) take one
`briefer.jobs.ProgressCallback` and call it with `Progress(done, 1000,
what)`, `what` being "Reading notes.jsonl", then "Storing notes.jsonl", then
"Indexing notes.jsonl" (`import_records` starts at storing); `done` only
grows, and a finished import's last report has `done == total`. Reports come
every few tens of milliseconds of work (reading is the first fifth of the
scale; intervals in `importers.READ_CHUNK` and `store.STORE_CHUNK`). Raising
`briefer.jobs.Cancelled` from the callback, while the file is read, stored
or indexed, stops the import: nothing of the file is kept (the library, its
search index included, is as it was), no transaction is left open, and the
`Cancelled` reaches the caller (it is not turned into a rejection or a
report error). A window passes `CancelToken.callback(...)`.

Threads: a `Library` belongs to the thread that opened it; used from any
other thread, every method raises `LibraryError("a Library is used by the
thread that opened it; open one per thread")` and does nothing. A worker
thread opens its own `Library` on the same path; the records it returns
(snippets, hits, reports) are plain data any thread may read.

Edits by several people: every change raises a snippet's `version` and
records who made it (`modified_by`: the login name; on a team library the
database role too). `update(..., expected_version=v)` with the version the
snippet had when it was read is refused with an `EditConflict` (a
`LibraryError`) naming who changed it and when, if anyone has since, and
nothing is saved; without it, an edit is not checked.

Other programs: any number of processes may read and write the same file.
Reading does not wait for writers (write-ahead log). A write (and opening a
library that has to be created or migrated) waits while another program
writes, for about `Library.open(path, busy_timeout=60.0)` seconds; then it
fails with a one-line `LibraryError` ("the library is busy: another program
is writing to it; try again") and changes nothing. A window opens its
library with a short patience, such as `busy_timeout=2.0`, so it never
freezes for long; the command line keeps the default minute.

Opening: a library that cannot be opened is a one-line `LibraryError` that
names the file and the cause: its folder cannot be made (`cannot create the
library's folder: permission denied`), it is read-only or on a read-only file
system, its folder cannot be written (SQLite keeps its journal there), it is
damaged (`damaged: run briefer snippets check`), or it is no Briefer library
(not an SQLite database, another program's database, a named pipe). A
read-only library can still be read. Ids and limits beyond SQLite's 64-bit
integers are an unknown snippet and no limit.

Import formats are listed in `briefer.library.importers`. Errors the user
can act on are `LibraryError` (a `BrieferError`).
"""

from __future__ import annotations

from briefer.library.location import is_team_location, open_library
from briefer.library.model import (
    AddResult,
    EditConflict,
    Fragment,
    Hit,
    ImportReport,
    LibraryError,
    Record,
    Rejection,
    Snippet,
    Source,
)
from briefer.library.schema import SCHEMA_VERSION
from briefer.library.store import Library, NameCount

__all__ = [
    "SCHEMA_VERSION",
    "AddResult",
    "EditConflict",
    "Fragment",
    "Hit",
    "ImportReport",
    "Library",
    "LibraryError",
    "NameCount",
    "Record",
    "Rejection",
    "Snippet",
    "Source",
    "is_team_location",
    "open_library",
]
