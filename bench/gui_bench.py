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
  10-page preview shown.

Every measurement runs in a fresh child process (`--child KIND`), so one
cannot warm another; the contenders of one figure run in turn within the
run, so the machine's noise hits them alike. A warm-up start runs first and
is not counted: the font cache and the bytecode are then warm, as on a
person's second start. User folders are redirected to a temporary folder.
By default the window is drawn on an X server: Xvfb is started for the run
where it is installed (`--platform offscreen` draws in memory instead).
Medians and 95th percentiles are printed with the issue's targets. Run:

    .venv/bin/python bench/gui_bench.py [--repeat 7] [--keys 200] [--platform auto]
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
}
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
            marks["idle"] = time.time()
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

    def until(self, done: Callable[[], bool], timeout: float = 30.0) -> bool:
        from PySide6.QtCore import QEventLoop

        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                return False
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 20)
        return True


def _open_window(path: Path):
    """The Briefer window with `path` open and its preview shown."""
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
    window.start([path])
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


CHILDREN: dict[str, Callable[[argparse.Namespace], None]] = {
    "start-briefer": lambda a: child_start_briefer(a.inputs[0]),
    "start-bare": lambda a: child_start_bare(a.inputs[0]),
    "keys": lambda a: child_keys(a.inputs[0], a.keys, a.seed),
    "pause": lambda a: child_pause(a.inputs, a.repeat),
    "memory": lambda a: child_memory(a.inputs[0]),
}


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class Run:
    env: dict[str, str]
    work: Path

    def child(self, kind: str, *inputs: Path, data: str = "shared", **options: object) -> dict:
        env = dict(self.env)
        env["BRIEFER_DATA_DIR"] = str(self.work / f"data-{data}")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="starts and pauses per contender")
    parser.add_argument("--keys", type=int, default=200, help="keystrokes per contender")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--platform", choices=["auto", "xcb", "offscreen"], default="auto")
    parser.add_argument("--only", nargs="*", choices=["start", "keys", "pause", "memory"])
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("inputs", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        CHILDREN[args.child](args)
        return 0

    only = set(args.only or ["start", "keys", "pause", "memory"])
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


if __name__ == "__main__":
    sys.exit(main())
