"""Progress, cancelling and warnings, as a window or a command line meets them.

A caller passes a progress callback to `export_document` and stops the
export by raising `Cancelled` from it (a `CancelToken` does exactly that).
What the user then sees: the progress bar moved, no file appeared (not even
a hidden temporary one), and a file that was already there is unchanged.
Renderers hand their warnings back and never write into the document.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf
import pytest

from briefer.document import (
    Citation,
    Document,
    Heading,
    Image,
    PageBreak,
    Paragraph,
    SourceEntry,
    Text,
    Title,
)
from briefer.export import export_document, exporter_for
from briefer.jobs import Cancelled, CancelToken, Progress
from briefer.model import CitationStyle, Meta, Style

CREATED = dt.datetime(2026, 11, 22, 12, 0, 0)
DATA = Path(__file__).resolve().parents[1] / "data" / "docx"
FORMATS = ("pdf", "docx")


def make_document(
    blocks: list, sources: list[SourceEntry] | None = None, **style: object
) -> Document:
    return Document(
        meta=Meta(title="Long brief", author="A. Analyst", date="2026-11-22"),
        style=Style(**style),  # type: ignore[arg-type]
        blocks=blocks,
        sources=sources or [],
        created=CREATED,
        deterministic=True,
    )


def pages(count: int) -> Document:
    """A brief of exactly `count` pages: one short paragraph on each."""
    blocks: list = [Title((Text("Long brief"),))]
    for n in range(1, count + 1):
        blocks.append(Paragraph((Text(f"Page number {n} of the long brief."),)))
        if n < count:
            blocks.append(PageBreak())
    return make_document(blocks)


def small() -> Document:
    return make_document([Title((Text("Short brief"),)), Paragraph((Text("Nothing else."),))])


def recorder(
    seen: list[Progress], stop_when: Callable[[Progress], bool] | None = None
) -> Callable[[Progress], None]:
    """A progress callback as a window would pass it: it records every
    report, and the user presses Cancel once `stop_when` holds."""
    token = CancelToken()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        if stop_when is not None and stop_when(progress):
            token.cancel()

    return token.callback(on_progress)


def folder_listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# --------------------------------------------------------------------------
# Cancelling
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_cancelled_export_leaves_no_file(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"brief.{fmt}"
    seen: list[Progress] = []
    with pytest.raises(Cancelled):
        export_document(pages(300), target, fmt, progress=recorder(seen, lambda _p: len(seen) >= 5))
    # No output, and no hidden `.brief.pdf.*.tmp` left beside it either.
    assert folder_listing(tmp_path) == []
    assert len(seen) >= 5  # the bar moved before the user cancelled
    assert seen[-1].done < seen[-1].total  # stopped part-way, not at the end


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_cancelled_export_leaves_the_old_file_byte_identical(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"brief.{fmt}"
    export_document(small(), target, fmt)
    before = target.read_bytes()
    seen: list[Progress] = []
    with pytest.raises(Cancelled):
        export_document(pages(300), target, fmt, progress=recorder(seen, lambda _p: len(seen) >= 5))
    assert target.read_bytes() == before
    assert folder_listing(tmp_path) == [target.name]
    assert seen


@pytest.mark.parametrize(
    "stage", ["Laying out page 3", "Writing page 2 of", "Saving the PDF", "PDF ready"]
)
def test_cancel_reaches_the_caller_from_every_stage_of_a_pdf_export(
    tmp_path: Path, stage: str
) -> None:
    """Whatever reportlab is doing when the user cancels (laying out pages,
    drawing them, saving), the very exception the callback raised comes out
    of `export_document`: reportlab neither swallows nor re-wraps it."""
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"the old export")
    stop = Cancelled("the user pressed Cancel")

    def on_progress(progress: Progress) -> None:
        if progress.what.startswith(stage):
            raise stop

    with pytest.raises(Cancelled) as raised:
        export_document(pages(12), target, "pdf", progress=on_progress)
    assert raised.value is stop
    assert str(raised.value) == "the user pressed Cancel"
    assert target.read_bytes() == b"the old export"
    assert folder_listing(tmp_path) == ["brief.pdf"]


def overflowing_footnotes() -> Document:
    """Footnotes far too long for their page: the PDF is laid out twice."""
    long_note = SourceEntry(1, "key1", "Huge", "Huge", "", (Text("a long reference " * 400),))
    blocks = [Paragraph((Text("Cited here "), Citation("key1", 1))) for _ in range(40)]
    return make_document(blocks, [long_note], citations=CitationStyle.FOOTNOTES)


def test_cancel_during_the_second_layout_pass(tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"
    seen: list[Progress] = []
    with pytest.raises(Cancelled):
        export_document(
            overflowing_footnotes(),
            target,
            "pdf",
            progress=recorder(seen, lambda p: "again" in p.what),
        )
    assert folder_listing(tmp_path) == []
    assert "with endnotes" in seen[-1].what


# --------------------------------------------------------------------------
# Progress of a normal export
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_progress_moves_forward_and_ends_complete(tmp_path: Path, fmt: str) -> None:
    seen: list[Progress] = []
    export_document(pages(30), tmp_path / f"brief.{fmt}", fmt, progress=recorder(seen))
    assert len(seen) >= 30  # often enough for a bar to move and a cancel to land
    fractions = [p.fraction for p in seen]
    assert None not in fractions
    assert fractions == sorted(fractions)  # a bar that never runs backwards
    assert seen[-1].done == seen[-1].total > 0
    assert all(p.what for p in seen)


def test_pdf_progress_names_the_page_being_laid_out(tmp_path: Path) -> None:
    seen: list[Progress] = []
    export_document(pages(30), tmp_path / "brief.pdf", "pdf", progress=recorder(seen))
    whats = [p.what for p in seen]
    assert "Laying out page 1" in whats and "Laying out page 30" in whats
    assert "Writing page 30 of 30" in whats


def test_pdf_progress_runs_on_through_a_second_layout_pass(tmp_path: Path) -> None:
    seen: list[Progress] = []
    warnings = export_document(
        overflowing_footnotes(), tmp_path / "brief.pdf", "pdf", progress=recorder(seen)
    )
    assert any("endnotes" in w for w in warnings)
    assert any(p.what.endswith("again, with endnotes") for p in seen)
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions)
    assert seen[-1].done == seen[-1].total


def test_docx_progress_counts_the_top_level_blocks(tmp_path: Path) -> None:
    document = pages(10)
    seen: list[Progress] = []
    export_document(document, tmp_path / "brief.docx", "docx", progress=recorder(seen))
    blocks = [p for p in seen if p.what.startswith("Writing block")]
    assert len(blocks) == len(document.blocks)
    assert blocks[-1].what == f"Writing block {len(document.blocks)} of {len(document.blocks)}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_progress_does_not_change_the_file(tmp_path: Path, fmt: str) -> None:
    """Watching an export is free of side effects: the same bytes either way."""
    quiet, watched = tmp_path / f"quiet.{fmt}", tmp_path / f"watched.{fmt}"
    export_document(overflowing_footnotes(), quiet, fmt)
    export_document(overflowing_footnotes(), watched, fmt, progress=recorder([]))
    assert quiet.read_bytes() == watched.read_bytes()


# --------------------------------------------------------------------------
# Warnings come back to the caller; the document is only read
# --------------------------------------------------------------------------


def troubled() -> Document:
    """A brief with a picture that is not one and a logo that does not exist."""
    blocks = [
        Title((Text("Troubled brief"),)),
        Heading(1, (Text("Pictures"),), "pictures"),
        Image("bad.png", "Bad picture", DATA / "not-an-image.png"),
        Image("bad.png", "The same bad picture again", DATA / "not-an-image.png"),
    ]
    return make_document(blocks, logo=Path("/nonexistent/logo.png"), header="{title}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_returns_its_warnings_and_leaves_the_document_alone(fmt: str) -> None:
    document = troubled()
    untouched = copy.deepcopy(document)
    warnings_before = list(document.warnings)
    returned = exporter_for(fmt).render(document, io.BytesIO())
    assert any("bad.png" in w for w in returned), returned
    assert any("logo" in w for w in returned), returned
    assert len(returned) == len(set(returned))  # each message once
    assert list(document.warnings) == warnings_before
    assert document == untouched
    # A second render says the same again: nothing is remembered between renders.
    assert exporter_for(fmt).render(document, io.BytesIO()) == returned


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_document_returns_the_renders_warnings(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"brief.{fmt}"
    warnings = export_document(troubled(), target, fmt)
    assert warnings == exporter_for(fmt).render(troubled(), io.BytesIO())
    assert warnings
    if fmt == "pdf":
        assert "Troubled brief" in pypdf.PdfReader(target).pages[0].extract_text()
    else:
        assert docx.Document(str(target)).paragraphs[0].text == "Troubled brief"
    assert export_document(small(), target, fmt) == []
