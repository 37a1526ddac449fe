"""`briefer snippets` with BRIEFER_LIBRARY naming a team library.

The URL reaches the library code whole: an unreachable server is reported
as that, in one line naming the server (never a file error about a folder
called `postgresql:`), and commands that read a library file say in one
line that a team library has none. The real program runs, as a person
types it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

UNREACHABLE = "postgresql://user@127.0.0.1:1/db"


def briefer(tmp_path: Path, *args: str, library: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BRIEFER_DATA_DIR": str(tmp_path / "data"),
        "BRIEFER_LIBRARY": library,
        "PGCONNECT_TIMEOUT": "5",
    }
    env.pop("PGPASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "briefer", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefer: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_search_on_an_unreachable_team_library_says_the_server_is_unreachable(
    tmp_path: Path,
) -> None:
    result = briefer(tmp_path, "snippets", "search", "x", library=UNREACHABLE)
    line = assert_one_error_line(result)
    assert line.startswith(f"briefer: error: {UNREACHABLE}: ")
    assert "cannot connect to the server" in line and "port 1" in line
    assert not (tmp_path / "postgresql:").exists()  # no file was made of the URL


@pytest.mark.parametrize(
    "args", [("snippets", "list"), ("snippets", "check"), ("snippets", "show", "1")]
)
def test_other_commands_reach_for_the_server_too(tmp_path: Path, args: tuple[str, ...]) -> None:
    line = assert_one_error_line(briefer(tmp_path, *args, library=UNREACHABLE))
    assert UNREACHABLE in line and "cannot connect to the server" in line
    assert not (tmp_path / "postgresql:").exists()


def test_salvage_needs_a_file_and_says_so_in_one_line(tmp_path: Path) -> None:
    result = briefer(
        tmp_path,
        "snippets",
        "export",
        "--salvage",
        str(tmp_path / "rescued.jsonl"),
        library=UNREACHABLE,
    )
    line = assert_one_error_line(result)
    assert UNREACHABLE in line and "--salvage reads a damaged library file" in line
    assert not (tmp_path / "rescued.jsonl").exists()


def test_a_password_in_the_url_is_never_repeated(tmp_path: Path) -> None:
    result = briefer(
        tmp_path, "snippets", "search", "x", library="postgresql://user:s3cret@127.0.0.1:1/db"
    )
    line = assert_one_error_line(result)
    assert "s3cret" not in result.stderr + result.stdout
    assert "password" in line


def test_cite_reaches_for_the_team_library_named_by_briefer_library(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "templates" / "smart-brevity" / "sample.brief"
    brief = tmp_path / "brief.brief"
    brief.write_bytes(sample.read_bytes())
    result = briefer(
        tmp_path, "cite", str(brief), "1", "--section", "what-happened", library=UNREACHABLE
    )
    line = assert_one_error_line(result)
    assert UNREACHABLE in line and "cannot connect to the server" in line
    assert brief.read_bytes() == sample.read_bytes()  # the brief is left as it was
