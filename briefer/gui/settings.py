"""What the window remembers between sessions, in QSettings.

Window geometry, splitter positions, recent files, the last folders used for
opening and exporting, whether the preview is shown, the chosen appearance,
the library panel's tag and collection filters, and the team library's URL
(with the recent ones; a password is never kept). The settings file lives
in Briefer's data folder (`Paths.data_dir / "settings.ini"`), so
`BRIEFER_DATA_DIR` moves it with everything else and tests never touch the
real user's settings. Values are read through typed accessors: a damaged or
hand-edited file gives defaults, never an exception.
"""

from __future__ import annotations

import enum
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import QByteArray, QSettings

from briefer.paths import Paths

RECENT_LIMIT = 10
SETTINGS_FILE = "settings.ini"


def holds_password(url: str) -> bool:
    """Whether a library URL carries a password (in its user part or its
    `password=` parameter)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    query = {k.casefold() for k in parse_qs(parts.query, keep_blank_values=True)}
    return parts.password is not None or "password" in query


def _refuse_password(url: str) -> None:
    if holds_password(url):
        raise ValueError("a library URL with a password is never kept in settings")


class Appearance(enum.Enum):
    """Light or dark: following the system, or chosen by the person."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Settings:
    """Typed access to the window's QSettings (an INI file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @classmethod
    def for_paths(cls, paths: Paths) -> Settings:
        return cls(paths.data_dir / SETTINGS_FILE)

    def sync(self) -> None:
        self._qs.sync()

    # -- window layout --------------------------------------------------------

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    def splitter_state(self, name: str) -> QByteArray | None:
        return self._bytes(f"splitters/{name}")

    def set_splitter_state(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"splitters/{name}", value)

    def preview_shown(self) -> bool:
        return self._bool("window/preview_shown", True)

    def set_preview_shown(self, shown: bool) -> None:
        self._qs.setValue("window/preview_shown", bool(shown))

    def appearance(self) -> Appearance:
        try:
            return Appearance(str(self._qs.value("window/appearance", "system")))
        except ValueError:
            return Appearance.SYSTEM

    def set_appearance(self, appearance: Appearance) -> None:
        self._qs.setValue("window/appearance", appearance.value)

    # -- library panel --------------------------------------------------------

    def library_filters(self) -> tuple[str, str]:
        """The library panel's tag and collection filters ("" for all)."""
        return self._text("library/tag"), self._text("library/collection")

    def set_library_filters(self, tag: str, collection: str) -> None:
        self._qs.setValue("library/tag", tag)
        self._qs.setValue("library/collection", collection)

    def team_library(self) -> str:
        """The team library's URL the window opens (never with a password),
        or "" for the local library."""
        url = self._text("library/team")
        return "" if holds_password(url) else url

    def set_team_library(self, url: str) -> None:
        """Remember the team library to open ("" for the local one). A URL
        holding a password is refused: settings never keep one."""
        _refuse_password(url)
        self._qs.setValue("library/team", url)
        if url:
            recent = [u for u in self.recent_team_libraries() if u != url]
            self._qs.setValue("library/team_recent", [url, *recent][:RECENT_LIMIT])

    def recent_team_libraries(self) -> list[str]:
        """Team libraries opened before, newest first."""
        value = self._qs.value("library/team_recent", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        urls = [u for u in value if isinstance(u, str) and u and not holds_password(u)]
        return urls[:RECENT_LIMIT]

    # -- files ----------------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Recently opened or saved files, newest first."""
        value = self._qs.value("files/recent", [])
        if isinstance(value, str):  # QSettings gives a one-item list back as text
            value = [value]
        if not isinstance(value, list):
            return []
        return [Path(item) for item in value if isinstance(item, str) and item][:RECENT_LIMIT]

    def add_recent_file(self, path: Path) -> None:
        path = path.resolve()
        recent = [p for p in self.recent_files() if p != path]
        self._qs.setValue("files/recent", [str(p) for p in [path, *recent][:RECENT_LIMIT]])

    def remove_recent_file(self, path: Path) -> None:
        recent = [p for p in self.recent_files() if p != path]
        self._qs.setValue("files/recent", [str(p) for p in recent])

    def clear_recent_files(self) -> None:
        self._qs.setValue("files/recent", [])

    def open_folder(self) -> Path | None:
        return self._folder("files/open_folder")

    def set_open_folder(self, folder: Path) -> None:
        self._qs.setValue("files/open_folder", str(folder))

    def export_folder(self) -> Path | None:
        return self._folder("files/export_folder")

    def set_export_folder(self, folder: Path) -> None:
        self._qs.setValue("files/export_folder", str(folder))

    # -- reading values safely ------------------------------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def _text(self, key: str) -> str:
        value = self._qs.value(key, "")
        return value if isinstance(value, str) else ""

    def _bool(self, key: str, default: bool) -> bool:
        value = self._qs.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)

    def _folder(self, key: str) -> Path | None:
        value = self._qs.value(key)
        if isinstance(value, str) and value and Path(value).is_dir():
            return Path(value)
        return None
