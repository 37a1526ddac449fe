"""Opening a library by where it is: a local file or a team library's URL.

    from briefer.library import open_library

    with open_library(location) as lib:   # a path, or postgresql://USER@HOST:PORT/DB
        lib.search("cable")

`open_library` gives a `Library` (SQLite) for a path and a
`PostgresLibrary` for a `postgresql://` (or `postgres://`) URL; both answer
the same calls. `connect_timeout` bounds how long an unreachable server is
waited for (a window passes a few seconds and calls this off its GUI
thread); `prompt` is asked for a team library's password when PGPASSWORD
and ~/.pgpass give none (a command line on a terminal passes one; a window
passes none, so it never blocks on a terminal). psycopg is imported only
when a team library is opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from briefer.library.schema import WRITE_PATIENCE_S

if TYPE_CHECKING:
    from briefer.library.pg_store import PostgresLibrary
    from briefer.library.store import Library

# Either engine: both answer the same calls (`Library`'s).
AnyLibrary: TypeAlias = "Library | PostgresLibrary"

TEAM_SCHEMES = ("postgresql://", "postgres://")
# How long opening a team library waits for its server, in seconds.
CONNECT_TIMEOUT_S = 10.0


def is_team_location(location: object) -> bool:
    """True when `location` names a team library (a `postgresql://` URL)."""
    return isinstance(location, str) and location.strip().lower().startswith(TEAM_SCHEMES)


def open_library(
    location: str | os.PathLike[str],
    *,
    busy_timeout: float = WRITE_PATIENCE_S,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    prompt: Callable[[str], str | None] | None = None,
) -> AnyLibrary:
    """Open the library at `location`: a path (created or migrated as
    needed) or a team library's URL (which must have been set up with
    `briefer snippets init-team`). A library that cannot be opened, or a
    server that cannot be reached within `connect_timeout`, is a one-line
    `LibraryError`."""
    if is_team_location(location):
        from briefer.library.pg_store import PostgresLibrary

        return PostgresLibrary.open(
            str(location),
            busy_timeout=busy_timeout,
            connect_timeout=connect_timeout,
            prompt=prompt,
        )
    from briefer.library.store import Library

    return Library.open(Path(location), busy_timeout=busy_timeout)


def shown(location: str | os.PathLike[str]) -> str:
    """A location as messages and settings show it: a path as given, a URL
    without any password (see `pg_connect.shown_location`)."""
    if not is_team_location(location):
        return str(location)
    from briefer.library.pg_connect import parse_location

    return parse_location(str(location)).shown
