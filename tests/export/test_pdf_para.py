"""Tests for `briefer.export.pdf_para.FastParagraph`, the paragraph drawn from runs.

It replaces reportlab's `Paragraph` for left-to-right text, so it must break
lines exactly where `Paragraph` did (a brief keeps its pages), keep every word
and the spaces between them for text extraction, split at line boundaries
with reportlab's widow and orphan rules, cut words too long for a line, align
table cells, and make links and destinations without any markup. PDFs are
read back with pdftotext (poppler) and pypdf.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess

import pypdf
import pytest
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from briefer.document import Citation, Code, Emphasis, LineBreak, Link, Span, Strong, Text
from briefer.export.fonts import FontResolver, FontSet, resolver_for
from briefer.export.pdf_para import FastParagraph, WidthCache
from briefer.export.pdf_text import (
    Mark,
    MarkupContext,
    Run,
    flatten,
    pieces_markup,
    pieces_runs,
)

POPPLER = all(shutil.which(tool) for tool in ("pdftotext",))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")
SIZE = 10.5
PAGE = (595.0, 842.0)


@pytest.fixture(scope="module")
def fonts() -> FontResolver:
    return resolver_for()


@pytest.fixture(scope="module")
def body(fonts: FontResolver) -> FontSet:
    return fonts.base("DejaVu Sans")


def style(body: FontSet, **overrides: object) -> ParagraphStyle:
    values: dict[str, object] = dict(
        name="t",
        fontName=body.regular,
        fontSize=SIZE,
        leading=SIZE * 1.3,
        textColor=black,
        splitLongWords=1,
        allowWidows=0,
        allowOrphans=0,
        bulletFontName=body.regular,
    )
    values.update(overrides)
    return ParagraphStyle(**values)  # type: ignore[arg-type]


def context(fonts: FontResolver, body: FontSet) -> MarkupContext:
    mono = fonts.first_family(["DejaVu Sans Mono"]) or body

    def mark(citation: Citation) -> Mark:
        return Mark(f"[{citation.n}]", dest=f"source-{citation.n}")

    return MarkupContext(fonts, body, mono, SIZE, "#0B5CAD", {"source-1", "source-2"}, mark)


def draw(*flowables: FastParagraph, width: float = 400.0) -> bytes:
    """Draw flowables one below the other on one page; the PDF's bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=1)
    y = PAGE[1] - 72
    for flowable in flowables:
        _w, h = flowable.wrap(width, PAGE[1])
        y -= h
        flowable.drawOn(canvas, 72, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdftotext(data: bytes, *args: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def random_spans(rng: random.Random, words: int) -> list[Span]:
    """Prose with bold, italic, code, links and citation markers mixed in."""
    vocabulary = ["port", "schedule", "carrier", "berth", "consultation", "a", "I", "data,"]
    spans: list[Span] = []
    for i in range(words):
        word = rng.choice(vocabulary)
        roll = rng.random()
        if roll < 0.1:
            spans.append(Strong((Text(word),)))
        elif roll < 0.15:
            spans.append(Emphasis((Text(word),)))
        elif roll < 0.2:
            spans.append(Code(word))
        elif roll < 0.25:
            spans.append(Link("https://example.com/x", (Text(word),)))
        else:
            spans.append(Text(word))
        if rng.random() < 0.08:
            spans.append(Text(" " if rng.random() < 0.5 else ""))
            spans.append(Citation("k", rng.choice((1, 2))))
            spans.append(Text("."))
        if rng.random() < 0.03:
            spans.append(LineBreak())
        if i < words - 1:
            spans.append(Text(rng.choice((" ", " ", " ", "  ", " \n"))))
    return spans


def test_lines_break_where_reportlab_paragraph_breaks_them(
    fonts: FontResolver, body: FontSet
) -> None:
    ctx = context(fonts, body)
    rng = random.Random(3)
    st = style(body)
    for _case in range(100):
        pieces = flatten(random_spans(rng, rng.randint(5, 120)), ctx)
        runs = pieces_runs(pieces, ctx, st.fontName, st.fontSize, st.textColor)
        ours = FastParagraph(runs, st, WidthCache())
        theirs = Paragraph(pieces_markup(pieces, ctx, st.fontName), st)
        for width in (90.0, 233.7, 470.55):
            assert ours.wrap(width, 1e6) == theirs.wrap(width, 1e6), (width, pieces)


@needs_poppler
def test_words_and_the_spaces_between_them_survive_extraction(body: FontSet) -> None:
    st = style(body)
    runs = [
        Run("Alpha", body.bold, SIZE, black),
        Run(" beta ", body.regular, SIZE, black),
        Run("gamma", body.italic, SIZE, black),
        Run("  delta\tepsilon\u00a0zeta", body.regular, SIZE, black),
    ]
    text = pdftotext(draw(FastParagraph(runs, st, WidthCache())))
    # Runs of white space become one space; poppler reads U+00A0 as a space.
    assert " ".join(text.replace("\u00a0", " ").split()) == "Alpha beta gamma delta epsilon zeta"


@needs_poppler
def test_split_parts_hold_every_line_once_in_order(body: FontSet) -> None:
    st = style(body)
    words = " ".join(f"w{n}" for n in range(300))
    para = FastParagraph([Run(words, body.regular, SIZE, black)], st, WidthCache())
    _w, height = para.wrap(200, 1e6)
    lines = round(height / st.leading)
    assert lines > 6
    head, tail = para.split(200, st.leading * 4.5)
    assert head.wrap(200, 1e6)[1] == pytest.approx(st.leading * 4)
    assert tail.wrap(200, 1e6)[1] == pytest.approx(st.leading * (lines - 4))
    found = [int(n) for n in re.findall(r"w(\d+)", pdftotext(draw(head, tail, width=200)))]
    assert found == list(range(300))


def test_no_orphan_and_no_widow_at_a_page_end(body: FontSet) -> None:
    st = style(body)
    words = " ".join(["word"] * 60)
    para = FastParagraph([Run(words, body.regular, SIZE, black)], st, WidthCache())
    _w, height = para.wrap(150, 1e6)
    lines = round(height / st.leading)
    assert para.split(150, st.leading * 1.5) == []  # one line alone: move it all
    _head, tail = para.split(150, st.leading * (lines - 1))  # would leave one line
    assert round(tail.wrap(150, 1e6)[1] / st.leading) == 2


@needs_poppler
def test_a_word_too_long_for_a_line_is_cut_and_joined_again_in_split_parts(
    body: FontSet,
) -> None:
    st = style(body)
    token = "".join(chr(ord("a") + i % 26) for i in range(600))
    runs = [
        Run("Lead " + token[:300], body.regular, SIZE, black),
        Run(token[300:], body.bold, SIZE, black),
    ]
    para = FastParagraph(runs, st, WidthCache())
    _w, height = para.wrap(150, 1e6)
    assert height > st.leading * 5
    head, tail = para.split(150, st.leading * 3)
    # A table lays split parts out narrower than it split them: nothing is lost.
    data = draw(head, tail, width=140)
    assert "".join(pdftotext(data).split()) == "Lead" + token
    for line in pdftotext(data, "-bbox").splitlines():
        if match := re.search(r'xMax="([\d.]+)"', line):
            assert float(match.group(1)) <= 72 + 140 + 0.5


@needs_poppler
def test_centre_and_right_alignment(body: FontSet) -> None:
    boxes = {}
    for name, alignment in (("centre", TA_CENTER), ("right", TA_RIGHT)):
        para = FastParagraph(
            [Run(name, body.regular, SIZE, black)], style(body, alignment=alignment), WidthCache()
        )
        bbox = pdftotext(draw(para, width=300), "-bbox")
        match = re.search(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>' + name, bbox)
        assert match is not None
        boxes[name] = float(match.group(1)), float(match.group(2))
    left, right = boxes["centre"]
    assert (left - 72) == pytest.approx(72 + 300 - right, abs=0.5)
    assert boxes["right"][1] == pytest.approx(72 + 300, abs=0.5)


def test_links_destinations_and_footnote_callbacks(body: FontSet) -> None:
    st = style(body)
    accent = black
    drawn: list[int] = []
    runs = [
        Run("", body.regular, SIZE, black, anchor="here"),
        Run("Read ", body.regular, SIZE, black),
        Run("the report", body.regular, SIZE, accent, href="https://example.com/r", underline=True),
        Run(" now", body.regular, SIZE, black),
        Run("[1]", body.regular, 8.5, accent, 5.25, dest="here"),
        Run("2", body.regular, 8.5, black, 5.25, note=2),
    ]
    para = FastParagraph(runs, st, WidthCache(), on_note=lambda _canvas, n: drawn.append(n))
    assert para.notes == [2]
    pdf = pypdf.PdfReader(io.BytesIO(draw(para)))
    annotations = [a.get_object() for a in pdf.pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annotations if "/A" in a] == ["https://example.com/r"]
    # The internal link leads to the anchor: this page, just above the first line.
    (dest,) = [a["/Dest"] for a in annotations if "/Dest" in a]
    assert dest[0].get_object() == pdf.pages[0].get_object()
    assert PAGE[1] - 72 <= float(dest[3]) <= PAGE[1] - 72 + SIZE
    assert drawn == [2]
