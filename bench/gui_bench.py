"""GUI benchmark: the Briefer window's start, typing and live preview.

Measures, on the machine it runs on (issue 10's figures are for two cores):

- start: process start to the window shown and idle, with a brief open and
  its preview painted (`briefer FILE.brief`, the real entry point), in turn
  with a bare window that only shows a PDF in a QPdfView (the floor);
- keys: keystroke to repaint in a 10,000-word section while the preview
  renders, in turn with the preview hidden and with a bare QPlainTextEdit
  holding the same text (the floor);
- pause: typing pause to the new preview painted, a 2-page and a 10-page
  brief in turn;
- memory: resident memory of the window and of its preview worker with a
  10-page preview shown;
- library: on a library of 100,000 snippets (made for the run: an
  English-like vocabulary, and the words `regulator`, `ransomware`,
  `vendor`, `contract` and a `cyber...` word each in about a third of the
  snippets), the library's own search (`Library.search`, top 50), each
  keystroke in the library panel's search box to its results painted
  (typing the issue's searches a key at a time), and the window's start
  with that library open against one with an empty library;
- drop: a snippet dragged from the library and dropped into a section of
  the 2-page brief (real drag-enter, drag-move and drop events carrying the
  library's drag data), to the preview painted with pages that hold the
  snippet's words; and the drop's own time on the GUI thread. Each drop is
  undone and the preview left to settle before the next;
- import: a CSV of 50,000 rows (made for the run) dropped on the library
  panel of a window with an empty library (real drag events carrying the
  file's address): the drop to the import's report, and the GUI thread's
  gaps while the import runs, from a 5 ms QTimer (median, p95, max; as
  measured, and less the time the machine kept the thread from a CPU).
  Every import runs in a fresh child with a fresh library.

Every measurement runs in a fresh child process (`--child KIND`), so one
cannot warm another; the contenders of one figure run in turn within the
run, so the machine's noise hits them alike. A warm-up start runs first and
is not counted: the font cache and the bytecode are then warm, as on a
person's second start. User folders are redirected to a temporary folder.
By default the window is drawn on an X server: Xvfb is started for the run
where it is installed (`--platform offscreen` draws in memory instead).
Medians and 95th percentiles are printed with the issue's targets. Run:

    .venv/bin/python bench/gui_bench.py [--repeat 7] [--keys 200] [--platform auto]
        [--only start keys pause memory library drop import] [--snippets 100000]
        [--rows 50000]

`--only drop import` runs those two alone (about a minute on two cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

TARGETS = {
    "start": 0.8,  # seconds, median
    "keys": 16.0,  # milliseconds, p95
    "pause-2": 0.300,  # seconds
    "pause-10": 1.5,
    "memory": 250.0,  # MB, window and worker together
    "library-search": 25.0,  # milliseconds, p95
    "library-keys": 50.0,  # milliseconds, p95
    "library-start": 0.8,  # seconds, median
    "drop": 0.400,  # seconds, median and p95
}
# The searches: common words (each in about a third of the
# snippets), a prefix, three words, a tag and a source.
LIBRARY_QUERIES = (
    "regulator",
    "cyber*",
    "ransomware vendor contract",
    "tag:cyber",
    "source:reuters",
)
# Words of LIBRARY_QUERIES put into about a third of the snippets each.
THIRD_WORDS = ("regulator", "ransomware", "vendor", "contract")
CYBER_WORDS = ("cyber", "cyberattack", "cybersecurity", "cybercrime")
FILLER = (
    "port schedule carrier berth crane data licence consultation authority vessel cargo"
    " container broker fee shipping line arrival estimate priority window analyst region"
    " market policy review budget forecast risk supply demand network corridor terminal"
)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def ten_thousand_words(seed: int = 11) -> str:
    """A section of 10,000 words: paragraphs of 60-120 words, some bold and
    italic, a citation now and then, a bullet list every tenth paragraph."""
    rng = random.Random(seed)
    words = FILLER.split()
    paragraphs: list[str] = []
    count = 0
    while count < 10_000:
        size = min(rng.randint(60, 120), 10_000 - count)
        chosen = [rng.choice(words) for _ in range(size)]
        chosen[0] = chosen[0].capitalize()
        if size > 8 and rng.random() < 0.3:
            chosen[4] = f"**{chosen[4]}**"
        if size > 8 and rng.random() < 0.2:
            chosen[7] = f"*{chosen[7]}*"
        text = " ".join(chosen) + "."
        if len(paragraphs) % 10 == 9:
            text = "\n".join(f"- {line}" for line in text.split(". ") if line)
        paragraphs.append(text)
        count += size
    return "\n\n".join(paragraphs)


def make_inputs(folder: Path) -> dict[str, Path]:
    """The briefs the children open: the long-form sample (start), 2 and 10
    pages of long-form text (pause, memory) and a brief with a
    10,000-word section (keys)."""
    from export_bench import markdown_document

    from briefer import editing
    from briefer.briefs import load_brief, save_brief
    from briefer.paths import Paths
    from briefer.pipeline import load_input
    from briefer.templates import TemplateRegistry

    registry = TemplateRegistry(Paths.from_env())
    folder.mkdir(parents=True, exist_ok=True)
    inputs: dict[str, Path] = {}
    sample = registry.get("long-form").sample_path
    assert sample is not None
    inputs["sample"] = folder / "sample.brief"
    shutil.copy(sample, inputs["sample"])
    for pages in (2, 10):
        markdown = folder / f"pages-{pages}.md"
        markdown.write_text(markdown_document(pages), encoding="utf-8")
        brief = load_input(markdown, registry).brief
        inputs[f"pages-{pages}"] = folder / f"pages-{pages}.brief"
        save_brief(brief, inputs[f"pages-{pages}"])
    brief = load_brief(sample)
    brief = editing.set_body(brief, brief.sections[1].id, ten_thousand_words())
    inputs["long"] = folder / "long-section.brief"
    save_brief(brief, inputs["long"])
    return inputs


def library_records(count: int, seed: int = 20261129):
    """Snippets of 70-90 words drawn from the library benchmark's Zipf
    vocabulary, each of THIRD_WORDS (and one of CYBER_WORDS) put into about
    a third of them; four snippets per article; 0-3 tags each. Yields
    `Record`s and, at the end, how many snippets hold each word."""
    import itertools

    from library_bench import PUBLISHERS, TAGS, make_vocabulary

    from briefer.library import Record, Source

    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))))
    holding = dict.fromkeys([*THIRD_WORDS, "cyber*"], 0)
    records = []
    for n in range(count):
        words = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(70, 90))
        for word in THIRD_WORDS:
            if rng.random() < 1 / 3:
                words.insert(rng.randrange(len(words)), word)
                holding[word] += 1
        if rng.random() < 1 / 3:
            words.insert(rng.randrange(len(words)), rng.choice(CYBER_WORDS))
            holding["cyber*"] += 1
        article = n // 4
        publisher = PUBLISHERS[article % len(PUBLISHERS)]
        records.append(
            Record(
                text=" ".join(words).capitalize() + ".",
                source=Source(
                    title=" ".join(vocabulary[(article * 7 + k * 131) % 3000] for k in range(6)),
                    publisher=publisher,
                    author=f"Author {article % 997}",
                    url=f"https://news.example/{publisher.split()[0].lower()}/{article}",
                    published=f"{2020 + article % 7}-{1 + article % 12:02d}-{1 + article % 28:02d}",
                ),
                tags=tuple(rng.sample(TAGS, k=rng.randint(0, 3))),
                collection=f"Projects/P{article % 12}",
            )
        )
    return records, holding


def make_library(folder: Path, count: int) -> tuple[Path, dict[str, float]]:
    """The run's library of `count` snippets, and the share of snippets
    holding each common word."""
    from briefer.library import ImportReport, Library

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"library-{count}.sqlite3"
    records, holding = library_records(count)
    with Library.open(path) as library:
        library.import_records(records, ImportReport(path=Path("bench")))
    return path, {word: held / count for word, held in holding.items()}


def make_csv(path: Path, rows: int) -> Path:
    """A CSV of `rows` short snippets, as a spreadsheet export has them: the
    text (9-10 words), title, publisher, address, date and two tags; 500
    articles from 40 publishers."""
    words = (
        *("regulator", "port", "berth", "data", "fine", "operator"),
        *("ministry", "cyber", "ransomware", "vendor", "contract"),
    )
    lines = ["text,title,publisher,url,published,tags"]
    for n in range(rows):
        text = (
            f"Row {n}: the {words[n % 11]} said {words[n * 7 % 11]} matters"
            f" for {words[n * 3 % 11]} {n * 31 % 977}"
        )
        lines.append(
            f'"{text}",Report {n % 500},Pub {n % 40},https://ex.org/{n % 500},'
            f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d},t{n % 30};bulk"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# Children
# --------------------------------------------------------------------------


def report(**figures: object) -> None:
    print("BENCH " + json.dumps(figures), flush=True)


def child_start_briefer(path: str) -> None:
    """`briefer FILE.brief` as a person starts it; says when the preview's
    first pages are painted and the window is idle, then leaves."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import briefer.gui.library_panel as library_panel
    import briefer.gui.preview as preview

    marks: dict[str, float] = {}

    class Watch(QObject):
        def __init__(self, panel: preview.PreviewPanel) -> None:
            super().__init__(panel)
            self.panel = panel
            self.rendered = False
            panel.view().viewport().installEventFilter(self)
            panel.rendered.connect(self.on_rendered)

        def on_rendered(self, pages: int) -> None:
            marks["rendered"] = time.time()
            marks["pages"] = pages
            self.rendered = True

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.rendered and "painted" not in marks:
                marks["painted"] = time.time()
                QTimer.singleShot(0, self.idle)  # runs once the paint and all before it are done
            return False

        def idle(self) -> None:
            marks.setdefault("idle", time.time())
            # Reported once the library's first results are in too (they
            # may come after the preview): both are part of the start.
            if "library" not in marks and time.time() - marks["idle"] < 10:
                QTimer.singleShot(20, self.idle)
                return
            window = self.panel.window()
            report(**marks)
            window.close()
            QApplication.instance().quit()

    class Shown(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "window" not in marks:
                marks["window"] = time.time()  # the window's first paint
            return False

    original = preview.PreviewPanel.__init__

    def watched_init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        marks["panel"] = time.time()
        Watch(self)
        shown = Shown(self)
        self.window().installEventFilter(shown)

    preview.PreviewPanel.__init__ = watched_init  # type: ignore[method-assign]
    original_library = library_panel.LibraryPanel.__init__

    def watched_library(self, *args, **kwargs) -> None:
        original_library(self, *args, **kwargs)

        def shown() -> None:
            if self.model.rowCount() or self.model.request() is not None:
                marks.setdefault("library", time.time())

        self.model.results_changed.connect(shown)

    library_panel.LibraryPanel.__init__ = watched_library  # type: ignore[method-assign]
    from briefer.launch import run

    sys.argv = ["briefer", path]
    with contextlib.suppress(SystemExit):
        run()
    os._exit(0)


def child_start_bare(pdf: str) -> None:
    """The floor: a window with a QPdfView showing a PDF file."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    view = QPdfView(window)
    view.setPageMode(QPdfView.PageMode.MultiPage)
    view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    document = QPdfDocument(window)
    document.load(pdf)
    view.setDocument(document)
    window.setCentralWidget(view)
    window.resize(900, 900)
    marks: dict[str, float] = {}

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            # The first paint shows white pages; the second, the rendered page.
            if event.type() == QEvent.Type.Paint:
                marks["paints"] = marks.get("paints", 0) + 1
                if marks["paints"] == 2:
                    marks["painted"] = time.time()
                    QTimer.singleShot(0, self.idle)
            return False

        def idle(self) -> None:
            marks["idle"] = time.time()
            report(**marks)
            app.quit()

    watch = Watch()
    view.viewport().installEventFilter(watch)
    window.show()
    app.exec()
    os._exit(0)


class _Loop:
    """Event-loop helpers for the interactive children."""

    @property
    def app(self):
        from PySide6.QtWidgets import QApplication

        return QApplication.instance()

    def run_for(self, ms: float) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(max(0, int(ms)), loop.quit)
        loop.exec()

    def until_in_loop(self, done: Callable[[], bool], timeout: float = 30.0) -> bool:
        """As `until`, but waiting inside a running event loop, as a window
        does: `processEvents` keeps Python's GIL while it waits for events,
        which would slow the window's worker threads, and the loop does not."""
        from PySide6.QtCore import QEventLoop, QTimer

        if done():
            return True
        loop = QEventLoop()
        end = time.perf_counter() + timeout
        poll = QTimer()
        poll.setInterval(1)
        poll.timeout.connect(lambda: (done() or time.perf_counter() > end) and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()
        return done()

    def until(self, done: Callable[[], bool], timeout: float = 30.0) -> bool:
        from PySide6.QtCore import QEventLoop

        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                return False
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
        return True


def _open_window(path: Path | None):
    """The Briefer window with `path` (or a new brief) open and its preview shown."""
    from PySide6.QtWidgets import QApplication

    from briefer.gui.app import make_application
    from briefer.gui.main_window import MainWindow, WindowContext
    from briefer.gui.settings import Settings
    from briefer.paths import Paths

    app = make_application([])
    paths = Paths.from_env()
    Settings.for_paths(paths).set_preview_shown(True)
    window = MainWindow(WindowContext.create(paths, app))
    window.resize(1500, 950)
    window.show()
    window.start([path] if path is not None else [])
    assert isinstance(QApplication.instance(), QApplication)
    return window


class _PaintWatch:
    """Says when a widget has painted since it was last reset."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            painted = False

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    self.painted = True
                return False

        self.filter = Filter(widget)
        widget.installEventFilter(self.filter)

    def reset(self) -> None:
        self.filter.painted = False

    @property
    def painted(self) -> bool:
        return self.filter.painted


def _key(widget, text: str) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    key = Qt.Key.Key_Space if text == " " else Qt.Key(ord(text.upper()))
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QCoreApplication.postEvent(
            widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
        )


def _type_and_time(loop: _Loop, widget, watch: _PaintWatch, text: str) -> float:
    """Post one keystroke and return the seconds until its repaint is done
    (anything the window had queued before it counts, as for a person)."""
    from PySide6.QtCore import QEventLoop

    watch.reset()
    started = time.perf_counter()
    _key(widget, text)
    end = started + 2.0
    while not watch.painted and time.perf_counter() < end:
        loop.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    return time.perf_counter() - started


def child_keys(path: str, keys: int, seed: int) -> None:
    """Keystroke to repaint in the 10,000-word section: rounds of typing in
    the window with the preview rendering, with the preview hidden, and in
    a bare QPlainTextEdit with the same text."""
    from PySide6.QtWidgets import QPlainTextEdit

    loop = _Loop()
    window = _open_window(Path(path))
    panel = window.preview
    loop.until(lambda: panel.view().document() is not None)
    section = window.model.brief.sections[1].id
    editor = window.view.editor(section).editor
    text = editor.toPlainText()
    middle = text.index("\n\n", len(text) // 2)

    bare = QPlainTextEdit()
    bare.setPlainText(text)
    bare.resize(700, 600)
    bare.show()

    renders: list[float] = []
    panel.rendered.connect(lambda _pages: renders.append(time.perf_counter()))
    watches = {id(w): _PaintWatch(w.viewport()) for w in (editor, bare)}

    def prepare(widget) -> None:
        cursor = widget.textCursor()
        cursor.setPosition(middle)
        widget.setTextCursor(cursor)
        widget.setFocus()
        widget.ensureCursorVisible()
        if widget is editor:
            window.view.reveal(editor)
        loop.run_for(300)

    rng = random.Random(seed)
    letters = "etaoinshrdlu"
    times: dict[str, list[float]] = {
        "preview rendering": [],
        "preview hidden": [],
        "bare editor": [],
    }
    typed: list[tuple[float, float]] = []  # (when, ms) of each keystroke with the preview shown
    order = list(times)
    per_round = 25
    rounds = max(1, keys // per_round)
    for round_no in range(rounds):
        for kind in order[round_no % 3 :] + order[: round_no % 3]:
            widget = bare if kind == "bare editor" else editor
            if kind != "bare editor":
                window.act_preview.setChecked(kind == "preview rendering")
            prepare(widget)
            for n in range(per_round):
                # Bursts of typing with pauses long enough for the preview
                # to rebuild, so later keystrokes meet a render in flight
                # and the new pages arriving.
                gap = 260 if n % 6 == 5 else rng.uniform(60, 140)
                loop.run_for(gap)
                started = time.perf_counter()
                seconds = _type_and_time(loop, widget, watches[id(widget)], rng.choice(letters))
                times[kind].append(seconds * 1000)
                if kind == "preview rendering":
                    typed.append((started, seconds * 1000))
    window.act_preview.setChecked(True)
    # A keystroke "meets a rebuild" when new pages were announced within
    # 0.4 s after it (the worker was rendering, or the reply was on its way)
    # or 0.15 s before it (the view was still drawing the new pages).
    during = [ms for at, ms in typed if any(-0.15 <= r - at <= 0.4 for r in renders)]
    grown = len(editor.toPlainText()) - len(text)
    report(times=times, during=during, renders=len(renders), typed=grown)
    os._exit(0)


def child_pause(paths: Sequence[str], trials: int) -> None:
    """Typing pause to the new preview painted: type a word, stop, and time
    from the last keystroke on screen until the rebuilt pages are painted;
    the briefs take turns."""
    from PySide6.QtCore import QEvent, QObject

    loop = _Loop()

    class Painted(QObject):
        """Says when the preview paints after announcing new pages."""

        def __init__(self, panel) -> None:
            super().__init__(panel)
            self.armed = False
            self.painted = False
            self.pages = 0
            panel.rendered.connect(self.arm)
            panel.view().viewport().installEventFilter(self)

        def arm(self, count: int) -> None:
            self.armed, self.pages = True, count

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.armed:
                self.painted = True
            return False

    windows, watches, editors = [], [], []
    for path in paths:
        window = _open_window(Path(path))
        loop.until(lambda w=window: w.preview.view().document() is not None)
        windows.append(window)
        watches.append(Painted(window.preview))
        editor = window.view.editor(window.model.brief.sections[1].id).editor
        editors.append((editor, _PaintWatch(editor.viewport())))
    results: dict[str, list[float]] = {Path(p).stem: [] for p in paths}
    pages: dict[str, int] = {}
    rng = random.Random(5)
    for trial in range(trials):
        order = range(len(windows)) if trial % 2 == 0 else reversed(range(len(windows)))
        for index in order:
            window, watch = windows[index], watches[index]
            editor, keys = editors[index]
            window.activateWindow()
            editor.setFocus()
            loop.run_for(400)  # the last rebuild settled
            watch.armed = watch.painted = False
            word = f" {rng.choice(['berth', 'crane', 'cargo', 'fee'])}"
            for n, letter in enumerate(word):
                if n:
                    loop.run_for(rng.uniform(60, 120))
                _type_and_time(loop, editor, keys, letter)
            paused = time.perf_counter()  # the last keystroke is on screen: typing pauses
            if loop.until(lambda w=watch: w.painted, timeout=10):
                name = Path(paths[index]).stem
                results[name].append(time.perf_counter() - paused)
                pages[name] = watch.pages
    report(pause=results, pages=pages)
    os._exit(0)


def child_memory(path: str) -> None:
    """Resident memory with a 10-page preview on screen."""
    loop = _Loop()
    window = _open_window(Path(path))
    panel = window.preview
    pages: list[int] = []
    panel.rendered.connect(pages.append)
    loop.until(lambda: bool(pages))
    loop.run_for(1500)  # settle: the view's page cache filled, the worker idle
    worker = panel.worker_pid()
    report(
        pages=pages[-1],
        window=_memory(os.getpid()),
        worker=_memory(worker) if worker else None,
    )
    os._exit(0)


def _memory(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages divided among the
    processes sharing them) memory in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    pss = 0
    rollup = Path(f"/proc/{pid}/smaps_rollup")
    if rollup.exists():
        for line in rollup.read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    return {"rss": rss / 1024, "pss": pss / 1024}


class _GapMeter:
    """The longest time the GUI thread went without running its timers: a
    5 ms timer's gaps, less the time the kernel kept the thread from a CPU
    (other programs on the shared machine), from /proc/thread-self/schedstat."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.raw: list[float] = []
        self._last: tuple[float, float] | None = None

    def start(self) -> None:
        self._last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now, waited = time.perf_counter(), _runqueue_wait()
        if self._last is not None:
            self.raw.append(now - self._last[0])
            self.gaps.append(now - self._last[0] - (waited - self._last[1]))
        self._last = (now, waited)


def _runqueue_wait() -> float:
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def child_library_search(path: str, rounds: int) -> None:
    """The library's own search, top 50, and the panel's first page of the
    same search (its first rows, from one hit more), the queries taking turns."""
    from briefer.gui.library_service import SearchRequest, fetch_page, page_size
    from briefer.library import Library

    library = Library.open(path)
    for query in LIBRARY_QUERIES:  # warm: the page cache, as in a running window
        library.search(query, limit=50)
    search: dict[str, list[float]] = {q: [] for q in LIBRARY_QUERIES}
    page: dict[str, list[float]] = {q: [] for q in LIBRARY_QUERIES}
    hits: dict[str, int] = {}
    for round_no in range(rounds):
        shift = round_no % len(LIBRARY_QUERIES)
        for query in LIBRARY_QUERIES[shift:] + LIBRARY_QUERIES[:shift]:
            started = time.perf_counter()
            hits[query] = len(library.search(query, limit=50))
            search[query].append(time.perf_counter() - started)
            started = time.perf_counter()
            fetch_page(library, SearchRequest(query), 0, page_size(0))
            page[query].append(time.perf_counter() - started)
    report(search=search, page=page, hits=hits)
    os._exit(0)


def child_library_keys(rounds: int, seed: int) -> None:
    """Each keystroke in the library panel's search box to its results
    painted: the issue's searches typed a key at a time, with a person's
    pauses between keys, then cleared; the GUI thread's longest gap."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    loop = _Loop()
    window = _open_window(None)
    panel = window.library_panel
    box = panel.search_box
    model = panel.model
    loop.until(lambda: model.request() is not None, timeout=60)
    watch = _PaintWatch(panel.results.viewport())
    arrived: list[str] = []

    def results_in() -> None:
        arrived.append(model.request().query)
        watch.reset()  # the paint that counts is the one after the rows changed

    model.results_changed.connect(results_in)
    box.setFocus()
    meter = _GapMeter()
    rng = random.Random(seed)
    times: dict[str, list[float]] = {q: [] for q in LIBRARY_QUERIES}
    late = 0

    def press(key: Qt.Key, text: str = "") -> float | None:
        """Post one key; seconds until the results of the box's new text are
        painted (None if not within 2 s)."""
        arrived.clear()
        started = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.postEvent(
                box, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            )
        loop.app.processEvents()
        wanted = box.text()
        done = loop.until_in_loop(
            lambda: wanted in arrived and not model.is_searching() and watch.painted, timeout=2
        )
        return time.perf_counter() - started if done else None

    meter.start()
    for round_no in range(rounds):
        shift = round_no % len(LIBRARY_QUERIES)
        for query in LIBRARY_QUERIES[shift:] + LIBRARY_QUERIES[:shift]:
            for char in query:
                loop.run_for(rng.uniform(80, 180))  # a person's pace: 5-12 keys a second
                key = Qt.Key.Key_Space if char == " " else Qt.Key(ord(char.upper()))
                seconds = press(key, char)
                if seconds is None:
                    late += 1
                else:
                    times[query].append(seconds)
            loop.run_for(400)  # reading the results
            box.selectAll()
            press(Qt.Key.Key_Backspace)
    meter.stop()
    report(
        times=times,
        late=late,
        gap=max(meter.gaps, default=0.0),
        raw_gap=max(meter.raw, default=0.0),
        rows=model.rowCount(),
    )
    os._exit(0)


def _drag_events(target, point, mime) -> tuple:
    """Drag-enter, drag-move and drop events at `point` of `target` carrying
    `mime`, as a drag with the left button held (a copy) delivers them."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    copy, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    no_key = Qt.KeyboardModifier.NoModifier
    at = QPoint(int(point.x()), int(point.y()))
    return (
        QDragEnterEvent(at, copy, mime, button, no_key),
        QDragMoveEvent(at, copy, mime, button, no_key),
        QDropEvent(QPointF(at), copy, mime, button, no_key),
    )


def child_drop(path: str, trials: int) -> None:
    """A snippet dropped from the library into the brief's second section,
    to the preview painted with pages holding the snippet's words; the
    drop's own time on the GUI thread. Each drop is undone, and the preview
    left to settle, before the next."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from briefer.gui.snippet_mime import snippets_to_mime
    from briefer.library import Snippet, Source

    loop = _Loop()
    window = _open_window(Path(path))
    panel = window.preview
    loop.until(lambda: panel.view().document() is not None, timeout=60)
    loop.run_for(1500)  # the first pages painted, the worker idle

    class Painted(QObject):
        """Says when the preview paints after announcing new pages."""

        def __init__(self) -> None:
            super().__init__(panel)
            self.armed = self.painted = False
            panel.rendered.connect(self.arm)
            panel.view().viewport().installEventFilter(self)

        def arm(self, _pages: int) -> None:
            self.armed = True

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.armed:
                self.painted = True
            return False

    def shown_text() -> str:
        document = panel.view().document()
        if document is None:
            return ""
        return " ".join(document.getAllText(n).text() for n in range(document.pageCount()))

    watch = Painted()
    editor = window.view.editor(window.model.brief.sections[1].id).editor
    window.view.reveal(editor)
    drops: list[float] = []
    handling: list[float] = []
    late = 0
    for n in range(trials):
        word = f"Quayside{n}x"
        snippet = Snippet(
            id=9000 + n,
            text=f"{word} cranes will publish their schedules every morning.",
            source=Source(publisher=f"Harbour Wire {n}", published="2026-11-21"),
        )
        mime = snippets_to_mime([snippet])
        cursor = QTextCursor(editor.document())
        cursor.setPosition(min(len(editor.toPlainText()), 400))
        enter, move, drop = _drag_events(
            editor.viewport(), editor.cursorRect(cursor).center(), mime
        )
        QApplication.sendEvent(editor.viewport(), enter)
        QApplication.sendEvent(editor.viewport(), move)
        loop.run_for(50)  # the pointer rests a moment over the place
        watch.armed = watch.painted = False
        started = time.perf_counter()
        QApplication.sendEvent(editor.viewport(), drop)
        handled = time.perf_counter()
        if loop.until_in_loop(lambda w=word: watch.painted and w in shown_text(), timeout=10):
            drops.append(time.perf_counter() - started)
            handling.append(handled - started)
        else:
            late += 1
        window.model.undo()
        loop.run_for(900)  # the preview back to the brief without the snippet
    document = panel.view().document()
    report(
        drop=drops,
        handling=handling,
        late=late,
        pages=document.pageCount() if document is not None else 0,
    )
    os._exit(0)


def child_import(csv: str) -> None:
    """A CSV dropped on the library panel of a window with an empty library:
    the drop to the import's report (and to the snippets listed), the
    drop's own time, and the GUI thread's gaps while the import runs."""
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtWidgets import QApplication

    loop = _Loop()
    window = _open_window(None)
    panel = window.library_panel
    model = panel.model
    loop.until(lambda: model.request() is not None and not model.is_searching(), timeout=60)
    loop.until(lambda: window.preview.view().document() is not None, timeout=60)
    loop.run_for(1000)  # the window idle
    finished: list[float] = []
    panel.capture.imports().batch_finished.connect(
        lambda _outcomes: finished.append(time.perf_counter())
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(csv)])
    enter, move, drop = _drag_events(panel, QPoint(panel.width() // 2, panel.height() // 2), mime)
    QApplication.sendEvent(panel, enter)
    QApplication.sendEvent(panel, move)
    loop.run_for(50)
    meter = _GapMeter()
    meter.start()
    started = time.perf_counter()
    QApplication.sendEvent(panel, drop)
    handled = time.perf_counter()
    loop.until_in_loop(lambda: bool(finished), timeout=300)
    meter.stop()
    listed = None
    if loop.until_in_loop(lambda: model.rowCount() > 0 and not model.is_searching(), timeout=30):
        listed = time.perf_counter() - started
    report(
        accepted=drop.isAccepted(),
        total=finished[0] - started if finished else None,
        listed=listed,
        handling=handled - started,
        gaps=meter.gaps,
        raw=meter.raw,
    )
    os._exit(0)


CHILDREN: dict[str, Callable[[argparse.Namespace], None]] = {
    "start-briefer": lambda a: child_start_briefer(a.inputs[0]),
    "start-bare": lambda a: child_start_bare(a.inputs[0]),
    "keys": lambda a: child_keys(a.inputs[0], a.keys, a.seed),
    "pause": lambda a: child_pause(a.inputs, a.repeat),
    "memory": lambda a: child_memory(a.inputs[0]),
    "library-search": lambda a: child_library_search(a.inputs[0], a.repeat),
    "library-keys": lambda a: child_library_keys(a.repeat, a.seed),
    "drop": lambda a: child_drop(a.inputs[0], a.repeat),
    "import": lambda a: child_import(a.inputs[0]),
}


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class Run:
    env: dict[str, str]
    work: Path

    def child(
        self,
        kind: str,
        *inputs: Path,
        data: str = "shared",
        library: Path | None = None,
        **options: object,
    ) -> dict:
        env = dict(self.env)
        env["BRIEFER_DATA_DIR"] = str(self.work / f"data-{data}")
        if library is not None:
            env["BRIEFER_LIBRARY"] = str(library)
        args = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
        for name, value in options.items():
            args += [f"--{name}", str(value)]
        args += [str(p) for p in inputs]
        started = time.time()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
        lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
        if not lines:
            raise RuntimeError(f"{kind} gave no figures:\n{done.stdout}\n{done.stderr[-3000:]}")
        figures = json.loads(lines[-1].removeprefix("BENCH "))
        figures["started"] = started
        return figures


def start_display(platform: str) -> tuple[dict[str, str], subprocess.Popen | None]:
    env = dict(os.environ)
    env.pop("QT_SCALE_FACTOR", None)
    if platform == "offscreen" or (platform == "auto" and not shutil.which("Xvfb")):
        env["QT_QPA_PLATFORM"] = "offscreen"
        return env, None
    if env.get("DISPLAY") and platform == "xcb":
        env["QT_QPA_PLATFORM"] = "xcb"
        return env, None
    for number in range(90, 120):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.05)
    env["DISPLAY"] = f":{number}"
    env["QT_QPA_PLATFORM"] = "xcb"
    return env, server


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(name: str, values: Sequence[float], unit: str, target: str = "") -> str:
    """Median, p95 and max of `values` (seconds), shown in `unit`."""
    if not values:
        return f"  {name:<40} no samples"
    scale, digits = (1000, 1) if unit == "ms" else (1, 3)
    med, top, most = (v * scale for v in (statistics.median(values), p95(values), max(values)))
    return (
        f"  {name:<40} median {med:7.{digits}f} {unit}  p95 {top:7.{digits}f} {unit}"
        f"  max {most:7.{digits}f} {unit}  (n={len(values)}){target}"
    )


BENCHMARKS = ("start", "keys", "pause", "memory", "library", "drop", "import")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat",
        type=int,
        default=7,
        help="starts and pauses per contender; drops: three times as many"
        " (at least 15); imports: half as many (at least 3)",
    )
    parser.add_argument("--keys", type=int, default=200, help="keystrokes per contender")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--platform", choices=["auto", "xcb", "offscreen"], default="auto")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=BENCHMARKS,
        metavar="NAME",
        help="run only these of: " + " ".join(BENCHMARKS),
    )
    parser.add_argument(
        "--snippets", type=int, default=100_000, help="snippets in the library benchmark"
    )
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the import benchmark")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("inputs", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        CHILDREN[args.child](args)
        return 0

    only = set(args.only or BENCHMARKS)
    env, server = start_display(args.platform)
    work = Path(tempfile.mkdtemp(prefix="briefer-gui-bench-"))
    # Child processes cache bytecode, as an installed Briefer does (pip
    # compiles .pyc files at install time); the font cache is shared.
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["BRIEFER_CACHE_DIR"] = str(work / "cache")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    os.environ["BRIEFER_DATA_DIR"] = str(work / "data-inputs")
    run = Run(env, work)
    try:
        inputs = make_inputs(work / "briefs")
        cores = os.cpu_count()
        print(f"Briefer GUI benchmark: {cores} cores, Qt platform {env['QT_QPA_PLATFORM']}")
        print(f"Python {sys.version.split()[0]}; work folder {work}")
        if "start" in only:
            measure_start(run, inputs, args.repeat)
        if "keys" in only:
            measure_keys(run, inputs, args.keys, args.seed)
        if "pause" in only:
            measure_pause(run, inputs, args.repeat)
        if "memory" in only:
            measure_memory(run, inputs)
        if "library" in only:
            measure_library(run, inputs, args.snippets, args.repeat, args.seed)
        if "drop" in only:
            measure_drop(run, inputs, args.repeat)
        if "import" in only:
            measure_import(run, args.rows, args.repeat)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def measure_start(run: Run, inputs: dict[str, Path], repeat: int) -> None:
    from briefer.briefs import load_brief
    from briefer.paths import Paths
    from briefer.pipeline import export
    from briefer.templates import TemplateRegistry

    pdf = run.work / "briefs" / "sample.pdf"
    brief = load_brief(inputs["sample"])
    export(brief, TemplateRegistry(Paths.from_env()).get(brief.template), pdf, "pdf")
    run.child("start-briefer", inputs["sample"])  # warm-up: fonts cached, bytecode written
    run.child("start-bare", pdf)
    briefer: list[float] = []
    bare: list[float] = []
    panel: list[float] = []
    shown: list[float] = []
    for n in range(repeat):
        for kind in (
            ("start-briefer", "start-bare") if n % 2 == 0 else ("start-bare", "start-briefer")
        ):
            if kind == "start-briefer":
                figures = run.child(kind, inputs["sample"])
                briefer.append(figures["idle"] - figures["started"])
                panel.append(figures["panel"] - figures["started"])
                shown.append(figures.get("window", figures["idle"]) - figures["started"])
            else:
                figures = run.child(kind, pdf)
                bare.append(figures["idle"] - figures["started"])
    print("\n(a) Process start to the window shown and idle, brief open, preview painted")
    print(line("briefer FILE.brief", briefer, "s", f"  target median <= {TARGETS['start']} s"))
    print(line("  to the preview panel made (worker started)", panel, "s"))
    print(line("  to the window's first paint", shown, "s"))
    print(line("bare window with a QPdfView (floor)", bare, "s"))


def measure_keys(run: Run, inputs: dict[str, Path], keys: int, seed: int) -> None:
    figures = run.child("keys", inputs["long"], data="keys", keys=keys, seed=seed)
    print("\n(b) Keystroke to repaint in a 10,000-word section (ms)")
    for kind, values in figures["times"].items():
        target = f"  target p95 <= {TARGETS['keys']:.0f} ms" if kind == "preview rendering" else ""
        print(line(kind, [v / 1000 for v in values], "ms", target))
    print(line("  keystrokes meeting a rebuild", [v / 1000 for v in figures["during"]], "ms"))
    print(
        f"  previews rebuilt while typing: {figures['renders']};"
        f" characters that reached the section: {figures['typed']}"
    )


def measure_pause(run: Run, inputs: dict[str, Path], repeat: int) -> None:
    figures = run.child(
        "pause", inputs["pages-2"], inputs["pages-10"], data="pause", repeat=max(repeat, 5)
    )
    print("\n(c) Typing pause to the new preview painted")
    for name, values in figures["pause"].items():
        pages = figures["pages"].get(name)
        key = "pause-2" if name.endswith("-2") else "pause-10"
        print(line(f"{pages}-page brief", values, "s", f"  target <= {TARGETS[key]} s"))
    from briefer.gui.preview import DEBOUNCE_MS

    print(f"  (of which the pause that tells typing has stopped: {DEBOUNCE_MS} ms)")


def measure_memory(run: Run, inputs: dict[str, Path]) -> None:
    figures = run.child("memory", inputs["pages-10"], data="memory")
    window, worker = figures["window"], figures["worker"] or {"rss": 0.0, "pss": 0.0}
    total_rss, total_pss = window["rss"] + worker["rss"], window["pss"] + worker["pss"]
    print(f"\n(d) Memory with a {figures['pages']}-page preview shown (MB)")
    print(f"  window process   RSS {window['rss']:7.1f}   PSS {window['pss']:7.1f}")
    print(f"  preview worker   RSS {worker['rss']:7.1f}   PSS {worker['pss']:7.1f}")
    print(
        f"  together         RSS {total_rss:7.1f}   PSS {total_pss:7.1f}"
        f"   target <= {TARGETS['memory']:.0f} MB"
    )


def measure_library(run: Run, inputs: dict[str, Path], count: int, repeat: int, seed: int) -> None:
    started = time.perf_counter()
    library, shares = make_library(run.work / "library", count)
    print(
        f"\n(e) Library of {count:,} snippets (made in {time.perf_counter() - started:.0f} s);"
        " snippets holding: " + ", ".join(f"{word} {share:.0%}" for word, share in shares.items())
    )
    figures = run.child("library-search", library, data="library", repeat=max(repeat, 20))
    print("  the library's own search, top 50 (Library.search), ms:")
    everything: list[float] = []
    for query in LIBRARY_QUERIES:
        values = figures["search"][query]
        everything += values
        print(line(f"  {query!r}", values, "ms"))
    target = f"  target p95 <= {TARGETS['library-search']:.0f} ms"
    print(line("  all of them", everything, "ms", target))
    pages = [v for values in figures["page"].values() for v in values]
    from briefer.gui.library_service import FIRST_PAGE

    print(line(f"  the panel's first {FIRST_PAGE} rows", pages, "ms"))

    figures = run.child("library-keys", data="library", library=library, repeat=3, seed=seed)
    print("\n(f) Keystroke in the library's search box to its results painted, ms")
    everything = []
    for query, values in figures["times"].items():
        everything += values
        print(line(f"  typing {query!r}", values, "ms"))
    target = f"  target p95 <= {TARGETS['library-keys']:.0f} ms"
    print(line("  every keystroke", everything, "ms", target))
    print(
        f"  keystrokes whose results took over 2 s: {figures['late']};"
        f" longest GUI-thread gap {figures['gap'] * 1000:.1f} ms"
        f" (raw {figures['raw_gap'] * 1000:.1f} ms, less the machine's waits for a CPU)"
    )

    sample = inputs["sample"]
    empty = run.work / "library" / "empty.sqlite3"
    run.child("start-briefer", sample, data="start-library", library=library)  # warm-up
    with_library: list[float] = []
    without: list[float] = []
    results: list[float] = []
    for n in range(max(repeat, 5)):
        for big in (True, False) if n % 2 == 0 else (False, True):
            figures = run.child(
                "start-briefer", sample, data="start-library", library=library if big else empty
            )
            (with_library if big else without).append(figures["idle"] - figures["started"])
            if big and "library" in figures:
                results.append(figures["library"] - figures["started"])
    print("\n(g) Process start to the window idle, preview painted, with the library open")
    target = f"  target median <= {TARGETS['library-start']} s"
    print(line(f"  {count:,} snippets", with_library, "s", target))
    print(line("  an empty library", without, "s"))
    print(line(f"  to the first of the {count:,} snippets listed", results, "s"))


def measure_drop(run: Run, inputs: dict[str, Path], repeat: int) -> None:
    figures = run.child("drop", inputs["pages-2"], data="drop", repeat=max(3 * repeat, 15))
    print("\n(h) Drop of a snippet into a section to the preview showing it, ms")
    target = f"  target <= {TARGETS['drop'] * 1000:.0f} ms"
    print(line(f"  {figures['pages']}-page brief", figures["drop"], "ms", target))
    print(line("  the drop's own time on the GUI thread", figures["handling"], "ms"))
    if figures["late"]:
        print(f"  drops not shown in the preview within 10 s: {figures['late']}")


def measure_import(run: Run, rows: int, repeat: int) -> None:
    from briefer.library import Library

    csv = make_csv(run.work / "import" / f"rows-{rows}.csv", rows)
    totals: list[float] = []
    listed: list[float] = []
    handling: list[float] = []
    gaps: list[float] = []
    raw: list[float] = []
    stored: list[int] = []
    for n in range(max(repeat // 2, 3)):
        library = run.work / "import" / f"library-{n}.sqlite3"
        figures = run.child("import", csv, data=f"import-{n}", library=library)
        if not figures["accepted"] or figures["total"] is None:
            print(f"  import {n + 1}: the drop was refused or the import did not finish")
            continue
        totals.append(figures["total"])
        if figures["listed"] is not None:
            listed.append(figures["listed"])
        handling.append(figures["handling"])
        gaps += figures["gaps"]
        raw += figures["raw"]
        with Library.open(library) as opened:
            stored.append(opened.count())
    print(f"\n(i) A {rows:,}-row CSV dropped on the library panel (empty library)")
    print(line("  drop to the import's report", totals, "s"))
    print(line("  drop to the imported snippets listed", listed, "s"))
    print(line("  the drop's own time on the GUI thread", handling, "ms"))
    print(line("  GUI-thread gaps, a 5 ms timer", raw, "ms"))
    print(line("    less the machine's waits for a CPU", gaps, "ms"))
    print(f"  snippets stored by each import: {', '.join(f'{n:,}' for n in stored)}")


if __name__ == "__main__":
    sys.exit(main())
