"""Fixtures for the snippet library tests: a fresh library per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefer.library import Library, Source

LIBRARY_DATA = Path(__file__).resolve().parent.parent / "data" / "library"


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
