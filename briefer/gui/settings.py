"""What the window remembers between sessions, in QSettings.

Window geometry, splitter positions, recent files, the last folders used for
opening and exporting, whether the preview is shown and the chosen
appearance. The settings file lives in Briefer's data folder
(`Paths.data_dir / "settings.ini"`), so `BRIEFER_DATA_DIR` moves it with
everything else and tests never touch the real user's settings. Values are
read through typed accessors: a damaged or hand-edited file gives defaults,
never an exception.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from briefer.paths import Paths

RECENT_LIMIT = 10
SETTINGS_FILE = "settings.ini"


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
