"""The PDF looks like the DOCX of the same document.

Each test pins one difference a user found between the two formats: space
after the contents list, bold table header cells,
italic block quotes with a bar at the left (also across a page break), alt
text as a caption under images, and one warning (not two) for an image that
compose already refused.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from PIL import Image as PILImage
from pypdf.generic import ContentStream
from render_helpers import render_warned
from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus import Image as RLImage
from reportlab.platypus import Table as RLTable

from briefer.compose import compose
from briefer.document import (
    Block,
    Contents,
    ContentsEntry,
    Document,
    Heading,
    Image,
    Paragraph,
    Quote,
    Table,
    Text,
)
from briefer.export import exporter_for
from briefer.export.fonts import resolver_for
from briefer.export.layout import QUOTE_INDENT
from briefer.export.pdf import PdfExporter, _Barred, _Renderer
from briefer.export.pdf_para import FastParagraph
from briefer.model import Brief, CitationStyle, Meta, Section, Style
from briefer.paths import Paths
from briefer.templates import TemplateRegistry

CREATED = dt.datetime(2026, 11, 22, 12, 0, 0)
ASSETS = Path(__file__).resolve().parents[2] / "assets"


def make_document(blocks: list[Block], **style: object) -> Document:
    return Document(
        meta=Meta(title="Parity", author="A. Analyst", date="2026-11-22"),
        style=Style(citations=CitationStyle.ENDNOTES, **style),  # type: ignore[arg-type]
        blocks=blocks,
        sources=[],
        created=CREATED,
        deterministic=True,
    )


def build(document: Document) -> tuple[_Renderer, list[Flowable]]:
    """The renderer and its story, as the exporter would lay it out."""
    renderer = _Renderer(document, resolver_for())
    renderer._collect_destinations()
    return renderer, renderer._story()


def render(document: Document) -> bytes:
    return render_warned(PdfExporter(), document)[0]


def fonts_of(flowable: FastParagraph) -> set[str]:
    return {run.font for run in flowable._runs if run.text}


def filled_rects(page: pypdf.PageObject) -> list[tuple[tuple[float, ...], list[float]]]:
    """(fill colour, [x, y, w, h]) of every filled rectangle on a page."""
    stream = ContentStream(page.get_contents(), page.pdf)
    fill: tuple[float, ...] = ()
    pending: list[list[float]] = []
    found: list[tuple[tuple[float, ...], list[float]]] = []
    for operands, op in stream.operations:
        if op == b"rg":
            fill = tuple(round(float(v), 3) for v in operands)
        elif op == b"re":
            pending.append([float(v) for v in operands])
        elif op in (b"f", b"f*", b"B", b"B*"):
            found.extend((fill, rect) for rect in pending)
            pending = []
        elif op in (b"n", b"S", b"W", b"W*"):
            pending = []
    return found


# --------------------------------------------------------------------------
# 2. Contents
# --------------------------------------------------------------------------


def test_contents_list_ends_with_space_like_a_paragraph() -> None:
    entries = (ContentsEntry(1, "One", "one"), ContentsEntry(2, "Two", "two"))
    blocks: list[Block] = [
        Contents("In this article", entries),
        Paragraph((Text("Body text"),)),
        Heading(1, (Text("One"),), "one"),
        Heading(2, (Text("Two"),), "two"),
    ]
    _renderer, story = build(make_document(blocks))
    first, last, body = story[1], story[2], story[3]
    assert isinstance(last, FastParagraph) and isinstance(body, FastParagraph)
    assert first.getSpaceAfter() < last.getSpaceAfter()
    assert last.getSpaceAfter() >= body.getSpaceAfter()


# --------------------------------------------------------------------------
# 3. Table header
# --------------------------------------------------------------------------


def test_table_header_cells_are_bold_and_the_header_repeats() -> None:
    table = Table(
        header=((Text("Name"),), (Text("Value"),)),
        rows=tuple(((Text(f"row {i}"),), (Text(str(i)),)) for i in range(3)),
        align=("left", "right"),
    )
    renderer, story = build(make_document([table]))
    flowable = story[0]
    assert isinstance(flowable, RLTable)
    assert flowable.repeatRows == 1
    header, body = flowable._cellvalues[0], flowable._cellvalues[1]
    assert all(fonts_of(cell) == {renderer.body.bold} for cell in header)
    assert all(fonts_of(cell) == {renderer.body.regular} for cell in body)
    # Alignment still comes from the column.
    assert body[1].style.alignment == header[1].style.alignment != body[0].style.alignment


def test_table_header_font_is_bold_in_the_pdf() -> None:
    table = Table(header=((Text("Heading"),),), rows=(((Text("cell"),),),), align=())
    page = pypdf.PdfReader(io.BytesIO(render(make_document([table])))).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("Bold" in name for name in fonts), fonts


# --------------------------------------------------------------------------
# 4. Quotes
# --------------------------------------------------------------------------


def test_quote_is_italic_indented_and_barred() -> None:
    blocks: list[Block] = [
        Paragraph((Text("Before"),)),
        Quote((Paragraph((Text("Quoted one"),)), Paragraph((Text("Quoted two"),)))),
    ]
    renderer, story = build(make_document(blocks))
    quote = story[1]
    assert isinstance(quote, _Barred)
    assert len(quote.content) == 2
    for para in quote.content:
        assert isinstance(para, FastParagraph)
        assert fonts_of(para) == {renderer.body.italic}
        # Indented on both sides, as the DOCX Quote style is.
        assert para.style.leftIndent == para.style.rightIndent == QUOTE_INDENT
    # The bar sits inside the indent and runs the full height, gap included.
    assert 0 < quote.bar_x < QUOTE_INDENT
    _w, h = quote.wrap(renderer.frame_w, renderer.frame_h)
    heights = [p.wrap(renderer.frame_w, renderer.frame_h)[1] for p in quote.content]
    assert h == pytest.approx(sum(heights) + quote.content[0].getSpaceAfter())


def test_quote_keeps_headings_outside_the_bar_for_bookmarks() -> None:
    blocks: list[Block] = [
        Quote((Paragraph((Text("a"),)), Heading(2, (Text("Inside"),)), Paragraph((Text("b"),))))
    ]
    _renderer, story = build(make_document(blocks))
    outlines = [f for f in story if getattr(f, "outline", None) is not None]
    assert len(outlines) == 1
    assert sum(isinstance(f, _Barred) for f in story) == 2


def test_a_quote_split_across_pages_has_a_bar_on_each_page() -> None:
    words = "A quoted sentence that is long enough to wrap over a couple of lines. " * 3
    quote = Quote(tuple(Paragraph((Text(f"{i} {words}"),)) for i in range(40)))
    document = make_document([quote])
    data = render(document)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    accent = tuple(round(v, 3) for v in _Renderer(document, resolver_for()).accent.rgb())
    for page in pages:
        bars = [rect for fill, rect in filled_rects(page) if fill == accent]
        assert len(bars) == 1, page.extract_text()[:80]
        # Thin, and taller than a few lines: it spans the quote's part on the page.
        _x, _y, w, h = bars[0]
        assert w <= 3 and h > 200


def test_barred_split_keeps_every_flowable_in_order() -> None:
    quote = Quote(tuple(Paragraph((Text(f"para {i} " + "word " * 40),)) for i in range(6)))
    renderer, story = build(make_document([quote]))
    barred = story[0]
    assert isinstance(barred, _Barred)
    _w, total = barred.wrap(renderer.frame_w, 10_000)
    head, tail = barred.split(renderer.frame_w, total / 2)
    assert isinstance(head, _Barred) and isinstance(tail, _Barred)
    assert head.wrap(renderer.frame_w, total / 2)[1] <= total / 2
    lines = sum(len(p._lines_for(renderer.frame_w)) for p in barred.content)
    parts = head.content + tail.content
    assert sum(len(p._lines_for(renderer.frame_w)) for p in parts) == lines
    # Nothing fits: the whole quote moves on.
    assert barred.split(renderer.frame_w, 1.0) == []


# --------------------------------------------------------------------------
# 5. Image captions
# --------------------------------------------------------------------------


def test_image_alt_text_becomes_an_italic_caption(tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    PILImage.new("RGB", (200, 100), "navy").save(png)
    blocks: list[Block] = [
        Image("chart.png", "Freight volumes by week", png),
        Image("chart.png", "", png),
        Image("gone.png", "Missing chart", None),
    ]
    renderer, story = build(make_document(blocks))
    captioned, bare, placeholder = story
    assert isinstance(captioned, KeepTogether)
    image, caption = captioned._content
    assert isinstance(image, RLImage)
    assert isinstance(caption, FastParagraph)
    assert "".join(r.text for r in caption._runs) == "Freight volumes by week"
    assert fonts_of(caption) == {renderer.body.italic}
    assert caption.style.fontSize < renderer.size
    assert isinstance(bare, RLImage)
    assert isinstance(placeholder, KeepTogether)  # the boxed placeholder, as before
    text = " ".join(
        pypdf.PdfReader(io.BytesIO(render(make_document(blocks)))).pages[0].extract_text().split()
    )
    assert "Freight volumes by week" in text
    assert "[image: Missing chart]" in text


# --------------------------------------------------------------------------
# 6. One warning per image problem
# --------------------------------------------------------------------------


def test_no_second_warning_for_an_image_compose_refused() -> None:
    # No path: compose refused the image and has said why already.
    document = make_document([Image("gone.png", "Missing chart", None)])
    data, warnings = render_warned(PdfExporter(), document)
    text = " ".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "[image: Missing chart]" in text
    assert not [w for w in warnings if "gone.png" in w]


def test_unreadable_image_file_still_warns(tmp_path: Path) -> None:
    webp = tmp_path / "photo.webp"
    PILImage.new("RGB", (10, 10), "green").save(webp, "WEBP")
    document = make_document([Image("photo.webp", "Photo", webp)])
    _data, warnings = render_warned(PdfExporter(), document)
    assert len([w for w in warnings if "photo.webp" in w]) == 1


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_composed_brief_warns_once_per_bad_image(fmt: str, tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes((ASSETS / "briefer.png").read_bytes())
    body = "![ok](chart.png)\n\n![gone](missing.png)\n\n![remote](https://example.org/x.png)"
    brief = Brief(
        template="bluf-memo",
        meta=Meta(title="T", subtitle="Deck"),
        sections=[Section("discussion", "", body)],
        sources={},
    )
    template = TemplateRegistry(Paths.from_env()).get("bluf-memo")
    document = compose(brief, template, base_dir=tmp_path, created=CREATED, deterministic=True)
    before = list(document.warnings)
    for name in ("missing.png", "example.org"):
        assert len([w for w in before if name in w]) == 1, before  # said by compose
    rendered = exporter_for(fmt).render(document, io.BytesIO())
    # The renderer neither repeats compose's warnings nor touches the document.
    assert not [w for w in rendered if "png" in w or "example.org" in w], rendered
    assert list(document.warnings) == before
