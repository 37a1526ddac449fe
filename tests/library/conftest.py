"""Fixtures for the snippet library tests: a fresh library per test, and a
throwaway PostgreSQL cluster for the team library.

The cluster (`tests/pg_cluster.py`) is started once per session, the first
time a test asks for it, and stopped at the end, also when tests fail. It
has two login roles with passwords, a writer and a read-only reader, and a
template database holding an empty team library, from which each test gets
a database of its own (`CREATE DATABASE ... TEMPLATE`, a few tens of
milliseconds). Without PostgreSQL installed those tests are skipped, except
under CI (the `CI` environment variable set), where they fail: CI must
never pass without running the team library's contract suite.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from briefer.library import Library, Source

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pg_cluster

LIBRARY_DATA = Path(__file__).resolve().parent.parent / "data" / "library"
WRITER = "briefer_writer"
READER = "briefer_reader"
TEMPLATE_DB = "briefer_template"
_numbers = itertools.count(1)


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    with Library.open(tmp_path / "library.sqlite3") as library:
        yield library


@pytest.fixture
def reuters() -> Source:
    return Source(
        title="EU adopts cyber resilience rules",
        publisher="Reuters",
        author="John Smith",
        url="https://www.reuters.example/eu-cyber",
        published="2026-03-10",
    )


@pytest.fixture
def corpus(lib: Library) -> dict[str, int]:
    """A small library; returns snippet ids by a short name."""
    add = lib.add
    ids = {
        "regulation": add(
            "The European Commission proposed a regulation on critical infrastructure.",
            Source(
                title="Commission proposal",
                publisher="Reuters",
                url="https://www.reuters.example/a",
                published="2025-11-03",
            ),
            tags=["cyber", "eu"],
            collection="Projects/Baltic",
        ),
        "regulatory": add(
            "Regulatory pressure on operators increased after the outage.",
            Source(
                title="Operators under pressure",
                publisher="Financial Times",
                url="https://ft.example/b",
                published="2026-02-01",
            ),
            tags=["energy"],
        ),
        "sanctions": add(
            "Ministers agreed to extend sanctions; the regulation of exports follows.",
            Source(
                title="Sanctions extended", publisher="Associated Press", published="2026-06-15"
            ),
            tags=["sanctions", "eu"],
            collection="Projects",
        ),
        "cables": add(
            "A subsea cable between Finland and Estonia was damaged by an anchor.",
            Source(title="Baltic cable incident", publisher="Yle", published="2024-12-25"),
            note="Compare with the 2023 Balticconnector case.",
            tags=["baltic"],
        ),
        "chinese": add(
            "北京是中国的首都，发布了新的网络安全法规。",
            Source(title="网络安全", publisher="新华社"),
        ),
        "japanese": add("東京で新しいサイバー規制が発表された。", Source(title="日本")),
        "arabic": add(
            "أعلنت الحكومة عن قواعد جديدة للأمن السيبراني",
            Source(title="الأمن", publisher="الجزيرة"),
        ),
        "emoji": add("Wildfire season starts early 🔥🌲 in the north", Source(title="Fires")),
        "cafe": add("Le café de la Gare a rouvert.", Source(title="Café")),
    }
    return {name: result.snippet.id for name, result in ids.items()}


@dataclass(frozen=True)
class Team:
    """The session's cluster, its roles and their passwords (made up per run)."""

    cluster: pg_cluster.Cluster
    passwords: dict[str, str]
    writer: str = WRITER
    reader: str = READER

    def url(self, database: str, role: str = WRITER, **params: str) -> str:
        return self.cluster.url(role, database, **params)

    spare: list[str] = field(default_factory=list)

    def new_database(self, *, template: str = TEMPLATE_DB, owner: str = WRITER) -> str:
        """A fresh database (from the template: an empty team library)."""
        name = f"t{os.getpid()}_{next(_numbers)}"
        self.cluster.create_database(name, owner=owner, template=template)
        return name

    def borrow_library(self) -> str:
        """A database holding an empty team library: one given back by an
        earlier test and emptied (ids start at 1 again), else a new one.
        Copying the template takes a checkpoint (~0.2 s); emptying, 20 ms."""
        if not self.spare:
            return self.new_database()
        name = self.spare.pop()
        self.cluster.terminate(name)
        self.cluster.execute(
            "TRUNCATE briefer.vocabulary, briefer.snippet_search, briefer.snippet_tags,"
            " briefer.snippets, briefer.tags,"
            " briefer.collections, briefer.sources RESTART IDENTITY",
            database=name,
        )
        return name

    def give_back(self, name: str) -> None:
        self.spare.append(name)


@pytest.fixture(scope="session")
def team_cluster() -> Iterator[Team]:
    """The throwaway cluster, started once (see the module docstring)."""
    if pg_cluster.find_bindir() is None:
        reason = "PostgreSQL is not installed (no initdb): the team library tests need it"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI must run them (make test installs postgresql)")
        pytest.skip(reason)
    cluster = pg_cluster.start()
    try:
        passwords = {WRITER: secrets.token_urlsafe(12), READER: secrets.token_urlsafe(12)}
        for role, password in passwords.items():
            cluster.create_role(role, password)
        cluster.create_database(TEMPLATE_DB, owner=WRITER)
        team = Team(cluster, passwords)
        _init_template(team)
        yield team
    finally:
        cluster.stop()


def _init_template(team: Team) -> None:
    from briefer.library.pg_store import init_team

    saved = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = team.passwords[WRITER]
    try:
        init_team(team.url(TEMPLATE_DB), readers=[READER])
    finally:
        if saved is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = saved


@pytest.fixture
def team_db(team_cluster: Team) -> Iterator[str]:
    """A database of this test's own holding an empty team library."""
    name = team_cluster.borrow_library()
    try:
        yield name
    finally:
        team_cluster.give_back(name)


@pytest.fixture
def team_url(team_cluster: Team, team_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The writer's URL of `team_db`, its password in PGPASSWORD (as a desk sets it)."""
    monkeypatch.setenv("PGPASSWORD", team_cluster.passwords[WRITER])
    return team_cluster.url(team_db)
