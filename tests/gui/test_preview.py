"""The live preview as a person sees it: the exported PDF, beside the brief.

Each test runs the real panel with its real worker process and checks what
is on screen: the text of the PDF the view shows, the page the reader is
on, the error banner, the pixels of the page. The window tests at the end
type into the real main window and watch the preview follow.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QApplication, QMessageBox

from briefer import editing
from briefer.briefs import load_brief, save_brief
from briefer.gui import preview
from briefer.gui.preview import DEBOUNCE_MS, PreviewPanel, start_worker_early, switch_document
from briefer.model import Brief, Template
from briefer.paths import Paths
from briefer.preview_worker import PreviewRenderer, Rendered, RenderRequest
from briefer.templates import TemplateRegistry

REPO = Path(__file__).resolve().parents[2]
FILLER = (
    "the authority expects waiting times at anchor to fall by a fifth within a year and"
    " carriers that share their estimates get priority windows at the berth crane data"
)
WAIT_MS = 20_000  # a first render on a busy two-core machine, fonts not yet cached


@pytest.fixture(autouse=True)
def _shared_font_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One font cache for the module's workers, so each test does not scan
    the system's fonts again."""
    monkeypatch.setenv("BRIEFER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "font-cache"))


@pytest.fixture
def registry() -> TemplateRegistry:
    return TemplateRegistry(Paths.from_env())


def sample(registry: TemplateRegistry, template_id: str) -> tuple[Brief, Template, Path]:
    template = registry.get(template_id)
    assert template.sample_path is not None
    return load_brief(template.sample_path), template, template.sample_path.parent


def long_brief(brief: Brief, paragraphs: int = 60) -> Brief:
    """The brief with its second section grown long (a paragraph of varied
    words renders in about 2 ms a page here: 2,000 paragraphs take half a
    second or more)."""
    rng = random.Random(paragraphs)
    words = FILLER.split()
    body = "\n\n".join(
        f"Paragraph {n}. " + " ".join(rng.choice(words) for _ in range(90)) + "."
        for n in range(paragraphs)
    )
    return editing.set_body(brief, brief.sections[1].id, body)


def make_panel(qtbot, **options) -> PreviewPanel:
    panel = PreviewPanel(**options)
    qtbot.addWidget(panel)
    panel.resize(520, 760)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def show(qtbot, panel: PreviewPanel, brief: Brief, template: Template, folder: Path | None) -> int:
    with qtbot.waitSignal(panel.rendered, timeout=WAIT_MS) as shown:
        panel.request(brief, template, folder)
    return shown.args[0]


def shown_text(panel: PreviewPanel) -> str:
    """The text of the PDF on screen, as its reader could select it."""
    document = panel.view().document()
    assert document is not None
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return " ".join(" ".join(text.split()) for text in pages)


def to_pil(image: QImage) -> Image.Image:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(buffer.data().data())).convert("RGB")


def ink(image: Image.Image) -> float:
    """The share of dark pixels: text on a page."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:128]) / (grey.width * grey.height)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------


def test_the_preview_shows_the_pdf_export_of_the_brief(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    panel = make_panel(qtbot)
    pages = show(qtbot, panel, brief, template, folder)
    assert pages == panel.view().document().pageCount() >= 1
    text = shown_text(panel)
    assert "Port of Halden opens its cargo data to rivals" in text
    assert "What Happened?" in text
    assert panel.error_message() == ""


def test_a_pause_in_typing_rebuilds_once_with_the_newest_text(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    shown: list[int] = []
    panel.rendered.connect(shown.append)
    body = brief.section("what-happened").body
    typed = ""
    for letter in "Berth seven reopens":  # one request per keystroke, as the window sends
        typed += letter
        panel.request(
            editing.set_body(brief, "what-happened", f"{typed}. {body}"), template, folder
        )
        qtbot.wait(20)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=WAIT_MS)
    qtbot.wait(600)  # nothing else follows
    assert len(shown) == 1
    assert "Berth seven reopens." in shown_text(panel)


def test_the_reader_keeps_their_page_and_place_across_rebuilds(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    brief = long_brief(brief)
    panel = make_panel(qtbot)
    pages = show(qtbot, panel, brief, template, folder)
    assert pages >= 6
    view = panel.view()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place, page = bar.value(), view.pageNavigator().currentPage()
    assert page >= 2

    changed = editing.set_meta(brief, title="A retitled brief")
    assert show(qtbot, panel, changed, template, folder) == pages
    assert "A retitled brief" in shown_text(panel)
    assert bar.value() == place
    assert view.pageNavigator().currentPage() == page


def test_a_rebuild_never_shows_a_blank_page(qtbot, registry) -> None:
    """While the view renders the new pages, the old ones stay on screen."""
    brief, template, folder = sample(registry, "long-form")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    before = ink(to_pil(panel.grab().toImage()))
    assert before > 0.005

    seen: list[float] = []
    panel.view().documentChanged.connect(
        lambda _doc: QTimer.singleShot(0, lambda: seen.append(ink(to_pil(panel.grab().toImage()))))
    )
    for n in range(3):
        show(qtbot, panel, editing.set_meta(brief, title=f"Version {n}"), template, folder)
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert min(seen) > before / 2, seen


def test_no_page_of_the_document_before_stays_on_screen(qtbot, registry) -> None:
    """A new PDF arriving while the view still draws pages of the one
    before (the reader just scrolled) shows only pages of the new one."""
    brief, template, _ = sample(registry, "long-form")
    renderer = PreviewRenderer()
    pdfs = []
    for marker in ("ALPHA", "BRAVO"):
        changed = editing.set_body(brief, "body", " ".join([f"{marker} line"] * 2000))
        reply = renderer.render(RenderRequest(1, changed, template))
        assert isinstance(reply, Rendered)
        pdfs.append(reply.pdf)
    view = QPdfView()
    qtbot.addWidget(view)
    view.setPageMode(QPdfView.PageMode.MultiPage)
    view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    view.resize(500, 760)
    view.show()
    qtbot.waitExposed(view)
    rng = random.Random(2)
    documents = []
    for n in range(16):
        for pdf in (pdfs[n % 2], pdfs[(n + 1) % 2]):
            documents.append(pdf_document(pdf))
            switch_document(view, documents[-1])
            if pdf is pdfs[n % 2]:  # scroll to pages not drawn yet, and switch at once
                view.verticalScrollBar().setValue(
                    rng.randint(0, view.verticalScrollBar().maximum())
                )
                qtbot.wait(rng.randint(0, 12))
        qtbot.wait(300)
        assert view.viewport().grab().toImage() == fresh_view_of(qtbot, view), f"switch {n}"
    view.setDocument(None)  # before the documents go


def pdf_document(pdf: bytes) -> QPdfDocument:
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def fresh_view_of(qtbot, shown: QPdfView) -> QImage:
    """What a new view of the same document, at the same place, shows."""
    view = QPdfView()
    qtbot.addWidget(view)
    view.setPageMode(QPdfView.PageMode.MultiPage)
    view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    view.resize(shown.size())
    view.setDocument(shown.document())
    view.show()
    qtbot.waitExposed(view)
    view.verticalScrollBar().setValue(shown.verticalScrollBar().value())
    qtbot.wait(300)
    image = view.viewport().grab().toImage()
    view.setDocument(None)
    return image


def test_a_failed_rebuild_keeps_the_last_pages_and_says_why(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    panel = make_panel(qtbot)
    pages = show(qtbot, panel, brief, template, folder)
    good = shown_text(panel)

    # Margins that leave no room for a line: the exporter cannot lay it out.
    cramped = dataclasses.replace(
        template, style=dataclasses.replace(template.style, margins_mm=(140, 100, 140, 100))
    )
    with qtbot.waitSignal(panel.failed, timeout=WAIT_MS) as failed:
        panel.request(editing.set_meta(brief, title="Never shown"), cramped, folder)
    assert "does not fit on a page of this template" in failed.args[0]
    assert panel.error_message() == failed.args[0]
    assert shown_text(panel) == good
    assert panel.view().document().pageCount() == pages

    # The next good brief clears the error.
    show(qtbot, panel, editing.set_meta(brief, title="Fixed again"), template, folder)
    assert panel.error_message() == ""
    assert "Fixed again" in shown_text(panel)


def test_a_worker_that_dies_is_started_again(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "bluf-memo")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    first = panel.worker_pid()
    assert first is not None
    os.kill(first, signal.SIGKILL)
    qtbot.waitUntil(lambda: panel.worker_pid() not in (None, first), timeout=WAIT_MS)

    show(qtbot, panel, editing.set_meta(brief, title="After the crash"), template, folder)
    assert "After the crash" in shown_text(panel)
    assert panel.error_message() == ""


def test_a_worker_killed_mid_render_still_delivers_the_page(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "long-form")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    pid = panel.worker_pid()
    assert pid is not None
    with qtbot.waitSignal(panel.rendered, timeout=WAIT_MS):
        panel.request(long_brief(editing.set_meta(brief, title="Survivor"), 4000), template, folder)
        qtbot.wait(DEBOUNCE_MS + 100)  # the render has begun: it takes a second or more
        os.kill(pid, signal.SIGKILL)
    assert "Survivor" in shown_text(panel)
    assert panel.worker_pid() not in (None, pid)


def test_a_hidden_preview_does_no_work(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    pid = panel.worker_pid()
    assert pid is not None
    shown: list[int] = []
    panel.rendered.connect(shown.append)

    panel.set_active(False)
    panel.hide()
    qtbot.wait(100)
    busy = cpu_seconds(pid)
    for n in range(5):
        panel.request(long_brief(editing.set_meta(brief, title=f"Hidden {n}")), template, folder)
        qtbot.wait(200)
    qtbot.wait(500)
    assert shown == []
    assert cpu_seconds(pid) - busy < 0.05  # the worker sat idle

    with qtbot.waitSignal(panel.rendered, timeout=WAIT_MS):
        panel.show()
        panel.set_active(True)
    assert "Hidden 4" in shown_text(panel)


def test_a_preview_hidden_for_a_while_lets_its_worker_go(
    qtbot, registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "HIDDEN_STOP_MS", 300)
    brief, template, folder = sample(registry, "smart-brevity")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    pid = panel.worker_pid()
    assert pid is not None
    panel.set_active(False)
    panel.hide()
    qtbot.waitUntil(lambda: not Path(f"/proc/{pid}").exists(), timeout=5000)
    assert panel.worker_pid() is None

    panel.request(editing.set_meta(brief, title="Back again"), template, folder)
    with qtbot.waitSignal(panel.rendered, timeout=WAIT_MS):
        panel.show()
        panel.set_active(True)
    assert "Back again" in shown_text(panel)


def test_a_preview_made_hidden_starts_no_process(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    panel = PreviewPanel(active=False)
    qtbot.addWidget(panel)
    panel.request(brief, template, folder)
    qtbot.wait(400)
    assert panel.worker_pid() is None
    with qtbot.waitSignal(panel.rendered, timeout=WAIT_MS):
        panel.show()
        panel.set_active(True)
    assert "Port of Halden" in shown_text(panel)


def test_a_worker_started_early_is_taken_over_by_the_panel(qtbot, registry) -> None:
    """The application starts the worker before building the window; the
    panel renders with that same process instead of starting another."""
    early = start_worker_early(QApplication.instance())
    assert early is not None
    assert start_worker_early(QApplication.instance()) == early  # one, however often asked
    brief, template, folder = sample(registry, "bluf-memo")
    panel = make_panel(qtbot)
    assert panel.worker_pid() == early
    show(qtbot, panel, brief, template, folder)
    assert "Ransomware group shifts to regional hospitals" in shown_text(panel)
    assert panel.worker_pid() == early


def test_an_early_worker_a_hidden_panel_does_not_want_ends(qtbot) -> None:
    early = start_worker_early(QApplication.instance())
    assert early is not None
    panel = PreviewPanel(active=False)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not Path(f"/proc/{early}").exists(), timeout=5000)
    assert panel.worker_pid() is None


def test_shutdown_ends_the_worker_process(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "smart-brevity")
    panel = make_panel(qtbot)
    show(qtbot, panel, brief, template, folder)
    pid = panel.worker_pid()
    assert pid is not None and Path(f"/proc/{pid}").exists()
    panel.shutdown()
    assert not Path(f"/proc/{pid}").exists()
    assert panel.worker_pid() is None
    panel.request(editing.set_meta(brief, title="After shutdown"), template, folder)
    qtbot.wait(300)
    assert panel.worker_pid() is None


def test_the_preview_writes_no_files(
    qtbot, registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    folder = tmp_path / "brief"
    shutil.copytree(REPO / "templates" / "long-form", folder)
    brief, template, _ = sample(registry, "long-form")
    save_brief(brief, folder / "mine.brief")
    before = sorted(p.name for p in folder.iterdir())

    panel = make_panel(qtbot)
    for n in range(3):
        show(qtbot, panel, editing.set_meta(brief, title=f"Take {n}"), template, folder)
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_page_stays_white_in_a_dark_palette(qtbot, registry) -> None:
    brief, template, folder = sample(registry, "bluf-memo")
    panel = make_panel(qtbot)
    dark = QPalette(panel.palette())
    for role, colour in (
        (QPalette.ColorRole.Window, "#2B2B2E"),
        (QPalette.ColorRole.Base, "#1E1E20"),
        (QPalette.ColorRole.Dark, "#18181A"),
        (QPalette.ColorRole.Text, "#E6E6E6"),
        (QPalette.ColorRole.WindowText, "#E6E6E6"),
    ):
        dark.setColor(role, QColor(colour))
    panel.setPalette(dark)
    show(qtbot, panel, brief, template, folder)
    qtbot.wait(200)
    image = panel.view().viewport().grab().toImage()
    margins = panel.view().documentMargins()
    # Around the page: the dark palette. The page's own margin: white paper.
    assert QColor(image.pixel(1, 1)).lightness() < 60
    paper = QColor(image.pixel(margins.left() + 6, margins.top() + 6))
    assert paper.lightness() > 245, paper.name()


def test_pages_render_at_the_screen_pixel_ratio(tmp_path: Path) -> None:
    """On a screen with two device pixels per point (QT_SCALE_FACTOR=2),
    the page on screen has the detail of a page rendered at that size, not
    a page rendered at half the size and enlarged."""
    script = tmp_path / "hidpi.py"
    script.write_text(HIDPI_SCRIPT)
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ratio = float(done.stdout.split()[-3])
    sharp = float(done.stdout.split()[-2])
    blurred = float(done.stdout.split()[-1])
    assert ratio == 2.0
    screen = Image.open(tmp_path / "screen.png").convert("L")
    # The page as shown differs little from the page rendered at full
    # device resolution, and much more from one rendered at half of it.
    assert sharp < blurred / 2, (sharp, blurred)
    assert screen.width >= 2 * 400


HIDPI_SCRIPT = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QApplication, QMessageBox
from PIL import Image, ImageChops, ImageStat
from briefer.briefs import load_brief
from briefer.gui.preview import PreviewPanel
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

out = Path(sys.argv[1])
app = QApplication([])
template = TemplateRegistry(Paths.from_env()).get("bluf-memo")
panel = PreviewPanel()
panel.resize(520, 760)
panel.show()
done = []
panel.rendered.connect(done.append)
panel.request(load_brief(template.sample_path), template, template.sample_path.parent)
while not done:
    app.processEvents()
for _ in range(50):
    app.processEvents()
    app.thread().msleep(10)
pixmap = panel.view().viewport().grab()
ratio = pixmap.devicePixelRatio()
pixmap.toImage().save(str(out / "screen.png"))
screen = Image.open(out / "screen.png").convert("L")
document = panel.view().document()
margins = panel.view().documentMargins()
left, top = int(margins.left() * ratio), int(margins.top() * ratio)
width = screen.width - 2 * left
height = round(width * document.pagePointSize(0).height() / document.pagePointSize(0).width())
height = min(height, screen.height - top)
shown = screen.crop((left, top, left + width, top + height))

def rendered(scale):
    full = round(width * scale), round(width * scale * document.pagePointSize(0).height()
                                       / document.pagePointSize(0).width())
    image = document.render(0, QSize(*full))
    image.save(str(out / "page.png"))
    page = Image.open(out / "page.png").convert("RGBA")
    paper = Image.new("RGBA", page.size, "white")
    paper.alpha_composite(page)
    return paper.convert("L").resize((width, round(width * full[1] / full[0])),
                                      Image.Resampling.BILINEAR).crop((0, 0, width, height))

def difference(a, b):
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]

print(ratio, difference(shown, rendered(1.0)), difference(shown, rendered(0.5)))
panel.shutdown()
"""


# --------------------------------------------------------------------------
# In the window
# --------------------------------------------------------------------------


def open_window(qtbot, files: list[Path], monkeypatch: pytest.MonkeyPatch):
    """The Briefer window with the preview shown; closing it discards."""
    from briefer.gui.main_window import MainWindow, WindowContext
    from briefer.gui.settings import Settings

    discard = staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "warning", discard)
    monkeypatch.setattr(QMessageBox, "question", discard)

    paths = Paths.from_env()
    Settings.for_paths(paths).set_preview_shown(True)
    window = MainWindow(WindowContext.create(paths, QApplication.instance()))
    qtbot.addWidget(window)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    window.start(files)
    return window


def test_typing_in_the_window_updates_the_preview_and_keeps_its_page(
    qtbot, registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brief, _, _ = sample(registry, "long-form")
    path = tmp_path / "long.brief"
    save_brief(long_brief(brief), path)
    window = open_window(qtbot, [path], monkeypatch)
    panel = window.preview
    assert isinstance(panel, PreviewPanel)
    qtbot.waitUntil(
        lambda: "The quiet return of the night train" in _text_or_empty(panel), timeout=WAIT_MS
    )
    view = panel.view()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place, page = bar.value(), view.pageNavigator().currentPage()

    editor = window.view.first_editor().editor
    editor.setFocus()
    qtbot.keyClicks(editor, "Typed in the window ")
    qtbot.waitUntil(lambda: "Typed in the window" in shown_text(panel), timeout=WAIT_MS)
    assert bar.value() == place
    assert view.pageNavigator().currentPage() == page


def _text_or_empty(panel: PreviewPanel) -> str:
    return shown_text(panel) if panel.view().document() is not None else ""
