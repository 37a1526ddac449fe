"""Switching the window's library panel to a team library and back.

The window is the real one (`open_window`), the local library a real SQLite
file, the team library a real PostgreSQL database on the session's
throwaway cluster (`tests/library/conftest.py`'s fixtures, reused). A
server that cannot be reached is a port nothing listens on (refused at
once) or a socket that takes the connection and never answers (so libpq's
connect timeout runs out). The person clicks Switch…, types the URL and
presses Open; what is checked is what they see (the line naming the
library, the rows, the banner) and what the settings file holds. Only the
password dialog (a QInputDialog static) is patched.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_library_panel
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog
from test_library_panel import GapMeter, open_on, row_texts, type_query, wait_for
from test_window import WindowOpener

from briefer.gui.library_switch import TEAM_CONNECT_TIMEOUT_S, SwitchDialog, without_password
from briefer.gui.main_window import MainWindow
from briefer.gui.settings import Settings
from briefer.library import Source, open_library
from briefer.paths import Paths

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import library.conftest as team_fixtures
from library.conftest import WRITER, Team

# Fixtures reused: the panel tests' small library, the throwaway cluster's
# team library (a database of the test's own, PGPASSWORD set by team_url).
small_library = test_library_panel.small_library
team_cluster = team_fixtures.team_cluster
team_db = team_fixtures.team_db
team_url = team_fixtures.team_url

WAIT_MS = 20_000
# The banner comes within the connect timeout and the window's second more.
BANNER_MS = int((TEAM_CONNECT_TIMEOUT_S + 1.5) * 1000)
REFUSED = "postgresql://nobody@127.0.0.1:1/x"
TEAM_TEXTS = (
    "Desk memo: the grid operator confirmed the substation outage.",
    "Desk memo: port authority extends the night curfew.",
)


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A URL whose "server" takes the connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"postgresql://nobody@127.0.0.1:{listener.getsockname()[1]}/x"
    finally:
        listener.close()


def fill_team(url: str) -> None:
    with open_library(url) as team:
        for text in TEAM_TEXTS:
            team.add(text, Source(title="Desk memo", publisher="Desk"))


def settings_text() -> str:
    return (Paths.from_env().data_dir / "settings.ini").read_text(encoding="utf-8")


def switch_in_dialog(qtbot, window: MainWindow, url: str | None) -> None:
    """Click Switch…, choose the local library (None) or type `url`, Open."""
    switcher = window.library_switch
    qtbot.mouseClick(switcher.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: switcher.dialog is not None and switcher.dialog.isVisible())
    dialog: SwitchDialog = switcher.dialog
    if url is None:
        choice = dialog.local_choice  # click its round button
        at = QPoint(8, choice.height() // 2)
        qtbot.mouseClick(choice, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
        assert choice.isChecked()
    else:
        edit = dialog.url.lineEdit()
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)
        qtbot.keyClicks(edit, url)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_switching_to_a_team_library_lists_its_snippets_and_names_it(
    open_window, monkeypatch, qtbot, small_library: Path, team_url: str, team_db: str
) -> None:
    fill_team(team_url)
    window = open_on(open_window, monkeypatch, qtbot, small_library)
    panel, switcher = window.library_panel, window.library_switch
    assert switcher.label.text() == "Library: small.sqlite3"
    assert len(row_texts(panel)) > 2  # the local library's rows

    switch_in_dialog(qtbot, window, team_url)
    qtbot.waitUntil(
        lambda: switcher.label.text() == f"Team library: 127.0.0.1/{team_db}", timeout=WAIT_MS
    )
    wait_for(qtbot, panel, "")
    qtbot.waitUntil(lambda: sorted(row_texts(panel)) == sorted(TEAM_TEXTS), timeout=WAIT_MS)
    type_query(qtbot, panel, "curfew")
    wait_for(qtbot, panel, "curfew")
    assert row_texts(panel) == [TEAM_TEXTS[1]]
    assert not switcher.banner.isVisible()
    assert Settings.for_paths(Paths.from_env()).team_library() == team_url

    # Drags out of the panel name the library they come from.
    assert panel.location == team_url

    switch_in_dialog(qtbot, window, None)
    qtbot.waitUntil(lambda: switcher.label.text() == "Library: small.sqlite3", timeout=WAIT_MS)
    wait_for(qtbot, panel, "curfew")
    qtbot.waitUntil(lambda: row_texts(panel) == [], timeout=WAIT_MS)
    type_query(qtbot, panel, "shipping")
    wait_for(qtbot, panel, "shipping")
    assert len(row_texts(panel)) >= 25
    assert Settings.for_paths(Paths.from_env()).team_library() == ""


def test_an_unreachable_team_library_shows_the_banner_and_the_local_one_still_works(
    open_window, monkeypatch, qtbot, small_library: Path, silent_server: str
) -> None:
    window = open_on(open_window, monkeypatch, qtbot, small_library)
    panel, switcher = window.library_panel, window.library_switch
    meter = GapMeter()
    meter.start()
    started = time.perf_counter()
    switch_in_dialog(qtbot, window, REFUSED)
    qtbot.waitUntil(switcher.banner.isVisible, timeout=BANNER_MS)
    text = switcher.banner.text.text()
    assert text.startswith(f"Team library {REFUSED} unreachable: cannot connect to the server ")
    assert "port 1" in text and "refused" in text
    assert "refused. Is the server running" in text  # libpq's two lines, two sentences
    assert switcher.banner.toolTip() == REFUSED
    assert text.endswith(" — working on the local library")
    assert "\n" not in text
    assert switcher.label.text() == "Library: small.sqlite3"

    # A server that takes the connection and never answers: the window
    # waits for it no longer than the timeout, and never on its GUI thread.
    switch_in_dialog(qtbot, window, silent_server)
    qtbot.waitUntil(lambda: "connecting to the team library" in switcher.label.text())
    type_query(qtbot, panel, "shipping")  # the local library answers meanwhile
    wait_for(qtbot, panel, "shipping")
    assert len(row_texts(panel)) >= 25
    qtbot.waitUntil(
        lambda: switcher.banner.isVisible() and switcher.banner.toolTip() == silent_server,
        timeout=BANNER_MS,
    )
    meter.stop()
    assert time.perf_counter() - started < 2 * TEAM_CONNECT_TIMEOUT_S + 10
    assert switcher.banner.text.text().endswith(" — working on the local library")
    assert max(meter.gaps) <= 0.050, f"the GUI thread blocked for {max(meter.gaps):.3f} s"
    assert switcher.label.text() == "Library: small.sqlite3"

    # Retry tries again; the local library keeps answering.
    qtbot.mouseClick(switcher.banner.retry_button, Qt.MouseButton.LeftButton)
    assert not switcher.banner.retry_button.isEnabled()
    type_query(qtbot, panel, "Background")
    wait_for(qtbot, panel, "Background")
    assert len(row_texts(panel)) >= 25
    qtbot.waitUntil(switcher.banner.retry_button.isEnabled, timeout=BANNER_MS)


def test_settings_never_hold_a_password(
    open_window,
    monkeypatch,
    qtbot,
    small_library: Path,
    team_cluster: Team,
    team_db: str,
) -> None:
    """PGPASSWORD unset: the password is typed into the URL, then asked for."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    password = team_cluster.passwords[WRITER]
    url = team_cluster.url(team_db)
    assert url.startswith("postgresql://briefer_writer@")
    with_password = url.replace(f"{WRITER}@", f"{WRITER}:{password}@")
    window = open_on(open_window, monkeypatch, qtbot, small_library)
    switcher = window.library_switch

    switch_in_dialog(qtbot, window, with_password)
    qtbot.waitUntil(lambda: switcher.label.text().startswith("Team library:"), timeout=WAIT_MS)
    wait_for(qtbot, window.library_panel, "")
    Settings.for_paths(Paths.from_env()).sync()
    stored = settings_text()
    assert url in stored
    assert password not in stored

    # Settings refuse a URL with a password outright.
    with pytest.raises(ValueError):
        Settings.for_paths(Paths.from_env()).set_team_library(with_password)

    # A new window (a new session) has no password: the server asks, the
    # password dialog answers, and settings still hold none.
    window.close()
    asked: list[str] = []

    def give_password(*args, **kwargs):
        asked.append(args[2])
        return password, True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(give_password))
    again = open_window()
    qtbot.waitUntil(
        lambda: again.library_switch.label.text() == f"Team library: 127.0.0.1/{team_db}",
        timeout=WAIT_MS,
    )
    wait_for(qtbot, again.library_panel, "")
    assert len(asked) == 1 and team_db in asked[0]
    again.close()
    assert password not in settings_text()
    log_dir = Paths.from_env().data_dir
    for path in log_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_the_window_starts_on_the_local_library_when_the_saved_team_one_is_unreachable(
    open_window, monkeypatch, qtbot, small_library: Path, silent_server: str
) -> None:
    saved = Settings.for_paths(Paths.from_env())
    saved.set_team_library(silent_server)
    saved.sync()
    monkeypatch.setenv("BRIEFER_LIBRARY", str(small_library))
    started = time.perf_counter()
    window = open_window()
    panel, switcher = window.library_panel, window.library_switch
    wait_for(qtbot, panel, "")
    # The local rows are there before the server could have answered.
    assert time.perf_counter() - started < TEAM_CONNECT_TIMEOUT_S
    assert len(row_texts(panel)) > 2
    assert switcher.label.text().startswith("Library: small.sqlite3 — connecting to")
    qtbot.waitUntil(switcher.banner.isVisible, timeout=BANNER_MS)
    assert switcher.label.text() == "Library: small.sqlite3"
    assert switcher.banner.text.text().endswith(" — working on the local library")
    # Kept in the settings, to be tried again at the next start.
    assert Settings.for_paths(Paths.from_env()).team_library() == silent_server


def test_briefer_library_naming_a_team_library_opens_it_after_the_local_one(
    open_window, monkeypatch, qtbot, team_url: str, team_db: str
) -> None:
    fill_team(team_url)
    monkeypatch.setenv("BRIEFER_LIBRARY", team_url)
    window = open_window()
    panel, switcher = window.library_panel, window.library_switch
    qtbot.waitUntil(
        lambda: switcher.label.text() == f"Team library: 127.0.0.1/{team_db}", timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: sorted(row_texts(panel)) == sorted(TEAM_TEXTS), timeout=WAIT_MS)
    assert window.library_choice.local == str(Paths.from_env().default_library)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("postgresql://mira:s3cret@db:5432/team", "postgresql://mira@db:5432/team"),
        ("postgresql://mira@db/team?password=s3cret&sslmode=require",
         "postgresql://mira@db/team?sslmode=require"),
        ("postgresql://:s3cret@db/team", "postgresql://db/team"),
    ],
)  # fmt: skip
def test_a_password_typed_into_a_url_is_taken_out_and_settings_refuse_one(
    typed: str, kept: str
) -> None:
    assert without_password(typed) == (kept, "s3cret")
    settings = Settings.for_paths(Paths.from_env())
    with pytest.raises(ValueError):
        settings.set_team_library(typed)
    settings.set_team_library(kept)
    settings.sync()
    assert settings.team_library() == kept
    assert "s3cret" not in settings_text()
