"""Where Briefer's files live.

One place answers "where is the user's data" (platformdirs, overridable with
`BRIEFER_DATA_DIR`, and the library with `BRIEFER_LIBRARY`: a database file
or a team library's `postgresql://` URL, see `Paths.library_location`), "where
may Briefer cache things" (`BRIEFER_CACHE_DIR`, else inside a redirected data
folder, else the platform's cache folder) and
"where are the built-in templates and assets" (inside the installed package,
or the checkout's `templates/` and `assets/` folders). Everything is computed
from the environment passed in, so tests can redirect it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from briefer.errors import BrieferError

APP_NAME = "Briefer"
# What a team library's address starts with (as `briefer.library.location`
# knows it; that package is not imported here, to keep this module light).
TEAM_SCHEMES = ("postgresql://", "postgres://")
_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """A data folder shipped with Briefer.

    In a wheel the folders are installed inside the package
    (`briefer/_data/<name>`); in a checkout they sit beside the package.
    """
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / name


def system_font_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """The folders fonts are installed in on this platform, user's first.

    `env` holds the variables that move them (HOME, XDG_DATA_HOME, WINDIR,
    LOCALAPPDATA). Without it the platform's standard places are used, so
    the exporters read no environment: `pipeline.ExportSettings.from_env`
    passes the user's."""
    env = {} if env is None else env
    home = Path(env.get("HOME") or Path.home())
    if sys.platform.startswith("win"):
        windir = Path(env.get("WINDIR") or r"C:\Windows")
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return [local / "Microsoft" / "Windows" / "Fonts", windir / "Fonts"]
    if sys.platform == "darwin":
        return [
            home / "Library" / "Fonts",
            Path("/Library/Fonts"),
            Path("/System/Library/Fonts"),
            Path("/System/Library/Fonts/Supplemental"),
        ]
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [
        data_home / "fonts",
        home / ".fonts",
        Path("/usr/local/share/fonts"),
        Path("/usr/share/fonts"),
    ]


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    builtin_templates: Path
    assets: Path
    cache_dir: Path  # things Briefer can rebuild (font metrics); safe to delete

    @property
    def user_templates(self) -> Path:
        return self.data_dir / "templates"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def recovery_dir(self) -> Path:
        """Unsaved work the window writes while a person types, offered back
        after a crash (also for briefs never saved)."""
        return self.data_dir / "recovery"

    @property
    def default_library(self) -> Path:
        return self.data_dir / "library.sqlite3"

    def library_location(self, env: Mapping[str, str] | None = None) -> str:
        """The user's library as `open_library` takes it: `BRIEFER_LIBRARY`
        (a file, `~` expanded, or a team library's URL exactly as given),
        else the database in the data folder. A URL stays a string: as a
        `Path` its `//` would fold into `/`."""
        env = os.environ if env is None else env
        override = env.get("BRIEFER_LIBRARY") or ""
        if not override.strip():
            return str(self.default_library)
        if is_team_url(override):
            return override.strip()
        return str(Path(override).expanduser())

    def library_path(self, env: Mapping[str, str] | None = None) -> Path:
        """The user's library file, for what reads the file itself (a check,
        a salvage). A team library has no file: a `BrieferError` naming it
        (without any password)."""
        location = self.library_location(env)
        if is_team_url(location):
            raise BrieferError(f"{_shown(location)} is a team library on a server, not a file")
        return Path(location)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Paths:
        env = os.environ if env is None else env
        override = env.get("BRIEFER_DATA_DIR")
        data_dir = (
            Path(override).expanduser()
            if override
            else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        )
        cache = env.get("BRIEFER_CACHE_DIR")
        if cache:
            cache_dir = Path(cache).expanduser()
        elif override:
            cache_dir = data_dir / "cache"
        else:
            cache_dir = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        return cls(
            data_dir=data_dir,
            builtin_templates=_resource_dir("templates"),
            assets=_resource_dir("assets"),
            cache_dir=cache_dir,
        )


def is_team_url(location: object) -> bool:
    """True when `location` is a team library's `postgresql://` URL."""
    return isinstance(location, str) and location.strip().lower().startswith(TEAM_SCHEMES)


def _shown(url: str) -> str:
    """A team library's URL as messages show it: without any password."""
    from briefer.library.location import shown

    try:
        return shown(url)
    except BrieferError:  # a URL libpq cannot read, or one holding a password
        return "the team library in BRIEFER_LIBRARY"
