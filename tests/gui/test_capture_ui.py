"""Capture: new snippets from the dialog, the clipboard and drops.

Each test builds `Capture` on a plain panel widget with a real library in
the test's folder (a new connection per worker thread, as the window makes
them; one test uses a PostgreSQL team library in a throwaway cluster, and
one the library panel of the real window), and does what a person does:
copies something, pastes, types into the "New snippet" dialog and clicks
Save; drops files and reads the import report; cancels a long import.
Then it checks what the person would see (the dialog's fields and
messages, the report) and what the library holds, through a connection of
the test's own. Nothing is mocked: the clipboard, the drops' mime data, the
worker threads and the databases are real, and every window these tests
open is not modal, so nothing waits on a click.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from test_window import WindowOpener

from briefer.gui.capture import Capture, SnippetDialog
from briefer.gui.import_progress import ImportProgressDialog, ImportReportDialog
from briefer.gui.snippet_mime import snippets_to_mime
from briefer.library import Library, Source
from briefer.library.clipboard import Field
from briefer.library.location import open_library

# Typed with qtbot.keyClicks, which takes ASCII only; what the clipboard
# brings is tried with other scripts.
QUOTE = "The regulator fined the port operator EUR 2m for late berth data."
COPIED = "Der Hafenbetreiber muss 2 Mio. € zahlen – „verspätete Liegeplatzdaten“."
PAGE = "https://news.example.org/halden/berth-data-fine"
WAIT_MS = 20_000


class Bench:
    """A panel with its Capture over a library: a file in the test's folder,
    or a team library's `postgresql://` location."""

    def __init__(self, qtbot, tmp_path: Path, location: str = "") -> None:
        self.qtbot = qtbot
        self.tmp_path = tmp_path
        self.path = tmp_path / "library.sqlite3"
        self.location = location or str(self.path)
        with self.open_library():
            pass  # created before the test counts on it
        self.panel = QWidget()
        self.panel.setWindowTitle("Library")
        self.panel.resize(360, 600)
        qtbot.addWidget(self.panel)
        self.panel.show()
        self.capture = Capture(self.panel, self.open_library)
        self.changes = 0
        self.capture.library_changed.connect(self._changed)

    def _changed(self) -> None:
        self.changes += 1

    def open_library(self) -> Library:
        # As the window opens it: a short patience, whatever the engine.
        return open_library(self.location, busy_timeout=2.0, connect_timeout=5.0)

    def snippets(self) -> list:
        with self.open_library() as library:
            return library.list(limit=None)

    def windows(self, kind: type) -> list:
        """This panel's windows of `kind` that are on screen."""
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, kind) and w.isVisible() and w.parentWidget() is self.panel
        ]

    def dialog(self) -> SnippetDialog:
        self.qtbot.waitUntil(lambda: len(self.windows(SnippetDialog)) == 1, timeout=WAIT_MS)
        (dialog,) = self.windows(SnippetDialog)
        self.qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
        return dialog

    def report(self) -> ImportReportDialog:
        self.qtbot.waitUntil(lambda: len(self.windows(ImportReportDialog)) == 1, timeout=WAIT_MS)
        (report,) = self.windows(ImportReportDialog)
        return report

    def save(self, dialog: SnippetDialog) -> None:
        self.qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    def finish(self) -> None:
        """Let every import and save end before the panel goes."""
        queue = self.capture.imports()
        queue.cancel()
        self.qtbot.waitUntil(lambda: not queue.is_running(), timeout=WAIT_MS)
        for dialog in self.windows(SnippetDialog):
            self.qtbot.waitUntil(lambda d=dialog: not d.is_busy(), timeout=WAIT_MS)
        for window in self.windows(QWidget):
            window.close()


@pytest.fixture
def bench(qtbot, tmp_path: Path) -> Iterator[Bench]:
    made = Bench(qtbot, tmp_path)
    yield made
    made.finish()


@pytest.fixture
def open_window(qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WindowOpener:
    return WindowOpener(qtbot, monkeypatch, tmp_path)


def file_drop(*paths: Path) -> QMimeData:
    """What a file manager's drag carries: file addresses, and their paths
    as text."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    mime.setText("\n".join(str(p) for p in paths))
    return mime


def big_csv(folder: Path, rows: int = 50_000) -> Path:
    """A table of `rows` snippets, as a bulk export from another tool."""
    path = folder / "big.csv"
    lines = ["text,title,publisher,url,published,tags"]
    lines += [
        f'"Bulk row {i}: ransomware vendor contract {i * 31 % 977}",Report {i % 500},'
        f"Pub {i % 40},https://bulk.example.org/{i % 500},2026-{i % 12 + 1:02d}-01,bulk"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cancel_when_storing(bench: Bench, qtbot, name: str) -> None:
    """Click Cancel in the progress window once it shows the file being stored."""
    progress: list[ImportProgressDialog] = []

    def storing() -> bool:
        progress[:] = bench.windows(ImportProgressDialog)
        return bool(progress) and progress[0].label.text().startswith(f"Storing {name}")

    qtbot.waitUntil(storing, timeout=WAIT_MS)
    dialog = progress[0]
    assert 0 < dialog.bar.value() < dialog.bar.maximum()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)


def item_texts(report: ImportReportDialog) -> list[list[str]]:
    """The report's rows as a person reads them: each file's columns, then
    its lines below it."""
    rows = []
    for i in range(report.tree.topLevelItemCount()):
        item = report.tree.topLevelItem(i)
        rows.append([item.text(c) for c in range(4)])
        rows.extend([item.child(j).text(0)] for j in range(item.childCount()))
    return rows


# -- paste -------------------------------------------------------------------


def test_paste_a_url_then_the_text_makes_one_snippet(bench: Bench, qtbot) -> None:
    """Copy the page's address, paste: the dialog has it in URL, not in the
    text; type the quote and the publisher, Save: the library has it."""
    mime = QMimeData()
    mime.setText(PAGE + "\n")
    QApplication.clipboard().setMimeData(mime)
    bench.capture.paste()
    dialog = bench.dialog()
    assert dialog.value(Field.URL) == PAGE
    assert dialog.value(Field.TEXT) == ""
    assert dialog.value(Field.ACCESSED) == dt.date.today().isoformat()
    assert dialog.editor(Field.TEXT).hasFocus() or not dialog.isActiveWindow()

    qtbot.keyClicks(dialog.editor(Field.TEXT), QUOTE)
    qtbot.keyClicks(dialog.editor(Field.PUBLISHER), "Northern Ledger")
    qtbot.keyClicks(dialog.editor(Field.TAGS), "ports, fines")
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(dialog)
    qtbot.waitUntil(lambda: not bench.windows(SnippetDialog), timeout=WAIT_MS)

    (snippet,) = bench.snippets()
    assert snippet.text == QUOTE
    assert snippet.source.url == PAGE
    assert snippet.source.publisher == "Northern Ledger"
    assert snippet.source.accessed == dt.date.today().isoformat()
    assert snippet.tags == ("fines", "ports")


def test_paste_text_copied_from_a_browser_fills_text_and_url(bench: Bench, qtbot) -> None:
    mime = QMimeData()
    mime.setText(COPIED + "\r\n")
    mime.setHtml(f"<html><body><!--SourceURL:{PAGE}--><p>{COPIED}</p></body></html>")
    QApplication.clipboard().setMimeData(mime)
    bench.capture.paste()
    dialog = bench.dialog()
    assert (dialog.value(Field.TEXT), dialog.value(Field.URL)) == (COPIED, PAGE)

    qtbot.keyClick(
        dialog.editor(Field.TEXT), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: len(bench.snippets()) == 1, timeout=WAIT_MS)
    (snippet,) = bench.snippets()
    assert (snippet.text, snippet.source.url) == (COPIED, PAGE)


def test_paste_firefox_page_address(bench: Bench) -> None:
    mime = QMimeData()
    mime.setText(QUOTE)
    mime.setData("text/x-moz-url-priv", QByteArray(PAGE.encode("utf-16-le")))
    QApplication.clipboard().setMimeData(mime)
    bench.capture.paste()
    assert bench.dialog().value(Field.URL) == PAGE


def test_paste_nothing_says_so(bench: Bench, qtbot) -> None:
    QApplication.clipboard().setMimeData(QMimeData())
    bench.capture.paste()
    qtbot.waitUntil(lambda: len(bench.windows(QMessageBox)) == 1, timeout=WAIT_MS)
    (box,) = bench.windows(QMessageBox)
    assert box.text() == "The clipboard holds no text or link to make a snippet of."
    assert not bench.windows(SnippetDialog)
    box.close()


# -- the dialog --------------------------------------------------------------


def test_dialog_says_what_is_wrong_under_each_field(bench: Bench, qtbot) -> None:
    bench.capture.new_snippet()
    dialog = bench.dialog()
    assert all(not dialog.value(f) for f in Field if f is not Field.ACCESSED)
    assert dialog.value(Field.ACCESSED) == dt.date.today().isoformat()

    # Save with nothing typed: the text is asked for, nothing is stored.
    bench.save(dialog)
    assert dialog.problem(Field.TEXT) == "A snippet needs its text: paste or type the quote."
    assert dialog.isVisible()

    # A date that is no date, said as soon as the person leaves the field.
    qtbot.keyClicks(dialog.editor(Field.PUBLISHED), "2026-02-30")
    qtbot.keyClick(dialog.editor(Field.PUBLISHED), Qt.Key.Key_Tab)
    assert dialog.problem(Field.PUBLISHED) == (
        "'2026-02-30' is not a date: write 2026, 2026-11 or 2026-11-20."
    )
    # An address that would not be a link.
    qtbot.keyClicks(dialog.editor(Field.URL), "javascript:alert(1)")
    qtbot.keyClick(dialog.editor(Field.URL), Qt.Key.Key_Tab)
    assert "Only web (https://, http://) and mailto: addresses become links" in (
        dialog.problem(Field.URL)
    )

    # Typing the text clears its message at once; fixing a field clears its own.
    qtbot.keyClicks(dialog.editor(Field.TEXT), QUOTE)
    assert dialog.problem(Field.TEXT) == ""
    bench.save(dialog)
    time.sleep(0.2)
    qtbot.wait(50)
    assert bench.snippets() == []
    assert dialog.problem(Field.PUBLISHED) and dialog.problem(Field.URL)

    dialog.editor(Field.PUBLISHED).clear()
    qtbot.keyClicks(dialog.editor(Field.PUBLISHED), "20 November 2026")
    assert dialog.problem(Field.PUBLISHED) == ""
    dialog.editor(Field.URL).clear()
    qtbot.keyClicks(dialog.editor(Field.URL), "www.ledger.example/halden")
    assert dialog.problem(Field.URL) == ""

    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(dialog)
    (snippet,) = bench.snippets()
    assert snippet.source.published == "2026-11-20"
    assert snippet.source.url == "https://www.ledger.example/halden"


def test_a_duplicate_is_reported_not_stored_twice(bench: Bench, qtbot) -> None:
    with Library.open(bench.path) as library:
        first = library.add(QUOTE, Source(publisher="Northern Ledger", url=PAGE)).snippet
    bench.capture.new_snippet()
    dialog = bench.dialog()
    # Typed again with other quotes, spaces and case: the same snippet.
    qtbot.keyClicks(dialog.editor(Field.TEXT), "  the regulator FINED the port operator EUR 2m for")
    qtbot.keyClicks(dialog.editor(Field.TEXT), "   late berth data. ")
    qtbot.keyClicks(dialog.editor(Field.URL), PAGE)
    bench.save(dialog)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=WAIT_MS)
    assert dialog.notice.text().startswith(f"Already in your library (snippet {first.id}, added ")
    assert "Nothing new was stored" in dialog.notice.text()
    assert dialog.isVisible() and bench.changes == 0
    assert [s.id for s in bench.snippets()] == [first.id]

    # Changing the text makes it a new snippet; the notice goes as they type.
    qtbot.keyClicks(dialog.editor(Field.TEXT), " Appeals are due in March.")
    assert not dialog.notice.isVisible()
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(dialog)
    assert len(bench.snippets()) == 2


def test_a_duplicate_in_the_trash_comes_back(bench: Bench, qtbot) -> None:
    with Library.open(bench.path) as library:
        first = library.add(QUOTE, Source(url=PAGE)).snippet
        library.delete(first.id)
    mime = QMimeData()
    mime.setText(QUOTE)
    mime.setHtml(f"<!--SourceURL:{PAGE}-->")
    QApplication.clipboard().setMimeData(mime)
    bench.capture.paste()
    dialog = bench.dialog()
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(dialog)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=WAIT_MS)
    assert "was in the trash" in dialog.notice.text()
    assert [s.id for s in bench.snippets()] == [first.id]


def test_a_library_that_cannot_be_written_is_said_in_the_dialog(bench: Bench, qtbot) -> None:
    bench.path.unlink()
    bench.path.mkdir()  # a folder where the library should be
    bench.capture.new_snippet()
    dialog = bench.dialog()
    qtbot.keyClicks(dialog.editor(Field.TEXT), QUOTE)
    bench.save(dialog)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=WAIT_MS)
    assert dialog.notice.text().startswith("The snippet was not saved: ")
    assert dialog.isVisible() and dialog.save_button.isEnabled()


# -- drops -------------------------------------------------------------------


ARTICLE = f"""<!doctype html>
<html><head><title>Halden fines its port operator | Northern Ledger</title>
<link rel="canonical" href="{PAGE}">
<meta property="og:site_name" content="Northern Ledger">
<meta name="author" content="Doe, Jane">
<meta property="article:published_time" content="2026-11-20T09:00:00Z">
</head><body><nav><a href="/">Home</a></nav>
<article><h1>Halden fines its port operator</h1>
<p>{QUOTE}</p>
<p>The operator has 30 days to appeal &lt;script&gt; the decision.</p>
<p>Shipping lines welcomed the ruling.</p></article>
<script>alert("no")</script></body></html>
"""


def test_drop_an_html_file_imports_it_and_reports(bench: Bench, qtbot) -> None:
    page = bench.tmp_path / "halden.html"
    page.write_text(ARTICLE, encoding="utf-8")
    mime = file_drop(page)
    assert bench.capture.accepts(mime)
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        assert bench.capture.drop(mime)
    report = bench.report()
    assert report.headline.text() == "Imported halden.html: 3 snippets added."
    assert item_texts(report) == [["halden.html", "3", "0", "0"]]

    snippets = sorted(bench.snippets(), key=lambda s: s.id)
    assert [s.text for s in snippets] == [
        QUOTE,
        "The operator has 30 days to appeal <script> the decision.",
        "Shipping lines welcomed the ruling.",
    ]
    source = snippets[0].source
    assert (source.url, source.publisher, source.author, source.published) == (
        PAGE,
        "Northern Ledger",
        "Jane Doe",
        "2026-11-20",
    )

    # The same page again: all already there, said so.
    report.close()
    bench.capture.drop(file_drop(page))
    again = bench.report()
    assert again.headline.text() == (
        "Imported halden.html: 0 snippets added, 3 already in the library."
    )
    assert len(bench.snippets()) == 3
    again.copy()
    assert QApplication.clipboard().text().startswith(again.headline.text())


def test_drop_files_with_rejected_rows_and_an_unknown_kind(bench: Bench, qtbot) -> None:
    table = bench.tmp_path / "notes.csv"
    table.write_text(
        "text,publisher,published\n"
        "Berth data is late,Reuters,2026-11-20\n"
        "A bad date,Reuters,2026-02-30\n"
        ",Reuters,2026\n",
        encoding="utf-8",
    )
    photo = bench.tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n")
    notes = bench.tmp_path / "notes.txt"
    notes.write_text("First note.\n\nSecond note.\n", encoding="utf-8")
    assert bench.capture.drop(file_drop(table, photo, notes))
    report = bench.report()
    assert report.headline.text() == (
        "Imported 2 files: 3 snippets added, 2 rows rejected. 1 file was not imported."
    )
    assert item_texts(report) == [
        ["notes.csv", "1", "0", "2"],
        ["Line 3: published: 2026-02-30 is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"],
        ["Line 4: no text"],
        ["photo.png", "–", "–", "–"],
        ["Not imported: Briefer does not import .png files."],
        ["notes.txt", "2", "0", "0"],
    ]
    assert len(bench.snippets()) == 3


def test_drop_only_an_unknown_kind_gives_one_message(bench: Bench, qtbot) -> None:
    photo = bench.tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n")
    mime = file_drop(photo)
    assert bench.capture.accepts(mime)  # taken, so that the drop can say why not
    assert not bench.capture.drop(mime)
    qtbot.waitUntil(lambda: len(bench.windows(QMessageBox)) == 1, timeout=WAIT_MS)
    qtbot.wait(300)  # no second window follows
    (box,) = bench.windows(QMessageBox)
    assert box.text() == "Briefer cannot import “photo.png”."
    assert "web pages (.html, .htm, .xhtml)" in box.informativeText()
    assert not bench.windows(ImportReportDialog) and not bench.windows(ImportProgressDialog)
    assert bench.snippets() == [] and bench.changes == 0
    box.close()


def test_drop_a_big_csv_and_cancel_leaves_the_library_as_it_was(bench: Bench, qtbot) -> None:
    with Library.open(bench.path) as library:
        library.add(QUOTE, Source(url=PAGE), tags=["ports"])
        before = [(s.id, s.text, s.tags) for s in library.list(limit=None)]
    big = big_csv(bench.tmp_path)

    # The GUI thread ticks every 5 ms meanwhile; the longest gap is what a
    # person typing elsewhere in the window would feel.
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    assert bench.capture.drop(file_drop(big))
    cancel_when_storing(bench, qtbot, "big.csv")
    report = bench.report()
    timer.stop()

    assert report.headline.text() == (
        "Import cancelled. Nothing of big.csv was stored: the library is as it was"
        " before that file."
    )
    assert item_texts(report) == [
        ["big.csv", "–", "–", "–"],
        ["Cancelled; nothing of it was stored."],
    ]
    assert not bench.windows(ImportProgressDialog)
    with Library.open(bench.path) as library:
        assert [(s.id, s.text, s.tags) for s in library.list(limit=None)] == before
        assert library.search("ransomware") == []
        assert [t.name for t in library.tags()] == ["ports"]
    assert bench.changes == 0
    gaps = sorted(b - a for a, b in itertools.pairwise(ticks))
    assert len(gaps) > 20
    # The median gap is the timer's own; a shared 2-core machine may stall
    # the whole process now and then, so the 95th percentile is what counts.
    assert gaps[len(gaps) * 95 // 100] <= 0.050, gaps[-10:]


def test_drop_text_that_looks_like_a_path_is_text(bench: Bench) -> None:
    for text in ("/etc/passwd", "file:///etc/passwd"):
        mime = QMimeData()
        mime.setText(text)
        assert bench.capture.accepts(mime)
        assert bench.capture.drop(mime)
        dialog = bench.dialog()
        assert (dialog.value(Field.TEXT), dialog.value(Field.URL)) == (text, "")
        dialog.close()
    assert not bench.capture.imports().is_running()
    assert not bench.windows(ImportReportDialog)


def test_drop_a_link_from_a_browser(bench: Bench) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl(PAGE)])
    mime.setText(PAGE)
    mime.setHtml(f'<a href="{PAGE}">Halden fines its port operator</a>')
    title = "Halden fines its port operator"
    mime.setData("text/x-moz-url", QByteArray(f"{PAGE}\n{title}".encode("utf-16-le")))
    assert bench.capture.accepts(mime)
    assert bench.capture.drop(mime)
    dialog = bench.dialog()
    assert (dialog.value(Field.URL), dialog.value(Field.TITLE), dialog.value(Field.TEXT)) == (
        PAGE,
        title,
        "",
    )


def test_drop_markup_text_stays_text(bench: Bench, qtbot) -> None:
    text = '<img src=x onerror="alert(1)"> **not bold** &amp;'
    mime = QMimeData()
    mime.setText(text)
    assert bench.capture.drop(mime)
    dialog = bench.dialog()
    assert dialog.value(Field.TEXT) == text
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(dialog)
    assert [s.text for s in bench.snippets()] == [text]


def test_snippets_dragged_out_of_the_library_are_not_taken_back(bench: Bench) -> None:
    with Library.open(bench.path) as library:
        snippet = library.add(QUOTE, Source(url=PAGE)).snippet
    mime = snippets_to_mime([snippet], str(bench.path))
    assert mime.hasText()  # other programs see the text, the panel does not take it
    assert not bench.capture.accepts(mime)
    assert not bench.capture.drop(mime)
    assert not bench.windows(SnippetDialog)
    assert not bench.capture.accepts(QMimeData())


def test_paste_files_a_file_manager_copied_imports_them(bench: Bench, qtbot) -> None:
    notes = bench.tmp_path / "notes.md"
    notes.write_text("# Berth data\n\nFirst note.\n\nSecond note.\n", encoding="utf-8")
    QApplication.clipboard().setMimeData(file_drop(notes))
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.capture.paste()
    assert bench.report().headline.text() == "Imported notes.md: 2 snippets added."
    assert not bench.windows(SnippetDialog)
    assert {s.source.title for s in bench.snippets()} == {"Berth data"}


def test_a_library_that_cannot_be_opened_is_in_the_report(bench: Bench) -> None:
    bench.path.unlink()
    bench.path.mkdir()  # a folder where the library should be
    notes = bench.tmp_path / "notes.txt"
    notes.write_text("A note.\n", encoding="utf-8")
    assert bench.capture.drop(file_drop(notes))
    report = bench.report()
    assert report.headline.text() == "notes.txt was not imported."
    ((name, *counts), (reason,)) = item_texts(report)
    assert (name, counts) == ("notes.txt", ["–", "–", "–"])
    assert reason.startswith("Not imported: ") and str(bench.path) in reason
    assert bench.changes == 0


# -- through the library panel in the window -----------------------------------


def test_through_the_library_panel_in_the_window(open_window, qtbot, tmp_path: Path) -> None:
    """The same gestures on the real window's library panel: a file dragged
    onto it (drag-enter, then drop) and a paste with its shortcut; the
    panel's list shows what was stored."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    window = open_window()
    panel = window.library_panel
    model = panel.model
    page = tmp_path / "halden.html"
    page.write_text(ARTICLE, encoding="utf-8")
    mime = file_drop(page)
    point = QPoint(panel.width() // 2, panel.height() // 2)
    copy = Qt.DropAction.CopyAction
    no_key = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, copy, mime, Qt.MouseButton.LeftButton, no_key)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(point.toPointF(), copy, mime, Qt.MouseButton.LeftButton, no_key)
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted()

    def windows(kind: type) -> list:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    qtbot.waitUntil(lambda: len(windows(ImportReportDialog)) == 1, timeout=WAIT_MS)
    (report,) = windows(ImportReportDialog)
    assert report.headline.text() == "Imported halden.html: 3 snippets added."
    report.close()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=WAIT_MS)

    mime = QMimeData()
    mime.setText(PAGE)
    QApplication.clipboard().setMimeData(mime)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    panel.setFocus()
    qtbot.keyClick(
        panel, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: len(windows(SnippetDialog)) == 1, timeout=WAIT_MS)
    (dialog,) = windows(SnippetDialog)
    assert dialog.value(Field.URL) == PAGE
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.editor(Field.TEXT), "Appeals are due in March.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=WAIT_MS)
    assert not windows(SnippetDialog)


# -- a team library (PostgreSQL) -------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    pg_cluster = pytest.importorskip("pg_cluster")
    if pg_cluster.find_bindir() is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    with pg_cluster.running() as running:
        running.create_role("analyst", "capture-secret")
        yield running


@pytest.fixture
def team_bench(qtbot, tmp_path: Path, cluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    from briefer.library.pg_store import init_team

    database = f"team_{tmp_path.name.lower().replace('-', '_')}"[:60]
    cluster.create_database(database, owner="analyst")
    monkeypatch.setenv("PGPASSWORD", "capture-secret")
    url = cluster.url("analyst", database)
    init_team(url)
    made = Bench(qtbot, tmp_path, url)
    yield made
    made.finish()


def test_a_team_library_takes_new_snippets_and_imports(team_bench: Bench, qtbot) -> None:
    """The same capture on a PostgreSQL team library: a snippet saved from
    the dialog, the same one again reported, a big import cancelled."""
    bench = team_bench
    mime = QMimeData()
    mime.setText(QUOTE)
    mime.setHtml(f"<!--SourceURL:{PAGE}--><p>{QUOTE}</p>")
    QApplication.clipboard().setMimeData(mime)
    bench.capture.paste()
    with qtbot.waitSignal(bench.capture.library_changed, timeout=WAIT_MS):
        bench.save(bench.dialog())
    qtbot.waitUntil(lambda: not bench.windows(SnippetDialog), timeout=WAIT_MS)
    bench.capture.paste()
    dialog = bench.dialog()
    bench.save(dialog)
    qtbot.waitUntil(dialog.notice.isVisible, timeout=WAIT_MS)
    assert dialog.notice.text().startswith("Already in your library (snippet ")
    dialog.close()
    (snippet,) = bench.snippets()
    assert (snippet.text, snippet.source.url) == (QUOTE, PAGE)

    assert bench.capture.drop(file_drop(big_csv(bench.tmp_path)))
    cancel_when_storing(bench, qtbot, "big.csv")
    assert bench.report().headline.text().startswith("Import cancelled. Nothing of big.csv")
    assert [s.id for s in bench.snippets()] == [snippet.id]
