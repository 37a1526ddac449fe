"""Where the user's library is: a file, or a team library's URL, as given.

`BRIEFER_LIBRARY` may name a database file or a team library on a server
(`postgresql://USER@HOST:PORT/DB`). `Paths.library_location` gives either
as `open_library` takes it: a URL untouched (a `Path` would fold its `//`),
a path with `~` expanded. `Paths.library_path` is for what needs a file and
refuses a URL in one clear line, without the password a URL may hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.errors import BrieferError
from briefer.paths import Paths

URL = "postgresql://mira@db.desk:5432/briefer"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.from_env({"BRIEFER_DATA_DIR": str(tmp_path / "data")})


def test_without_briefer_library_it_is_the_file_in_the_data_folder(
    paths: Paths, tmp_path: Path
) -> None:
    expected = tmp_path / "data" / "library.sqlite3"
    assert paths.library_location({}) == str(expected)
    assert paths.library_path({}) == expected
    assert paths.library_location({"BRIEFER_LIBRARY": "  "}) == str(expected)


def test_a_file_named_by_briefer_library_is_that_file(paths: Path, tmp_path: Path) -> None:
    env = {"BRIEFER_LIBRARY": "~/desk/library.sqlite3", "HOME": str(tmp_path)}
    expected = Path("~/desk/library.sqlite3").expanduser()
    assert paths.library_location(env) == str(expected)
    assert paths.library_path(env) == expected


@pytest.mark.parametrize("url", [URL, "postgres://mira@db.desk/briefer", f"  {URL}\n"])
def test_a_team_library_url_is_kept_whole(paths: Paths, url: str) -> None:
    location = paths.library_location({"BRIEFER_LIBRARY": url})
    assert location == url.strip()
    assert "//" in location  # not folded into a path


def test_a_file_is_asked_for_a_team_library_in_one_line_without_its_password(
    paths: Paths,
) -> None:
    with pytest.raises(BrieferError) as caught:
        paths.library_path({"BRIEFER_LIBRARY": URL})
    message = str(caught.value)
    assert message == f"{URL} is a team library on a server, not a file"
    with pytest.raises(BrieferError) as caught:
        paths.library_path({"BRIEFER_LIBRARY": "postgresql://mira:s3cret@db.desk/briefer"})
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
