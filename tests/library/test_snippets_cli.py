"""`briefer snippets ...` run in-process through `briefer.cli.main`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefer.cli import CliContext, main
from briefer.library import Library
from briefer.paths import Paths

DATA = Path(__file__).resolve().parent.parent / "data" / "library"


class TtyStream(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Run:
    def __init__(self) -> None:
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.code = 0


def run(*argv: str, stdin: str = "", stderr: io.StringIO | None = None) -> Run:
    result = Run()
    if stderr is not None:
        result.stderr = stderr
    ctx = CliContext(
        paths=Paths.from_env(),
        stdout=result.stdout,
        stderr=result.stderr,
        stdin=io.StringIO(stdin),
    )
    result.code = main(list(argv), ctx)
    return result


def library_path() -> Path:
    return Paths.from_env().library_path()


def test_add_with_options_and_from_stdin() -> None:
    r = run("snippets", "add", "--text", "Cyber rules adopted", "--title", "EU rules",
            "--publisher", "Reuters", "--url", "https://r.example/1", "--published",
            "2026-01-02", "--tag", "cyber", "--tag", "eu", "--collection", "Work")  # fmt: skip
    assert r.code == 0 and r.stdout.getvalue() == "added snippet 1\n"
    r = run("snippets", "add", "--title", "Piped", stdin="Text from a pipe\n")
    assert r.code == 0
    r = run("snippets", "add", "--text", "cyber RULES adopted", "--url", "https://r.example/1")
    assert "duplicate: snippet 1" in r.stdout.getvalue()
    with Library.open(library_path()) as lib:
        first, piped = lib.get(1), lib.get(2)
    assert first.source.publisher == "Reuters" and first.tags == ("cyber", "eu")
    assert first.collection == "Work" and first.source.published == "2026-01-02"
    assert piped.text == "Text from a pipe"


def test_add_without_text_is_a_user_error() -> None:
    r = run("snippets", "add", "--title", "x", stdin="")
    assert r.code == 2
    assert r.stderr.getvalue().startswith("briefer: error: no text")
    r = run("snippets", "add", "--text", "x", "--published", "someday")
    assert r.code == 2 and "not a date" in r.stderr.getvalue()
    assert r.stderr.getvalue().count("\n") == 1


def test_search_text_and_json() -> None:
    run("snippets", "add", "--text", "Sanctions on exports were extended.", "--title", "Sanctions")
    run("snippets", "add", "--text", "Unrelated text.")
    r = run("snippets", "search", "sanct")  # half a word
    out = r.stdout.getvalue()
    assert r.code == 0 and "Sanctions on exports" in out and "Unrelated" not in out
    r = run("snippets", "search", "--json", "exports", "-unrelated")
    hits = json.loads(r.stdout.getvalue())
    assert [h["id"] for h in hits] == [1]
    fragment = hits[0]["fragment"]
    start, end = fragment["highlights"][0]
    assert fragment["text"][start:end] == "exports"
    assert hits[0]["title"] == "Sanctions"
    # Options may follow the words; "--" lets a query start with "-".
    r = run("snippets", "search", "exports", "-unrelated", "--json", "--limit", "5")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [1]
    r = run("snippets", "search", "--json", "--", "-exports")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [2]
    r = run("snippets", "search", "nothing-like-this")
    assert r.stdout.getvalue() == "no matches\n"
    r = run("snippets", "search", "--json", 'AND( "unbalanced')
    assert r.code == 0 and json.loads(r.stdout.getvalue()) == []


def test_list_show_tag_delete_restore() -> None:
    run("snippets", "add", "--text", "One", "--tag", "a")
    run("snippets", "add", "--text", "Two")
    r = run("snippets", "list", "--json")
    assert [s["text"] for s in json.loads(r.stdout.getvalue())] == ["Two", "One"]
    r = run("snippets", "list", "--tag", "a")
    assert "One" in r.stdout.getvalue() and "Two" not in r.stdout.getvalue()
    r = run("snippets", "tag", "2", "x", "y")
    assert r.stdout.getvalue() == "snippet 2: tags x, y\n"
    r = run("snippets", "tag", "2", "x", "--remove")
    assert r.stdout.getvalue() == "snippet 2: tags y\n"
    r = run("snippets", "show", "2")
    assert "tags:           y" in r.stdout.getvalue()
    assert run("snippets", "delete", "2").code == 0
    assert "Two" in run("snippets", "list", "--trash").stdout.getvalue()
    assert "Two" not in run("snippets", "list").stdout.getvalue()
    assert run("snippets", "restore", "2").code == 0
    assert "Two" in run("snippets", "list").stdout.getvalue()
    r = run("snippets", "show", "42")
    assert r.code == 2 and r.stderr.getvalue() == "briefer: error: no snippet with id 42\n"


def test_import_reports_counts_and_rejections() -> None:
    r = run("snippets", "import", str(DATA / "bulk.csv"), str(DATA / "zotero.ris"))
    assert r.code == 0
    lines = r.stdout.getvalue().splitlines()
    assert lines == [
        f"{DATA / 'bulk.csv'}: 3 added, 1 duplicates, 2 rejected",
        f"{DATA / 'zotero.ris'}: 2 added, 0 duplicates, 1 rejected",
    ]
    err = r.stderr.getvalue()
    assert f"briefer: warning: {DATA / 'bulk.csv'}:4: no text" in err
    assert f"{DATA / 'zotero.ris'}:14: no abstract" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal


def test_import_of_an_unreadable_file_fails_after_the_others() -> None:
    r = run("snippets", "import", str(DATA / "broken.docx"), str(DATA / "notes.txt"))
    assert r.code == 2
    assert "notes.txt: 3 added" in r.stdout.getvalue()
    assert r.stderr.getvalue().strip().endswith("1 of 2 files could not be imported")


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": f"row {n}"}) + "\n" for n in range(20_000)))
    tty = TtyStream()
    r = run("snippets", "import", str(big), stderr=tty)
    assert r.code == 0
    shown = tty.getvalue()
    assert "\rbig.jsonl [" in shown and "100%" in shown
    assert shown.endswith("\r\x1b[K")  # the bar is cleared at the end


def test_export_and_reimport(tmp_path: Path) -> None:
    run("snippets", "add", "--text", "Keep me", "--tag", "t")
    target = tmp_path / "all.jsonl"
    r = run("snippets", "export", str(target))
    assert r.code == 0 and r.stdout.getvalue() == f"exported 1 snippets to {target}\n"
    other = tmp_path / "other.sqlite3"
    r = run("snippets", "--library", str(other), "import", str(target))
    assert r.stdout.getvalue() == f"{target}: 1 added, 0 duplicates, 0 rejected\n"
    with Library.open(other) as lib:
        assert [s.tags for s in lib.list()] == [("t",)]
    r = run("snippets", "export", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert r.code == 2 and "no such folder" in r.stderr.getvalue()


def test_library_option_overrides_the_environment(tmp_path: Path) -> None:
    custom = tmp_path / "custom.sqlite3"
    run("snippets", "--library", str(custom), "add", "--text", "Only in custom")
    assert custom.exists()
    assert "Only in custom" not in run("snippets", "list").stdout.getvalue()
    assert "Only in custom" in run("snippets", "--library", str(custom), "list").stdout.getvalue()


def test_no_subcommand_prints_help() -> None:
    r = run("snippets")
    assert r.code == 2 and "COMMAND" in r.stdout.getvalue()
    r = run("snippets", "frobnicate")
    assert r.code == 2 and r.stderr.getvalue().startswith("briefer: error:")


def test_console_entry_point_runs(tmp_path: Path) -> None:
    env = dict(os.environ, BRIEFER_LIBRARY=str(tmp_path / "sub.sqlite3"))
    done = subprocess.run(
        [sys.executable, "-m", "briefer", "snippets", "search", "--json", "anything"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_library_imports_no_qt() -> None:
    code = (
        "import sys, briefer.library, briefer.library.importers, briefer.cli.snippets;"
        "assert 'PySide6' not in sys.modules, 'Qt imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("n", [300])
def test_benchmark_runs(n: int) -> None:
    bench = Path(__file__).resolve().parents[2] / "bench" / "library_bench.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--n", str(n)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "import (`briefer snippets import`" in done.stdout
    assert "3-letter as-you-type" in done.stdout and "Python substring scan" in done.stdout
