"""Template editor benchmark: typing with the live preview running, and a
change to the new preview, for each built-in template.

For every template in `templates/`, a template editor window is opened on
it, as Templates > Edit Template opens it (its live preview rendered by a
worker process, the template's sample reshaped to its sections), and
measured on the machine it runs on:

- keystroke: a key typed into the first section's heading, then into its
  guidance (real key events through Qt), timed to the end of the field's
  repaint. Keys come at a person's pace, in bursts with pauses long enough
  for the preview to rebuild, so later keys meet a render in flight and
  the new pages arriving; every keystroke is one edit of the template
  (the editor's widgets refreshed, a new preview asked for);
- change: the page size switched in the Page tab with the arrow keys (to
  the next size and back), timed from the key to the preview painted with
  the new pages; this includes the pause the preview waits for typing to
  stop (`preview.DEBOUNCE_MS`).

A warm-up editor is opened and closed first and not counted (the font
cache and the bytecode are then warm). User folders are redirected to a
temporary folder and nothing is saved. By default the window is drawn on
an X server, Xvfb started for the run where it is installed, as
`gui_bench.py` does (`--platform offscreen` draws in memory instead).
Medians and 95th percentiles are printed. Run:

    .venv/bin/python bench/template_editor_bench.py [--repeat 10] [--keys 120]
        [--platform auto]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from gui_bench import _Loop, _PaintWatch, _type_and_time, line, start_display  # noqa: E402

# What is typed: a heading's and a guidance's worth of words, letters and
# spaces only.
WORDS = "indicators and warnings to watch over the coming weeks"
# A key "meets a rebuild" when new pages were announced within 0.4 s after
# it or 0.15 s before it (as gui_bench.py's keystroke figure counts them).
MEETS_BEFORE, MEETS_AFTER = 0.15, 0.4


@dataclass
class Figures:
    """One template's measurements, in seconds."""

    pages: int = 0
    keys: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)  # keys that met a rebuild
    renders: int = 0  # previews rebuilt while typing
    changes: list[float] = field(default_factory=list)
    late: int = 0  # changes whose preview did not come within 20 s


class PreviewPainted:
    """Says when the editor's preview has painted after announcing new
    pages, and remembers when pages were announced."""

    def __init__(self, panel) -> None:
        self.armed = False
        self.pages = 0
        self.announced: list[float] = []
        self.watch = _PaintWatch(panel.view().viewport())
        panel.rendered.connect(self._rendered)

    def _rendered(self, pages: int) -> None:
        self.armed, self.pages = True, pages
        self.announced.append(time.perf_counter())
        self.watch.reset()  # the paint that counts is the one after the pages

    def reset(self) -> None:
        self.armed = False
        self.watch.reset()

    @property
    def painted(self) -> bool:
        return self.armed and self.watch.painted


def open_editor(template, paths, settings, loop: _Loop):
    """The template editor on `template`, shown, its first preview painted."""
    from briefer.gui.template_editor import TemplateEditor

    editor = TemplateEditor(template, paths, export_settings=settings)
    preview = PreviewPainted(editor.preview)
    editor.show()
    editor.activateWindow()
    if not loop.until_in_loop(lambda: preview.painted, timeout=60):
        raise RuntimeError(f"{template.id}: the editor's preview did not come within 60 s")
    loop.run_for(800)  # the window idle, the worker waiting
    return editor, preview


def close_editor(editor, loop: _Loop) -> None:
    """Close without saving: the benchmark's edits are thrown away."""
    editor.document.stack.setClean()
    editor.close()
    editor.deleteLater()
    loop.run_for(300)


def type_keys(editor, preview: PreviewPainted, loop: _Loop, keys: int, seed: int) -> Figures:
    """Half the keys into the first section's heading, half into its
    guidance, each timed to its repaint."""
    from PySide6.QtGui import QTextCursor

    figures = Figures()
    rng = random.Random(seed)
    editor.tabs.setCurrentIndex(0)
    editor.section_list.setCurrentRow(0)
    text = (" " + WORDS) * (keys // len(WORDS) + 1)  # a space first: after the old words
    typed: list[tuple[float, float]] = []
    preview.announced.clear()
    half = keys // 2
    for widget, count in ((editor.heading_edit, half), (editor.guidance_edit, keys - half)):
        widget.setFocus()
        if widget is editor.heading_edit:
            widget.end(False)
            watch = _PaintWatch(widget)
        else:
            widget.moveCursor(QTextCursor.MoveOperation.End)
            watch = _PaintWatch(widget.viewport())
        loop.run_for(500)
        for n, char in enumerate(text[:count]):
            # Bursts of typing with pauses in which the preview rebuilds.
            loop.run_for(260 if n % 6 == 5 else rng.uniform(60, 140))
            started = time.perf_counter()
            seconds = _type_and_time(loop, widget, watch, char)
            figures.keys.append(seconds)
            typed.append((started, seconds))
        section = editor.template.sections[0]
        held = section.heading if widget is editor.heading_edit else section.guidance
        if not held.endswith(text[:count]):
            raise RuntimeError(f"the keys did not reach the template ({widget.accessibleName()})")
    loop.run_for(600)
    renders = list(preview.announced)
    figures.renders = len(renders)
    figures.during = [
        seconds
        for at, seconds in typed
        if any(-MEETS_BEFORE <= r - at <= MEETS_AFTER for r in renders)
    ]
    return figures


def change_page_size(editor, preview: PreviewPainted, loop: _Loop, figures: Figures, trials: int):
    """The page size to the next one with an arrow key and back again, each
    timed to the new preview painted."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    editor.tabs.setCurrentIndex(1)  # the Page tab
    combo = editor.page_combo
    combo.setFocus()
    loop.run_for(500)
    forward = Qt.Key.Key_Up if combo.currentIndex() > 0 else Qt.Key.Key_Down
    back = Qt.Key.Key_Down if forward == Qt.Key.Key_Up else Qt.Key.Key_Up
    for trial in range(trials):
        key = forward if trial % 2 == 0 else back
        before = editor.template.style.page_size
        preview.reset()
        started = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.postEvent(combo, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))
        if loop.until_in_loop(lambda: preview.painted, timeout=20):
            figures.changes.append(time.perf_counter() - started)
        else:
            figures.late += 1
        if editor.template.style.page_size == before:
            raise RuntimeError("the arrow key did not change the page size")
        figures.pages = preview.pages
        loop.run_for(400)  # the preview idle before the next change


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="page size changes per template")
    parser.add_argument("--keys", type=int, default=120, help="keystrokes per template")
    parser.add_argument("--seed", type=int, default=3, help="seed of the typing pace")
    parser.add_argument("--platform", choices=["auto", "xcb", "offscreen"], default="auto")
    args = parser.parse_args()

    env, server = start_display(args.platform)
    work = Path(tempfile.mkdtemp(prefix="briefer-template-bench-"))
    for name in ("QT_QPA_PLATFORM", "DISPLAY"):
        if name in env:
            os.environ[name] = env[name]
    os.environ.pop("QT_SCALE_FACTOR", None)
    os.environ["BRIEFER_DATA_DIR"] = str(work / "data")
    os.environ["BRIEFER_CACHE_DIR"] = str(work / "cache")
    try:
        return run(args, work)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    from briefer.gui.app import make_application
    from briefer.gui.preview import DEBOUNCE_MS
    from briefer.paths import Paths
    from briefer.pipeline import ExportSettings
    from briefer.templates import TemplateRegistry

    make_application([])
    loop = _Loop()
    paths = Paths.from_env()
    registry = TemplateRegistry(paths)
    settings = ExportSettings.from_env(paths)
    templates = [t for t in registry.all() if t.builtin]
    print(
        f"Template editor benchmark: {os.cpu_count()} cores,"
        f" Qt platform {os.environ['QT_QPA_PLATFORM']}"
    )
    print(f"Python {sys.version.split()[0]}; work folder {work}")

    editor, _preview = open_editor(templates[0], paths, settings, loop)  # warm-up
    close_editor(editor, loop)
    every = Figures()
    for number, template in enumerate(templates):
        editor, preview = open_editor(template, paths, settings, loop)
        figures = type_keys(editor, preview, loop, args.keys, args.seed + number)
        change_page_size(editor, preview, loop, figures, args.repeat)
        close_editor(editor, loop)
        print(f"\n{template.id} ({template.name}), a {figures.pages}-page preview")
        print(line("keystroke to repaint, preview running", figures.keys, "ms"))
        print(line("  keystrokes meeting a rebuild", figures.during, "ms"))
        print(line("page size change to the new preview", figures.changes, "ms"))
        print(f"  previews rebuilt while typing: {figures.renders}")
        if figures.late:
            print(f"  changes without a new preview within 20 s: {figures.late}")
        every.keys += figures.keys
        every.during += figures.during
        every.changes += figures.changes
    print(f"\nAll {len(templates)} templates")
    print(line("keystroke to repaint, preview running", every.keys, "ms"))
    print(line("  keystrokes meeting a rebuild", every.during, "ms"))
    print(line("page size change to the new preview", every.changes, "ms"))
    print(f"  (of which the pause that tells typing has stopped: {DEBOUNCE_MS} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
