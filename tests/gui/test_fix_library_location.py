"""The window with BRIEFER_LIBRARY naming a team library on a server.

The URL is a location, not a file: the window starts on the local library
at once, reaches for the server in the background, and when it cannot be
reached says so in the library panel's banner, naming the team library by
its URL without the password the URL held (nowhere in the window: labels,
tooltips, title). A window made without `WindowContext.create` (as an
embedding program or a test may make one) reads the same variable the
same way, instead of taking the URL for a folder called `postgresql:`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from test_window import WindowOpener

from briefer.gui.library_switch import TEAM_CONNECT_TIMEOUT_S
from briefer.gui.main_window import MainWindow, WindowContext
from briefer.gui.settings import Settings
from briefer.paths import Paths
from briefer.pipeline import ExportSettings
from briefer.templates import TemplateRegistry

BANNER_MS = int((TEAM_CONNECT_TIMEOUT_S + 3) * 1000)
SHOWN = "postgresql://user@127.0.0.1:1/db"


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def everything_shown(window: MainWindow) -> str:
    """Every text and tooltip of the window's widgets, and its title."""
    parts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        parts.append(widget.toolTip())
        text = getattr(widget, "text", None)
        if callable(text):
            with contextlib.suppress(TypeError):  # a text() that wants arguments
                parts.append(str(text()))
    return "\n".join(parts)


def test_an_unreachable_team_library_is_named_by_its_url_without_the_password(
    open_window, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFER_LIBRARY", "postgresql://user:s3cret@127.0.0.1:1/db")
    window = open_window()
    switcher, panel = window.library_switch, window.library_panel
    assert panel.location == str(Paths.from_env().default_library)  # local at once
    qtbot.waitUntil(switcher.banner.isVisible, timeout=BANNER_MS)
    text = switcher.banner.text.text()
    assert text.startswith(f"Team library {SHOWN} unreachable: cannot connect to the server")
    assert text.endswith(" — working on the local library")
    assert switcher.banner.toolTip() == SHOWN
    assert switcher.label.text() == "Library: library.sqlite3"
    assert "s3cret" not in everything_shown(window)
    assert not (tmp_path / "postgresql:").exists()


def test_a_window_made_without_create_reads_a_team_url_as_a_location(
    qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFER_LIBRARY", SHOWN)
    paths = Paths.from_env()
    settings = Settings.for_paths(paths)
    settings.set_preview_shown(False)
    context = WindowContext(
        paths=paths,
        registry=TemplateRegistry(paths),
        settings=settings,
        export_settings=ExportSettings.from_env(paths),
    )
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    QApplication.processEvents()
    panel, switcher = window.library_panel, window.library_switch
    assert panel.location == str(paths.default_library)
    assert window.library_choice.local == str(paths.default_library)
    qtbot.waitUntil(switcher.banner.isVisible, timeout=BANNER_MS)
    assert switcher.banner.toolTip() == SHOWN
    # The local library works meanwhile: it opened, and says it is empty.
    qtbot.waitUntil(lambda: panel.count_label.text() == "The library is empty", timeout=10_000)
    assert not (tmp_path / "postgresql:").exists()
    assert paths.default_library.exists()
