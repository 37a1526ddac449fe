"""The library under a window: progress reports, cancelling an import
(while reading, storing or indexing), one Library per thread, and a short
patience when another program is writing."""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.library import Library, LibraryError, Source, importers, store
from briefer.library.importers import READ_END, STEPS

# Where storing ends on an import's scale: import_records' own split, after reading.
STORE_END = READ_END + (STEPS - READ_END) * store.STORE_END // store.STEPS

DATA = Path(__file__).resolve().parent.parent / "data" / "library"
# A word that only the imported files contain.
ONLY_IN_IMPORT = "zebrafinch"
PHASES = ("Reading", "Storing", "Indexing")


def write_jsonl(path: Path, rows: int, filler: int = 300) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(rows):
            row = {
                "text": f"row {n} {ONLY_IN_IMPORT} {'harbour ' * (filler // 8)}",
                "title": f"Source {n % 40}",
                "tags": [f"t{n % 3}", "imported"],
                "collection": "Bulk",
            }
            handle.write(json.dumps(row) + "\n")
    return path


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 rows, 2.3 MB: several reports in each step of the import."""
    return write_jsonl(tmp_path_factory.mktemp("bulk") / "bulk.jsonl", 6000)


@pytest.fixture(scope="module")
def hundred_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("big") / "big.jsonl", 100_000, filler=40)


def fill(lib: Library) -> None:
    """What the library holds before the import."""
    lib.add("The harbour cranes were idle", Source(title="Port news"), tags=["ports"])
    lib.add("Quotas on cod were cut", Source(title="Fisheries"), collection="Bulk")
    lib.delete(lib.add("A trashed note").snippet.id)


def state(lib: Library) -> tuple[object, ...]:
    """Everything a user can see of the library."""
    return (
        lib.count(),
        lib.count(trash=True),
        [(s.id, s.text, s.tags, s.collection) for s in lib.list(limit=None)],
        [h.snippet.id for h in lib.search("harbour")],
        lib.tags(),
        lib.collections(),
    )


def assert_index_consistent(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        # Raises if the full-text index and the snippets it indexes disagree.
        conn.execute("INSERT INTO snippet_fts(snippet_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def assert_usable_afterwards(lib: Library, path: Path, rows: int) -> None:
    """No transaction or lock is left behind: this Library and another
    connection can write, and the same file imports in full."""
    with Library.open(lib.path, busy_timeout=0) as other:
        other.add("Written by another connection")
    added = lib.add(f"A later {ONLY_IN_IMPORT} sighting").snippet
    assert [h.snippet.id for h in lib.search(ONLY_IN_IMPORT)] == [added.id]
    report = lib.import_file(path)
    assert (report.added, report.error, report.rejected) == (rows, "", [])
    assert len(lib.search(ONLY_IN_IMPORT, limit=rows + 10)) == rows + 1
    assert_index_consistent(lib.path)


# -- progress ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["notes.txt", "briefing.md", "article.html", "memo.docx", "bulk.csv", "bulk.jsonl",
     "zotero.ris", "zotero.json"],
)  # fmt: skip
def test_every_format_reports_progress_in_steps(lib: Library, name: str) -> None:
    seen: list[Progress] = []
    report = lib.import_file(DATA / name, progress=seen.append)
    assert not report.failed and report.added > 0
    assert all(isinstance(p, Progress) and p.total == STEPS for p in seen)
    assert all(0 <= p.done <= p.total for p in seen)
    assert all(a.done <= b.done for a, b in itertools.pairwise(seen))
    assert seen[0] == Progress(0, STEPS, f"Reading {name}")
    assert seen[-1] == Progress(STEPS, STEPS, f"Indexing {name}")
    steps = [p.what for p in seen]
    # The steps come in order, each once, each naming the file.
    assert list(dict.fromkeys(steps)) == [f"{phase} {name}" for phase in PHASES]


def test_a_large_import_reports_often(lib: Library, bulk: Path) -> None:
    seen: list[Progress] = []
    lib.import_file(bulk, progress=seen.append)
    by_step = {phase: [p for p in seen if p.what.startswith(phase)] for phase in PHASES}
    # Every MiB read, every thousand rows stored, every 2,500 rows indexed.
    assert len(by_step["Reading"]) >= 3
    assert len(by_step["Storing"]) >= 6
    assert len(by_step["Indexing"]) >= 3
    assert all(p.done <= READ_END for p in by_step["Reading"])
    assert all(READ_END <= p.done <= STORE_END for p in by_step["Storing"])
    assert all(STORE_END <= p.done <= STEPS for p in by_step["Indexing"])


def test_import_records_reports_storing_and_indexing(lib: Library, bulk: Path) -> None:
    from briefer.library import ImportReport, Record

    seen: list[Progress] = []
    records = [Record(f"record {n}") for n in range(3000)]
    report = lib.import_records(records, ImportReport(bulk), progress=seen.append)
    assert report.added == 3000
    assert seen[0] == Progress(0, STEPS, "Storing bulk.jsonl")
    assert seen[-1] == Progress(STEPS, STEPS, "Indexing bulk.jsonl")
    assert all(a.done <= b.done for a, b in itertools.pairwise(seen))


def test_html_read_in_pieces_is_read_the_same(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTML reader feeds the page a piece at a time to report between
    pieces; any cut must give the same snippets and source."""
    whole = lib.import_file(DATA / "article.html")
    expected = [(s.text, s.source) for s in lib.list(limit=None)]
    assert whole.added > 0
    monkeypatch.setattr(importers, "READ_CHUNK", 7)
    with Library.open(tmp_path / "pieces.sqlite3") as other:
        pieces = other.import_file(DATA / "article.html")
        got = [(s.text, s.source) for s in other.list(limit=None)]
    assert (pieces.added, got) == (whole.added, expected)


def test_json_ld_cut_in_pieces_still_gives_the_author(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><script type="application/ld+json">'
        '{"author": {"name": "Ana Lind"}, "publisher": {"name": "Baltic Wire"}}'
        "</script></head><body><p>Text of the article.</p></body></html>",
        encoding="utf-8",
    )
    monkeypatch.setattr(importers, "READ_CHUNK", 10)
    lib.import_file(page)
    (snippet,) = lib.list()
    assert (snippet.source.author, snippet.source.publisher) == ("Ana Lind", "Baltic Wire")


def test_a_long_text_file_imports_quickly(lib: Library, tmp_path: Path) -> None:
    """Paragraph line numbers are counted as the reader goes (it once
    recounted from the top for every paragraph, minutes for a big file)."""
    path = tmp_path / "long.txt"
    path.write_text(
        "\n\n".join(f"Paragraph {n} " + "word " * 60 for n in range(40_000)), encoding="utf-8"
    )
    started = time.monotonic()
    report = lib.import_file(path)
    assert report.added == 40_000
    assert time.monotonic() - started < 30
    assert lib.search("Paragraph 39999")[0].snippet.text.startswith("Paragraph 39999 word")


# -- cancel ------------------------------------------------------------------


def cancel_in(phase: str, lib: Library, before: int) -> tuple[list[Progress], object]:
    """A callback that cancels part-way through `phase`, once some of the
    work of that step has been done (checked from inside the import)."""
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if phase == "Reading" and p.what.startswith("Reading") and 0 < p.done < READ_END:
            raise Cancelled()
        # Inside the import's transaction this Library sees its own rows.
        if phase == "Storing" and p.what.startswith("Storing") and lib.count() > before:
            raise Cancelled()
        if phase == "Indexing" and p.what.startswith("Indexing") and lib.search(ONLY_IN_IMPORT):
            raise Cancelled()

    return seen, progress


@pytest.mark.parametrize("phase", PHASES)
def test_cancel_rolls_the_whole_file_back(lib: Library, bulk: Path, phase: str) -> None:
    fill(lib)
    before = state(lib)
    seen, progress = cancel_in(phase, lib, lib.count())
    with pytest.raises(Cancelled):
        lib.import_file(bulk, progress=progress)
    assert seen[-1].what.startswith(phase)
    assert seen[-1].done < STEPS  # it stopped part-way
    assert state(lib) == before
    assert lib.search(ONLY_IN_IMPORT) == []
    assert lib.list(tags=["imported"]) == []
    assert_index_consistent(lib.path)
    assert_usable_afterwards(lib, bulk, 6000)


def test_cancel_at_the_last_report_still_rolls_back(lib: Library, bulk: Path) -> None:
    fill(lib)
    before = state(lib)

    def progress(p: Progress) -> None:
        if p.done == p.total:
            raise Cancelled()

    with pytest.raises(Cancelled):
        lib.import_file(bulk, progress=progress)
    assert state(lib) == before
    assert_usable_afterwards(lib, bulk, 6000)


@pytest.mark.parametrize("name", ["notes.txt", "briefing.md", "article.html", "memo.docx",
                                  "bulk.csv", "zotero.ris", "zotero.json"])  # fmt: skip
def test_every_reader_can_be_cancelled_part_way(
    lib: Library, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny report intervals even the small sample files report in the
    middle of reading; a cancel there stores nothing."""
    monkeypatch.setattr(importers, "READ_CHUNK", 16)
    monkeypatch.setattr(importers, "LINES_PER_REPORT", 2)
    monkeypatch.setattr(importers, "ITEMS_PER_REPORT", 1)
    fill(lib)
    before = state(lib)

    def progress(p: Progress) -> None:
        if 0 < p.done < READ_END:
            raise Cancelled()

    with pytest.raises(Cancelled):
        lib.import_file(DATA / name, progress=progress)
    assert state(lib) == before
    assert lib.import_file(DATA / name).added > 0  # and it imports afterwards


@pytest.mark.parametrize("phase", PHASES)
def test_a_cancel_from_another_thread_lands_quickly(
    tmp_path: Path, hundred_thousand: Path, phase: str
) -> None:
    """As a window does it: the import runs in a worker thread with its own
    Library; the window's thread cancels through a CancelToken part-way
    through a 100,000-row file, and the worker stops within a fraction of a
    second."""
    path = tmp_path / "library.sqlite3"
    with Library.open(path) as lib:
        fill(lib)
        before = state(lib)
    token = CancelToken()
    reached = threading.Event()
    outcome: dict[str, object] = {}
    start = {"Reading": 20, "Storing": READ_END + 20, "Indexing": STORE_END + 20}[phase]

    def watch(p: Progress) -> None:
        if p.what.startswith(phase) and p.done >= start:
            reached.set()

    def worker() -> None:
        try:
            with Library.open(path, busy_timeout=2) as mine:
                outcome["report"] = mine.import_file(
                    hundred_thousand, progress=token.callback(watch)
                )
        except BaseException as exc:
            outcome["error"] = exc
        outcome["stopped"] = time.monotonic()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert reached.wait(120), "the import never got there"
        cancelled = time.monotonic()
        token.cancel()
    finally:
        thread.join(120)
    assert isinstance(outcome.get("error"), Cancelled), outcome
    latency = float(outcome["stopped"]) - cancelled  # type: ignore[arg-type]
    assert latency < 1.0, f"the cancel took {latency:.2f} s to land"
    with Library.open(path) as lib:
        assert state(lib) == before
        assert lib.search(ONLY_IN_IMPORT) == []
    assert_index_consistent(path)


def test_ctrl_c_during_import_leaves_no_transaction(lib: Library, bulk: Path) -> None:
    fill(lib)
    before = state(lib)

    def interrupt(p: Progress) -> None:
        if p.what.startswith("Indexing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lib.import_file(bulk, progress=interrupt)
    assert state(lib) == before
    assert_usable_afterwards(lib, bulk, 6000)


# -- threads -----------------------------------------------------------------


def in_thread(work: object) -> BaseException | None:
    """Run `work()` in another thread; the exception it raised, if any."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            work()  # type: ignore[operator]
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return caught[0] if caught else None


def test_a_library_used_from_another_thread_is_a_clear_error(lib: Library) -> None:
    snippet = lib.add("Made in the opening thread").snippet
    for work in (
        lambda: lib.search("opening"),
        lambda: lib.get(snippet.id),
        lambda: lib.add("from a worker"),
        lambda: lib.import_file(DATA / "bulk.jsonl"),
        lib.close,
    ):
        error = in_thread(work)
        assert isinstance(error, LibraryError)
        assert str(error) == "a Library is used by the thread that opened it; open one per thread"
    # Nothing was done, and the library still works in its own thread.
    assert lib.count() == 1
    assert [h.snippet.id for h in lib.search("opening")] == [snippet.id]


def test_a_library_opened_in_a_worker_thread_works_there(lib: Library) -> None:
    def work() -> None:
        with Library.open(lib.path) as mine:
            mine.add("Added by the worker")

    assert in_thread(work) is None
    assert [s.text for s in lib.list()] == ["Added by the worker"]


# -- a busy library -----------------------------------------------------------

_HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def another_program_writing(path: Path, seconds: float) -> Iterator[None]:
    """Another process holds the library's write lock for `seconds`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_short_busy_timeout_gives_up_quickly(lib: Library, tmp_path: Path) -> None:
    lib.add("Already here")
    with another_program_writing(lib.path, 60):
        started = time.monotonic()
        with Library.open(lib.path, busy_timeout=2) as window:
            # Reading never waits for a writer.
            assert [s.text for s in window.list()] == ["Already here"]
            for write in (
                lambda: window.add("Typed in the window"),
                lambda: window.import_file(DATA / "bulk.jsonl"),
            ):
                with pytest.raises(LibraryError) as caught:
                    write()
                message = str(caught.value)
                assert "busy" in message and "another program" in message
                assert "\n" not in message
        assert time.monotonic() - started < 10
    assert [s.text for s in lib.list()] == ["Already here"]
    lib.add("Written once the other program is done")


def test_the_default_patience_waits_for_another_writer(lib: Library) -> None:
    """A writer that finishes within the patience is waited for, not an error
    (here another thread of this process holds the lock for a second)."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(lib.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE scratch (x)")
        locked.set()
        release.wait(30)
        time.sleep(1.0)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        release.set()
        started = time.monotonic()
        lib.add("After the other writer")
        assert time.monotonic() - started >= 0.5
    finally:
        holder.join(30)
    assert [s.text for s in lib.list()] == ["After the other writer"]


def test_busy_timeout_zero_fails_at_once_and_negative_is_refused(lib: Library) -> None:
    with (
        another_program_writing(lib.path, 60),
        Library.open(lib.path, busy_timeout=0) as impatient,
    ):
        started = time.monotonic()
        with pytest.raises(LibraryError, match="busy"):
            impatient.add("Now or never")
        assert time.monotonic() - started < 2
    with pytest.raises(ValueError, match="busy_timeout"):
        Library.open(lib.path, busy_timeout=-1)
