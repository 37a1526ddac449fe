"""Test-wide set-up: headless Qt, and user folders redirected per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
REFERENCE = REPO / "tests" / "reference"


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's data folder or library."""
    home = tmp_path_factory.mktemp("briefer-data")
    monkeypatch.setenv("BRIEFER_DATA_DIR", str(home))
    monkeypatch.setenv("BRIEFER_LIBRARY", str(home / "library.sqlite3"))
