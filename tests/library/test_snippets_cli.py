"""`briefer snippets ...` run in-process through `briefer.cli.main`."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefer.cli import CliContext, main
from briefer.cli.snippets import add_library_option, open_library
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


DATE_FORMS = "is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("add --text x --published 2026-02-30", f"--published: 2026-02-30 {DATE_FORMS}"),
        ("add --text x --accessed 2026-13", f"--accessed: 2026-13 {DATE_FORMS}"),
        ("add --text x --published next_week", f"--published: next_week {DATE_FORMS}"),
        ("search --since 2026-02-30 x", f"--since: 2026-02-30 {DATE_FORMS}"),
        ("search x --since yesterday", f"--since: yesterday {DATE_FORMS}"),
        ("list --since 2026-02-30", f"--since: 2026-02-30 {DATE_FORMS}"),
        ("search x before:2026-02-30", f"before: 2026-02-30 {DATE_FORMS}"),
        ("search after:soon", f"after: soon {DATE_FORMS}"),
        ("search x -before:2026", "-before:2026: a date filter cannot be negated (use after:2026)"),
    ],
)
def test_every_bad_date_names_the_field_and_the_value(argv: str, message: str) -> None:
    r = run("snippets", *argv.split(), stdin="text")
    assert r.code == 2
    assert r.stderr.getvalue() == f"briefer: error: {message}\n"
    assert r.stdout.getvalue() == ""
    with Library.open(library_path()) as lib:
        assert lib.count() == 0


def test_a_query_may_start_with_a_minus() -> None:
    run("snippets", "add", "--text", "Draft notes on the floods", "--tag", "x")
    run("snippets", "add", "--text", "Final notes on the floods", "--tag", "x")
    run("snippets", "add", "--text", "Untagged final notes")
    r = run("snippets", "search", "-draft", "tag:x")
    assert r.code == 0, r.stderr.getvalue()
    assert "Final notes on the floods" in r.stdout.getvalue()
    assert "Draft" not in r.stdout.getvalue() and "Untagged" not in r.stdout.getvalue()
    r = run("snippets", "search", "--json", "--limit", "5", "-draft", "tag:x")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [2]
    r = run("snippets", "search", "--limit=1", "--json", "-draft")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [3]
    r = run("snippets", "search", "--json", "-draft", "notes", "--limit", "1")
    assert len(json.loads(r.stdout.getvalue())) == 1
    r = run("snippets", "search", "-", "-draft", "--json")  # a lone "-" is no word
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [3, 2]
    # "--" still works, and after it everything is the query.
    r = run("snippets", "search", "--json", "--", "-draft", "--json")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [3, 2]
    # An option given before the query that does not exist is still an error.
    r = run("snippets", "search", "--jsn", "notes")
    assert r.code == 2 and r.stderr.getvalue() == "briefer: error: unrecognized arguments: --jsn\n"
    r = run("snippets", "--library", str(library_path()), "search", "-final", "--json")
    assert [h["id"] for h in json.loads(r.stdout.getvalue())] == [1]


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
    r = run("snippets", "restore", "2")
    assert (
        r.code == 0
        and r.stdout.getvalue() == "snippet 2 is not in the trash (nothing to restore)\n"
    )
    r = run("snippets", "show", "42")
    assert r.code == 2 and r.stderr.getvalue() == "briefer: error: no snippet with id 42\n"


def test_delete_and_restore_say_when_there_is_nothing_to_do() -> None:
    run("snippets", "add", "--text", "One")
    run("snippets", "add", "--text", "Two")
    r = run("snippets", "delete", "1")
    assert r.code == 0 and r.stdout.getvalue() == "snippet 1 moved to the trash\n"
    r = run("snippets", "delete", "1", "2")
    assert r.code == 0
    assert (
        r.stdout.getvalue() == "snippet 1 is already in the trash\nsnippet 2 moved to the trash\n"
    )
    r = run("snippets", "restore", "1")
    assert r.code == 0 and r.stdout.getvalue() == "snippet 1 restored\n"
    r = run("snippets", "restore", "1", "2")
    assert r.code == 0 and r.stdout.getvalue() == (
        "snippet 1 is not in the trash (nothing to restore)\nsnippet 2 restored\n"
    )
    assert r.stderr.getvalue() == ""
    # An id that does not exist is an error; the other ids are still done.
    r = run("snippets", "restore", "42")
    assert r.code == 2 and r.stderr.getvalue() == "briefer: error: no snippet with id 42\n"
    r = run("snippets", "delete", "42", "2")
    assert r.code == 2 and r.stderr.getvalue() == "briefer: error: no snippet with id 42\n"
    assert r.stdout.getvalue() == "snippet 2 moved to the trash\n"
    with Library.open(library_path()) as lib:
        assert [s.id for s in lib.list(trash=True)] == [2]


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
    assert r.stdout.getvalue() == f"{DATA / 'notes.txt'}: 3 added, 0 duplicates, 0 rejected\n"
    err = r.stderr.getvalue()
    assert err.startswith(f"briefer: error: {DATA / 'broken.docx'}: not a Word document")
    assert err.count("\n") == 1


def test_a_file_that_cannot_be_opened_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("snippets", "import", "nothere.csv")
    assert r.code == 2
    assert r.stdout.getvalue() == ""
    assert r.stderr.getvalue() == "briefer: error: nothere.csv: no such file\n"
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin.csv").write_bytes(b"text\ncaf\xe9\n")
    (tmp_path / "good.jsonl").write_text('{"text": "kept"}\n', encoding="utf-8")
    r = run("snippets", "import", "nothere.csv", "folder", "good.jsonl", "latin.csv", "--quiet")
    assert r.code == 2
    assert r.stdout.getvalue() == "good.jsonl: 1 added, 0 duplicates, 0 rejected\n"
    assert r.stderr.getvalue().splitlines() == [
        "briefer: error: nothere.csv: no such file",
        "briefer: error: folder: is a folder, not a file to import",
        "briefer: error: latin.csv: not UTF-8 text (line 2); save it as UTF-8",
    ]
    assert "kept" in run("snippets", "list").stdout.getvalue()
    # Rejected rows are warnings, not file errors: the exit status stays 0.
    r = run("snippets", "import", str(DATA / "bulk.csv"))
    assert r.code == 0 and "briefer: error" not in r.stderr.getvalue()


def test_import_rejects_a_row_with_a_bad_date_by_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("text,published\ngood,2026-02-28\nbad,2026-02-30\n", encoding="utf-8")
    r = run("snippets", "import", str(path))
    assert r.code == 0
    assert r.stdout.getvalue() == f"{path}: 1 added, 0 duplicates, 1 rejected\n"
    assert r.stderr.getvalue() == (
        f"briefer: warning: {path}:3: published: 2026-02-30 is not a date"
        " (expected YYYY, YYYY-MM or YYYY-MM-DD)\n"
    )


def test_markdown_source_definitions_do_not_become_snippets(tmp_path: Path) -> None:
    path = tmp_path / "brief.md"
    path.write_text(
        "The river rose [@rivernews].\n\n"
        '[@rivernews]: https://example.org/x "Title"\n'
        "[@gauge]: https://example.org/gauge\n",
        encoding="utf-8",
    )
    r = run("snippets", "import", str(path))
    assert r.stdout.getvalue() == f"{path}: 1 added, 0 duplicates, 0 rejected\n"
    r = run("snippets", "list", "--json")
    assert [s["text"] for s in json.loads(r.stdout.getvalue())] == ["The river rose [@rivernews]."]


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": f"row {n}"}) + "\n" for n in range(20_000)))
    tty = TtyStream()
    r = run("snippets", "import", str(big), stderr=tty)
    assert r.code == 0
    shown = tty.getvalue()
    # Each step of the import is named on the bar, however quick it is.
    for step in ("Reading big.jsonl", "Storing big.jsonl", "Indexing big.jsonl"):
        assert f"% {step}\x1b[K" in shown
    assert "\r[##############################] 100% Indexing big.jsonl" in shown
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


def with_library(argv: list[str], library: Path, where: str) -> list[str]:
    """`snippets ARGV` with `--library` before the subcommand or after its
    arguments."""
    if where == "before":
        return ["snippets", "--library", str(library), *argv]
    return ["snippets", *argv, "--library", str(library)]


@pytest.mark.parametrize("where", ["before", "after"])
def test_library_option_before_or_after_every_subcommand(tmp_path: Path, where: str) -> None:
    custom = tmp_path / "custom.sqlite3"
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps({"text": "Harbour cranes idle", "title": "Port"}) + "\n")
    target = tmp_path / "all.jsonl"

    def ok(*argv: str) -> str:
        r = run(*with_library(list(argv), custom, where))
        assert r.code == 0, r.stderr.getvalue()
        return r.stdout.getvalue()

    assert ok("add", "--text", "Quotas on cod were cut", "--tag", "fish") == "added snippet 1\n"
    assert ok("import", str(notes)) == f"{notes}: 1 added, 0 duplicates, 0 rejected\n"
    assert "Harbour cranes idle" in ok("search", "harbour")
    assert [h["id"] for h in json.loads(ok("search", "--json", "cod"))] == [1]
    assert "Quotas on cod" in ok("list")
    assert json.loads(ok("show", "1", "--json"))["tags"] == ["fish"]
    assert ok("tag", "1", "eu") == "snippet 1: tags eu, fish\n"
    assert ok("delete", "1") == "snippet 1 moved to the trash\n"
    assert ok("restore", "1") == "snippet 1 restored\n"
    assert ok("export", str(target)) == f"exported 2 snippets to {target}\n"
    # All of it went to the library given, none to the default one.
    with Library.open(custom) as lib:
        assert lib.count() == 2
    assert not library_path().exists()


def test_the_library_given_last_wins(tmp_path: Path) -> None:
    first, last = tmp_path / "first.sqlite3", tmp_path / "last.sqlite3"
    r = run("snippets", "--library", str(first), "add", "--text", "Where?",
            "--library", str(last))  # fmt: skip
    assert r.code == 0
    with Library.open(last) as lib:
        assert [s.text for s in lib.list()] == ["Where?"]
    assert not first.exists()
    r = run("snippets", "--library", str(first), "search", "where", "--library", str(last))
    assert "Where?" in r.stdout.getvalue()
    r = run("snippets", "--library", str(first), "search", f"--library={last}", "where")
    assert "Where?" in r.stdout.getvalue()


def test_search_words_around_the_library_option(tmp_path: Path) -> None:
    custom = tmp_path / "custom.sqlite3"
    run("snippets", "--library", str(custom), "add", "--text", "Draft of the cod quota note")
    run("snippets", "--library", str(custom), "add", "--text", "Final cod quota note")
    r = run("snippets", "search", "cod", "--library", str(custom), "-draft", "--json")
    assert [h["text"] for h in json.loads(r.stdout.getvalue())] == ["Final cod quota note"]
    r = run("snippets", "search", "cod", "--library")
    assert r.code == 2 and "--library needs a value" in r.stderr.getvalue()


def test_library_helpers_choose_the_library_like_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`briefer cite` and other commands reuse these two helpers."""
    parser = argparse.ArgumentParser(prog="briefer cite")
    add_library_option(parser)
    ctx = CliContext(paths=Paths.from_env())
    custom = tmp_path / "custom.sqlite3"
    with open_library(parser.parse_args(["--library", str(custom)]), ctx) as lib:
        assert lib.path == custom
        lib.add("Chosen with --library")
    from_env = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("BRIEFER_LIBRARY", str(from_env))
    with open_library(parser.parse_args([]), ctx) as lib:
        assert lib.path == from_env and lib.count() == 0
    monkeypatch.delenv("BRIEFER_LIBRARY")
    with open_library(parser.parse_args([]), ctx) as lib:
        assert lib.path == ctx.paths.default_library
    assert "--library PATH" in parser.format_help()


def test_an_empty_library_says_so_in_list_and_search() -> None:
    path = str(library_path())
    r = run("snippets", "list")
    assert r.code == 0 and r.stderr.getvalue() == ""
    assert r.stdout.getvalue().startswith(f"the library is empty ({path}); add snippets with")
    r = run("snippets", "search", "cyber")
    assert r.code == 0 and r.stdout.getvalue().startswith("the library is empty (")
    r = run("snippets", "list", "--trash")
    assert r.stdout.getvalue() == "the trash is empty\n"
    r = run("snippets", "list", "--json")
    assert json.loads(r.stdout.getvalue()) == []  # data for programs stays data


def test_list_and_search_that_find_nothing_in_a_full_library() -> None:
    run("snippets", "add", "--text", "Cyber rules adopted", "--tag", "eu")
    r = run("snippets", "list", "--tag", "nato")
    assert r.code == 0 and r.stdout.getvalue() == "no snippets match\n"
    r = run("snippets", "search", "ports")
    assert r.stdout.getvalue() == "no matches\n"
    run("snippets", "delete", "1")
    r = run("snippets", "list")
    assert r.stdout.getvalue() == (
        "the library has no snippets outside the trash (1 in it: `briefer snippets list --trash`)\n"
    )
