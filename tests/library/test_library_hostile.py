"""The snippet library against hostile and broken input (issue 9).

One bad row or one bad file never stops the rest; a named pipe, a device or a
decompression bomb is refused in one line without hanging or eating memory;
huge numbers and text in the wrong encoding are errors, not crashes or quiet
damage; a library that is read-only, in a read-only folder or damaged says
so in one line, and `briefer snippets check` says what is damaged and how to
get back. Everything runs the real command line on real files; the commands
that need an unprivileged user or a read-only disk drop root's privileges
or mount a private tmpfs, and are skipped where that cannot be done.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from briefer.cli import CliContext, main
from briefer.library import Library
from briefer.library.importers import MAX_IMPORT_BYTES
from briefer.library.zipcheck import PackageLimits
from briefer.paths import Paths

BRIEFER = [sys.executable, "-m", "briefer"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
DEEP = 100_000


def run(*argv: str, stdin: io.TextIOBase | None = None) -> tuple[int, str, str]:
    """`briefer ARGV...` in-process: exit status, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    ctx = CliContext(paths=Paths.from_env(), stdout=out, stderr=err, stdin=stdin or io.StringIO())
    code = main(list(argv), ctx)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    """A user error: exit status 2 and one `briefer: error:` line holding `fragments`."""
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("briefer: error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def jsonl(*rows: dict[str, object]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging on a named pipe."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def texts(library: Path) -> list[str]:
    with Library.open(library) as lib:
        return sorted(s.text for s in lib.list(limit=None))


# --------------------------------------------------------------------------
# 7. One bad row, one bad file: the rest go on
# --------------------------------------------------------------------------


def test_a_json_lines_row_nested_too_deeply_is_one_rejected_row(tmp_path: Path) -> None:
    rows = tmp_path / "deep.jsonl"
    deep = "[" * DEEP + "]" * DEEP
    rows.write_text(
        jsonl({"text": "Before the deep row."}) + deep + "\n" + jsonl({"text": "After it."})
    )
    library = tmp_path / "lib.db"
    code, out, err = run("snippets", "--library", str(library), "import", str(rows))
    assert code == 0
    assert out == f"{rows}: 2 added, 0 duplicates, 1 rejected\n"
    assert err == f"briefer: warning: {rows}:2: bad JSON: nested too deeply\n"
    assert texts(library) == ["After it.", "Before the deep row."]


def test_every_input_is_imported_and_reported_on_its_own(tmp_path: Path) -> None:
    """`snippets import f1 deep.jsonl f3`, with a missing file and a named
    pipe among them: each is reported, and f3 is imported all the same."""
    f1, f3 = tmp_path / "f1.jsonl", tmp_path / "f3.md"
    f1.write_text(jsonl({"text": "First file."}))
    f3.write_text("# Third\n\nThird file's paragraph.\n")
    deep = tmp_path / "deep.jsonl"
    deep.write_text(
        '{"a": ' * DEEP + "1" + "}" * DEEP + "\n" + jsonl({"text": "Deep file's good row."})
    )
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)
    library = tmp_path / "lib.db"
    with deadline(30):
        code, out, err = run(
            "snippets", "--library", str(library), "import",
            str(f1), str(deep), str(pipe), str(tmp_path / "gone.csv"), str(f3),
        )  # fmt: skip
    assert code == 2  # two inputs could not be used at all
    assert out.splitlines() == [
        f"{f1}: 1 added, 0 duplicates, 0 rejected",
        f"{deep}: 1 added, 0 duplicates, 1 rejected",
        f"{f3}: 1 added, 0 duplicates, 0 rejected",
    ]
    assert err.splitlines() == [
        f"briefer: warning: {deep}:1: bad JSON: nested too deeply",
        f"briefer: error: {pipe}: a named pipe, not a regular file",
        f"briefer: error: {tmp_path / 'gone.csv'}: no such file",
    ]
    assert texts(library) == ["Deep file's good row.", "First file.", "Third file's paragraph."]


@pytest.mark.parametrize(
    ("date_parts", "shown"),
    [
        ("[[Infinity]]", "[Infinity]"),
        ("[[-Infinity, 1]]", "[-Infinity, 1]"),
        ("[[NaN]]", "[NaN]"),
        ("[[1e400]]", "[Infinity]"),
        ("[[-44, 3, 15]]", "[-44, 3, 15]"),
        ("[[2020, 1.5]]", "[2020, 1.5]"),
        ("[[99999999999999999999999]]", "[99999999999999999999999]"),
        ("[[" + "9" * 5000 + "]]", "[Infinity]"),
        ("[[true]]", "[true]"),
    ],
)
def test_an_absurd_csl_date_rejects_that_item_only(
    tmp_path: Path, date_parts: str, shown: str
) -> None:
    items = tmp_path / "zotero.json"
    item = '{{"title": "{}", "abstract": "{} abstract.", "issued": {{"date-parts": {}}}}}'
    items.write_text(
        f"[{item.format('Kept before', 'First', '[[2026, 3, 1]]')},"
        f" {item.format('Absurd', 'Absurd', date_parts)},"
        f" {item.format('Kept after', 'Third', '[[2025]]')}]"
    )
    library = tmp_path / "lib.db"
    code, out, err = run("snippets", "--library", str(library), "import", str(items))
    assert code == 0
    assert out == f"{items}: 2 added, 0 duplicates, 1 rejected\n"
    assert err == (
        f"briefer: warning: {items}:2: item 2: issued: date-parts {shown} is not a date\n"
    )
    with Library.open(library) as lib:
        dates = sorted(s.source.published for s in lib.list())
    assert dates == ["2025", "2026-03-01"]


def test_a_csl_file_nested_too_deeply_is_one_file_error(tmp_path: Path) -> None:
    items, after = tmp_path / "deep.json", tmp_path / "after.txt"
    items.write_text("[" * DEEP + "]" * DEEP)
    after.write_text("Still imported.\n")
    code, out, err = run(
        "snippets", "--library", str(tmp_path / "l.db"), "import", str(items), str(after)
    )
    assert (code, out) == (2, f"{after}: 1 added, 0 duplicates, 0 rejected\n")
    assert err == f"briefer: error: {items}: bad JSON: nested too deeply\n"


def test_a_json_ld_block_nested_too_deeply_is_ignored(tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    page.write_text(
        "<html><head><title>Harbour data opens</title>"
        '<meta name="author" content="Jane Doe">'
        '<script type="application/ld+json">' + "[" * DEEP + "]" * DEEP + "</script>"
        "</head><body><article><p>The harbour publishes its berth schedules.</p>"
        "</article></body></html>"
    )
    library = tmp_path / "lib.db"
    code, out, err = run("snippets", "--library", str(library), "import", str(page))
    assert (code, out, err) == (0, f"{page}: 1 added, 0 duplicates, 0 rejected\n", "")
    with Library.open(library) as lib:
        (snippet,) = lib.list()
    assert snippet.text == "The harbour publishes its berth schedules."
    assert (snippet.source.title, snippet.source.author) == ("Harbour data opens", "Jane Doe")


# --------------------------------------------------------------------------
# 9. Huge numbers
# --------------------------------------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "argv",
    [["show", HUGE], ["tag", HUGE, "x"], ["delete", HUGE], ["restore", HUGE], ["show", f"-{HUGE}"]],
)
def test_an_id_beyond_any_snippet_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    library = str(tmp_path / "lib.db")
    assert run("snippets", "--library", library, "add", "--text", "One snippet.")[0] == 0
    code, out, err = run("snippets", "--library", library, *argv[:1], "--", *argv[1:])
    assert_one_line_error(code, err, f"no snippet with id {argv[1]}")
    assert out == ""


def test_delete_goes_on_past_an_id_beyond_any_snippet(tmp_path: Path) -> None:
    library = str(tmp_path / "lib.db")
    run("snippets", "--library", library, "add", "--text", "One snippet.")
    code, out, err = run("snippets", "--library", library, "delete", HUGE, "1")
    assert code == 2
    assert out == "snippet 1 moved to the trash\n"
    assert err == f"briefer: error: no snippet with id {HUGE}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--limit", HUGE],
        ["search", "harbour", "--limit", HUGE],
        ["search", "--limit", HUGE, "harbour"],
        ["search", "--limit", HUGE, "tag:port"],
    ],
)
def test_a_huge_limit_means_no_limit(tmp_path: Path, argv: list[str]) -> None:
    library = str(tmp_path / "lib.db")
    for n in range(3):
        run("snippets", "--library", library, "add", "--text", f"Harbour {n}.", "--tag", "port")
    code, out, err = run("snippets", "--library", library, *argv)
    assert (code, err) == (0, "")
    assert sorted(line.strip() for line in out.splitlines() if "Harbour" in line) == [
        "Harbour 0.",
        "Harbour 1.",
        "Harbour 2.",
    ]


# --------------------------------------------------------------------------
# 16 and 11. Standard input: UTF-8 only, and not without end
# --------------------------------------------------------------------------


def test_text_piped_in_another_encoding_is_refused_not_damaged(tmp_path: Path) -> None:
    library = tmp_path / "lib.db"
    done = subprocess.run(
        [*BRIEFER, "snippets", "--library", str(library), "add", "--title", "Latin-1"],
        input="café au lait\n".encode("latin-1"),
        capture_output=True,
    )
    assert_one_line_error(
        done.returncode,
        done.stderr.decode(),
        "standard input: not UTF-8 text (line 1); nothing was stored",
    )
    assert not library.exists() or texts(library) == []
    # The same words in UTF-8 (and UTF-16 with its BOM) are stored whole.
    for data in ("café au lait\n".encode(), "café crème\n".encode("utf-16")):
        done = subprocess.run(
            [*BRIEFER, "snippets", "--library", str(library), "add"],
            input=data,
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr
    assert texts(library) == ["café au lait", "café crème"]


def test_a_text_stream_with_undecodable_bytes_is_refused(tmp_path: Path) -> None:
    """In-process, standard input as Python gives it in a POSIX locale."""
    stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9\n"), encoding="utf-8", errors="surrogateescape")
    code, _, err = run("snippets", "--library", str(tmp_path / "l.db"), "add", stdin=stdin)
    assert_one_line_error(code, err, "standard input: not UTF-8 text (line 1)")


def test_endless_standard_input_is_refused_at_the_cap(tmp_path: Path) -> None:
    library = tmp_path / "lib.db"
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [*BRIEFER, "snippets", "--library", str(library), "add"],
            stdin=zero,
            capture_output=True,
            timeout=60,
        )
    assert_one_line_error(done.returncode, done.stderr.decode(), "standard input: more than 16 MB")
    assert not library.exists() or texts(library) == []


# --------------------------------------------------------------------------
# 11. Only regular files are read, within the cap
# --------------------------------------------------------------------------


def test_a_device_or_an_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    sparse = tmp_path / "huge.jsonl"  # a sparse file: no disk used, nothing read
    with sparse.open("wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)
    good = tmp_path / "good.txt"
    good.write_text("A paragraph to keep.\n")
    with deadline(30):
        code, out, err = run(
            "snippets",
            "--library",
            str(tmp_path / "l.db"),
            "import",
            str(zero),
            str(sparse),
            str(good),
        )
    assert code == 2
    assert out == f"{good}: 1 added, 0 duplicates, 0 rejected\n"
    assert err.splitlines() == [
        f"briefer: error: {zero}: a character device, not a regular file",
        f"briefer: error: {sparse}: too large for a file to import"
        f" ({MAX_IMPORT_BYTES + 1:,} bytes; at most {MAX_IMPORT_BYTES:,} bytes)",
    ]


# --------------------------------------------------------------------------
# 12. Decompression bombs in an imported .docx
# --------------------------------------------------------------------------

CAP = PackageLimits().part_bytes


def bomb_docx(path: Path, padding: int, declared: int | None = None) -> None:
    """A real Word document whose `word/document.xml` holds one paragraph of
    text and `padding` bytes of spaces between its elements: a file of a few
    hundred KB that unpacks to more than `padding` bytes. With `declared`,
    the archive then claims the part is that size."""
    blank = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("The bomb's only sentence.")
    document.save(blank)
    with zipfile.ZipFile(blank) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    head, _, tail = parts.pop("word/document.xml").partition(b"<w:body>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
        with target.open("word/document.xml", "w") as part:
            part.write(head + b"<w:body>")
            chunk = b" " * (1 << 20)
            for _ in range(padding // len(chunk)):
                part.write(chunk)
            part.write(tail)
    if declared is not None:
        _declare_size(path, b"word/document.xml", declared)


def _declare_size(path: Path, name: bytes, size: int) -> None:
    """Make both records of the part `name` in the archive at `path` (its
    local header and its central directory entry) claim `size` bytes
    unpacked. The offsets are those of the zip format (APPNOTE 4.3.7, 4.3.12)."""
    data = bytearray(path.read_bytes())
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_a_docx_that_unpacks_past_the_cap_is_refused_in_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb_docx(bomb, CAP + (1 << 20))
    assert bomb.stat().st_size < 1 << 20  # a small file...
    after = tmp_path / "after.txt"
    after.write_text("Imported after the bomb.\n")
    library = tmp_path / "lib.db"
    code, out, err = run("snippets", "--library", str(library), "import", str(bomb), str(after))
    assert code == 2
    assert out == f"{after}: 1 added, 0 duplicates, 0 rejected\n"
    assert err == (
        f"briefer: error: {bomb}: too large to unpack safely: word/document.xml would"
        " unpack to 65 MB (at most 64 MB a part)\n"
    )
    assert texts(library) == ["Imported after the bomb."]


BOMB_RUN = textwrap.dedent(
    r"""
    import re, sys
    from briefer.cli import main
    code = main(["snippets", "--library", sys.argv[1], "import", sys.argv[2]])
    # VmHWM: this process's own peak. ru_maxrss would also count the peak
    # of the test run it was started from (Linux keeps it across exec).
    with open("/proc/self/status") as status:
        peak_kb = int(re.search(r"VmHWM:\s*(\d+)", status.read()).group(1))
    print(code, peak_kb // 1024)
    """
)


def test_a_docx_bomb_is_refused_without_unpacking_it(tmp_path: Path) -> None:
    """The memory the whole command uses stays that of a small import: the
    800 MB part is never unpacked (python-docx would need gigabytes)."""
    if sys.platform != "linux":
        pytest.skip("reads the peak memory from /proc/self/status (Linux)")
    bomb = tmp_path / "bomb.docx"
    bomb_docx(bomb, 800 << 20)
    done = subprocess.run(
        [sys.executable, "-c", BOMB_RUN, str(tmp_path / "lib.db"), str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, peak_mb = map(int, done.stdout.split())
    assert code == 2 and "would unpack to 800 MB" in done.stderr
    assert peak_mb < 250, f"the refusal used {peak_mb} MB"


def test_a_part_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    """The archive says 2 KB; the part unpacks to 20 MB. It is read only
    as far as it claims, and refused when the rest does not fit."""
    liar = tmp_path / "liar.docx"
    bomb_docx(liar, 20 << 20, declared=2048)
    with zipfile.ZipFile(liar) as archive:
        assert archive.getinfo("word/document.xml").file_size == 2048
    code, out, err = run("snippets", "--library", str(tmp_path / "l.db"), "import", str(liar))
    assert out == ""
    assert_one_line_error(code, err, f"{liar}: not a Word document (word/document.xml")


def test_a_docx_listing_too_many_parts_is_refused_before_they_are_listed(tmp_path: Path) -> None:
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(60_000):
            archive.writestr(f"word/media/p{n}.xml", b"")
    code, out, err = run("snippets", "--library", str(tmp_path / "l.db"), "import", str(many))
    assert out == ""
    assert_one_line_error(
        code, err, f"{many}: too large to unpack safely: its list of parts takes 4 MB"
    )


def test_an_ordinary_docx_still_imports(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Memo"
    document.add_heading("Heading", 1)
    document.add_paragraph("First paragraph.")
    document.add_paragraph("Second paragraph.")
    path = tmp_path / "memo.docx"
    document.save(path)
    library = tmp_path / "lib.db"
    code, out, _ = run("snippets", "--library", str(library), "import", str(path))
    assert (code, out) == (0, f"{path}: 2 added, 0 duplicates, 0 rejected\n")
    assert texts(library) == ["First paragraph.", "Second paragraph."]


# --------------------------------------------------------------------------
# 8. A library that cannot be opened says why, in one line
# --------------------------------------------------------------------------


def unprivileged() -> list[str]:
    """A command prefix that runs without root's power to ignore file
    permissions (CAP_DAC_OVERRIDE), as any user runs; nothing when not root."""
    if not IS_ROOT:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("no setpriv to drop root's privileges")
    caps = "-dac_override,-dac_read_search"
    prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]
    if subprocess.run([*prefix, sys.executable, "-c", "pass"]).returncode != 0:
        pytest.skip("setpriv cannot drop privileges here")
    return prefix


def run_as_user(*argv: str) -> tuple[int, str, str]:
    done = subprocess.run([*unprivileged(), *BRIEFER, *argv], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Path]:
    """A library with three snippets, in a folder of its own; permissions
    are given back afterwards so pytest can clean up."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = folder / "lib.db"
    with Library.open(path) as lib:
        for n in range(3):
            lib.add(f"The harbour publishes berth schedule number {n}.")
    try:
        yield path
    finally:
        for item in (folder, *folder.iterdir()):
            item.chmod(0o700 if item.is_dir() else 0o600)


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_read_only_library_can_be_read_and_refuses_writes_in_one_line(
    library: Path, journal: str
) -> None:
    """In either journal mode: a library copied from elsewhere may not be
    in write-ahead mode, which a read-only file cannot be switched to."""
    with contextlib.closing(sqlite3.connect(library)) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal}")
    library.chmod(0o444)
    code, out, err = run_as_user("snippets", "--library", str(library), "search", "harbour")
    assert (code, err) == (0, "") and out.count("berth schedule") == 3
    code, _, err = run_as_user("snippets", "--library", str(library), "add", "--text", "New.")
    assert_one_line_error(code, err, f"{library}: read-only")
    assert "not a Briefer library" not in err
    # FTS5's own check writes; a read-only library gets the one that reads.
    code, out, err = run_as_user("snippets", "--library", str(library), "check")
    assert (code, out, err) == (0, f"{library}: ok (3 snippets)\n", "")


def test_a_library_in_a_read_only_folder_says_permission_denied(library: Path) -> None:
    library.parent.chmod(0o555)
    for argv in (["list"], ["add", "--text", "New."]):
        code, _, err = run_as_user("snippets", "--library", str(library), *argv)
        assert_one_line_error(
            code,
            err,
            f"{library}: permission denied: its folder {library.parent} cannot be written",
        )


def test_a_new_library_in_a_read_only_folder_says_permission_denied(library: Path) -> None:
    library.parent.chmod(0o555)
    fresh = library.parent / "new.db"
    code, _, err = run_as_user("snippets", "--library", str(fresh), "list")
    assert_one_line_error(
        code, err, f"{fresh}: permission denied: cannot create the library in {library.parent}"
    )
    nested = library.parent / "sub" / "lib.db"
    code, _, err = run_as_user("snippets", "--library", str(nested), "list")
    assert_one_line_error(
        code, err, f"{nested}: cannot create the library's folder: permission denied"
    )
    assert not fresh.exists() and not nested.parent.exists()


def test_a_library_folder_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    target = blocker / "library" / "lib.db"
    code, _, err = run("snippets", "--library", str(target), "list")
    assert_one_line_error(
        code,
        err,
        f"{target}: cannot create the library's folder: a part of the path is not a folder",
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.7 not a database at all" * 100, "not a Briefer library (not an SQLite database)"),
        (None, "not a Briefer library (an SQLite database of another program)"),
        ("pipe", "not a Briefer library (not a regular file)"),
    ],
)
def test_a_file_that_is_no_library_is_named_so_and_left_alone(
    tmp_path: Path, content: bytes | str | None, words: str
) -> None:
    path = tmp_path / "lib.db"
    if content is None:
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute("CREATE TABLE accounts (name TEXT)")
            other.commit()
    elif content == "pipe":
        os.mkfifo(path)
    else:
        path.write_bytes(content)
    before = os.stat(path)
    with deadline(30):
        code, _, err = run("snippets", "--library", str(path), "list")
    assert_one_line_error(code, err, f"{path}: {words}")
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    if content is None:  # the other program's database is as it was: no WAL, no tables added
        with contextlib.closing(sqlite3.connect(path)) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert other.execute("SELECT name FROM sqlite_master").fetchall() == [("accounts",)]


_READ_ONLY_DISK = r"""
import json, os, subprocess, sys
disk, library, rows = sys.argv[1], sys.argv[2], sys.argv[3]
briefer = [sys.executable, "-m", "briefer", "snippets", "--library", library]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk], check=True)
subprocess.run([*briefer, "import", rows], check=True, capture_output=True)
subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
results = [
    subprocess.run([*briefer, *argv], capture_output=True, text=True)
    for argv in (["list"], ["search", "harbour"], ["add", "--text", "New."])
]
print(json.dumps([[r.returncode, r.stderr] for r in results]))
"""


def test_a_library_on_a_read_only_disk_says_read_only(tmp_path: Path) -> None:
    if not IS_ROOT or shutil.which("unshare") is None:
        pytest.skip("a private tmpfs needs root and unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    rows = tmp_path / "rows.jsonl"
    rows.write_text(jsonl({"text": "The harbour opens its data."}))
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            sys.executable,
            "-c",
            _READ_ONLY_DISK,
            str(disk),
            str(disk / "lib.db"),
            str(rows),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.skip(f"no private tmpfs here: {done.stderr.strip()[-200:]}")
    for code, err in json.loads(done.stdout):
        assert_one_line_error(code, err, f"{disk / 'lib.db'}: read-only file system")


# --------------------------------------------------------------------------
# 8. `briefer snippets check`
# --------------------------------------------------------------------------


def filled_library(path: Path, count: int = 400) -> Path:
    rows = path.with_suffix(".jsonl")
    rows.write_text(
        "".join(
            jsonl(
                {"text": f"Snippet {n}: the harbour publishes berth data.",
                 "title": f"Source {n}", "tags": [f"t{n % 4}"]}
            )
            for n in range(count)
        )
    )  # fmt: skip
    with Library.open(path) as lib:
        assert lib.import_file(rows).added == count
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def damage_pages_of(path: Path, table: str) -> None:
    """Overwrite one leaf page of `table` with garbage, as a failing disk might."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            pages = conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            ).fetchall()
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find a table's pages")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = pages[len(pages) // 2][0]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(bytes(range(256)) * (page_size // 256))


def check(path: Path, *options: str) -> tuple[int, str, str]:
    return run("snippets", "--library", str(path), "check", *options)


def test_check_says_ok_for_a_sound_library(tmp_path: Path) -> None:
    library = filled_library(tmp_path / "lib.db")
    assert check(library) == (0, f"{library}: ok (400 snippets)\n", "")


def test_an_index_that_disagrees_is_named_and_repair_rebuilds_it(tmp_path: Path) -> None:
    library = filled_library(tmp_path / "lib.db")
    with contextlib.closing(sqlite3.connect(library)) as conn:
        # Written past the triggers: the index finds a word no snippet has,
        # and has lost snippet 7.
        conn.execute("INSERT INTO snippet_fts(rowid, text) VALUES (99999, 'ghostword')")
        conn.execute("DELETE FROM snippet_fts_docsize WHERE id = 7")
        conn.commit()
    code, out, err = check(library)
    assert code == 2
    assert out.splitlines() == [
        f"{library}: damaged",
        "  the full-text search index: does not match the snippets it indexes",
        "The snippets themselves are whole. Rebuild what is damaged from them:",
        f"  briefer snippets --library {library} check --repair",
    ]
    assert err == f"briefer: error: {library}: damaged: the full-text search index\n"
    assert check(library, "--repair") == (0, f"{library}: repaired; ok (400 snippets)\n", "")
    assert check(library)[0] == 0
    code, out, _ = run("snippets", "--library", str(library), "search", "Snippet 7", "--limit", "1")
    assert code == 0 and "Snippet 7:" in out


def test_a_read_only_library_whose_index_disagrees_is_found_and_left_alone(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "shelf"
    folder.mkdir()
    library = filled_library(folder / "lib.db", count=50)
    with contextlib.closing(sqlite3.connect(library)) as conn:
        conn.execute("INSERT INTO snippet_fts(rowid, text) VALUES (99999, 'ghostword')")
        conn.commit()
    library.chmod(0o444)
    try:
        code, out, err = run_as_user("snippets", "--library", str(library), "check")
        assert code == 2
        assert "  the full-text search index: does not match the snippets it indexes" in out
        code, _, err = run_as_user("snippets", "--library", str(library), "check", "--repair")
        assert_one_line_error(code, err, f"{library}: could not rebuild in place: read-only")
    finally:
        library.chmod(0o644)


def test_damaged_free_space_is_named_and_repair_rewrites_the_file(tmp_path: Path) -> None:
    library = filled_library(tmp_path / "lib.db")
    with Library.open(library) as lib:
        for snippet_id in range(1, 301):
            lib.delete(snippet_id)
        lib.empty_trash()
    with contextlib.closing(sqlite3.connect(library)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    # The file header names the first page of the free list (offset 32).
    trunk = int.from_bytes(library.read_bytes()[32:36], "big")
    with library.open("r+b") as handle:
        handle.seek((trunk - 1) * page_size)
        handle.write(bytes(range(256)) * (page_size // 256))
    code, out, err = check(library)
    assert code == 2
    assert out.splitlines()[1].startswith("  the database's free space: Main freelist: ")
    assert err == f"briefer: error: {library}: damaged: the database's free space\n"
    assert check(library, "--repair") == (0, f"{library}: repaired; ok (100 snippets)\n", "")
    assert texts(library)[0] == "Snippet 300: the harbour publishes berth data."


def test_damaged_index_pages_cannot_be_rebuilt_but_every_snippet_is_exported(
    tmp_path: Path,
) -> None:
    library = filled_library(tmp_path / "lib.db")
    damage_pages_of(library, "snippet_fts_data")
    code, out, err = check(library, "--repair")
    assert code == 2
    assert "  the full-text search index: damaged pages (database disk image is malformed)" in out
    assert f"  briefer snippets --library {library} export all.jsonl" in out
    assert err.splitlines() == [
        "briefer: warning: --repair rebuilds indexes in place, and this damage is not of that kind",
        f"briefer: error: {library}: damaged: the full-text search index",
    ]
    # As the check says: every snippet comes out and goes into a new library.
    saved, fresh = tmp_path / "all.jsonl", tmp_path / "lib-new.db"
    assert run("snippets", "--library", str(library), "export", str(saved))[0] == 0
    assert run("snippets", "--library", str(fresh), "import", str(saved))[0] == 0
    assert check(fresh) == (0, f"{fresh}: ok (400 snippets)\n", "")


def test_damaged_snippets_are_named_and_salvage_keeps_what_can_be_read(tmp_path: Path) -> None:
    library = filled_library(tmp_path / "lib.db")
    damage_pages_of(library, "snippets")
    code, out, err = check(library)
    assert code == 2
    assert out.splitlines()[:2] == [
        f"{library}: damaged",
        "  the snippets: cannot be read in full (database disk image is malformed)",
    ]
    assert f"  briefer snippets --library {library} export --salvage rescued.jsonl" in out
    assert err == f"briefer: error: {library}: damaged: the snippets\n"
    # A plain export stops at the damage; the salvage goes around it.
    code, _, err = run("snippets", "--library", str(library), "export", str(tmp_path / "x.jsonl"))
    assert_one_line_error(code, err, "damaged: run briefer snippets check")
    rescued = tmp_path / "rescued.jsonl"
    code, out, err = run("snippets", "--library", str(library), "export", "--salvage", str(rescued))
    rows = [json.loads(line) for line in rescued.read_text().splitlines()]
    lost = 400 - len(rows)
    assert code == 0 and 0 < lost < 100
    assert out == f"exported {len(rows)} snippets to {rescued}\n"
    assert err == f"briefer: warning: {lost} snippets could not be read and are not in {rescued}\n"
    first = next(row for row in rows if row["id"] == 1)
    assert (first["text"], first["title"], first["tags"]) == (
        "Snippet 0: the harbour publishes berth data.",
        "Source 0",
        ["t0"],
    )
    fresh = tmp_path / "lib-new.db"
    code, out, _ = run("snippets", "--library", str(fresh), "import", str(rescued))
    assert out == f"{rescued}: {len(rows)} added, 0 duplicates, 0 rejected\n"


def test_check_of_no_library_is_one_line(tmp_path: Path) -> None:
    code, _, err = check(tmp_path / "none.db")
    assert_one_line_error(code, err, f"{tmp_path / 'none.db'}: no snippet library there")
    assert not (tmp_path / "none.db").exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 100)
    code, _, err = check(junk)
    assert_one_line_error(code, err, f"{junk}: not a Briefer library (not an SQLite database)")
