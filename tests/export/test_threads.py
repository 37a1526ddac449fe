"""Exports on several threads at once, as a window's background jobs run them.

Each check runs in a fresh interpreter, so that no exporter module is
imported before the threads start: the first imports, with their
process-wide `re.compile` shim, then race each other as they do on the first
export after start-up.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from briefer.export.font_cache import FontCache
from briefer.export.fonts import FontResolver

REPO = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import datetime as dt
import io
import re
import sys
import threading

ORIGINAL_COMPILE = re.compile

from briefer.document import Document, Heading, Paragraph, Strong, Text, Title
from briefer.model import Meta, Style

assert "briefer.export.pdf" not in sys.modules and "reportlab" not in sys.modules
assert "briefer.export.word" not in sys.modules

from briefer.export import exporter_for

GREEK = "Καλημέρα κόσμε"
CYRILLIC = "Привет мир"


def document(thread: int, n: int) -> Document:
    blocks = [Title((Text(f"Thread{thread} brief{n}"),))]
    for section in range(1, 25):
        blocks.append(Heading(1, (Text(f"Section{section} of brief{n}"),)))
        blocks.append(
            Paragraph(
                (
                    Text(f"Marker{thread}x{n} {GREEK} {CYRILLIC} "),
                    Strong((Text("bold words and digits 0123456789 "),)),
                    Text("plain words " * 40),
                )
            )
        )
    return Document(
        meta=Meta(title=f"Thread {thread}"),
        style=Style(body_font="DejaVu Sans", heading_font="DejaVu Serif"),
        blocks=blocks,
        created=dt.datetime(2026, 11, 22, 12, 0, 0),
        deterministic=True,
    )


RUNS = 4
start = threading.Barrier(2)
results: dict[tuple[int, int, str], bytes] = {}
errors: list[BaseException] = []


def work(thread: int, order: tuple[str, str]) -> None:
    try:
        start.wait()
        exporters = {fmt: exporter_for(fmt) for fmt in order}
        for n in range(RUNS):
            for fmt in order:
                out = io.BytesIO()
                exporters[fmt].render(document(thread, n), out)
                results[(thread, n, fmt)] = out.getvalue()
    except BaseException as exc:
        errors.append(exc)
        raise


threads = [
    threading.Thread(target=work, args=(1, ("pdf", "docx"))),
    threading.Thread(target=work, args=(2, ("docx", "pdf"))),
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not errors, errors
assert re.compile is ORIGINAL_COMPILE, re.compile

import docx
import pypdf

for (thread, n, fmt), data in sorted(results.items()):
    if fmt == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        for words in (f"Thread{thread} brief{n}", f"Marker{thread}x{n}", GREEK, CYRILLIC):
            assert words in text, (thread, n, words)
    else:
        paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
        assert paragraphs[0] == f"Thread{thread} brief{n}", paragraphs[:2]
        assert any(f"Marker{thread}x{n}" in p for p in paragraphs)
    # The same document rendered alone, now that nothing else runs, gives
    # the same bytes: no render disturbed the other (fonts embedded whole).
    alone = io.BytesIO()
    exporter_for(fmt).render(document(thread, n), alone)
    assert alone.getvalue() == data, (thread, n, fmt)
print("ok", len(results))
"""


def test_two_threads_load_exporters_and_render_at_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["ok", "16"]


# --------------------------------------------------------------------------
# The shared font state two renders meet
# --------------------------------------------------------------------------


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_dejavu = pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu not installed")


@needs_dejavu
def test_a_face_being_loaded_is_not_handed_out_before_it_is_registered(tmp_path: Path) -> None:
    """Two renders ask for the same face at once: the second waits for the
    first to finish registering it, rather than drawing with a font name
    reportlab does not know yet."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(DEJAVU, folder / "Mine.ttf")
    loading, go_on = threading.Event(), threading.Event()

    class SlowCache(FontCache):
        def load_font(self, name: str, path: Path, index: int) -> TTFont:
            loading.set()
            go_on.wait(5)
            return super().load_font(name, path, index)

    resolver = FontResolver([folder], cache=SlowCache(tmp_path / "cache"))
    fonts = resolver.family("DejaVu Sans")
    assert fonts is not None
    first = threading.Thread(target=lambda: fonts.regular)
    first.start()
    assert loading.wait(5)
    seen: list[tuple[str, bool]] = []

    def second() -> None:
        name = fonts.regular
        seen.append((name, name in pdfmetrics.getRegisteredFontNames()))

    other = threading.Thread(target=second)
    other.start()
    other.join(0.3)  # the second asks while the first is still loading
    go_on.set()
    first.join()
    other.join()
    assert seen and seen[0][1], seen


@needs_dejavu
def test_font_subsets_built_on_many_threads_match_those_built_alone() -> None:
    """Saving a PDF cuts subsets out of the shared TrueType faces; reportlab
    does that with a read cursor kept on the face, so without a guard,
    PDFs saved at once would embed each other's glyphs."""
    resolver = FontResolver([DEJAVU.parent])
    fonts = resolver.family("DejaVu Sans")
    assert fonts is not None
    face = pdfmetrics.getFont(fonts.regular).face
    subsets = [list(range(32 + i, 232 + i)) for i in range(8)]
    alone = [face.makeSubset(subset) for subset in subsets]
    wrong: list[object] = []

    def cut(i: int) -> None:
        for _ in range(5):
            try:
                if face.makeSubset(subsets[i]) != alone[i]:
                    wrong.append(i)
            except Exception as exc:  # a cursor moved under it reads garbage
                wrong.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=cut, args=(i,)) for i in range(len(subsets))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
