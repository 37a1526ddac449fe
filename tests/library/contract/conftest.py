"""The library contract's engines: every test here runs once on the local
SQLite library and once on the team library on PostgreSQL.

`lib` is a fresh library of the test's engine; `new_library(name)` opens
another one (another file, or another database on the test cluster), for
tests that move snippets between two libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefer.library import Library
from briefer.library.location import AnyLibrary
from briefer.library.pg_store import PostgresLibrary

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_library(
    engine: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[str], AnyLibrary]]:
    """Opens a new, empty library of the test's engine for each name."""
    opened: list[AnyLibrary] = []
    databases: list[str] = []
    team = request.getfixturevalue("team_cluster") if engine == "postgresql" else None

    def make(name: str = "library") -> AnyLibrary:
        library: AnyLibrary
        if team is None:
            library = Library.open(tmp_path / f"{name}.sqlite3")
        else:
            monkeypatch.setenv("PGPASSWORD", team.passwords[team.writer])
            databases.append(team.borrow_library())
            library = PostgresLibrary.open(team.url(databases[-1]))
        opened.append(library)
        return library

    try:
        yield make
    finally:
        for library in opened:
            library.close()
        for database in databases:
            team.give_back(database)  # type: ignore[union-attr]


@pytest.fixture
def lib(new_library: Callable[[str], AnyLibrary]) -> AnyLibrary:
    return new_library("library")
